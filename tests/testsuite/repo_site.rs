//! The repository's own site: the real dataset builds cleanly and the
//! AI-credits page groups companies exactly as the seed page does.

use crate::support::{SiteTest, fixture_dir, trend_groups};

/// The seed's groups: title lines, each followed by `- slug — note` lines,
/// between the heading over the groups and "The Pattern".
fn seed_groups() -> (String, Vec<(String, Vec<String>)>) {
    let seed = std::fs::read_to_string(fixture_dir("seed-ai-credits.txt")).expect("seed");
    let mut lines = seed.lines().skip(2);
    let heading = lines.next().expect("heading").to_string();
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for line in lines {
        if line == "The Pattern" {
            break;
        }
        match line.strip_prefix("- ") {
            Some(item) => {
                let slug = item.split(" — ").next().expect("slug").trim().to_string();
                groups.last_mut().expect("group before item").1.push(slug);
            }
            None => groups.push((line.to_string(), Vec::new())),
        }
    }
    (heading, groups)
}

#[test]
fn ai_credits_page_holds_exactly_the_seed_companies_in_the_seed_groups() {
    let site = SiteTest::repo();
    site.build().assert_ok();
    let html = site.page("trends/ai-credits/");
    let (heading, expected) = seed_groups();
    assert_eq!(expected.len(), 4, "the seed has four groups");
    assert!(
        html.contains(&format!(">{heading}</h2>")),
        "heading {heading:?} missing"
    );
    let actual = trend_groups(&html);
    let titles: Vec<&str> = actual.iter().map(|(t, _)| t.as_str()).collect();
    let expected_titles: Vec<&str> = expected.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(titles, expected_titles, "group titles and order");
    for ((title, mut got), (_, mut want)) in actual.into_iter().zip(expected) {
        got.sort();
        want.sort();
        assert_eq!(got, want, "members of {title:?}");
    }
}

#[test]
fn ai_credits_page_reads_as_the_seed() {
    let site = SiteTest::repo();
    site.build().assert_ok();
    let html = site.page("trends/ai-credits/");
    for text in [
        "<h1>AI Credits Trend</h1>",
        "<code>ai_packaging</code>",
        "<code>ai_packaging: credit-lane</code>",
        "<h2 id=\"the-pattern\">The Pattern</h2>",
        "Credits are the compromise.",
        "The prediction: as AI costs decline",
    ] {
        assert!(html.contains(text), "page lacks {text:?}");
    }
    // The seed's four points under "The Pattern", in its order, each still
    // under its own heading.
    let pattern = &html[html.find("id=\"the-pattern\"").expect("pattern")..];
    let list = &pattern[..pattern.find("</ul>").expect("list")];
    let points: Vec<&str> = list.split("<li>").skip(1).collect();
    let headings = [
        "<strong>Bundled access + metered depth</strong>",
        "<strong>Credits as a new value metric</strong>",
        "<strong>Outcome-based credits</strong>",
        "<strong>PAYG as safety valve</strong>",
    ];
    assert_eq!(points.len(), headings.len(), "four points");
    for (point, heading) in points.iter().zip(headings) {
        assert!(
            point.starts_with(heading),
            "{point:?} starts with {heading:?}"
        );
    }
    // Where the vendors moved on, the points say what is true now, and the
    // seed's overtaken claims are gone.
    for (point, fact) in [
        (0, "Cursor used to count requests"),
        (0, "on June 16, 2025 it moved to a monthly dollar budget"),
        (0, "Ultra $400"),
        (2, "only when its AI Agent actually responds"),
        (
            3,
            "AI Super Credits for its premium AI features in $10 monthly blocks",
        ),
    ] {
        assert!(points[point].contains(fact), "point {point} lacks {fact:?}");
    }
    for stale in [
        "Pro gets 500 fast, Ultra gets unlimited",
        "only consumes credits when AI",
        "plan-based credit pools",
        "<code>ai_packaging: tiered</code>",
    ] {
        assert!(!html.contains(stale), "page still says {stale:?}");
    }
    // "See also" links to the three other trends.
    let see_also = &html[html.find("class=\"see-also\"").expect("see also")..];
    for slug in ["ai-bundling", "ai-add-ons", "no-ai"] {
        assert!(
            see_also.contains(&format!("href=\"/trends/{slug}/\"")),
            "see also {slug}"
        );
    }
}

#[test]
fn every_seed_company_and_intercom_has_a_page_linking_back_to_its_trends() {
    let site = SiteTest::repo();
    site.build().assert_ok();
    let (_, groups) = seed_groups();
    for slug in groups.iter().flat_map(|(_, s)| s) {
        let page = site.page(&format!("companies/{slug}/"));
        assert!(
            page.contains("href=\"/trends/ai-credits/\""),
            "{slug} links to ai-credits"
        );
        assert!(
            page.contains("rel=\"external\""),
            "{slug} shows its sources"
        );
    }
    let intercom = site.page("companies/intercom/");
    assert!(intercom.contains("href=\"/metering/outcomes/\""));
}

#[test]
fn the_real_dataset_checks_clean() {
    // Clean but for age: once the entries are older than stale_after_days,
    // `check` rightly asks for them to be verified again, and that must not
    // turn CI red on a date.
    let site = SiteTest::repo();
    let run = site.run(&["check", "--format", "json"]);
    run.assert_ok();
    let report: serde_json::Value =
        serde_json::from_slice(&run.output.stdout).expect("check --format json");
    assert_eq!(report["summary"]["errors"], 0, "{report}");
    for d in report["diagnostics"].as_array().expect("diagnostics") {
        assert_eq!(
            d["field"], "verified",
            "only staleness may be reported: {d}"
        );
    }
}

#[test]
fn no_ai_renders_well_with_no_companies() {
    let site = SiteTest::repo();
    site.build().assert_ok();
    let html = site.page("trends/no-ai/");
    assert!(html.contains("<h1>"), "has a title");
    if !html.contains("href=\"/companies/") {
        assert!(html.contains("No company in the dataset matches this trend yet."));
    }
}

#[test]
fn index_lists_trends_and_every_company_with_packaging_and_mechanic() {
    let site = SiteTest::repo();
    site.build().assert_ok();
    let html = site.page("");
    for slug in ["ai-credits", "ai-bundling", "ai-add-ons", "no-ai"] {
        assert!(
            html.contains(&format!("href=\"/trends/{slug}/\"")),
            "index links {slug}"
        );
    }
    let companies = std::fs::read_dir(site.root.join("content/companies"))
        .expect("dir")
        .count();
    let table = &html[html.find("<tbody>").expect("table")..];
    assert_eq!(table.matches("<tr ").count(), companies);
    assert!(table.contains("href=\"/packaging/usage-based/\""));
    assert!(table.contains("href=\"/metering/compute-units/\""));
}
