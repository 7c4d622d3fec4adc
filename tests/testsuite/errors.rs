//! Bad input: every class of content error fails the build with exit 1,
//! names the file and line, and leaves the previous output untouched.

use crate::support::{SiteTest, snapshot};

/// Builds the fixture once, applies `break_it`, builds again, and checks
/// that the second build failed without touching the first one's output.
fn fails(break_it: impl FnOnce(&SiteTest)) -> String {
    let site = SiteTest::new("minimal");
    site.build().assert_ok();
    let before = snapshot(&site.out());
    break_it(&site);
    let run = site.build();
    run.assert_failed()
        .assert_stderr_contains("nothing was written");
    assert_eq!(before, snapshot(&site.out()), "previous output changed");
    run.stderr()
}

fn has(stderr: &str, needle: &str) {
    assert!(
        stderr.contains(needle),
        "stderr lacks {needle:?}:\n{stderr}"
    );
}

#[test]
fn malformed_toml() {
    let err = fails(|s| {
        s.edit(
            "content/companies/acme.md",
            "category = \"developer-tools\"",
            "category = \"developer-tools",
        );
    });
    has(&err, "content/companies/acme.md:4:");
    insta::assert_snapshot!("malformed_toml", err);
}

#[test]
fn missing_required_field() {
    let err = fails(|s| {
        s.edit(
            "content/companies/acme.md",
            "website = \"https://acme.example\"\n",
            "",
        );
    });
    has(&err, "content/companies/acme.md:1:1");
    has(&err, "missing required field `website`");
    has(&err, "an http(s) URL");
}

#[test]
fn missing_metering_unless_packaging_is_none() {
    let err = fails(|s| {
        let text = s.read("content/companies/beta.md");
        let start = text.find("[metering]").expect("metering");
        let end = text.find("[[sources]]").expect("sources");
        s.write(
            "content/companies/beta.md",
            format!("{}{}", &text[..start], &text[end..]),
        );
    });
    has(&err, "content/companies/beta.md:1:1");
    has(&err, "missing required table `[metering]`");
}

#[test]
fn wrong_enum_value_lists_the_allowed_values() {
    let err = fails(|s| {
        s.edit(
            "content/companies/acme.md",
            "ai_packaging = \"bundled\"",
            "ai_packaging = \"bundle\"",
        );
    });
    has(&err, "content/companies/acme.md:5:16");
    has(
        &err,
        "expected one of: bundled, tiered, add-on, separate-sku, usage-based, none",
    );
    insta::assert_snapshot!("wrong_enum_value", err);
}

#[test]
fn wrong_type() {
    let err = fails(|s| {
        s.edit(
            "content/companies/acme.md",
            "price_usd = 20",
            "price_usd = \"20\"",
        );
    });
    has(&err, "content/companies/acme.md:15:13");
    has(
        &err,
        "`tiers.price_usd` has the wrong type: found the string \"20\"",
    );
    has(&err, "expected a number");
}

#[test]
fn quoted_date_says_how_to_write_it() {
    let err = fails(|s| {
        s.edit(
            "content/companies/acme.md",
            "verified = 2026-10-01",
            "verified = \"2026-10-01\"",
        );
    });
    has(&err, "content/companies/acme.md:6:12");
    has(&err, "write it without quotes: verified = 2026-10-01");
}

#[test]
fn unknown_key() {
    let err = fails(|s| {
        s.edit(
            "content/companies/acme.md",
            "ai_packaging = ",
            "ai_pakaging = ",
        );
    });
    has(&err, "content/companies/acme.md:5:1");
    has(&err, "unknown field `ai_pakaging`");
    has(&err, "`ai_packaging`");
    insta::assert_snapshot!("unknown_key", err);
}

#[test]
fn non_http_urls_are_rejected() {
    let err = fails(|s| {
        s.edit(
            "content/companies/acme.md",
            "url = \"https://acme.example/pricing\"",
            "url = \"javascript:alert(1)\"",
        );
    });
    has(&err, "content/companies/acme.md:21:7");
    has(&err, "not an http(s) URL");
}

#[test]
fn unknown_field_path_in_a_filter() {
    let err = fails(|s| {
        s.edit(
            "content/trends/credits.md",
            "\"metering.mechanic\" = [",
            "\"metering.mechanics\" = [",
        );
    });
    has(&err, "content/trends/credits.md:8:1");
    has(
        &err,
        "`metering.mechanics` in [select] is not a field of the company format",
    );
    has(&err, "metering.mechanic");
    insta::assert_snapshot!("unknown_field_path", err);
}

#[test]
fn invalid_value_in_a_group_filter() {
    let err = fails(|s| {
        s.edit(
            "content/trends/credits.md",
            "ai_packaging = [\"add-on\"]",
            "ai_packaging = [\"addon\"]",
        );
    });
    has(&err, "content/trends/credits.md:16:17");
    has(&err, "\"addon\" is not a valid value of `ai_packaging`");
}

