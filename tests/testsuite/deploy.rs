//! A build as it gets uploaded: the same bytes for the same content,
//! unchanged files left with their old times, every link of a site built
//! for a sub-path pointing at a file it has, and charts that need no script.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::support::{SiteTest, snapshot};

#[test]
fn two_builds_of_the_same_content_are_byte_identical() {
    let site = SiteTest::repo();
    let a = site.root.join("a");
    let b = site.root.join("b");
    site.run(&["build", "--out", a.to_str().expect("utf-8")])
        .assert_ok();
    site.run(&["build", "--out", b.to_str().expect("utf-8")])
        .assert_ok();
    let (a, b) = (snapshot(&a), snapshot(&b));
    assert!(a.len() > 40, "{} files", a.len());
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(b[path] == *bytes, "{path} differs between two builds");
    }
}

fn set_mtime(path: &Path, time: SystemTime) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(time))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn mtime(path: &Path) -> SystemTime {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_rebuild_keeps_the_modification_time_of_files_it_did_not_change() {
    let site = SiteTest::new("minimal");
    site.build().assert_ok();
    let past = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    let files: Vec<String> = snapshot(&site.out()).into_keys().collect();
    for f in &files {
        set_mtime(&site.out().join(f), past);
    }
    let before = snapshot(&site.out());
    // The note shows in lists and the data files, not in the index table.
    site.edit(
        "content/companies/beta.md",
        "Token packs on top of any plan.",
        "Token packs on top of every plan.",
    );
    site.build().assert_ok();
    let after = snapshot(&site.out());
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    let mut changed = Vec::new();
    for f in &files {
        let kept = mtime(&site.out().join(f)) == past;
        let same = before[f] == after[f];
        assert_eq!(kept, same, "{f}: bytes same = {same}, time kept = {kept}");
        if !same {
            changed.push(f.as_str());
        }
    }
    for f in [
        "companies/beta/index.html",
        "data/companies.json",
        "data/companies.csv",
    ] {
        assert!(changed.contains(&f), "{f} should have changed: {changed:?}");
    }
    for f in [
        "index.html",
        "style.css",
        "companies/acme/index.html",
        "robots.txt",
    ] {
        assert!(!changed.contains(&f), "{f} should not have changed");
    }
}

/// The `href` and `src` values of a page.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\"", "data-companies=\""] {
        for (i, _) in html.match_indices(attr) {
            let rest = &html[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].replace("&amp;", "&"));
            }
        }
    }
    out
}

#[test]
fn a_site_built_for_a_sub_path_links_only_to_files_it_has() {
    let site = SiteTest::repo();
    site.run(&["build", "--base-url", "https://example.org/sub/"])
        .assert_ok();
    let out = site.out();
    let files = snapshot(&out);
    assert!(files.contains_key("404.html"));
    let mut checked = 0;
    for (path, bytes) in &files {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        for link in links(&html) {
            let local = if let Some(rest) = link.strip_prefix("https://example.org/") {
                format!("/{rest}")
            } else if link.starts_with('/') {
                link.clone()
            } else {
                // Off-site links and fragments within the page.
                assert!(
                    link.starts_with("http")
                        || link.starts_with('#')
                        || link.starts_with("mailto:"),
                    "{path}: relative link {link}"
                );
                continue;
            };
            let rel = local
                .strip_prefix("/sub/")
                .unwrap_or_else(|| panic!("{path}: {link} leaves /sub/"));
            let rel = rel.split(['#', '?']).next().unwrap_or("");
            let file = if rel.is_empty() || rel.ends_with('/') {
                format!("{rel}index.html")
            } else {
                rel.to_string()
            };
            assert!(files.contains_key(&file), "{path}: {link} → no {file}");
            checked += 1;
        }
        // Pretty URLs with a canonical link to themselves.
        if let Some(dir) = path.strip_suffix("index.html") {
            assert!(
                html.contains(&format!(
                    "<link rel=\"canonical\" href=\"https://example.org/sub/{dir}\">"
                )),
                "{path}: canonical link"
            );
        }
    }
    assert!(checked > 500, "only {checked} links checked");
}

