//! The benchmarks' synthetic sites (examples/gen_site): a generated site
//! passes `check`, builds every kind of page, and is the same for the same
//! spec in every flavor.

use std::path::Path;

use crate::support::{SiteTest, snapshot, trend_groups};

#[path = "../../examples/gen_site/synthetic.rs"]
mod synthetic;

use synthetic::{Flavor, Outcome, Spec};

fn generate(root: &Path, companies: usize, flavor: Flavor, seed: u64) -> Outcome {
    let spec = Spec {
        companies,
        flavor,
        seed,
        changes: 0,
    };
    synthetic::generate(root, &spec).unwrap_or_else(|e| panic!("generate: {e}"))
}

fn stems(dir: &Path) -> Vec<String> {
    let mut stems: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(Result::ok)
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".md")
                .map(String::from)
        })
        .filter(|s| s != "_index")
        .collect();
    stems.sort();
    stems
}

#[test]
fn a_generated_site_checks_clean_and_builds_every_kind_of_page() {
    let site = SiteTest::empty();
    generate(&site.root, 200, Flavor::Trendsite, 1);
    site.check()
        .assert_ok()
        .assert_stderr_contains("Checked 200 companies and 8 trends: 0 errors");
    // The build fails on a broken `@/` link, so this also checks the links.
    site.build().assert_ok();

    let companies = stems(&site.root.join("content/companies"));
    assert_eq!(companies.len(), 200);
    for slug in &companies {
        site.page(&format!("companies/{slug}/"));
    }
    for slug in stems(&site.root.join("content/trends")) {
        site.page(&format!("trends/{slug}/"));
    }
    for url in ["", "404.html", "trends/", "packaging/", "metering/"] {
        site.page(url);
    }
    // Every value of both enums is in use, so every term page exists.
    for value in [
        "bundled",
        "tiered",
        "add-on",
        "separate-sku",
        "usage-based",
        "none",
    ] {
        site.page(&format!("packaging/{value}/"));
    }
    for mechanic in [
        "credits",
        "tokens",
        "requests",
        "characters",
        "media-minutes",
        "compute-time",
        "compute-units",
        "outcomes",
        "seats",
        "none",
    ] {
        site.page(&format!("metering/{mechanic}/"));
    }

    // Notes are inline Markdown with code spans; bodies link other companies.
    let pages: Vec<String> = companies
        .iter()
        .map(|slug| site.page(&format!("companies/{slug}/")))
        .collect();
    assert!(pages.iter().any(|p| p.contains("<code>")));
    assert!(
        pages
            .iter()
            .any(|p| p.contains("class=\"prose\"") && p.matches("href=\"/companies/").count() > 0)
    );
    // A trend that leaves companies under "Other", and one without groups.
    let media = trend_groups(&site.page("trends/media-metering/"));
    assert_eq!(media.last().map(|g| g.0.as_str()), Some("Other"));
    assert!(!media.last().is_some_and(|g| g.1.is_empty()));
    assert!(
        site.page("trends/no-ai/")
            .contains("<ul class=\"companies\">")
    );
}

#[test]
fn the_same_spec_gives_the_same_files_and_every_flavor_the_same_companies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let at = |name: &str| dir.path().join(name);
    generate(&at("a"), 40, Flavor::Trendsite, 7);
    generate(&at("b"), 40, Flavor::Trendsite, 7);
    generate(&at("c"), 40, Flavor::Trendsite, 8);
    assert_eq!(snapshot(&at("a")), snapshot(&at("b")));
    assert_ne!(snapshot(&at("a")), snapshot(&at("c")));

    generate(&at("hugo"), 40, Flavor::Hugo, 7);
    generate(&at("modern"), 40, Flavor::HugoModern, 7);
    let body = |path: &Path| {
        let text = std::fs::read_to_string(path).expect("read");
        text.splitn(3, "+++\n")
            .nth(2)
            .expect("front matter")
            .to_string()
    };
    for section in ["content/companies", "content/trends"] {
        let names = stems(&at("a").join(section));
        assert_eq!(names, stems(&at("hugo").join(section)));
        assert_eq!(names, stems(&at("modern").join(section)));
        for name in names {
            let file = format!("{section}/{name}.md");
            assert_eq!(body(&at("a").join(&file)), body(&at("hugo").join(&file)));
            assert_eq!(body(&at("a").join(&file)), body(&at("modern").join(&file)));
        }
    }
    // Hugo 0.146 finds its layouts at the root of layouts/, older Hugo under _default/.
    assert!(at("modern").join("layouts/page.html").is_file());
    assert!(at("hugo").join("layouts/_default/single.html").is_file());
}

#[test]
fn the_generator_replaces_its_own_folders_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let foreign = dir.path().join("foreign");
    std::fs::create_dir_all(&foreign).expect("mkdir");
    std::fs::write(foreign.join("notes.txt"), "keep me").expect("write");
    let spec = Spec {
        companies: 5,
        flavor: Flavor::Trendsite,
        seed: 1,
        changes: 0,
    };
    let err = synthetic::generate(&foreign, &spec).expect_err("a foreign folder");
    assert!(
        err.to_string().contains("was not written by gen_site"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(foreign.join("notes.txt")).expect("read"),
        "keep me"
    );

    let own = dir.path().join("own");
    assert!(matches!(
        generate(&own, 5, Flavor::Trendsite, 1),
        Outcome::Written { files: 14, .. }
    ));
    assert!(matches!(
        generate(&own, 5, Flavor::Trendsite, 1),
        Outcome::UpToDate
    ));
    generate(&own, 3, Flavor::Trendsite, 1);
    assert_eq!(stems(&own.join("content/companies")).len(), 3);
}

/// The history benchmark's site: three valid dated changes per company,
/// which replay to earlier states.
#[test]
fn a_generated_site_with_changes_checks_clean() {
    let site = SiteTest::empty();
    let spec = Spec {
        companies: 100,
        flavor: Flavor::Trendsite,
        seed: 2,
        changes: 3,
    };
    synthetic::generate(&site.root, &spec).unwrap_or_else(|e| panic!("generate: {e}"));
    let text = std::fs::read_to_string(
        stems(&site.root.join("content/companies"))
            .first()
            .map(|s| site.root.join(format!("content/companies/{s}.md")))
            .expect("a company"),
    )
    .expect("read");
    assert_eq!(text.matches("[[changes]]").count(), 3, "{text}");
    site.check()
        .assert_ok()
        .assert_stderr_contains("Checked 100 companies and 8 trends: 0 errors");
}
