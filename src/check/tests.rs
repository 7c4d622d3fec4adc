use std::collections::HashSet;

use super::*;
use crate::content::{parse_company_text, parse_trend_text};
use crate::model::Trend;

fn date(y: u16, m: u8, d: u8) -> Date {
    Date::new(y, m, d).unwrap()
}

/// A company parsed from its file text, so its spans are the parser's:
/// `website` on line 3, `ai_packaging` 5, `verified` 6, `mechanic` 9 and
/// `checked` 13.
fn company(slug: &str, website: &str, verified: Date, checked: Date) -> Company {
    company_with(slug, website, "none", "none", verified, checked)
}

fn company_with(
    slug: &str,
    website: &str,
    packaging: &str,
    mechanic: &str,
    verified: Date,
    checked: Date,
) -> Company {
    let text = format!(
        "+++\nname = \"{slug}\"\nwebsite = \"{website}\"\ncategory = \"tools\"\n\
         ai_packaging = \"{packaging}\"\nverified = {verified}\n\n[metering]\n\
         mechanic = \"{mechanic}\"\n\n[[sources]]\nurl = \"{website}/pricing\"\n\
         checked = {checked}  # the day it was read\n+++\n"
    );
    let file = format!("content/companies/{slug}.md");
    let (c, diags) = parse_company_text(&file, slug, &text);
    assert!(diags.is_empty(), "{diags:#?}");
    c.unwrap()
}

/// A trend parsed from its front matter.
fn trend(slug: &str, front_matter: &str) -> Trend {
    let text = format!("+++\ntitle = \"T\"\nsummary = \"S\"\n{front_matter}+++\n");
    let file = format!("content/trends/{slug}.md");
    let (t, diags) = parse_trend_text(&file, slug, &text, &HashSet::new());
    assert!(diags.is_empty(), "{diags:#?}");
    t.unwrap()
}

fn run(companies: Vec<Company>, trends: Vec<Trend>, today: Date) -> Vec<Diagnostic> {
    let mut ds = Dataset {
        companies,
        trends,
        ..Dataset::default()
    };
    ds.config.stale_after_days = 30;
    let index = query::index(&ds, &[]);
    data_quality(&ds, &index, today, true)
}

/// Where each diagnostic points: file, line, column and field.
fn places(diags: &[Diagnostic]) -> Vec<(&str, usize, usize, Option<&str>)> {
    diags
        .iter()
        .map(|d| (d.file.as_str(), d.line, d.column, d.field.as_deref()))
        .collect()
}

#[track_caller]
fn drawn(d: &Diagnostic, needle: &str) {
    let text = d.render(false);
    assert!(text.contains(needle), "{needle:?} not in\n{text}");
}

#[test]
fn prose_linking_a_company_changed_since_its_review_is_a_warning_at_the_link() {
    let today = date(2026, 11, 26);
    let (acme, diags) = parse_company_text(
        "content/companies/acme.md",
        "acme",
        "+++\nname = \"Acme\"\nwebsite = \"https://acme.example\"\ncategory = \"tools\"\n\
         ai_packaging = \"bundled\"\nverified = 2026-11-01\n\n[metering]\nmechanic = \"credits\"\n\n\
         [[sources]]\nurl = \"https://acme.example/pricing\"\nchecked = 2026-11-01\n\n\
         [[changes]]\ndate = 2025-06-16\nsummary = \"Credits replaced the `add-on`.\"\n\
         source = \"https://acme.example/june\"\nbefore = { ai_packaging = \"add-on\" }\n\n\
         [[changes]]\ndate = 2025-09-01\nsummary = \"A dated note.\"\n\
         source = \"https://acme.example/sep\"\n+++\n",
    );
    assert!(diags.is_empty(), "{diags:#?}");
    let acme = acme.unwrap();
    let warnings = |reviewed: &str| {
        let text = format!(
            "+++\ntitle = \"T\"\nsummary = \"S\"\n{reviewed}+++\nIntro.\n\n\
             See [Acme](@/companies/acme.md#tiers) and\n  [again](@/companies/acme.md).\n\n\
             <!-- groups -->\n\nOutro [Acme](@/companies/acme.md), [T](@/trends/t.md).\n"
        );
        let (t, diags) = parse_trend_text("content/trends/t.md", "t", &text, &HashSet::new());
        assert!(diags.is_empty(), "{diags:#?}");
        run(vec![acme.clone()], vec![t.unwrap()], today)
    };

    let diags = warnings("reviewed = 2025-05-01\n");
    assert_eq!(
        places(&diags),
        [
            ("content/trends/t.md", 8, 5, Some("reviewed")),
            ("content/trends/t.md", 9, 3, Some("reviewed")),
            ("content/trends/t.md", 13, 7, Some("reviewed")),
        ],
        "{diags:#?}"
    );
    assert_eq!(
        diags[0].message,
        "links Acme, which changed on 2025-09-01 after this trend was reviewed (2025-05-01): \"A dated note.\" (1 earlier change since the review)"
    );
    assert_eq!(
        diags[0].help.as_deref(),
        Some("check the prose against the entry, then update `reviewed`")
    );
    drawn(
        &diags[1],
        "9 |   [again](@/companies/acme.md).\n  |   ----------------------------",
    );
    assert!(!shown_by_build(&diags[0]));

    let diags = warnings("reviewed = 2025-07-01\n");
    assert_eq!(diags.len(), 3, "{diags:#?}");
    assert!(
        diags[2]
            .message
            .ends_with("(2025-07-01): \"A dated note.\"")
    );

    // Reviewed on the day of the newest change, or never: no warning.
    assert!(warnings("reviewed = 2025-09-01\n").is_empty());
    assert!(warnings("").is_empty());
}

