//! `trendsite check` as a data-quality report: every problem grouped by file,
//! the data-quality warnings, exit codes, `--deny-warnings`, `--format json`,
//! and `build` still succeeding with warnings.
//!
//! Dates are written relative to `trendsite::scaffold::today()` and every
//! test sets `stale_after_days` itself, so nothing here turns stale with time.

use trendsite::model::Date;
use trendsite::scaffold::today;

use crate::support::SiteTest;

const COMPANIES: [&str; 3] = ["acme", "beta", "gamma"];

fn company(slug: &str) -> String {
    format!("content/companies/{slug}.md")
}

/// The date `n` days after today (before it when negative).
fn days_from_today(n: i64) -> Date {
    Date::from_days(today().days() + n).expect("a date in range")
}

/// Rewrites every line of `rel` starting with `key = ` to `key = value`.
#[track_caller]
fn set(site: &SiteTest, rel: &str, key: &str, value: impl std::fmt::Display) {
    let text = site.read(rel);
    let prefix = format!("{key} = ");
    assert!(text.contains(&prefix), "{rel} lacks {prefix:?}");
    let out: String = text
        .lines()
        .map(|l| {
            if l.starts_with(&prefix) {
                format!("{prefix}{value}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    site.write(rel, out);
}

/// The minimal fixture with every date set to today and `stale_after_days`
/// set to `stale_after_days`: clean until a test breaks something.
fn fresh_site(stale_after_days: u32) -> SiteTest {
    let site = SiteTest::new("minimal");
    set(&site, "site.toml", "stale_after_days", stale_after_days);
    for slug in COMPANIES {
        set(&site, &company(slug), "verified", today());
        set(&site, &company(slug), "checked", today());
    }
    site
}

/// A company no trend lists: the fixture's trends select credits, tokens
/// and no AI.
const UNLISTED: &str = r#"+++
name = "Delta"
website = "https://delta.example"
category = "infrastructure"
ai_packaging = "usage-based"
verified = VERIFIED

[metering]
mechanic = "compute-time"

[[sources]]
url = "https://delta.example/pricing"
checked = VERIFIED
+++
"#;

#[track_caller]
fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn fresh_fixture_checks_clean() {
    let site = fresh_site(30);
    site.check().assert_ok().assert_stderr_contains(
        "Checked 3 companies and 2 trends: 0 errors, 0 warnings in 0 files",
    );
    site.run(&["check", "--deny-warnings"]).assert_ok();
}

#[test]
fn verified_older_than_stale_after_days_is_a_warning_at_its_line() {
    let site = fresh_site(30);
    let old = days_from_today(-31);
    set(&site, &company("acme"), "verified", old);
    // Exactly 30 days old is not stale yet.
    set(&site, &company("beta"), "verified", days_from_today(-30));
    let run = site.check();
    run.assert_ok()
        .assert_stderr_contains(&format!(
            "warning: verified {old} is 31 days ago, more than stale_after_days (30) (field `verified`)"
        ))
        .assert_stderr_contains("--> content/companies/acme.md:6:12")
        .assert_stderr_contains(&format!(
            "6 | verified = {old}\n  |            ---------- a date on or after {}",
            days_from_today(-30)
        ))
        .assert_stderr_contains("0 errors, 1 warning in 1 file");
    assert!(!run.stderr().contains("beta.md"), "{}", run.stderr());
}

#[test]
fn default_stale_after_days_is_180() {
    let site = fresh_site(30);
    let text = site.read("site.toml");
    let without: String = text
        .lines()
        .filter(|l| !l.starts_with("stale_after_days"))
        .map(|l| format!("{l}\n"))
        .collect();
    site.write("site.toml", without);
    set(&site, &company("acme"), "verified", days_from_today(-180));
    set(&site, &company("beta"), "verified", days_from_today(-181));
    site.check()
        .assert_ok()
        .assert_stderr_contains("181 days ago, more than stale_after_days (180)")
        .assert_stderr_contains("--> content/companies/beta.md:6:12")
        .assert_stderr_contains("0 errors, 1 warning in 1 file");
}

#[test]
fn invalid_stale_after_days_is_an_error_at_its_value() {
    for bad in ["0", "-3", "1.5", "\"180\""] {
        let site = fresh_site(30);
        set(&site, "site.toml", "stale_after_days", bad);
        site.check()
            .assert_failed()
            .assert_stderr_contains("error: invalid stale_after_days (field `stale_after_days`)")
            .assert_stderr_contains("site.toml:4:20")
            .assert_stderr_contains("a positive whole number of days");
    }
}

#[test]
fn source_checked_in_the_future_is_a_warning_at_its_line() {
    let site = fresh_site(30);
    let tomorrow = days_from_today(1);
    set(&site, &company("acme"), "checked", tomorrow);
    site.check()
        .assert_ok()
        .assert_stderr_contains(&format!(
            "warning: source https://acme.example/pricing checked {tomorrow} is in the future (today is {}) (field `sources.checked`)",
            today()
        ))
        .assert_stderr_contains("--> content/companies/acme.md:22:11")
        .assert_stderr_contains("0 errors, 1 warning in 1 file");
}

#[test]
fn company_no_trend_lists_is_a_warning_at_the_value_keeping_it_out() {
    let site = fresh_site(30);
    site.write(
        &company("delta"),
        UNLISTED.replace("VERIFIED", &today().to_string()),
    );
    // One trend leaves it out for its mechanic, one for its packaging: a
    // tie points at the packaging.
    site.check()
        .assert_ok()
        .assert_stderr_contains("=== content/companies/delta.md (1 warning)")
        .assert_stderr_contains(
            "warning: no trend lists this company (field `ai_packaging`)\n --> content/companies/delta.md:5:16\n",
        )
        .assert_stderr_contains("5 | ai_packaging = \"usage-based\"\n  |                -------------\n")
        .assert_stderr_contains("0 errors, 1 warning in 1 file");

    // A second trend selecting on the mechanic tips it to the mechanic.
    site.write(
        "content/trends/tokens.md",
        "+++\ntitle = \"Tokens\"\nsummary = \"Tokens.\"\n\n[select]\n\"metering.mechanic\" = [\"tokens\"]\n+++\n",
    );
    site.check()
        .assert_ok()
        .assert_stderr_contains(
            "warning: no trend lists this company (field `metering.mechanic`)\n --> content/companies/delta.md:9:12\n",
        )
        .assert_stderr_contains("9 | mechanic = \"compute-time\"\n  |            --------------\n");
}

#[test]
fn trend_leaving_companies_in_other_is_a_warning() {
    let site = fresh_site(30);
    site.edit(
        &company("beta"),
        "ai_packaging = \"add-on\"",
        "ai_packaging = \"usage-based\"",
    );
    site.check()
        .assert_ok()
        .assert_stderr_contains("=== content/trends/credits.md (1 warning)")
        .assert_stderr_contains(
            "1 selected company matches no group and is listed under \"Other\": beta",
        )
        .assert_stderr_contains("--> content/trends/credits.md:14:1")
        .assert_stderr_contains("14 | [[groups]]\n   | ----------\n")
        .assert_stderr_contains("0 errors, 1 warning in 1 file");
}

#[test]
fn same_website_warns_on_the_second_file_naming_the_first() {
    let site = fresh_site(30);
    site.edit(
        &company("gamma"),
        "website = \"https://gamma.example\"",
        "website = \"http://www.ACME.example/\"",
    );
    let run = site.check();
    run.assert_ok()
        .assert_stderr_contains("=== content/companies/gamma.md (1 warning)")
        .assert_stderr_contains(
            "warning: same website as content/companies/acme.md:3 (acme): http://www.ACME.example/ (field `website`)",
        )
        .assert_stderr_contains("--> content/companies/gamma.md:3:11")
        .assert_stderr_contains(
            "3 | website = \"http://www.ACME.example/\"\n  |           --------------------------\n",
        )
        .assert_stderr_contains("0 errors, 1 warning in 1 file");
    assert!(
        !run.stderr().contains("=== content/companies/acme.md"),
        "{}",
        run.stderr()
    );
}

/// A site with problems in three files: two warnings in acme (lines 6 and
/// 22), an error in beta, a warning in gamma.
fn site_with_problems() -> SiteTest {
    let site = fresh_site(30);
    set(&site, &company("acme"), "checked", days_from_today(2));
    set(&site, &company("acme"), "verified", days_from_today(-40));
    site.edit(
        &company("beta"),
        "ai_packaging = \"add-on\"",
        "ai_packaging = \"addon\"",
    );
    site.edit(
        &company("gamma"),
        "website = \"https://gamma.example\"",
        "website = \"https://acme.example/\"",
    );
    site
}

#[test]
fn check_groups_every_problem_by_file_in_line_order() {
    let site = site_with_problems();
    let run = site.check();
    run.assert_failed();
    let err = run.stderr();
    let headers: Vec<&str> = err.lines().filter(|l| l.starts_with("=== ")).collect();
    assert_eq!(
        headers,
        [
            "=== content/companies/acme.md (2 warnings)",
            "=== content/companies/beta.md (1 error)",
            "=== content/companies/gamma.md (1 warning)",
        ],
        "{err}"
    );
    let at = |needle: &str| {
        err.find(needle)
            .unwrap_or_else(|| panic!("stderr lacks {needle:?}:\n{err}"))
    };
    let order = [
        at("=== content/companies/acme.md"),
        at("content/companies/acme.md:6:12"),
        at("content/companies/acme.md:22:11"),
        at("=== content/companies/beta.md"),
        at("content/companies/beta.md:5:16"),
        at("=== content/companies/gamma.md"),
        at("same website as content/companies/acme.md"),
    ];
    assert!(order.is_sorted(), "{order:?}\n{err}");
    assert_eq!(count(&err, "--> content/companies/acme.md:"), 2, "{err}");
    assert!(
        err.trim_end()
            .ends_with("error: check failed: 1 error, 3 warnings in 3 files"),
        "{err}"
    );
}

#[test]
fn exit_codes_with_and_without_deny_warnings() {
    let site = fresh_site(30);
    site.check().assert_ok();
    site.run(&["check", "--deny-warnings"]).assert_ok();

    // Warnings alone: exit 0, unless they are denied.
    set(&site, &company("acme"), "verified", days_from_today(-31));
    site.check()
        .assert_ok()
        .assert_stderr_contains("Checked 3 companies and 2 trends: 0 errors, 1 warning in 1 file");
    site.run(&["check", "--deny-warnings"])
        .assert_failed()
        .assert_stderr_contains(
            "error: check failed: 0 errors, 1 warning in 1 file (--deny-warnings)",
        );

    // An error: exit 1 either way.
    site.edit(
        &company("beta"),
        "ai_packaging = \"add-on\"",
        "ai_packaging = \"addon\"",
    );
    site.check()
        .assert_failed()
        .assert_stderr_contains("error: check failed: 1 error, 1 warning in 2 files");
    site.run(&["check", "--deny-warnings"]).assert_failed();
    assert!(!site.out().exists(), "check writes nothing");
}

#[test]
fn json_report_has_every_field_of_every_diagnostic() {
    let site = site_with_problems();
    let run = site.run(&["check", "--format", "json"]);
    run.assert_failed();
    assert_eq!(run.stderr(), "", "JSON mode keeps stderr quiet");
    let stdout = String::from_utf8(run.output.stdout.clone()).expect("UTF-8");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON on stdout");

    assert_eq!(
        json["summary"],
        serde_json::json!({"errors": 1, "warnings": 3, "unconfirmed": 0, "files": 3})
    );
    let diags = json["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(diags.len(), 4, "{stdout}");

    let stale = &diags[0];
    assert_eq!(stale["severity"], "warning");
    assert_eq!(stale["file"], "content/companies/acme.md");
    assert_eq!(stale["line"], 6);
    assert_eq!(stale["column"], 12);
    assert_eq!(stale["field"], "verified");
    assert_eq!(
        stale["message"],
        format!(
            "verified {} is 40 days ago, more than stale_after_days (30)",
            days_from_today(-40)
        )
    );
    assert_eq!(
        stale["expected"],
        format!("a date on or after {}", days_from_today(-30))
    );
    assert!(
        stale["help"]
            .as_str()
            .is_some_and(|h| h.contains("update `verified`")),
        "{stale}"
    );

    let future = &diags[1];
    assert_eq!(future["severity"], "warning");
    assert_eq!(future["file"], "content/companies/acme.md");
    assert_eq!(future["line"], 22);
    assert_eq!(future["column"], 11);
    assert_eq!(future["field"], "sources.checked");
    assert_eq!(
        future["expected"],
        format!("a date on or before {}", today())
    );

    let error = &diags[2];
    assert_eq!(error["severity"], "error");
    assert_eq!(error["file"], "content/companies/beta.md");
    assert_eq!(error["line"], 5);
    assert_eq!(error["column"], 16);
    assert_eq!(error["field"], "ai_packaging");
    assert_eq!(
        error["message"],
        "\"addon\" is not a valid value of `ai_packaging`"
    );
    assert!(
        error["expected"]
            .as_str()
            .is_some_and(|e| e.contains("add-on")),
        "{error}"
    );

    let duplicate = &diags[3];
    assert_eq!(duplicate["severity"], "warning");
    assert_eq!(duplicate["file"], "content/companies/gamma.md");
    assert_eq!(duplicate["line"], 3);
    assert_eq!(duplicate["column"], 11);
    assert_eq!(duplicate["field"], "website");
    assert_eq!(
        duplicate["message"],
        "same website as content/companies/acme.md:3 (acme): https://acme.example/"
    );
    assert!(duplicate.get("expected").is_none(), "{duplicate}");
    assert!(duplicate["help"].is_string(), "{duplicate}");
}

/// A site with one warning of each kind and nothing else: a stale
/// `verified` (acme), a `checked` in the future (beta), a company no group
/// takes (beta, in credits), one no trend lists (delta) and a duplicate
/// website (gamma).
fn site_with_every_warning() -> SiteTest {
    let site = fresh_site(30);
    set(&site, &company("acme"), "verified", days_from_today(-40));
    set(&site, &company("beta"), "checked", days_from_today(2));
    site.edit(
        &company("beta"),
        "ai_packaging = \"add-on\"",
        "ai_packaging = \"usage-based\"",
    );
    site.write(
        &company("delta"),
        UNLISTED.replace("VERIFIED", &today().to_string()),
    );
    site.edit(
        &company("gamma"),
        "website = \"https://gamma.example\"",
        "website = \"https://acme.example\"",
    );
    site
}

#[test]
fn json_report_points_every_warning_at_a_line_and_column() {
    let site = site_with_every_warning();
    let run = site.run(&["check", "--format", "json"]);
    run.assert_ok();
    let json: serde_json::Value =
        serde_json::from_slice(&run.output.stdout).expect("JSON on stdout");
    let places: Vec<(&str, u64, u64, &str)> = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            assert_eq!(d["severity"], "warning", "{d}");
            (
                d["file"].as_str().unwrap_or_default(),
                d["line"].as_u64().unwrap_or_default(),
                d["column"].as_u64().unwrap_or_default(),
                d["field"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        places,
        [
            ("content/companies/acme.md", 6, 12, "verified"),
            ("content/companies/beta.md", 14, 11, "sources.checked"),
            ("content/companies/delta.md", 5, 16, "ai_packaging"),
            ("content/companies/gamma.md", 3, 11, "website"),
            ("content/trends/credits.md", 14, 1, "groups"),
        ],
        "{json:#}"
    );
}

/// The whole report for one warning of each kind, pinned: the dates, which
/// move with today, are replaced by what they are.
#[test]
fn every_warning_kind_is_drawn_at_its_line() {
    let site = site_with_every_warning();
    let run = site.check();
    run.assert_ok();
    let mut report = run.stderr();
    for (days, name) in [
        (-40, "<today-40>"),
        (-30, "<today-30>"),
        (0, "<today+00>"),
        (2, "<today+02>"),
    ] {
        report = report.replace(&days_from_today(days).to_string(), name);
    }
    insta::assert_snapshot!("every_warning_kind", report);
}

#[test]
fn unconfirmed_facts_are_listed_and_counted_but_never_fail_the_check() {
    let site = fresh_site(30);
    site.edit(
        &company("beta"),
        "verified = ",
        "unconfirmed = [\"metering.mechanic\", \"ai_packaging\"]\nverified = ",
    );
    let run = site.run(&["check", "--deny-warnings"]);
    run.assert_ok();
    let err = run.stderr();
    for needle in [
        "=== content/companies/beta.md (2 unconfirmed facts)",
        "note: unconfirmed fact: \"tokens\" (field `metering.mechanic`)\n --> content/companies/beta.md:6:16",
        "note: unconfirmed fact: \"add-on\" (field `ai_packaging`)\n --> content/companies/beta.md:6:37",
        "= help: confirm it on a source, then remove its path from `unconfirmed`; or leave the fact out",
        "Checked 3 companies and 2 trends: 0 errors, 0 warnings, 2 unconfirmed facts in 1 file",
    ] {
        assert!(err.contains(needle), "{needle:?} not in\n{err}");
    }
    // Quiet, the report keeps what fails a run: nothing here.
    let quiet = site.run(&["check", "--quiet"]);
    quiet.assert_ok();
    assert!(
        !quiet.stderr().contains("unconfirmed fact"),
        "{}",
        quiet.stderr()
    );

    let run = site.run(&["check", "--format", "json", "--deny-warnings"]);
    run.assert_ok();
    let json: serde_json::Value =
        serde_json::from_slice(&run.output.stdout).expect("JSON on stdout");
    assert_eq!(
        json["summary"],
        serde_json::json!({"errors": 0, "warnings": 0, "unconfirmed": 2, "files": 1})
    );
    let d = &json["diagnostics"][0];
    assert_eq!(d["severity"], "note");
    assert_eq!(d["field"], "metering.mechanic");
    assert_eq!(
        (d["line"].clone(), d["column"].clone()),
        (6.into(), 16.into())
    );

    // A build shows and counts none of them: readers see the marks.
    let build = site.build();
    build.assert_ok();
    assert!(
        !build.stderr().contains("unconfirmed"),
        "{}",
        build.stderr()
    );
    assert!(
        !build.stderr().contains("data-quality"),
        "{}",
        build.stderr()
    );
}

#[test]
fn json_report_of_a_clean_site_is_empty_with_exit_zero() {
    let site = fresh_site(30);
    let run = site.run(&["check", "--format", "json", "--deny-warnings"]);
    run.assert_ok();
    let json: serde_json::Value =
        serde_json::from_slice(&run.output.stdout).expect("JSON on stdout");
    assert_eq!(
        json,
        serde_json::json!({
            "diagnostics": [],
            "summary": {"errors": 0, "warnings": 0, "unconfirmed": 0, "files": 0}
        })
    );
}

#[test]
fn build_succeeds_with_data_quality_warnings_and_counts_them() {
    let site = site_with_every_warning();
    // A build shows the warning about what the pages show, at its line, and
    // counts the others (on a large, old dataset they would be thousands
    // of lines); `check` lists each.
    let build = site.build();
    build
        .assert_ok()
        .assert_stderr_contains(
            "listed under \"Other\": beta (field `groups`)\n  --> content/trends/credits.md:14:1\n",
        )
        .assert_stderr_contains("note: 4 more data-quality warnings; `trendsite check` lists them")
        .assert_stderr_contains("Built 4 companies");
    assert!(!build.stderr().contains("40 days ago"));
    assert!(site.page("companies/delta/").contains("Delta"));
    site.check()
        .assert_ok()
        .assert_stderr_contains("40 days ago, more than stale_after_days (30)")
        .assert_stderr_contains("is in the future")
        .assert_stderr_contains("no trend lists this company")
        .assert_stderr_contains("same website as content/companies/acme.md:3");
}

#[test]
fn a_trend_with_errors_does_not_leave_its_companies_reported_as_unlisted() {
    let site = fresh_site(30);
    site.edit("content/trends/credits.md", "title = ", "titel = ");
    let run = site.check();
    run.assert_failed()
        .assert_stderr_contains("=== content/trends/credits.md (1 error)")
        .assert_stderr_contains("error: check failed: 1 error, 0 warnings in 1 file");
    assert!(!run.stderr().contains("no trend lists"), "{}", run.stderr());
}