#[test]
fn unknown_see_also_slug() {
    let err = fails(|s| {
        s.edit(
            "content/trends/credits.md",
            "see_also = [\"plain\"]",
            "see_also = [\"plain\", \"nope\"]",
        );
    });
    has(&err, "content/trends/credits.md:5:22");
    has(
        &err,
        "`see_also` names the trend \"nope\", which does not exist",
    );
    has(&err, "expected one of: credits, plain");
}

#[test]
fn broken_internal_link() {
    let err = fails(|s| {
        s.edit(
            "content/trends/credits.md",
            "(@/companies/acme.md)",
            "(@/companies/acme-corp.md)",
        );
    });
    has(&err, "content/trends/credits.md:24:15");
    has(&err, "content/companies/acme-corp.md, which does not exist");
    insta::assert_snapshot!("broken_link", err);
}

#[test]
fn bad_file_name_for_a_slug() {
    let err = fails(|s| {
        s.write(
            "content/companies/Big Co.md",
            s.read("content/companies/beta.md"),
        );
    });
    has(&err, "content/companies/Big Co.md");
    has(&err, "file name \"Big Co\" is not a valid slug");
    has(&err, "big-co.md");
}

#[test]
fn duplicate_slug() {
    let err = fails(|s| {
        s.write(
            "content/companies/more/beta.md",
            s.read("content/companies/beta.md"),
        );
    });
    has(&err, "duplicate slug \"beta\"");
    has(&err, "content/companies/more/beta.md");
    has(&err, "content/companies/beta.md has the same file stem");
}

#[test]
fn non_utf8_file() {
    let err = fails(|s| {
        let mut bytes = s.read("content/companies/beta.md").into_bytes();
        let at = bytes.windows(4).position(|w| w == b"beta").expect("beta");
        bytes[at] = 0xff;
        s.write("content/companies/beta.md", bytes);
    });
    has(&err, "content/companies/beta.md:2:9");
    has(&err, "not valid UTF-8 (byte 0xff)");
}

#[test]
fn front_matter_without_closing_fence() {
    let err = fails(|s| {
        let text = s.read("content/companies/gamma.md");
        s.write(
            "content/companies/gamma.md",
            text.replacen("+++\nGamma", "Gamma", 1),
        );
    });
    has(&err, "content/companies/gamma.md:1:1");
    has(&err, "front matter is not closed");
}

#[test]
fn empty_file() {
    let err = fails(|s| {
        s.write("content/companies/gamma.md", "");
    });
    has(&err, "content/companies/gamma.md:1:1");
    has(&err, "the file is empty");
}

#[test]
fn one_run_reports_every_error_in_every_file() {
    let err = fails(|s| {
        s.edit(
            "content/companies/acme.md",
            "ai_packaging = \"bundled\"",
            "ai_packaging = \"bundle\"",
        );
        s.edit(
            "content/companies/acme.md",
            "mechanic = \"credits\"",
            "mechanic = \"credit\"",
        );
        s.edit(
            "content/companies/beta.md",
            "website = \"https://beta.example\"",
            "website = \"beta.example\"",
        );
        s.edit(
            "content/trends/credits.md",
            "(@/companies/acme.md)",
            "(@/companies/nope.md)",
        );
    });
    has(&err, "content/companies/acme.md:5:16");
    has(&err, "content/companies/acme.md:9:12");
    has(&err, "content/companies/beta.md:3:11");
    has(&err, "content/trends/credits.md:24:15");
    has(&err, "4 errors, 0 warnings in 3 files");
}

#[test]
fn check_reports_errors_with_exit_one_and_writes_nothing() {
    let site = SiteTest::new("minimal");
    site.edit(
        "content/companies/acme.md",
        "ai_packaging = \"bundled\"",
        "ai_packaging = \"bundle\"",
    );
    site.check()
        .assert_failed()
        .assert_stderr_contains("content/companies/acme.md:5:16");
    assert!(!site.out().exists());
}

#[test]
fn missing_site_toml_says_what_a_site_is() {
    let site = SiteTest::new("minimal");
    site.remove("site.toml");
    site.check()
        .assert_failed()
        .assert_stderr_contains("site.toml")
        .assert_stderr_contains("--root");
}

#[test]
fn broken_link_in_a_company_body_found_while_pages_are_written() {
    let err = fails(|s| {
        s.edit(
            "content/companies/acme.md",
            "(@/companies/beta.md)",
            "(@/companies/betta.md)",
        );
    });
    has(&err, "content/companies/acme.md:24:25");
    has(&err, "content/companies/betta.md, which does not exist");
    has(&err, "1 error");
}

#[test]
fn body_links_are_reported_alongside_other_errors() {
    let err = fails(|s| {
        s.edit(
            "content/companies/acme.md",
            "(@/companies/beta.md)",
            "(@/companies/betta.md)",
        );
        s.edit(
            "content/companies/beta.md",
            "ai_packaging = \"add-on\"",
            "ai_packaging = \"addon\"",
        );
    });
    has(&err, "content/companies/acme.md:24:25");
    has(&err, "content/companies/beta.md:5:");
    has(&err, "2 errors");
}