#[test]
fn websites_compare_by_host_and_path() {
    let key = website_key("https://acme.example");
    for same in [
        "https://acme.example/",
        "http://www.acme.example",
        "https://WWW.Acme.Example/",
    ] {
        assert_eq!(website_key(same), key, "{same}");
    }
    assert_ne!(website_key("https://acme.example/eu"), key);
    assert_ne!(website_key("https://acme.example:8080"), key);
    assert_ne!(website_key("https://wwwacme.example"), key);
}

#[test]
fn clean_data_has_no_warnings() {
    let today = date(2026, 11, 26);
    let d = date(2026, 11, 1);
    let diags = run(
        vec![
            company("a", "https://a.example", d, d),
            company("b", "https://b.example", today, today),
        ],
        vec![trend("all", "")],
        today,
    );
    assert!(diags.is_empty(), "{diags:#?}");
}

#[test]
fn each_problem_is_a_warning_at_its_value() {
    let today = date(2026, 11, 26);
    let diags = run(
        vec![
            company("a", "https://a.example", date(2026, 10, 26), today),
            company(
                "b",
                "https://a.example/",
                date(2026, 10, 27),
                date(2026, 11, 27),
            ),
        ],
        vec![],
        today,
    );
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:#?}");
    assert_eq!(
        places(&diags),
        [
            ("content/companies/a.md", 6, 12, Some("verified")),
            ("content/companies/a.md", 5, 16, Some("ai_packaging")),
            ("content/companies/b.md", 13, 11, Some("sources.checked")),
            ("content/companies/b.md", 5, 16, Some("ai_packaging")),
            ("content/companies/b.md", 3, 11, Some("website")),
        ],
        "{diags:#?}"
    );
    assert_eq!(
        diags[0].message,
        "verified 2026-10-26 is 31 days ago, more than stale_after_days (30)"
    );
    assert_eq!(
        diags[0].expected.as_deref(),
        Some("a date on or after 2026-10-27")
    );
    drawn(
        &diags[0],
        "6 | verified = 2026-10-26\n  |            ---------- a date on or after 2026-10-27",
    );
    assert!(diags[2].message.contains("2026-11-27 is in the future"));
    drawn(
        &diags[2],
        "13 | checked = 2026-11-27  # the day it was read\n   |           ---------- a date",
    );
    drawn(
        &diags[1],
        "5 | ai_packaging = \"none\"\n  |                ------",
    );
    assert_eq!(
        diags[4].message,
        "same website as content/companies/a.md:3 (a): https://a.example/"
    );
    drawn(
        &diags[4],
        "3 | website = \"https://a.example/\"\n  |           --------------------",
    );
}

