//! The site as of a date (`build --as-of`, `serve --as-of`), and the
//! warning about trend prose that links a company changed since the trend
//! was reviewed.

use std::collections::BTreeMap;

use trendsite::model::Date;
use trendsite::serve::state::State;

use crate::support::{SiteTest, built_files, free_port, get, snapshot, trend_groups, wait_for};

const ACME: &str = "content/companies/acme.md";
const BETA: &str = "content/companies/beta.md";
const CREDITS: &str = "content/trends/credits.md";

/// The minimal fixture with a history: Acme was an add-on at $15 with
/// another note until 2025-06-16; Beta was metered by seats, outside the
/// credits trend, until 2025-03-01.
fn site_with_history() -> SiteTest {
    let site = SiteTest::new("minimal");
    site.edit(
        ACME,
        "checked = 2026-10-01\n+++",
        r#"checked = 2026-10-01

[[changes]]
date = 2025-06-16
summary = "Credits came with every plan instead of an add-on."
source = "https://acme.example/blog/june"

[changes.before]
ai_packaging = "add-on"
"metering.note" = "An add-on, billed by the seat."

[[changes.before.tiers]]
name = "Pro"
price_usd = 15
period = "month"
per = "user"
ai_allowance = "200 credits"
+++"#,
    );
    site.edit(
        BETA,
        "checked = 2026-09-01\n+++",
        r#"checked = 2026-09-01

[[changes]]
date = 2025-03-01
summary = "Token packs replaced AI seats."
source = "https://beta.example/blog/march"
before = { "metering.mechanic" = "seats" }
+++"#,
    );
    site
}

fn build_as_of(site: &SiteTest, date: &str) {
    site.run(&["build", "--as-of", date])
        .assert_ok()
        .assert_stderr_contains(&format!("Built 3 companies and 2 trends as of {date}"));
}

fn groups(site: &SiteTest) -> Vec<(String, Vec<String>)> {
    trend_groups(&site.page("trends/credits/"))
}

fn group(title: &str, slugs: &[&str]) -> (String, Vec<String>) {
    (
        title.to_string(),
        slugs.iter().map(|s| s.to_string()).collect(),
    )
}

fn companies_json(site: &SiteTest) -> serde_json::Value {
    let text = std::fs::read_to_string(site.out().join("data/companies.json")).expect("json");
    serde_json::from_str(&text).expect("valid JSON")
}

/// A company's record in the built `data/companies.json`.
fn record(json: &serde_json::Value, slug: &str) -> serde_json::Value {
    json["companies"]
        .as_array()
        .expect("companies")
        .iter()
        .find(|c| c["slug"] == slug)
        .unwrap_or_else(|| panic!("{slug} not in companies.json"))
        .clone()
}

#[test]
fn build_as_of_a_date_before_every_change_shows_the_site_as_it_stood() {
    let site = site_with_history();
    build_as_of(&site, "2025-01-01");

    // Beta was metered by seats: out of the credits trend. Acme was an add-on.
    assert_eq!(
        groups(&site),
        [group("Bundled", &[]), group("Add-on", &["acme"])]
    );
    let acme = site.page("companies/acme/");
    assert!(acme.contains("An add-on, billed by the seat."), "{acme}");
    assert!(acme.contains("$15 / month"), "{acme}");
    assert!(!acme.contains("$20"), "{acme}");
    assert!(!acme.contains("Credits with"), "{acme}");

    // Term pages follow the values in use then.
    let out = site.out();
    assert!(!out.join("packaging/bundled").exists());
    assert!(out.join("packaging/add-on/index.html").is_file());
    assert!(out.join("metering/seats/index.html").is_file());
    assert!(!out.join("metering/tokens").exists());
    assert!(site.page("metering/seats/").contains("companies/beta/"));

    // The data files carry the replayed values.
    let json = companies_json(&site);
    let acme = record(&json, "acme");
    assert_eq!(acme["ai_packaging"], "add-on");
    assert_eq!(acme["metering"]["note"], "An add-on, billed by the seat.");
    assert_eq!(acme["tiers"][0]["price_usd"], 15);
    assert_eq!(acme["tiers"][0]["ai_allowance"], "200 credits");
    assert_eq!(record(&json, "beta")["metering"]["mechanic"], "seats");
    let csv = std::fs::read_to_string(out.join("data/companies.csv")).expect("csv");
    assert!(csv.contains("seats"), "{csv}");
    assert!(!csv.contains("tokens"), "{csv}");

    // Every page says so; no file holds a change after the date.
    let files = snapshot(&out);
    let pages: Vec<&String> = files.keys().filter(|p| p.ends_with(".html")).collect();
    assert!(pages.len() > 10, "{pages:?}");
    for path in pages {
        let html = String::from_utf8_lossy(&files[path]);
        assert!(
            html.contains(
                "<p class=\"as-of\" role=\"note\"><strong>As of 2025-01-01</strong>: the site as it stood on that date"
            ),
            "{path} lacks the notice"
        );
    }
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        for later in [
            "Credits came with every plan",
            "Token packs replaced AI seats",
        ] {
            assert!(!text.contains(later), "{path} shows a later change");
        }
    }
}

