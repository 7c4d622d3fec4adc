//! What the commands print to the terminal: counts that agree with their
//! number, and colour that follows the stream and the environment
//! (`NO_COLOR`, `CLICOLOR_FORCE`) without changing the text.

use std::process::Command;

use crate::support::SiteTest;

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
