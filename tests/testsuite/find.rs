//! The index table's find controls as built, without a browser: find.js is
//! written and linked under the base path, each row names its company, and
//! the controls ship hidden so a page without JavaScript shows the plain
//! table. What the script does in a browser is in `browser.rs`.

use crate::support::SiteTest;

/// The opening tag of the first element whose tag contains `needle`.
#[track_caller]
fn opening_tag<'h>(html: &'h str, needle: &str) -> &'h str {
    let at = html.find(needle).unwrap_or_else(|| panic!("no {needle:?}"));
    let start = html[..=at].rfind('<').expect("<");
    let end = at + html[at..].find('>').expect(">");
    &html[start..=end]
}

/// The `<tr ...>` tags of the company table's body, in page order.
fn body_rows(html: &str) -> Vec<&str> {
    let table = html.find("data-companies=").expect("the company table");
    let start = table + html[table..].find("<tbody>").expect("<tbody>");
    let end = html[start..].find("</tbody>").expect("</tbody>") + start;
    html[start..end]
        .match_indices("<tr")
        .map(|(i, _)| opening_tag(&html[start + i..end], "<tr"))
        .collect()
}

fn build_under_sub_path() -> SiteTest {
    let site = SiteTest::new("minimal");
    site.run(&["build", "--base-url", "https://example.org/sub/"])
        .assert_ok();
    site
}

#[test]
fn find_js_is_written_and_linked_under_the_base_path() {
    let site = build_under_sub_path();
    let js = std::fs::read(site.out().join("find.js")).expect("find.js in the output");
    assert_eq!(js, include_bytes!("../../static/find.js"));

    let html = site.page("");
    assert!(
        html.contains("<script defer src=\"/sub/find.js\"></script>"),
        "index lacks the script under /sub/"
    );
    let table = opening_tag(&html, "data-companies=");
    assert!(
        table.contains("data-companies=\"/sub/data/find.json\""),
        "{table}"
    );
    // The URL the script fetches is a file of the same build.
    assert!(site.out().join("data/find.json").is_file());
}

#[test]
fn every_index_row_names_its_company_by_slug() {
    let site = build_under_sub_path();
    let html = site.page("");
    let slugs: Vec<&str> = body_rows(&html)
        .iter()
        .map(|tr| {
            tr.split("data-slug=\"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .unwrap_or_else(|| panic!("row without data-slug: {tr}"))
        })
        .collect();
    assert_eq!(slugs, ["acme", "beta", "gamma"]);

    // The same slugs as the data the script matches them with.
    let data: serde_json::Value =
        serde_json::from_slice(&std::fs::read(site.out().join("data/find.json")).unwrap())
            .expect("find.json parses");
    assert_eq!(data["fields"][0], "slug");
    let mut in_data: Vec<&str> = data["companies"]
        .as_array()
        .expect("companies array")
        .iter()
        .map(|c| c[0].as_str().expect("slug"))
        .collect();
    in_data.sort_unstable();
    assert_eq!(in_data, slugs);
}

#[test]
fn the_find_controls_ship_hidden_and_the_headers_name_their_column() {
    let site = build_under_sub_path();
    let html = site.page("");
    let form = opening_tag(&html, "id=\"company-find\"");
    assert!(
        form.starts_with("<form") && form.contains(" hidden"),
        "{form}"
    );
    let empty = opening_tag(&html, "id=\"company-find-empty\"");
    assert!(empty.contains(" hidden"), "{empty}");
    // The live count is inside the hidden form, so it is hidden too.
    let form_html = &html[html.find(form).unwrap()..];
    let form_html = &form_html[..form_html.find("</form>").expect("</form>")];
    assert!(form_html.contains("aria-live=\"polite\""), "{form_html}");
    for name in ["q", "packaging", "mechanic", "category"] {
        assert!(
            form_html.contains(&format!("name=\"{name}\"")),
            "no {name} field"
        );
    }

    // Sort buttons are the script's to add: none in the served header.
    let table = &html[html.find("data-companies=").expect("the company table")..];
    let thead = &table[..table.find("</thead>").expect("</thead>")];
    assert!(!thead.contains("<button"), "{thead}");
    for column in ["name", "category", "packaging", "mechanic"] {
        assert!(
            thead.contains(&format!("<th scope=\"col\" data-sort=\"{column}\">")),
            "no {column} header: {thead}"
        );
    }
}

#[test]
fn find_json_holds_what_the_script_reads_as_companies_json_has_it() {
    let site = SiteTest::new("minimal");
    site.edit(
        "content/companies/acme.md",
        "name = \"Acme\"",
        "name = \"Acme \\\"Ünïcode\\\", Inc.\"",
    );
    site.build().assert_ok();
    let read = |path: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(site.out().join(path)).expect(path)).expect(path)
    };
    let (find, full) = (read("data/find.json"), read("data/companies.json"));
    assert_eq!(find["schema_version"], full["schema_version"]);
    let fields: Vec<&str> = find["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f.as_str().expect("field name"))
        .collect();
    assert_eq!(
        fields,
        [
            "slug",
            "name",
            "category",
            "ai_packaging",
            "mechanic",
            "note"
        ]
    );
    let rows = find["companies"].as_array().expect("rows");
    let companies = full["companies"].as_array().expect("companies");
    assert_eq!(rows.len(), companies.len());
    for (row, c) in rows.iter().zip(companies) {
        let metering = &c["metering"];
        let expected = [
            c["slug"].clone(),
            c["name"].clone(),
            c["category"].clone(),
            c["ai_packaging"].clone(),
            if metering.is_null() {
                "none".into()
            } else {
                metering["mechanic"].clone()
            },
            if metering["note"].is_null() {
                "".into()
            } else {
                metering["note"].clone()
            },
        ];
        assert_eq!(row.as_array().expect("row"), &expected, "{c}");
    }
    assert_eq!(rows[0][1], "Acme \"Ünïcode\", Inc.");
    // One company per line, as companies.json has it, so diffs stay small.
    let text = std::fs::read_to_string(site.out().join("data/find.json")).expect("text");
    assert_eq!(text.lines().filter(|l| l.starts_with("[\"")).count(), 3);
}