#[test]
fn build_as_of_follows_each_change_and_a_plain_build_shows_now() {
    let site = site_with_history();
    // Between the changes: Beta is back on tokens, Acme still an add-on.
    build_as_of(&site, "2025-03-01");
    assert_eq!(
        groups(&site),
        [group("Bundled", &[]), group("Add-on", &["acme", "beta"])]
    );
    assert!(!site.out().join("metering/seats").exists());
    assert!(!site.out().join("packaging/bundled").exists());

    // On the day of a change, the change has happened.
    build_as_of(&site, "2025-06-16");
    assert_eq!(
        groups(&site),
        [group("Bundled", &["acme"]), group("Add-on", &["beta"])]
    );
    assert_eq!(
        record(&companies_json(&site), "acme")["tiers"][0]["price_usd"],
        20
    );
    assert!(site.page("").contains("As of 2025-06-16"));

    // Without --as-of: the front matter, and no notice.
    site.build().assert_ok();
    assert_eq!(
        groups(&site),
        [group("Bundled", &["acme"]), group("Add-on", &["beta"])]
    );
    for (path, bytes) in snapshot(&site.out()) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("class=\"as-of\""),
            "{path} carries the notice"
        );
    }
}

#[test]
fn an_invalid_or_future_date_is_refused_with_the_form_expected() {
    let site = site_with_history();
    let today = trendsite::scaffold::today();
    let cases = [
        (
            "2025-6-1",
            "error: invalid value '2025-6-1' for '--as-of <DATE>': \"2025-6-1\" is not a date: write it as YYYY-MM-DD, such as 2025-06-16".to_string(),
        ),
        (
            "2025-02-29",
            "error: invalid value '2025-02-29' for '--as-of <DATE>': 2025-02-29 is not a day of the calendar".to_string(),
        ),
        (
            "2999-01-01",
            format!("error: invalid value '2999-01-01' for '--as-of <DATE>': 2999-01-01 is after today ({today}); the site can be shown as of today or an earlier date"),
        ),
    ];
    for (date, message) in &cases {
        for command in ["build", "serve"] {
            let run = site.run(&[command, "--as-of", date]);
            assert_eq!(run.code(), Some(2), "{command} {date}\n{}", run.stderr());
            run.assert_stderr_contains(message);
        }
    }
    assert!(!site.out().exists(), "a refused build wrote output");
    // Today itself is allowed.
    build_as_of(&site, &today.to_string());
}

