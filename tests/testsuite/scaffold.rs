//! `trendsite new`: entries that pass `check` once filled in, and refusals.

use crate::support::SiteTest;

/// Fills the blanks of a new company's required fields and body links.
fn fill_company(site: &SiteTest, rel: &str) {
    site.edit(
        rel,
        "website = \"https://\"",
        "website = \"https://acme.example\"",
    )
    .edit(rel, "category = \"\"", "category = \"cloud\"")
    .edit(rel, "ai_packaging = \"\"", "ai_packaging = \"add-on\"")
    .edit(rel, "mechanic = \"\"", "mechanic = \"credits\"")
    .edit(
        rel,
        "url = \"https://\"",
        "url = \"https://acme.example/pricing\"",
    )
    .edit(
        rel,
        "[a company](@/companies/slug.md)",
        "[a company](@/companies/acme.md)",
    )
    .edit(
        rel,
        "[a trend](@/trends/slug.md)",
        "[a trend](@/trends/credits.md)",
    );
}

#[test]
fn a_new_company_passes_check_once_filled_in() {
    let site = SiteTest::new("minimal");
    site.run(&["new", "company", "acme-cloud"])
        .assert_ok()
        .assert_stderr_contains("content/companies/acme-cloud.md");
    let rel = "content/companies/acme-cloud.md";
    let text = site.read(rel);
    assert!(text.contains("name = \"Acme Cloud\""));
    assert!(text.contains("bundled | tiered | add-on | separate-sku | usage-based | none"));
    assert!(text.contains("# payg = false"));
    // Blank required fields fail, with their lines.
    site.check()
        .assert_failed()
        .assert_stderr_contains("acme-cloud.md:3:");
    fill_company(&site, rel);
    site.check().assert_ok();
    // The commented mark, once uncommented, lists the fact it names.
    assert!(text.contains("tiers.<tier name>.ai_allowance"));
    site.edit(rel, "# unconfirmed = ", "unconfirmed = ");
    site.check()
        .assert_ok()
        .assert_stderr_contains("note: unconfirmed fact: \"credits\" (field `metering.mechanic`)");
}

#[test]
fn a_new_trend_passes_check_once_filled_in() {
    let site = SiteTest::new("minimal");
    site.run(&["new", "trend", "bundles"]).assert_ok();
    let rel = "content/trends/bundles.md";
    assert!(
        site.read(rel).contains("metering.mechanic"),
        "lists the field paths"
    );
    site.check()
        .assert_failed()
        .assert_stderr_contains("bundles.md:3:");
    site.edit(rel, "summary = \"\"", "summary = \"Bundled AI.\"");
    site.check().assert_ok();
    site.build().assert_ok();
    assert!(
        site.page("trends/bundles/")
            .contains("href=\"/companies/acme/\"")
    );
}

#[test]
fn new_refuses_existing_and_bad_slugs() {
    let site = SiteTest::new("minimal");
    let before = site.read("content/companies/acme.md");
    site.run(&["new", "company", "acme"])
        .assert_failed()
        .assert_stderr_contains("already exists");
    assert_eq!(site.read("content/companies/acme.md"), before);
    site.run(&["new", "company", "Acme Corp"])
        .assert_failed()
        .assert_stderr_contains("not a valid slug");
    site.run(&["new", "trend", "credits"])
        .assert_failed()
        .assert_stderr_contains("already exists");
}

/// Removes the `# ` before every line from `from` to `to`, inclusive.
fn uncomment(text: &str, from: &str, to: &str) -> String {
    let mut inside = false;
    let mut out = String::new();
    for line in text.lines() {
        inside |= line.starts_with(from);
        let shown = if inside {
            line.strip_prefix("# ").unwrap_or(line)
        } else {
            line
        };
        out.push_str(shown);
        out.push('\n');
        inside &= !line.starts_with(to);
    }
    out
}

#[test]
fn the_history_examples_are_valid_once_uncommented_and_filled() {
    let site = SiteTest::new("minimal");
    site.run(&["new", "company", "acme-cloud"]).assert_ok();
    let rel = "content/companies/acme-cloud.md";
    let text = site.read(rel);
    assert!(
        text.contains("# [[changes]]\n") && text.contains("# [changes.before]"),
        "{text}"
    );
    assert!(text.contains("metering.mechanic, metering.unit"), "{text}");
    site.write(rel, uncomment(&text, "# [[changes]]", "# price_usd = 15"));
    fill_company(&site, rel);
    // Uncommented but blank, the change is an error at its fields.
    site.check()
        .assert_failed()
        .assert_stderr_contains("changes.summary");
    let date_line = site
        .read(rel)
        .lines()
        .find(|l| l.starts_with("date = "))
        .expect("the change's date")
        .to_string();
    site.edit(rel, &date_line, "date = 2025-01-15")
        .edit(
            rel,
            "summary = \"\"",
            "summary = \"AI moved to an add-on.\"",
        )
        .edit(
            rel,
            "source = \"https://\"",
            "source = \"https://acme.example/blog\"",
        )
        .edit(rel, "ai_packaging = \"\"", "ai_packaging = \"bundled\"");
    site.check().assert_ok();
    site.run(&["build", "--as-of", "2025-01-01"]).assert_ok();
    // As of a date before the change, the company is what `before` says.
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(site.out().join("data/companies.json")).expect("json"),
    )
    .expect("valid JSON");
    let cloud = json["companies"]
        .as_array()
        .and_then(|all| all.iter().find(|c| c["slug"] == "acme-cloud"))
        .expect("acme-cloud in companies.json");
    assert_eq!(cloud["ai_packaging"], "bundled");
    assert_eq!(cloud["tiers"][0]["price_usd"], 15);

    site.run(&["new", "trend", "bundles"]).assert_ok();
    let rel = "content/trends/bundles.md";
    let text = site.read(rel);
    assert!(text.contains("# reviewed = "), "{text}");
    site.write(rel, uncomment(&text, "# reviewed", "# reviewed"));
    site.edit(rel, "summary = \"\"", "summary = \"Bundled AI.\"");
    site.check().assert_ok();
    assert!(site.read(rel).contains("\nreviewed = "));
}
