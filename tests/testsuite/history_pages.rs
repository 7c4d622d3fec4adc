//! The pages history adds: `/changes/`, the latest changes on the home
//! page, a company's history and a trend's recent moves, built from
//! companies with dated changes.

use trendsite::serve::state::State;

use crate::incremental::assert_same_for;
use crate::support::SiteTest;

const ACME: &str = "content/companies/acme.md";
const BETA: &str = "content/companies/beta.md";
const GAMMA: &str = "content/companies/gamma.md";

/// Appends `changes` to the front matter of the company file `rel`.
fn add_changes(site: &SiteTest, rel: &str, changes: &str) {
    let text = site.read(rel);
    let end = text[3..].find("+++").expect("closing +++") + 3;
    site.write(rel, format!("{}\n{changes}{}", &text[..end], &text[end..]));
}

/// The minimal fixture with six changes over three companies. In the
/// credits trend (credits or tokens; groups "Bundled", "Add-on"):
/// Acme entered "Add-on" in 2024 (seats to credits) and moved to "Bundled"
/// in June 2025; Beta entered "Add-on" in September 2025; Gamma left
/// "Add-on" for the "No AI" trend in January 2025.
fn site_with_changes() -> SiteTest {
    let site = SiteTest::new("minimal");
    add_changes(
        &site,
        ACME,
        r#"[[changes]]
date = 2025-06-16
summary = "AI comes with every plan, as with [Beta](@/companies/beta.md)."
source = "https://acme.example/blog/bundled"
[changes.before]
ai_packaging = "add-on"
"metering.payg" = false

[[changes]]
date = 2025-06-16
summary = "Pro costs more."
source = "https://acme.example/blog/pro-price"
[[changes.before.tiers]]
name = "Pro"
price_usd = 15
period = "month"
per = "user"
ai_allowance = "500 credits"

[[changes]]
date = 2024-03-02
summary = "Credits replace seats."
source = "https://acme.example/blog/credits"
[changes.before]
"metering.mechanic" = "seats"
"#,
    );
    add_changes(
        &site,
        BETA,
        r#"[[changes]]
date = 2025-09-10
summary = "Token packs replace the AI seat."
source = "https://beta.example/news/tokens"
[changes.before]
"metering.mechanic" = "seats"

[[changes]]
date = 2024-11-05
summary = "New note, see [credits](@/trends/credits.md)."
source = "https://beta.example/news/note"
[changes.before]
"metering.note" = "Token packs."
"#,
    );
    add_changes(
        &site,
        GAMMA,
        r#"[[changes]]
date = 2025-01-20
summary = "The AI add-on is gone."
source = "https://gamma.example/changelog"
[changes.before]
ai_packaging = "add-on"
"metering.mechanic" = "tokens"
"#,
    );
    site
}

fn built(site: &SiteTest) -> &SiteTest {
    site.build().assert_ok();
    site
}

/// The part of `html` from `start` to the first `end` after it.
#[track_caller]
fn between<'h>(html: &'h str, start: &str, end: &str) -> &'h str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in {html}"));
    let to = html[from..]
        .find(end)
        .unwrap_or_else(|| panic!("no {end:?} after {start:?}"));
    &html[from..from + to]
}

/// Where each needle is in `html`, all of which must be there, in order.
#[track_caller]
fn assert_in_order(html: &str, needles: &[&str]) {
    let mut at = 0;
    for needle in needles {
        match html[at..].find(needle) {
            Some(i) => at += i + needle.len(),
            None => panic!("{needle:?} missing or out of order in:\n{html}"),
        }
    }
}

/// One change's article on the changes page.
#[track_caller]
fn change<'h>(page: &'h str, id: &str) -> &'h str {
    between(
        page,
        &format!("<article class=\"change\" id=\"{id}\">"),
        "</article>",
    )
}