#[test]
fn a_tiered_company_without_a_tier_amount_is_a_warning_at_its_packaging() {
    let today = date(2026, 11, 26);
    let with_tiers = |packaging: &str, tiers: &str| {
        let text = format!(
            "+++\nname = \"Acme\"\nwebsite = \"https://acme.example\"\ncategory = \"tools\"\n\
             ai_packaging = \"{packaging}\"\nverified = 2026-11-01\n\n[metering]\nmechanic = \"credits\"\n\n\
             {tiers}[[sources]]\nurl = \"https://acme.example/pricing\"\nchecked = 2026-11-01\n+++\n"
        );
        let (c, diags) = parse_company_text("content/companies/acme.md", "acme", &text);
        assert!(diags.is_empty(), "{diags:#?}");
        run(vec![c.unwrap()], vec![trend("all", "")], today)
    };
    let priced = "[[tiers]]\nname = \"Pro\"\nprice_usd = 20\n\n\
                  [[tiers]]\nname = \"Max\"\nprice_usd = 200\n\n";

    // No tiers at all, or tiers with prices only: the same warning.
    for tiers in ["", priced] {
        let diags = with_tiers("tiered", tiers);
        assert_eq!(
            places(&diags),
            [("content/companies/acme.md", 5, 16, Some("ai_packaging"))],
            "{diags:#?}"
        );
        assert_eq!(
            diags[0].message,
            "filed as \"tiered\", but no tier states an `ai_allowance`"
        );
        assert_eq!(
            diags[0].help.as_deref(),
            Some(
                "`tiered` is for when the vendor states how much AI each tier includes and the amounts differ between tiers, and the entry lists those tiers with their `ai_allowance`; when every plan includes the same AI or no per-tier amount is stated, the company is `bundled` and the body says so"
            )
        );
        drawn(
            &diags[0],
            "5 | ai_packaging = \"tiered\"\n  |                --------",
        );
        assert!(!shown_by_build(&diags[0]));
    }

    // One tier stating its amount is enough.
    let stated = priced.replace(
        "price_usd = 200\n",
        "price_usd = 200\nai_allowance = \"5x the usage of Pro\"\n",
    );
    assert!(with_tiers("tiered", &stated).is_empty());
    // Other packagings need no amount.
    assert!(with_tiers("bundled", "").is_empty());
    assert!(with_tiers("bundled", priced).is_empty());
}

#[test]
fn an_unlisted_company_is_pointed_at_the_value_most_trends_reject() {
    let today = date(2026, 11, 26);
    let delta = || {
        company_with(
            "delta",
            "https://delta.example",
            "usage-based",
            "compute-time",
            today,
            today,
        )
    };
    let credits = trend(
        "credits",
        "[select]\n\"metering.mechanic\" = [\"credits\"]\n",
    );
    let tokens = trend("tokens", "[select]\n\"metering.mechanic\" = [\"tokens\"]\n");
    let none = trend("none", "[select]\nai_packaging = [\"none\"]\n");

    // Two trends leave it out for its mechanic, one for its packaging.
    let diags = run(
        vec![delta()],
        vec![credits.clone(), tokens, none.clone()],
        today,
    );
    assert_eq!(
        places(&diags),
        [(
            "content/companies/delta.md",
            9,
            12,
            Some("metering.mechanic")
        )]
    );
    assert_eq!(diags[0].message, "no trend lists this company");
    drawn(
        &diags[0],
        "9 | mechanic = \"compute-time\"\n  |            --------------",
    );

    // A tie goes to the packaging.
    let diags = run(vec![delta()], vec![credits, none], today);
    assert_eq!(
        places(&diags),
        [("content/companies/delta.md", 5, 16, Some("ai_packaging"))]
    );
    drawn(
        &diags[0],
        "5 | ai_packaging = \"usage-based\"\n  |                -------------",
    );

    // So do trends that select on other fields only.
    let category = trend("c", "[select]\ncategory = [\"games\"]\n");
    let diags = run(vec![delta()], vec![category], today);
    assert_eq!(
        places(&diags),
        [("content/companies/delta.md", 5, 16, Some("ai_packaging"))]
    );
}

