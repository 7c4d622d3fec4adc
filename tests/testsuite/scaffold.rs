//! `trendsite new`: entries that pass `check` once filled in, and refusals.

use crate::support::SiteTest;

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
    site.check().assert_ok();
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
