//! The dataset published as data: `data/companies.json`,
//! `data/companies.csv` and `data/trends.json` read back and compared with
//! the front matter of the content files they came from, parsed here with
//! `toml` on its own.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::support::{SiteTest, trend_groups};

/// A company whose fields need quoting in CSV and escaping in JSON.
const TRICKY: &str = r#"+++
name = "Quote \"Co\", Ltd — Ünïcode"
website = "https://quote.example/?a=1&b=2"
category = "productivity"
ai_packaging = "tiered"
verified = 2026-10-02

[metering]
mechanic = "credits"
unit = "credit, pooled"
payg = true
note = """Line one, with a comma.
Line "two"."""

[[tiers]]
name = "Free"
price_usd = 0
period = "month"
per = "user"

[[tiers]]
name = "Pro"
price_usd = 12.5
period = "year"
per = "workspace"
ai_allowance = "1,000 credits"

[[tiers]]
name = "Enterprise"

[[sources]]
url = "https://quote.example/pricing"
checked = 2026-10-02

[[sources]]
url = "https://quote.example/help/credits"
checked = 2026-10-01
+++
Body with **Markdown**, a comma, and "quotes".
"#;

fn site() -> SiteTest {
    let site = SiteTest::repo();
    site.write("content/companies/quote-co.md", TRICKY);
    site.build().assert_ok();
    site
}

/// Each company file's front matter, by slug.
pub(crate) fn content(site: &SiteTest) -> BTreeMap<String, toml::Table> {
    let dir = site.root.join("content/companies");
    std::fs::read_dir(&dir)
        .expect("companies")
        .map(|e| {
            let path = e.expect("entry").path();
            let slug = path
                .file_stem()
                .expect("stem")
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&path).expect("read");
            let rest = text.strip_prefix("+++\n").expect("front matter");
            let (front, _body) = rest.split_once("\n+++\n").expect("closing +++");
            let table: toml::Table = toml::from_str(front).expect("toml");
            (slug, table)
        })
        .collect()
}

/// The TOML value as the JSON export writes it.
pub(crate) fn as_json(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::from(s.as_str()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => Value::from(*f),
        toml::Value::Boolean(b) => Value::from(*b),
        toml::Value::Datetime(d) => Value::from(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.iter().map(as_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.iter().map(|(k, v)| (k.clone(), as_json(v))).collect())
        }
    }
}

/// Every key of the file is in the record with the same value, and every
/// key of the record the file leaves out is empty: null, false or [].
fn assert_record_matches(slug: &str, file: &toml::Table, record: &Value) {
    let Value::Object(record) = record else {
        panic!("{slug}: record is not an object: {record}");
    };
    for (key, value) in file {
        let got = record
            .get(key)
            .unwrap_or_else(|| panic!("{slug}: no key {key}"));
        match value {
            toml::Value::Table(t) => assert_record_matches(&format!("{slug}.{key}"), t, got),
            toml::Value::Array(items) if items.iter().all(toml::Value::is_table) => {
                let got = got
                    .as_array()
                    .unwrap_or_else(|| panic!("{slug}.{key}: not an array"));
                assert_eq!(got.len(), items.len(), "{slug}.{key}");
                let mut items = items.clone();
                if key == "changes" {
                    // Written in any order, published newest first; one
                    // date's changes keep their file order.
                    items.sort_by_key(|c| std::cmp::Reverse(c.get("date").map(|d| d.to_string())));
                }
                for (i, (item, g)) in items.iter().zip(got).enumerate() {
                    let t = item.as_table().expect("table");
                    assert_record_matches(&format!("{slug}.{key}[{i}]"), t, g);
                }
            }
            _ => assert_eq!(got, &as_json(value), "{slug}.{key}"),
        }
    }
    for (key, value) in record {
        if !file.contains_key(key) && !["slug", "url"].contains(&key.as_str()) {
            let empty = value.is_null()
                || value == &Value::Bool(false)
                || value.as_array().is_some_and(Vec::is_empty)
                || value.as_object().is_some_and(|o| o.is_empty());
            assert!(empty, "{slug}.{key} is {value} but the file has no {key}");
        }
    }
}

#[test]
fn companies_json_holds_every_field_of_every_file() {
    let site = site();
    let text = std::fs::read_to_string(site.out().join("data/companies.json")).expect("json");
    let json: Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(json["schema_version"], 1);
    let records = json["companies"].as_array().expect("companies");
    let files = content(&site);
    let slugs: Vec<&str> = records
        .iter()
        .map(|r| r["slug"].as_str().expect("slug"))
        .collect();
    assert_eq!(slugs, files.keys().map(String::as_str).collect::<Vec<_>>());
    for record in records {
        let slug = record["slug"].as_str().expect("slug");
        assert_record_matches(slug, &files[slug], record);
        assert!(record.get("body").is_none(), "bodies stay on the pages");
        assert_eq!(
            record["url"],
            format!("https://example.org/companies/{slug}/")
        );
    }
    // Stable key order, as documented.
    let first = &text[text.find("\n{").expect("a record")..];
    let order = [
        "\"slug\"",
        "\"name\"",
        "\"url\"",
        "\"website\"",
        "\"category\"",
        "\"ai_packaging\"",
        "\"verified\"",
        "\"metering\"",
        "\"tiers\"",
        "\"sources\"",
        "\"changes\"",
    ];
    let positions: Vec<usize> = order.iter().map(|k| first.find(k).expect(k)).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
}

