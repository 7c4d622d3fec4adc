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

/// Beta's file with two dated changes, one of them with markup to escape.
fn with_changes(site: &SiteTest) {
    site.edit(
        "content/companies/beta.md",
        "checked = 2026-09-01\n",
        "checked = 2026-09-01\n\n[[changes]]\ndate = 2026-03-02\n\
         summary = \"Tokens & <more> replace [seats](@/companies/acme.md).\"\n\
         source = \"https://beta.example/news?a=1&b=2\"\n\
         before = { \"metering.mechanic\" = \"seats\" }\n\n\
         [[changes]]\ndate = 2025-11-20\nsummary = \"Token packs announced.\"\n\
         source = \"https://beta.example/blog\"\n",
    );
}

#[test]
fn the_feed_is_valid_atom_with_absolute_urls() {
    let site = SiteTest::new("minimal");
    with_changes(&site);
    site.run(&["build", "--base-url", "https://example.org/sub/"])
        .assert_ok();
    let bytes = std::fs::read(site.out().join("atom.xml")).expect("atom.xml");
    let feed = feed_rs::parser::parse(bytes.as_slice()).expect("a valid feed");
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    assert_eq!(feed.id, "https://example.org/sub/changes/");
    assert!(
        feed.title
            .is_some_and(|t| t.content == "Fixture Site: pricing changes")
    );
    assert!(
        !feed.authors.is_empty(),
        "RFC 4287: a feed without entry authors has its own"
    );
    assert!(
        feed.links
            .iter()
            .any(|l| l.rel.as_deref() == Some("self")
                && l.href == "https://example.org/sub/atom.xml")
    );
    assert_eq!(feed.entries.len(), 2);
    let first = &feed.entries[0];
    assert_eq!(first.id, "https://example.org/sub/changes/#beta-2026-03-02");
    assert_eq!(feed.updated, first.updated);
    for e in &feed.entries {
        assert!(
            e.id.starts_with("https://example.org/sub/changes/#"),
            "{}",
            e.id
        );
        assert!(
            e.links.iter().all(|l| l.href.starts_with("https://")),
            "{:?}",
            e.links
        );
    }
    assert_eq!(
        first.title.as_ref().map(|t| t.content.as_str()),
        Some("beta: Tokens & <more> replace seats.")
    );
    let related: Vec<&str> = first
        .links
        .iter()
        .filter(|l| l.rel.as_deref() == Some("related"))
        .map(|l| l.href.as_str())
        .collect();
    assert_eq!(related, ["https://beta.example/news?a=1&b=2"]);
    let html = first
        .content
        .as_ref()
        .and_then(|c| c.body.clone())
        .expect("content");
    // Escaped once for HTML, once for XML, and read back as HTML.
    assert!(html.contains("Tokens &amp; &lt;more&gt;"), "{html}");
    assert!(html.contains("seats → tokens"), "{html}");
    // A site link resolves against the feed's xml:base to the page.
    let xml = String::from_utf8(bytes).expect("utf-8");
    assert!(
        xml.contains("xml:base=\"https://example.org/sub/\""),
        "{xml}"
    );
    assert!(html.contains("href=\"/sub/companies/acme/\""), "{html}");
    // Pages point readers at the feed.
    assert!(site.page("").contains(
        "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Fixture Site: pricing changes\""
    ));
}

#[test]
fn without_changes_the_feed_is_valid_and_empty() {
    let site = SiteTest::new("minimal");
    site.build().assert_ok();
    let bytes = std::fs::read(site.out().join("atom.xml")).expect("atom.xml");
    let feed = feed_rs::parser::parse(bytes.as_slice()).expect("a valid feed");
    assert!(feed.entries.is_empty());
    // The newest date the content holds: acme's verified, 2026-10-01.
    assert_eq!(
        feed.updated.map(|d| d.to_rfc3339()).as_deref(),
        Some("2026-10-01T00:00:00+00:00")
    );
}
