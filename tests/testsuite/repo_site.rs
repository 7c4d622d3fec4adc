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

/// The repository's companies, slug and file text: every `.md` under
/// `content/companies`, subfolders included, as the generator finds them.
fn repo_companies() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content/companies");
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| {
            let slug = e
                .path()
                .file_stem()
                .expect("stem")
                .to_string_lossy()
                .into_owned();
            (
                slug,
                std::fs::read_to_string(e.path()).expect("read company"),
            )
        })
        .collect()
}

#[test]
fn ai_credits_page_keeps_every_seed_company_in_its_seed_group() {
    // New credit-metered companies join the page; the seed's companies and
    // groups must stay where the seed put them.
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
    let seed: Vec<&str> = expected
        .iter()
        .flat_map(|(_, slugs)| slugs.iter().map(String::as_str))
        .collect();
    assert_eq!(seed.len(), 16, "the seed lists sixteen companies");
    let companies: Vec<String> = repo_companies().into_iter().map(|(slug, _)| slug).collect();
    for ((title, got), (_, want)) in actual.iter().zip(&expected) {
        for slug in want {
            assert!(got.contains(slug), "{slug} missing from {title:?}: {got:?}");
        }
        for slug in got {
            assert!(
                companies.contains(slug),
                "{title:?} lists {slug}, which is not a company of content/companies"
            );
            assert_eq!(
                actual
                    .iter()
                    .flat_map(|(_, s)| s)
                    .filter(|s| *s == slug)
                    .count(),
                1,
                "{slug} is listed once"
            );
        }
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
    let mut unconfirmed = Vec::new();
    for d in report["diagnostics"].as_array().expect("diagnostics") {
        if d["severity"] == "note" {
            unconfirmed.push(format!("{} {}", d["file"], d["field"]));
            continue;
        }
        assert_eq!(
            d["field"], "verified",
            "only staleness may be reported: {d}"
        );
    }
    // Every fact the entries mark unconfirmed is listed, VEED's credit
    // metering among them.
    assert!(
        unconfirmed.contains(&"\"content/companies/veed.md\" \"metering.mechanic\"".to_string()),
        "{unconfirmed:?}"
    );
    assert_eq!(report["summary"]["unconfirmed"], unconfirmed.len());
}

#[test]
fn no_ai_lists_every_company_without_ai() {
    // The page once had no members and showed its empty state; now every
    // company recorded with `ai_packaging = "none"` must be linked from it.
    let site = SiteTest::repo();
    site.build().assert_ok();
    let html = site.page("trends/no-ai/");
    assert!(html.contains("<h1>"), "has a title");
    let none: Vec<String> = repo_companies()
        .into_iter()
        .filter(|(_, text)| text.lines().any(|l| l.trim() == "ai_packaging = \"none\""))
        .map(|(slug, _)| slug)
        .collect();
    assert!(
        none.len() >= 3,
        "no-ai has at least three members: {none:?}"
    );
    // A trend without groups has no `<h3>`: read the company lists directly.
    let listed: Vec<String> = html
        .split("<ul class=\"companies\">")
        .skip(1)
        .filter_map(|list| list.split("</ul>").next())
        .flat_map(|list| list.split("href=\"/companies/").skip(1))
        .filter_map(|s| s.split('/').next())
        .map(str::to_string)
        .collect();
    for slug in &none {
        assert!(listed.contains(slug), "no-ai lists {slug}: {listed:?}");
    }
    assert_eq!(
        listed.len(),
        none.len(),
        "no-ai lists only companies without AI"
    );
    assert!(!html.contains("No company in the dataset matches this trend yet."));
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