#[test]
fn companies_csv_has_a_row_per_company_with_flattened_columns() {
    let site = site();
    let bytes = std::fs::read(site.out().join("data/companies.csv")).expect("csv");
    assert!(
        bytes.windows(2).any(|w| w == b"\r\n"),
        "RFC 4180 ends records with CRLF"
    );
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let rows: Vec<BTreeMap<String, String>> = reader
        .records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.expect("record").iter().map(String::from))
                .collect()
        })
        .collect();
    let files = content(&site);
    assert_eq!(rows.len(), files.len());
    // Column names for nested fields: the TOML path, numbered from 1 in lists.
    let most_tiers = files
        .values()
        .map(|t| {
            t.get("tiers")
                .and_then(|v| v.as_array())
                .map_or(0, Vec::len)
        })
        .max()
        .unwrap_or(0);
    assert!(header.contains(&format!("tiers.{most_tiers}.ai_allowance")));
    assert!(!header.contains(&format!("tiers.{}.name", most_tiers + 1)));
    for row in &rows {
        let slug = &row["slug"];
        let table = &files[slug];
        let cell = |path: &str| {
            row.get(path)
                .unwrap_or_else(|| panic!("no column {path}"))
                .as_str()
        };
        let text = |v: &toml::Value| match v {
            toml::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        for key in ["name", "website", "category", "ai_packaging", "verified"] {
            assert_eq!(cell(key), text(&table[key]), "{slug}.{key}");
        }
        let metering = table.get("metering").and_then(toml::Value::as_table);
        for key in ["mechanic", "unit", "note"] {
            let want = metering
                .and_then(|m| m.get(key))
                .map(text)
                .unwrap_or_default();
            assert_eq!(
                cell(&format!("metering.{key}")),
                want,
                "{slug}.metering.{key}"
            );
        }
        let payg = match metering {
            Some(m) => m.get("payg").map(text).unwrap_or_else(|| "false".into()),
            None => String::new(),
        };
        assert_eq!(cell("metering.payg"), payg, "{slug}.metering.payg");
        for (list, fields) in [
            (
                "tiers",
                &["name", "price_usd", "period", "per", "ai_allowance"][..],
            ),
            ("sources", &["url", "checked"][..]),
        ] {
            let items = table
                .get(list)
                .and_then(toml::Value::as_array)
                .cloned()
                .unwrap_or_default();
            let mut n = 1;
            while header.contains(&format!("{list}.{n}.{}", fields[0])) {
                for field in fields {
                    let want = items
                        .get(n - 1)
                        .and_then(|t| t.get(field))
                        .map(text)
                        .unwrap_or_default();
                    assert_eq!(
                        cell(&format!("{list}.{n}.{field}")),
                        want,
                        "{slug}.{list}.{n}.{field}"
                    );
                }
                n += 1;
            }
        }
    }
    let tricky = rows
        .iter()
        .find(|r| r["slug"] == "quote-co")
        .expect("quote-co");
    assert_eq!(tricky["tiers.2.price_usd"], "12.5");
    assert_eq!(
        tricky["metering.note"],
        "Line one, with a comma.\nLine \"two\"."
    );
}

#[test]
fn trends_json_lists_each_group_as_the_trend_page_shows_it() {
    let site = site();
    let text = std::fs::read_to_string(site.out().join("data/trends.json")).expect("json");
    let json: Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(json["schema_version"], 1);
    let trends = json["trends"].as_array().expect("trends");
    let files: Vec<String> = std::fs::read_dir(site.root.join("content/trends"))
        .expect("trends")
        .map(|e| {
            e.expect("entry")
                .path()
                .file_stem()
                .expect("stem")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(trends.len(), files.len());
    for trend in trends {
        let slug = trend["slug"].as_str().expect("slug");
        let page = site.page(&format!("trends/{slug}/"));
        let mut groups: Vec<(String, Vec<String>)> = trend["groups"]
            .as_array()
            .expect("groups")
            .iter()
            .map(|g| {
                let members = g["companies"].as_array().expect("members");
                (
                    g["title"].as_str().expect("title").to_string(),
                    members
                        .iter()
                        .map(|s| s.as_str().expect("slug").to_string())
                        .collect(),
                )
            })
            .collect();
        let other: Vec<String> = trend["other"]
            .as_array()
            .expect("other")
            .iter()
            .map(|s| s.as_str().expect("slug").to_string())
            .collect();
        if !other.is_empty() {
            groups.push(("Other".into(), other));
        }
        // The page leaves out empty groups' lists but shows their titles.
        let shown: Vec<(String, Vec<String>)> = trend_groups(&page);
        let listed: Vec<&(String, Vec<String>)> =
            groups.iter().filter(|g| !g.1.is_empty()).collect();
        let shown_listed: Vec<&(String, Vec<String>)> =
            shown.iter().filter(|g| !g.1.is_empty()).collect();
        assert_eq!(listed, shown_listed, "{slug}");
        let total: usize = groups.iter().map(|g| g.1.len()).sum();
        assert_eq!(trend["total"], total, "{slug}");
        for g in trend["groups"].as_array().expect("groups") {
            let id = g["id"].as_str().expect("id");
            assert!(
                page.contains(&format!("id=\"{id}\"")),
                "{slug}: no anchor {id}"
            );
        }
    }
}