/// The text of each `<desc>` of the inline charts in `html`.
fn chart_descriptions(html: &str) -> Vec<String> {
    html.match_indices("<svg class=\"chart\"")
        .map(|(i, _)| {
            let svg = &html[i..i + html[i..].find("</svg>").expect("closed svg")];
            // An image hides its children, links too: a chart with links is
            // a named group whose every link has a name of its own.
            if svg.contains("<a ") {
                assert!(svg.contains("role=\"group\" aria-labelledby="), "a group");
                assert_eq!(
                    svg.matches("<a ").count(),
                    svg.matches("<a href=\"").count(),
                );
                for (at, _) in svg.match_indices("<a href=\"") {
                    let tag = &svg[at..at + svg[at..].find('>').expect(">")];
                    assert!(tag.contains(" aria-label=\""), "a named link: {tag}");
                }
            } else {
                assert!(svg.contains("role=\"img\""));
            }
            assert!(svg.contains("<title id="), "a title");
            assert!(!svg.contains("<script"), "no script");
            let start = svg.find("<desc").expect("a desc");
            let start = start + svg[start..].find('>').expect(">") + 1;
            let end = svg.find("</desc>").expect("</desc>");
            svg[start..end].to_string()
        })
        .collect()
}

#[test]
fn charts_show_the_counts_the_data_holds() {
    let site = SiteTest::repo();
    site.build().assert_ok();
    let data: Value = serde_json::from_str(
        &std::fs::read_to_string(site.out().join("data/companies.json")).expect("json"),
    )
    .expect("valid");
    let mut packaging: BTreeMap<String, usize> = BTreeMap::new();
    let mut mechanic: BTreeMap<String, usize> = BTreeMap::new();
    for c in data["companies"].as_array().expect("companies") {
        *packaging
            .entry(c["ai_packaging"].as_str().expect("packaging").into())
            .or_default() += 1;
        let m = c["metering"]["mechanic"].as_str().unwrap_or("none");
        *mechanic.entry(m.into()).or_default() += 1;
    }
    let index = site.page("");
    let descs = chart_descriptions(&index);
    assert_eq!(descs.len(), 3, "packaging, mechanic and the matrix");
    for (value, n) in &packaging {
        assert!(
            descs[0].contains(&format!("{value}: {n}")),
            "{value}: {}",
            descs[0]
        );
    }
    for (value, n) in &mechanic {
        assert!(
            descs[1].contains(&format!("{value}: {n}")),
            "{value}: {}",
            descs[1]
        );
    }
    // The matrix's cells add up to every company.
    let cells: usize = descs[2]
        .split("; ")
        .map(|cell| {
            cell.rsplit(": ")
                .next()
                .and_then(|n| n.parse::<usize>().ok())
                .expect("count")
        })
        .sum();
    assert_eq!(cells, data["companies"].as_array().map_or(0, Vec::len));

    let trends: Value = serde_json::from_str(
        &std::fs::read_to_string(site.out().join("data/trends.json")).expect("json"),
    )
    .expect("valid");
    for trend in trends["trends"].as_array().expect("trends") {
        let page = site.page(&format!(
            "trends/{}/",
            trend["slug"].as_str().expect("slug")
        ));
        let descs = chart_descriptions(&page);
        if trend["total"] == 0 {
            assert!(descs.is_empty());
            continue;
        }
        // The groups' sizes, and "Over time" when the content has history.
        assert!(matches!(descs.len(), 1 | 2), "{descs:?}");
        for g in trend["groups"].as_array().expect("groups") {
            let n = g["companies"].as_array().map_or(0, Vec::len);
            let title = g["title"].as_str().expect("title");
            assert!(
                descs[0].contains(&format!("{title}: {n}")),
                "{title}: {}",
                descs[0]
            );
            // The last quarter ends after every change: it is today's count.
            if let Some(over_time) = descs.get(1) {
                let lines = over_time.split_once(". The table").map_or("", |(l, _)| l);
                let line = lines
                    .split([':', ';'])
                    .find(|l| l.trim().starts_with(&format!("{title} from ")))
                    .unwrap_or_else(|| panic!("no line for {title}: {over_time}"));
                assert!(line.ends_with(&format!(" to {n}")), "{line}");
            }
        }
    }
}