/// The credits trend, reviewed on `reviewed`, with prose that links Acme
/// twice and Beta once.
fn reviewed_trend(reviewed: &str) -> String {
    format!(
        r#"+++
title = "Credits"
summary = "Companies metering AI in credits or tokens."
reviewed = {reviewed}

[select]
"metering.mechanic" = ["credits", "tokens"]

[[groups]]
title = "Bundled"
ai_packaging = ["bundled", "tiered"]

[[groups]]
title = "Add-on"
ai_packaging = ["add-on"]
+++
Credits spread: [Acme](@/companies/acme.md) led.

<!-- groups -->

## The Pattern

Then [Beta](@/companies/beta.md#tiers) and
again [Acme's tiers](@/companies/acme.md#tiers).
"#
    )
}

#[test]
fn check_warns_at_each_link_to_a_company_changed_after_the_review() {
    let site = site_with_history();
    site.write(CREDITS, reviewed_trend("2025-02-01"));
    let run = site.check();
    run.assert_ok();
    let err = run.stderr();
    // Line 17 holds the intro's link, 23 and 24 the outro's.
    for (place, name, date, summary) in [
        (
            "17:17",
            "Acme",
            "2025-06-16",
            "Credits came with every plan instead of an add-on.",
        ),
        (
            "23:6",
            "beta",
            "2025-03-01",
            "Token packs replaced AI seats.",
        ),
        (
            "24:7",
            "Acme",
            "2025-06-16",
            "Credits came with every plan instead of an add-on.",
        ),
    ] {
        let shown = format!(
            "warning: links {name}, which changed on {date} after this trend was reviewed (2025-02-01): \"{summary}\" (field `reviewed`)\n  --> content/trends/credits.md:{place}\n"
        );
        assert!(err.contains(&shown), "lacks {shown:?} in\n{err}");
    }
    assert!(
        err.contains(
            "17 | Credits spread: [Acme](@/companies/acme.md) led.\n   |                 ---------------------------\n   |\n   = help: check the prose against the entry, then update `reviewed`"
        ),
        "{err}"
    );
    assert_eq!(
        err.matches("after this trend was reviewed").count(),
        3,
        "{err}"
    );
    // A build counts them rather than listing them.
    let build = site.build();
    build.assert_ok();
    assert!(!build.stderr().contains("after this trend was reviewed"));

    // Reviewed after Beta's change: only Acme's links.
    site.write(CREDITS, reviewed_trend("2025-03-01"));
    let err = site.check().stderr();
    assert_eq!(
        err.matches("after this trend was reviewed").count(),
        2,
        "{err}"
    );
    assert!(!err.contains("links beta"), "{err}");

    // Reviewed after every change, or not reviewed at all: silent.
    site.write(CREDITS, reviewed_trend("2025-06-16"));
    let err = site.check().stderr();
    assert!(!err.contains("reviewed"), "{err}");
    site.write(
        CREDITS,
        reviewed_trend("2025-06-16").replace("reviewed = 2025-06-16\n", ""),
    );
    let err = site.check().stderr();
    assert!(!err.contains("reviewed"), "{err}");
}

fn full_build_as_of(site: &SiteTest, date: Date) -> BTreeMap<String, Vec<u8>> {
    built_files(trendsite::build_as_of(&site.root, Some("/"), Some(date)).expect("full build"))
}

#[track_caller]
fn assert_same_as_full(state: &State, site: &SiteTest, date: Date, step: &str) {
    assert!(!state.has_errors(), "{step}: {:?}", state.errors());
    let full = full_build_as_of(site, date);
    let live: BTreeMap<String, Vec<u8>> = state
        .pages()
        .iter()
        .map(|(k, v)| (k.clone(), v.to_vec()))
        .collect();
    assert_eq!(
        live.keys().collect::<Vec<_>>(),
        full.keys().collect::<Vec<_>>(),
        "{step}: page sets differ"
    );
    for (path, bytes) in &full {
        assert!(
            live[path] == *bytes,
            "{step}: {path} differs from a full build"
        );
    }
}

#[test]
fn serve_as_of_stays_replayed_through_edits() {
    let site = site_with_history();
    let date = Date::new(2025, 1, 1).expect("date");
    let (mut state, outcome) = State::load_as_of(&site.root, "/", Some(date));
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    let page =
        |state: &State, path: &str| String::from_utf8_lossy(&state.pages()[path]).into_owned();
    let credits = page(&state, "trends/credits/index.html");
    assert_eq!(
        trend_groups(&credits),
        [group("Bundled", &[]), group("Add-on", &["acme"])]
    );
    assert!(credits.contains("<strong>As of 2025-01-01</strong>"));
    assert_same_as_full(&state, &site, date, "initial");
    let apply = |state: &mut State, rel: &str| state.apply(&[site.root.join(rel)]);

    // An edit of the state now changes nothing shown before the change.
    site.edit(ACME, "Credits with `limits` per tier.", "Credits, edited.");
    apply(&mut state, ACME);
    assert!(!page(&state, "companies/acme/index.html").contains("Credits, edited."));
    assert_same_as_full(&state, &site, date, "note now");

    // An edit of the value before the change shows.
    site.edit(
        ACME,
        "An add-on, billed by the seat.",
        "An add-on, by the *seat*.",
    );
    apply(&mut state, ACME);
    assert!(page(&state, "companies/acme/index.html").contains("An add-on, by the <em>seat</em>."));
    assert_same_as_full(&state, &site, date, "note before");

    // A change moved to before the date takes effect; Beta joins the trend.
    site.edit(BETA, "date = 2025-03-01", "date = 2024-12-01");
    apply(&mut state, BETA);
    assert_eq!(
        trend_groups(&page(&state, "trends/credits/index.html")),
        [group("Bundled", &[]), group("Add-on", &["acme", "beta"])]
    );
    assert!(!state.pages().contains_key("metering/seats/index.html"));
    assert_same_as_full(&state, &site, date, "change moved");

    // A trend edit.
    site.edit(CREDITS, "title = \"Add-on\"", "title = \"Bought on top\"");
    apply(&mut state, CREDITS);
    assert_same_as_full(&state, &site, date, "trend edit");
}

#[test]
fn serve_as_of_through_the_binary() {
    let site = site_with_history();
    let port = free_port();
    let log = site.root.with_file_name("serve-as-of.log");
    /// Stops the server however the test ends.
    struct Running(std::process::Child);
    impl Drop for Running {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _server = Running(
        std::process::Command::new(env!("CARGO_BIN_EXE_trendsite"))
            .args([
                "serve",
                "--as-of",
                "2025-01-01",
                "--port",
                &port.to_string(),
                "--root",
            ])
            .arg(&site.root)
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log"))
            .spawn()
            .expect("start serve"),
    );
    wait_for(20, "the server to answer", || {
        std::net::TcpStream::connect(("127.0.0.1", port)).ok()
    });
    let page = get(port, "/trends/credits/");
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("<strong>As of 2025-01-01</strong>"), "{html}");
    assert_eq!(
        trend_groups(&html),
        [group("Bundled", &[]), group("Add-on", &["acme"])]
    );
    let log = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(log.contains("as of 2025-01-01 at http://"), "{log}");
}