#[test]
fn companies_no_group_takes_are_a_warning_at_the_last_group() {
    let today = date(2026, 11, 26);
    let groups = "[select]\n\"metering.mechanic\" = [\"credits\", \"tokens\"]\n\n\
                  [[groups]]\ntitle = \"Bundled\"\nai_packaging = [\"bundled\"]\n\n\
                  [[groups]]\ntitle = \"Add-on\"\nai_packaging = [\"add-on\"]\n";
    let companies = vec![
        company_with("a", "https://a.example", "bundled", "credits", today, today),
        company_with(
            "b",
            "https://b.example",
            "usage-based",
            "tokens",
            today,
            today,
        ),
    ];
    let diags = run(companies.clone(), vec![trend("t", groups)], today);
    assert_eq!(
        places(&diags),
        [("content/trends/t.md", 11, 1, Some("groups"))],
        "{diags:#?}"
    );
    assert_eq!(
        diags[0].message,
        "1 selected company matches no group and is listed under \"Other\": b"
    );
    assert!(shown_by_build(&diags[0]));
    drawn(&diags[0], "11 | [[groups]]\n   | ----------\n");

    // Without the first group, two companies fall to "Other".
    let one_group = groups.replace(
        "[[groups]]\ntitle = \"Bundled\"\nai_packaging = [\"bundled\"]\n\n",
        "",
    );
    let diags = run(companies.clone(), vec![trend("t", &one_group)], today);
    assert_eq!(
        places(&diags),
        [("content/trends/t.md", 7, 1, Some("groups"))],
        "{diags:#?}"
    );
    assert_eq!(
        diags[0].message,
        "2 selected companies match no group and are listed under \"Other\": a, b"
    );

    // Without groups, every selected company is listed plainly.
    let plain = trend(
        "t",
        "[select]\n\"metering.mechanic\" = [\"credits\", \"tokens\"]\n",
    );
    assert!(run(companies, vec![plain], today).is_empty());
}

#[test]
fn each_unconfirmed_fact_is_a_note_at_its_path_which_a_build_leaves_out() {
    let today = date(2026, 11, 26);
    let (acme, diags) = parse_company_text(
        "content/companies/acme.md",
        "acme",
        "+++\nname = \"Acme\"\nwebsite = \"https://acme.example\"\ncategory = \"tools\"\n\
         ai_packaging = \"tiered\"\nverified = 2026-11-01\n\
         unconfirmed = [\"metering.mechanic\", \"tiers.Pro.price_usd\"]\n\n\
         [metering]\nmechanic = \"credits\"\n\n[[tiers]]\nname = \"Pro\"\nprice_usd = 20\nai_allowance = \"500 credits\"\n\n\
         [[sources]]\nurl = \"https://acme.example/pricing\"\nchecked = 2026-11-01\n\n\
         [[changes]]\ndate = 2025-06-16\nsummary = \"Credits replaced requests.\"\n\
         source = \"https://acme.example/june\"\nbefore = { \"metering.mechanic\" = \"requests\" }\n+++\n",
    );
    assert!(diags.is_empty(), "{diags:#?}");
    let acme = acme.unwrap();
    let diags = run(vec![acme.clone()], vec![trend("all", "")], today);
    assert_eq!(
        places(&diags),
        [
            (
                "content/companies/acme.md",
                7,
                16,
                Some("metering.mechanic")
            ),
            (
                "content/companies/acme.md",
                7,
                37,
                Some("tiers.Pro.price_usd")
            ),
        ],
        "{diags:#?}"
    );
    assert!(diags.iter().all(|d| d.severity == Severity::Note));
    assert_eq!(diags[0].message, "unconfirmed fact: \"credits\"");
    assert_eq!(diags[1].message, "unconfirmed fact: \"$20\"");
    drawn(
        &diags[1],
        "note: unconfirmed fact: \"$20\" (field `tiers.Pro.price_usd`)\n --> content/companies/acme.md:7:37",
    );
    let mut all = crate::diag::Diagnostics::new();
    all.extend(diags);
    assert_eq!(all.warning_count(), 0);
    assert_eq!(
        all.summary(),
        "0 errors, 0 warnings, 2 unconfirmed facts in 1 file"
    );

    let ds = Dataset {
        companies: vec![acme.clone()],
        trends: vec![trend("all", "")],
        ..Dataset::default()
    };
    let index = query::index(&ds, &[]);
    assert_eq!(build_warnings(&ds, &index, today, true), (Vec::new(), 0));

    // Before the change the mechanic was the change's, sourced by it: the
    // mark stays on the value it was written for.
    let before = acme.as_of(date(2025, 6, 15));
    let paths: Vec<String> = before.unconfirmed.iter().map(|u| u.path()).collect();
    assert_eq!(paths, ["tiers.Pro.price_usd"]);
    assert_eq!(acme.as_of(today).unconfirmed, acme.unconfirmed);
}