#[test]
fn the_changes_page_lists_every_change_newest_first_by_month() {
    let site = site_with_changes();
    let page = built(&site).page("changes/");
    assert!(page.contains("6 dated changes"), "{page}");
    assert_in_order(
        &page,
        &[
            "<h2 id=\"month-2025-09\">September 2025</h2>",
            "id=\"beta-2025-09-10\"",
            "<h2 id=\"month-2025-06\">June 2025</h2>",
            "id=\"acme-2025-06-16\"",
            "id=\"acme-2025-06-16-2\"",
            "<h2 id=\"month-2025-01\">January 2025</h2>",
            "id=\"gamma-2025-01-20\"",
            "<h2 id=\"month-2024-11\">November 2024</h2>",
            "id=\"beta-2024-11-05\"",
            "<h2 id=\"month-2024-03\">March 2024</h2>",
            "id=\"acme-2024-03-02\"",
        ],
    );
    assert_eq!(page.matches("<article class=\"change\"").count(), 6);

    let bundled = change(&page, "acme-2025-06-16");
    assert!(bundled.contains("<time datetime=\"2025-06-16\">2025-06-16</time>"));
    assert!(bundled.contains("<a href=\"/companies/acme/\">Acme</a>"));
    // The summary's @/ link resolved to the page.
    assert!(bundled.contains(
        "<p>AI comes with every plan, as with <a href=\"/companies/beta/\">Beta</a>.</p>"
    ));
    assert!(bundled.contains("<li>AI packaging: add-on → bundled</li>"));
    assert!(bundled.contains("<li>Pay as you go: no → yes</li>"));
    assert!(
        bundled.contains(
            "<li>entered <a href=\"/trends/credits/#bundled\">Credits › Bundled</a></li>"
        )
    );
    assert!(
        bundled.contains("<li>left <a href=\"/trends/credits/#add-on\">Credits › Add-on</a></li>")
    );
    assert!(bundled.contains(
        "<a href=\"https://acme.example/blog/bundled\" rel=\"external\">https://acme.example/blog/bundled</a>"
    ));

    // Same day, second in the file: numbered, and no move of its own.
    let price = change(&page, "acme-2025-06-16-2");
    assert!(price.contains(
        "<li>Tiers: Pro: $15 / month per user (500 credits) → Pro: $20 / month per user (500 credits)</li>"
    ));
    assert!(!price.contains("class=\"moves\""), "{price}");

    // Out of one trend and into one without groups: no group named.
    let gamma = change(&page, "gamma-2025-01-20");
    assert!(gamma.contains("<li>AI packaging: add-on → none</li>"));
    assert!(gamma.contains("<li>Metering: tokens → none</li>"));
    assert!(
        gamma.contains("<li>left <a href=\"/trends/credits/#add-on\">Credits › Add-on</a></li>")
    );
    assert!(gamma.contains("<li>entered <a href=\"/trends/plain/\">No AI</a></li>"));

    let first = change(&page, "acme-2024-03-02");
    assert!(first.contains("<li>Metering: seats → credits</li>"));
    assert!(
        first.contains("<li>entered <a href=\"/trends/credits/#add-on\">Credits › Add-on</a></li>")
    );
    assert!(!first.contains("<li>left"));

    // A note's change moves nothing; its summary links to the trend.
    let note = change(&page, "beta-2024-11-05");
    assert!(note.contains("<a href=\"/trends/credits/\">credits</a>"));
    assert!(
        note.contains("<li>Metering note: Token packs. → Token packs on top of any plan.</li>")
    );
    assert!(!note.contains("class=\"moves\""));
}

#[test]
fn a_company_page_shows_its_history_newest_first() {
    let site = site_with_changes();
    built(&site);
    let acme = site.page("companies/acme/");
    let history = between(
        &acme,
        "<h2 id=\"change-history\">History</h2>",
        "</section>",
    );
    assert_in_order(
        history,
        &[
            "<a href=\"/changes/#acme-2025-06-16\"><time datetime=\"2025-06-16\">2025-06-16</time></a>: AI comes with every plan",
            "<li>AI packaging: add-on → bundled</li>",
            "<li>Pay as you go: no → yes</li>",
            "https://acme.example/blog/bundled",
            "<a href=\"/changes/#acme-2025-06-16-2\">",
            "Pro costs more.",
            "<li>Tiers: Pro: $15 / month per user (500 credits) → Pro: $20 / month per user (500 credits)</li>",
            "https://acme.example/blog/pro-price",
            "<a href=\"/changes/#acme-2024-03-02\">",
            "Credits replace seats.",
            "<li>Metering: seats → credits</li>",
            "<a href=\"https://acme.example/blog/credits\" rel=\"external\">",
        ],
    );
    // Only its own changes.
    assert!(!history.contains("beta.example"), "{history}");
    let gamma = site.page("companies/gamma/");
    assert_eq!(gamma.matches("href=\"/changes/#").count(), 1);
}

#[test]
fn the_home_page_shows_the_latest_five_changes() {
    let site = site_with_changes();
    let home = built(&site).page("");
    let latest = between(&home, "<h2 id=\"latest-changes\">", "</section>");
    assert_eq!(latest.matches("<li>").count(), 5, "{latest}");
    assert_in_order(
        latest,
        &[
            "<a href=\"/changes/#beta-2025-09-10\"><time datetime=\"2025-09-10\">2025-09-10</time></a> <a href=\"/companies/beta/\">beta</a>: Token packs replace the AI seat.",
            "/changes/#acme-2025-06-16\"",
            "/changes/#acme-2025-06-16-2\"",
            "/changes/#gamma-2025-01-20\"",
            "/changes/#beta-2024-11-05\"",
            "<a href=\"/changes/\">All 6 changes</a>",
        ],
    );
    // The sixth, oldest change is only on the changes page.
    assert!(!home.contains("acme-2024-03-02"));
}

