//! "Over time" on trend pages: each group's size at the end of every
//! quarter of the content's history, as a chart and as a table.

use crate::support::SiteTest;

/// The minimal fixture with history: Beta joins the credits trend (as an
/// add-on) in November 2024, Acme moves from add-on to bundled in June
/// 2025. The newest date the content holds is Acme's `verified`, 2026-03-10,
/// so the history ends in 2026 Q1 whatever the clock says.
pub fn history_site() -> SiteTest {
    let site = SiteTest::new("minimal");
    let add = |file: &str, from: &str, to: &str, change: &str| {
        site.edit(file, from, to);
        let text = site.read(file);
        let end = text[3..].find("+++").expect("front matter end") + 3;
        site.write(file, format!("{}{change}{}", &text[..end], &text[end..]));
    };
    add(
        "content/companies/acme.md",
        "verified = 2026-10-01",
        "verified = 2026-03-10",
        "\n[[changes]]\ndate = 2025-06-16\nsummary = \"AI comes with every plan.\"\n\
         source = \"https://acme.example/june\"\nbefore = { ai_packaging = \"add-on\" }\n",
    );
    add(
        "content/companies/beta.md",
        "verified = 2026-09-01",
        "verified = 2026-02-01",
        "\n[[changes]]\ndate = 2024-11-02\nsummary = \"Tokens replace seats.\"\n\
         source = \"https://beta.example/november\"\nbefore = { \"metering.mechanic\" = \"seats\" }\n",
    );
    site.edit(
        "content/companies/gamma.md",
        "verified = 2026-08-01",
        "verified = 2026-01-20",
    );
    site
}

/// The "Over time" table's header cells and rows (quarter, counts).
fn over_time_table(html: &str) -> (Vec<String>, Vec<(String, Vec<usize>)>) {
    let start = html
        .find("id=\"over-time-heading\"")
        .expect("an Over time section");
    let section = &html[start..start + html[start..].find("</section>").expect("</section>")];
    let cells = |row: &str, tag: &str| -> Vec<String> {
        row.split(&format!("<{tag}"))
            .skip(1)
            .map(|c| {
                let c = &c[c.find('>').expect(">") + 1..];
                c[..c.find('<').expect("<")].to_string()
            })
            .collect()
    };
    let head = &section[section.find("<thead>").expect("<thead>") + "<thead>".len()..];
    let head = cells(&head[..head.find("</thead>").expect("</thead>")], "th");
    let body = &section[section.find("<tbody>").expect("<tbody>")..];
    let rows = body
        .split("<tr>")
        .skip(1)
        .map(|row| {
            let quarter = cells(row, "th").remove(0);
            let counts = cells(row, "td")
                .iter()
                .map(|n| n.parse().expect("a count"))
                .collect();
            (quarter, counts)
        })
        .collect();
    (head, rows)
}

#[test]
fn trend_pages_show_each_groups_size_at_every_quarter_end() {
    let site = history_site();
    site.build().assert_ok();
    let html = site.page("trends/credits/");
    let (head, rows) = over_time_table(&html);
    // Nobody was ever in "Other": no column for it.
    assert_eq!(head, ["Quarter", "Bundled", "Add-on"]);
    let want: Vec<(String, Vec<usize>)> = [
        ("2024 Q4", [0, 2]),
        ("2025 Q1", [0, 2]),
        ("2025 Q2", [1, 1]),
        ("2025 Q3", [1, 1]),
        ("2025 Q4", [1, 1]),
        ("2026 Q1", [1, 1]),
    ]
    .iter()
    .map(|(q, c)| (q.to_string(), c.to_vec()))
    .collect();
    assert_eq!(rows, want);
    assert!(html.contains("<caption>Companies per group at the end of each quarter</caption>"));
    // A line per group, each ending in a named link to its group.
    let svg_at = html
        .find("id=\"chart-over-time-title\"")
        .expect("the chart");
    let svg = &html[svg_at..svg_at + html[svg_at..].find("</svg>").expect("</svg>")];
    assert!(svg.contains(
        "<a href=\"/trends/credits/#bundled\" aria-label=\"Bundled: 1 company at the end of 2026 Q1\">"
    ));
    assert!(svg.contains("<a href=\"/trends/credits/#add-on\""));
    assert!(html.contains("<h3 id=\"bundled\">") && html.contains("<h3 id=\"add-on\">"));
    assert!(svg.contains(">Bundled 1</text>") && svg.contains(">Add-on 1</text>"));

    // A trend without groups has one line, for all its companies, and
    // nothing to link to.
    let html = site.page("trends/plain/");
    let (head, rows) = over_time_table(&html);
    assert_eq!(head, ["Quarter", "All"]);
    assert_eq!(rows.len(), 6);
    assert!(rows.iter().all(|(_, c)| c == &[1]), "{rows:?}");
    let svg_at = html
        .find("id=\"chart-over-time-title\"")
        .expect("the chart");
    let svg = &html[html[..svg_at].rfind("<svg").expect("<svg")..svg_at];
    assert!(svg.contains("role=\"img\""), "{svg}");
}

#[test]
fn over_time_needs_two_quarters_of_history() {
    // No change at all.
    let site = SiteTest::new("minimal");
    site.build().assert_ok();
    assert!(!site.page("trends/credits/").contains("Over time"));
    // One change, in the quarter of the newest date.
    site.edit(
        "content/companies/beta.md",
        "checked = 2026-09-01\n+++",
        "checked = 2026-09-01\n\n[[changes]]\ndate = 2026-10-15\nsummary = \"Tokens replace seats.\"\n\
         source = \"https://beta.example/october\"\nbefore = { \"metering.mechanic\" = \"seats\" }\n+++",
    );
    site.build().assert_ok();
    let html = site.page("trends/credits/");
    assert!(html.contains("<h3 id=\"add-on\">"));
    assert!(!html.contains("Over time"), "one quarter is no line");
}
