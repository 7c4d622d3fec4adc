//! What the commands print to the terminal: `--quiet` leaves only errors
//! (and the results a command was asked for), and colour follows the
//! stream and the environment (`NO_COLOR`, `CLICOLOR_FORCE`) without
//! changing the text.

use std::process::Command;

use crate::support::{Run, SiteTest};

/// The minimal fixture with one data-quality warning: gamma claims acme's
/// website.
fn site_with_a_warning() -> SiteTest {
    let site = SiteTest::new("minimal");
    site.edit(
        "content/companies/gamma.md",
        "website = \"https://gamma.example\"",
        "website = \"https://acme.example\"",
    );
    site
}

/// Breaks beta's packaging value: an error in a second file.
fn add_an_error(site: &SiteTest) {
    site.edit(
        "content/companies/beta.md",
        "ai_packaging = \"add-on\"",
        "ai_packaging = \"addon\"",
    );
}

fn stdout(run: &Run) -> String {
    String::from_utf8_lossy(&run.output.stdout).into_owned()
}

#[test]
fn quiet_build_prints_nothing_on_success() {
    let site = site_with_a_warning();
    // Without -q the same build has a note, a warning count and a status line.
    site.run(&["build", "--base-url", "/sub/"])
        .assert_ok()
        .assert_stderr_contains("note: the base URL /sub/ is only a path")
        .assert_stderr_contains("note: 1 more data-quality warning; `trendsite check` lists them")
        .assert_stderr_contains("Built 3 companies and 2 trends");
    std::fs::remove_dir_all(site.out()).expect("remove the output");

    for quiet in [["-q", "build"], ["build", "--quiet"]] {
        let run = site.run(&[quiet[0], quiet[1], "--base-url", "/sub/"]);
        run.assert_ok();
        assert_eq!(run.stderr(), "", "{quiet:?}");
        assert_eq!(stdout(&run), "", "{quiet:?}");
        assert!(site.page("companies/acme/").contains("Acme"), "{quiet:?}");
    }
}

#[test]
fn quiet_build_still_reports_errors() {
    let site = site_with_a_warning();
    add_an_error(&site);
    let run = site.run(&["build", "-q"]);
    run.assert_failed()
        .assert_stderr_contains("error: \"addon\" is not a valid value of `ai_packaging`")
        .assert_stderr_contains(" --> content/companies/beta.md:5:16")
        .assert_stderr_contains("error: build failed: 1 error");
    assert!(!site.out().exists(), "a failed build writes nothing");
}

#[test]
fn quiet_check_shows_what_fails_the_run_only() {
    let site = site_with_a_warning();
    let run = site.run(&["check", "-q"]);
    run.assert_ok();
    assert_eq!(run.stderr(), "");

    // Denied warnings fail the run, so they are shown.
    site.run(&["check", "-q", "--deny-warnings"])
        .assert_failed()
        .assert_stderr_contains("=== content/companies/gamma.md (1 warning)")
        .assert_stderr_contains("warning: same website as content/companies/acme.md")
        .assert_stderr_contains(
            "error: check failed: 0 errors, 1 warning in 1 file (--deny-warnings)",
        );

    // An error fails it; the warning beside it is left out.
    add_an_error(&site);
    let run = site.run(&["check", "-q"]);
    run.assert_failed()
        .assert_stderr_contains("=== content/companies/beta.md (1 error)")
        .assert_stderr_contains("error: check failed: 1 error, 1 warning in 2 files");
    let err = run.stderr();
    assert!(!err.contains("gamma.md"), "{err}");
    assert!(!err.contains("warning:"), "{err}");
}

#[test]
fn quiet_check_still_writes_the_json_report() {
    let site = site_with_a_warning();
    let run = site.run(&["check", "-q", "--format", "json"]);
    run.assert_ok();
    assert_eq!(run.stderr(), "");
    let json: serde_json::Value = serde_json::from_str(&stdout(&run)).expect("JSON on stdout");
    assert_eq!(json["summary"]["warnings"], 1);
}

#[test]
fn plurals_agree_with_one() {
    let site = SiteTest::new("minimal");
    for slug in ["beta", "gamma"] {
        site.remove(&format!("content/companies/{slug}.md"));
    }
    site.remove("content/trends/plain.md");
    site.edit(
        "content/companies/acme.md",
        "[Beta](@/companies/beta.md)",
        "Beta",
    );
    site.edit(
        "content/trends/credits.md",
        "see_also = [\"plain\"]",
        "see_also = []",
    );
    site.check()
        .assert_ok()
        .assert_stderr_contains("Checked 1 company and 1 trend: 0 errors, 0 warnings in 0 files");
    site.build()
        .assert_ok()
        .assert_stderr_contains("Built 1 company and 1 trend: ");
}

/// `trendsite check` on `site` with the environment given, and without the
/// `NO_COLOR` the other tests run under.
fn check_with_env(site: &SiteTest, env: &[(&str, &str)]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_trendsite"))
        .args(["check", "--root"])
        .arg(&site.root)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE")
        .envs(env.iter().copied())
        .output()
        .expect("run trendsite");
    String::from_utf8(output.stderr).expect("UTF-8 stderr")
}

/// `text` without its SGR escapes (`ESC [ … m`).
fn strip_styles(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("\x1b[") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find('m').expect("an escape ends with m");
        rest = &rest[at + end + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn colour_is_forced_by_clicolor_force_and_never_changes_the_text() {
    let site = site_with_a_warning();
    // stderr is a pipe here: plain text unless colour is forced.
    let plain = check_with_env(&site, &[]);
    assert!(!plain.contains('\x1b'), "{plain:?}");
    assert!(plain.contains("=== content/companies/gamma.md (1 warning)\n"));

    let coloured = check_with_env(&site, &[("CLICOLOR_FORCE", "1")]);
    assert!(
        coloured.contains("\x1b[1m=== content/companies/gamma.md (1 warning)\x1b[0m"),
        "{coloured:?}"
    );
    assert!(
        coloured.contains("Checked\x1b[0m 3 companies"),
        "{coloured:?}"
    );
    assert_eq!(strip_styles(&coloured), plain);

    // NO_COLOR wins over CLICOLOR_FORCE.
    let no_color = check_with_env(&site, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert_eq!(no_color, plain);
}