#[test]
fn a_trend_page_shows_recent_moves_into_and_out_of_its_groups() {
    let site = site_with_changes();
    built(&site);
    let credits = site.page("trends/credits/");
    let moves = between(&credits, "<h2 id=\"recent-moves\">", "</section>");
    assert_eq!(moves.matches("<li>").count(), 4, "{moves}");
    assert_in_order(
        moves,
        &[
            "<a href=\"/changes/#beta-2025-09-10\"><time datetime=\"2025-09-10\">2025-09-10</time></a> <a href=\"/companies/beta/\">beta</a> entered <a href=\"/trends/credits/#add-on\">Add-on</a>",
            "<a href=\"/changes/#acme-2025-06-16\">",
            "<a href=\"/companies/acme/\">Acme</a> moved from <a href=\"/trends/credits/#add-on\">Add-on</a> to <a href=\"/trends/credits/#bundled\">Bundled</a>",
            // Gamma is no longer in the trend but its move out is shown.
            "<a href=\"/changes/#gamma-2025-01-20\">",
            "<a href=\"/companies/gamma/\">Gamma</a> left <a href=\"/trends/credits/#add-on\">Add-on</a>",
            "<a href=\"/changes/#acme-2024-03-02\">",
            "entered <a href=\"/trends/credits/#add-on\">Add-on</a>: Credits replace seats.",
        ],
    );
    // Changes that moved nothing in this trend are not moves.
    assert!(!moves.contains("Pro costs more"));
    assert!(!moves.contains("beta-2024-11-05"));

    let plain = site.page("trends/plain/");
    let moves = between(&plain, "<h2 id=\"recent-moves\">", "</section>");
    assert_eq!(moves.matches("<li>").count(), 1, "{moves}");
    assert!(moves.contains(
        "<a href=\"/companies/gamma/\">Gamma</a> entered <a href=\"/trends/plain/\">No AI</a>"
    ));
}

#[test]
fn a_trend_page_shows_only_the_latest_ten_moves() {
    let site = SiteTest::new("minimal");
    // Twelve changes, each moving Acme between "Bundled" and "Add-on".
    let mut changes = String::new();
    for month in (1..=12).rev() {
        let before = if month % 2 == 0 { "add-on" } else { "bundled" };
        changes.push_str(&format!(
            "[[changes]]\ndate = 2024-{month:02}-01\nsummary = \"Move {month}.\"\nsource = \"https://acme.example/{month}\"\n[changes.before]\nai_packaging = \"{before}\"\n\n"
        ));
    }
    // The newest change must leave Acme as its front matter says: bundled.
    add_changes(&site, ACME, &changes);
    let credits = built(&site).page("trends/credits/");
    let moves = between(&credits, "<h2 id=\"recent-moves\">", "</section>");
    assert_eq!(moves.matches("<li>").count(), 10, "{moves}");
    assert_in_order(
        moves,
        &["acme-2024-12-01", "acme-2024-11-01", "acme-2024-03-01"],
    );
    assert!(!moves.contains("acme-2024-02-01"));
    assert!(site.page("changes/").contains("id=\"acme-2024-01-01\""));
}

#[test]
fn every_page_links_to_the_changes_page_in_its_header() {
    let site = site_with_changes();
    built(&site);
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(site.out()) {
        let entry = entry.expect("walk output");
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = std::fs::read_to_string(entry.path()).expect("read page");
        let nav = between(&html, "<nav aria-label=\"Site\">", "</nav>");
        let current = entry.path().ends_with("changes/index.html");
        let link = if current {
            "<a href=\"/changes/\" aria-current=\"page\">Changes</a>"
        } else {
            "<a href=\"/changes/\">Changes</a>"
        };
        assert!(nav.contains(link), "{}: {nav}", entry.path().display());
        pages += 1;
    }
    assert!(pages > 10, "only {pages} pages");
}

#[test]
fn without_changes_the_pages_say_so_or_leave_history_out() {
    let site = SiteTest::new("minimal");
    built(&site);
    let changes = site.page("changes/");
    assert!(changes.contains("<p class=\"empty\">No dated changes yet.</p>"));
    assert!(!changes.contains("<article"));
    assert!(!site.page("").contains("latest-changes"));
    assert!(!site.page("companies/acme/").contains("change-history"));
    assert!(!site.page("trends/credits/").contains("recent-moves"));
    // Still a page of the site.
    assert!(
        std::fs::read_to_string(site.out().join("sitemap.xml"))
            .expect("sitemap")
            .contains("<loc>https://example.org/changes/</loc>")
    );
}

