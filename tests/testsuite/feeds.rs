//! What crawlers and feed readers fetch: sitemap.xml read with an XML
//! parser, robots.txt, and atom.xml read with a feed parser.

use std::collections::BTreeSet;

use crate::support::SiteTest;

/// Every page of the output as the URL it is served at, 404 aside.
fn page_urls(site: &SiteTest, base: &str) -> BTreeSet<String> {
    walkdir::WalkDir::new(site.out())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "index.html")
        .map(|e| {
            let rel = e.path().strip_prefix(site.out()).expect("prefix");
            let dir = rel.parent().expect("parent").to_string_lossy().into_owned();
            if dir.is_empty() {
                base.to_string()
            } else {
                format!("{base}{dir}/")
            }
        })
        .collect()
}

/// (loc, lastmod) of every `<url>` in a sitemap.
fn sitemap(xml: &str) -> Vec<(String, Option<String>)> {
    let doc = roxmltree::Document::parse(xml).expect("sitemap is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "urlset");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.sitemaps.org/schemas/sitemap/0.9")
    );
    root.children()
        .filter(|n| n.is_element())
        .map(|url| {
            let child = |name: &str| {
                url.children()
                    .find(|c| c.tag_name().name() == name)
                    .and_then(|c| c.text())
                    .map(String::from)
            };
            (child("loc").expect("loc"), child("lastmod"))
        })
        .collect()
}

#[test]
fn the_sitemap_lists_every_page_with_company_dates() {
    let site = SiteTest::new("minimal");
    site.run(&["build", "--base-url", "https://example.org/sub/"])
        .assert_ok();
    let xml = std::fs::read_to_string(site.out().join("sitemap.xml")).expect("sitemap");
    let entries = sitemap(&xml);
    let locs: BTreeSet<String> = entries.iter().map(|e| e.0.clone()).collect();
    assert_eq!(locs.len(), entries.len(), "no URL twice");
    assert_eq!(locs, page_urls(&site, "https://example.org/sub/"));
    let lastmod = |loc: &str| {
        entries
            .iter()
            .find(|e| e.0 == loc)
            .and_then(|e| e.1.clone())
    };
    // beta.md says verified = 2026-09-01.
    assert_eq!(
        lastmod("https://example.org/sub/companies/beta/").as_deref(),
        Some("2026-09-01")
    );
    assert!(
        entries
            .iter()
            .all(|e| e.1.as_deref().is_none_or(|d| d.len() == 10)),
        "W3C dates"
    );

    let robots = std::fs::read_to_string(site.out().join("robots.txt")).expect("robots");
    assert!(robots.starts_with("User-agent: *\n"), "{robots}");
    assert!(
        robots.contains("\nSitemap: https://example.org/sub/sitemap.xml\n"),
        "{robots}"
    );
}

#[test]
fn a_path_only_base_url_writes_no_sitemap_or_feed_and_says_why() {
    let site = SiteTest::new("minimal");
    let run = site.run(&["build", "--base-url", "/"]);
    run.assert_ok();
    assert!(!site.out().join("sitemap.xml").exists());
    assert!(!site.out().join("atom.xml").exists());
    let robots = std::fs::read_to_string(site.out().join("robots.txt")).expect("robots");
    assert!(!robots.contains("Sitemap:"), "{robots}");
    assert!(!site.page("").contains("application/atom+xml"));
    run.assert_stderr_contains("only a path, so sitemap.xml and atom.xml were not written");
}

/// A company file named `name`, last checked on `verified`.
fn company(name: &str, verified: &str) -> String {
    format!(
        "+++\nname = \"{name}\"\nwebsite = \"https://x.example\"\ncategory = \"productivity\"\n\
         ai_packaging = \"bundled\"\nverified = {verified}\n\n[metering]\nmechanic = \"credits\"\n\
         note = \"Credits & <more>.\"\n\n[[sources]]\nurl = \"https://x.example/p\"\nchecked = {verified}\n+++\n"
    )
}

#[test]
fn the_feed_is_valid_atom_with_the_fifty_most_recently_checked_companies() {
    let site = SiteTest::new("minimal");
    // 60 companies checked on 60 different days of 2026, plus the fixture's.
    for i in 0..60 {
        let day = 1 + i % 28;
        let month = 1 + i / 28;
        site.write(
            &format!("content/companies/c{i:02}.md"),
            company(&format!("Co {i:02}"), &format!("2026-{month:02}-{day:02}")),
        );
    }
    site.build().assert_ok();
    let bytes = std::fs::read(site.out().join("atom.xml")).expect("atom.xml");
    let feed = feed_rs::parser::parse(bytes.as_slice()).expect("a valid feed");
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    assert_eq!(feed.id, "https://example.org/");
    assert!(feed.title.is_some_and(|t| !t.content.is_empty()));
    assert!(feed.updated.is_some());
    assert!(
        !feed.authors.is_empty(),
        "RFC 4287: a feed without entry authors has its own"
    );
    assert!(
        feed.links
            .iter()
            .any(|l| l.rel.as_deref() == Some("self") && l.href == "https://example.org/atom.xml")
    );
    assert_eq!(feed.entries.len(), 50);
    let dates: Vec<_> = feed
        .entries
        .iter()
        .map(|e| e.updated.expect("updated"))
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");
    assert_eq!(feed.updated, dates.first().copied());
    // The published data says which companies were checked last.
    let data: serde_json::Value = serde_json::from_slice(
        &std::fs::read(site.out().join("data/companies.json")).expect("companies.json"),
    )
    .expect("json");
    let mut checked: Vec<(String, String)> = data["companies"]
        .as_array()
        .expect("companies")
        .iter()
        .map(|c| {
            (
                c["verified"].as_str().expect("date").to_string(),
                c["url"].as_str().expect("url").to_string(),
            )
        })
        .collect();
    checked.sort_by(|a, b| b.0.cmp(&a.0));
    assert_ne!(
        checked[49].0, checked[50].0,
        "the test needs no tie at the cut"
    );
    let newest: BTreeSet<&str> = checked[..50].iter().map(|c| c.1.as_str()).collect();
    let first = &feed.entries[0];
    assert_eq!(first.id, checked[0].1);
    assert_eq!(first.links[0].href, first.id);
    let title = first
        .title
        .as_ref()
        .map(|t| t.content.clone())
        .unwrap_or_default();
    assert!(!title.is_empty());
    let co = feed
        .entries
        .iter()
        .find(|e| e.id.ends_with("/c59/"))
        .expect("the newest test company");
    assert!(
        co.summary
            .as_ref()
            .is_some_and(|s| s.content.contains("Credits & <more>.")),
        "{:?}",
        co.summary
    );
    assert_eq!(
        feed.entries
            .iter()
            .map(|e| e.id.as_str())
            .collect::<BTreeSet<_>>(),
        newest
    );
    let ids: BTreeSet<&str> = feed.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), 50, "unique ids");
    // Pages point readers at the feed.
    assert!(
        site.page("")
            .contains("<link rel=\"alternate\" type=\"application/atom+xml\"")
    );
}