#[test]
fn a_broken_link_in_a_summary_is_an_error_at_its_line() {
    let site = site_with_changes();
    site.edit(
        ACME,
        "as with [Beta](@/companies/beta.md)",
        "as with [Beta](@/companies/nope.md)",
    );
    let line = site
        .read(ACME)
        .lines()
        .position(|l| l.contains("@/companies/nope.md"))
        .expect("the broken link")
        + 1;
    let run = site.build();
    run.assert_failed()
        .assert_stderr_contains("`@/companies/nope.md` points to content/companies/nope.md, which does not exist (field `changes.summary`)")
        .assert_stderr_contains(&format!("--> content/companies/acme.md:{line}:"));
    // `check` reports it too, with a broken body link in the same run.
    site.edit(
        ACME,
        "See [Beta](@/companies/beta.md)",
        "See [Beta](@/companies/gone.md)",
    );
    site.check()
        .assert_failed()
        .assert_stderr_contains(&format!("--> content/companies/acme.md:{line}:"))
        .assert_stderr_contains("`@/companies/gone.md` points to")
        .assert_stderr_contains("2 errors");
}

#[test]
fn serve_rerenders_the_moves_of_a_company_that_left_a_trend() {
    let site = site_with_changes();
    let (mut state, outcome) = State::load(&site.root, "/");
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    // Gamma is not in the credits trend any more, but its move out is on
    // the credits page, which must follow an edit of its summary.
    site.edit(
        GAMMA,
        "The AI add-on is gone.",
        "The AI add-on was dropped.",
    );
    let o = state.apply(&[site.root.join(GAMMA)]);
    assert!(o.errors.is_empty(), "{:?}", o.errors);
    assert!(
        o.changed.contains(&"trends/credits/index.html".to_string()),
        "{:?}",
        o.changed
    );
    // A company's first change makes it a reader of every trend page.
    let gamma_free = SiteTest::new("minimal");
    let (mut fresh, _) = State::load(&gamma_free.root, "/");
    add_changes(
        &gamma_free,
        GAMMA,
        "[[changes]]\ndate = 2025-01-20\nsummary = \"Gone.\"\nsource = \"https://gamma.example/c\"\n[changes.before]\nai_packaging = \"add-on\"\n\"metering.mechanic\" = \"tokens\"\n",
    );
    let o = fresh.apply(&[gamma_free.root.join(GAMMA)]);
    assert!(o.errors.is_empty(), "{:?}", o.errors);
    assert_same_for(&state, &site, "/", "summary edited");
    assert_same_for(&fresh, &gamma_free, "/", "first change");
}

#[test]
fn a_sites_change_item_template_shapes_each_change_and_serve_follows_trend_edits() {
    let site = site_with_changes();
    site.write(
        "templates/change_item.html",
        "<article class=\"mine\" id=\"{{ c.id }}\">{{ c.company.name }}{% for g in c.entered %} +{{ g.trend }}/{{ g.group }}{% endfor %}{% for g in c.left %} -{{ g.trend }}/{{ g.group }}{% endfor %}</article>\n",
    );
    let page = built(&site).page("changes/");
    assert_in_order(
        &page,
        &[
            "<h2 id=\"month-2025-09\">September 2025</h2>",
            "<article class=\"mine\" id=\"beta-2025-09-10\">beta +Credits/Add-on</article>",
            "<h2 id=\"month-2025-06\">June 2025</h2>",
            "<article class=\"mine\" id=\"acme-2025-06-16\">Acme +Credits/Bundled -Credits/Add-on</article>",
            "<article class=\"mine\" id=\"acme-2025-06-16-2\">Acme</article>",
        ],
    );
    assert!(!page.contains("class=\"change\""), "{page}");

    // The snippets name the trends' groups, so a trend edit and a snippet
    // edit must reach every one of them in serve, as a full build would.
    let (mut state, outcome) = State::load(&site.root, "/");
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    site.edit(
        "content/trends/credits.md",
        "title = \"Credits\"",
        "title = \"Credit meters\"",
    );
    let o = state.apply(&[site.root.join("content/trends/credits.md")]);
    assert!(o.errors.is_empty(), "{:?}", o.errors);
    assert!(
        state_page(&state, "changes/index.html").contains("beta +Credit meters/Add-on"),
        "the changes page kept the old trend title"
    );
    assert_same_for(&state, &site, "/", "trend renamed");
    site.edit(
        "templates/change_item.html",
        "class=\"mine\"",
        "class=\"ours\"",
    );
    let o = state.apply(&[site.root.join("templates/change_item.html")]);
    assert!(o.errors.is_empty(), "{:?}", o.errors);
    assert_same_for(&state, &site, "/", "snippet template edited");
}

fn state_page(state: &State, path: &str) -> String {
    state
        .pages()
        .get(path)
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default()
}
