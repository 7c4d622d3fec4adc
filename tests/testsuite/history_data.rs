//! Dated changes as feeds and data: `atom.xml` read back with feed-rs, and
//! `data/changes.json`, `data/changes.csv` and the `changes` of
//! `data/companies.json` compared with the `[[changes]]` of the content
//! files, parsed here with `toml` on its own.

use serde_json::Value;

use crate::exports::{as_json, content};
use crate::support::SiteTest;

const CHANGES_URL: &str = "https://example.org/changes/";

/// The 60 dates of the feed test, oldest first, all in 2024.
fn date(g: usize) -> String {
    format!("2024-{:02}-{:02}", 1 + g / 28, 1 + g % 28)
}

/// Company `i` of twelve: its note now is `c{i} v0`, and change `m` (1 is
/// the newest of its five) says it was `c{i} v{m}` before. Change `g` of
/// the 60 (oldest first) belongs to company `g % 12`.
fn chain_company(i: usize) -> String {
    let mut text = format!(
        "+++\nname = \"Co {i:02}\"\nwebsite = \"https://c{i}.example\"\n\
         category = \"productivity\"\nai_packaging = \"bundled\"\nverified = 2024-06-01\n\n\
         [metering]\nmechanic = \"credits\"\nnote = \"c{i} v0\"\n\n\
         [[sources]]\nurl = \"https://c{i}.example/p\"\nchecked = 2024-06-01\n"
    );
    for m in 1..=5 {
        let g = i + 12 * (5 - m);
        text.push_str(&format!(
            "\n[[changes]]\ndate = {}\nsummary = \"Note **{g}** changes.\"\n\
             source = \"https://c{i}.example/news/{g}\"\n\
             before = {{ \"metering.note\" = \"c{i} v{m}\" }}\n",
            date(g)
        ));
    }
    text.push_str("+++\n");
    text
}

fn read_feed(site: &SiteTest) -> feed_rs::model::Feed {
    let bytes = std::fs::read(site.out().join("atom.xml")).expect("atom.xml");
    feed_rs::parser::parse(bytes.as_slice()).expect("a valid feed")
}

fn ids(feed: &feed_rs::model::Feed) -> Vec<String> {
    feed.entries.iter().map(|e| e.id.clone()).collect()
}

#[test]
fn the_feed_holds_the_fifty_newest_changes_with_stable_ids() {
    let site = SiteTest::new("minimal");
    for i in 0..12 {
        site.write(&format!("content/companies/c{i:02}.md"), chain_company(i));
    }
    site.build().assert_ok();
    let first_bytes = std::fs::read(site.out().join("atom.xml")).expect("atom.xml");
    let feed = read_feed(&site);
    assert_eq!(feed.entries.len(), 50);
    for (n, e) in feed.entries.iter().enumerate() {
        // Newest first: change 59 down to change 10.
        let g = 59 - n;
        let i = g % 12;
        let m = 5 - (g - i) / 12;
        let day = date(g);
        assert_eq!(e.id, format!("{CHANGES_URL}#c{i:02}-{day}"));
        assert_eq!(
            e.updated.map(|d| d.date_naive().to_string()),
            Some(day.clone()),
            "{}",
            e.id
        );
        assert_eq!(
            e.title.as_ref().map(|t| t.content.as_str()),
            Some(format!("Co {i:02}: Note {g} changes.").as_str())
        );
        let html = e
            .content
            .as_ref()
            .and_then(|c| c.body.clone())
            .expect("content");
        assert!(
            html.contains(&format!("c{i} v{m} → c{i} v{}", m - 1)),
            "{}: {html}",
            e.id
        );
        assert!(
            e.links.iter().any(|l| l.rel.as_deref() == Some("related")
                && l.href == format!("https://c{i}.example/news/{g}")),
            "{:?}",
            e.links
        );
    }
    assert_eq!(
        feed.updated.map(|d| d.date_naive().to_string()),
        Some(date(59))
    );
    let before = ids(&feed);
    assert_eq!(
        before
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        50,
        "unique ids"
    );

    // The same content gives the same feed.
    site.build().assert_ok();
    let again = std::fs::read(site.out().join("atom.xml")).expect("atom.xml");
    assert_eq!(first_bytes, again);

    // A newer change, and a second change on a day that already has one,
    // leave every other entry's id as it was.
    let c03 = site.read("content/companies/c03.md");
    let head = c03.strip_suffix("+++\n").expect("closing +++");
    site.write(
        "content/companies/c03.md",
        format!(
            "{head}\n[[changes]]\ndate = 2024-05-01\nsummary = \"Newest.\"\n\
             source = \"https://c3.example/n\"\n\n[[changes]]\ndate = {}\n\
             summary = \"Same day.\"\nsource = \"https://c3.example/s\"\n+++\n",
            date(51)
        ),
    );
    site.build().assert_ok();
    let after = ids(&read_feed(&site));
    assert_eq!(after[0], format!("{CHANGES_URL}#c03-2024-05-01"));
    // Change 51 is c03's; the new note of that day comes after it.
    let same_day = format!("{CHANGES_URL}#c03-{}-2", date(51));
    let k = after
        .iter()
        .position(|id| *id == same_day)
        .expect("same day");
    assert_eq!(after[k - 1], format!("{CHANGES_URL}#c03-{}", date(51)));
    let kept: Vec<&String> = after.iter().filter(|id| **id != same_day).skip(1).collect();
    assert_eq!(kept, before[..48].iter().collect::<Vec<_>>());
}

/// A site whose changes touch every kind of field: text, enum, bool, the
/// tier list, two changes on one day, and a dated note without `before`.
fn varied() -> SiteTest {
    let site = SiteTest::new("minimal");
    site.write(
        "content/companies/delta.md",
        r#"+++
name = "Delta, \"Inc\""
website = "https://delta.example"
category = "productivity"
ai_packaging = "tiered"
verified = 2026-10-01

[metering]
mechanic = "credits"
unit = "credit"
payg = true

[[tiers]]
name = "Pro"
price_usd = 25
period = "month"
per = "user"
ai_allowance = "1,000 credits"

[[sources]]
url = "https://delta.example/pricing"
checked = 2026-10-01

[[changes]]
date = 2025-06-16
summary = "Requests become *credits*; Pro costs more."
source = "https://delta.example/blog/credits"

[changes.before]
"metering.mechanic" = "requests"
"metering.unit" = "fast request"
"metering.payg" = false

[[changes.before.tiers]]
name = "Pro"
price_usd = 20
period = "month"
per = "user"
ai_allowance = "500 fast requests"

[[changes]]
date = 2025-06-16
summary = "A dated note, on the same day."
source = "https://delta.example/blog/note"

[[changes]]
date = 2024-02-01
summary = "AI moves into the plans."
source = "https://delta.example/blog/2024"

[changes.before]
ai_packaging = "add-on"
"metering.unit" = "request"
name = "Delta"
+++
"#,
    );
    site.edit(
        "content/companies/beta.md",
        "checked = 2026-09-01\n",
        "checked = 2026-09-01\n\n[[changes]]\ndate = 2025-09-01\n\
         summary = \"Token packs on top of any plan.\"\nsource = \"https://beta.example/news\"\n\
         before = { ai_packaging = \"bundled\", \"metering.note\" = \"Tokens, then packs.\" }\n",
    );
    site.build().assert_ok();
    site
}

/// A field's value in the front matter, by its path, as the data gives
/// it: a company without the field has "" for text, false, or no tiers.
fn current(table: &toml::Table, path: &str) -> toml::Value {
    let found = match path.split_once('.') {
        Some((outer, inner)) => table.get(outer).and_then(|t| t.get(inner)).cloned(),
        None => table.get(path).cloned(),
    };
    found.unwrap_or(match path {
        "metering.payg" => toml::Value::Boolean(false),
        "tiers" => toml::Value::Array(Vec::new()),
        _ => toml::Value::String(String::new()),
    })
}

/// JSON as the files give it, with the `null`s of keys a TOML table
/// leaves out dropped, to compare with `as_json` of the TOML.
fn without_nulls(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

/// One expected row: (company, company_name, date, summary, source, url,
/// field, before, after), with values as JSON.
type Row = (
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<Value>,
    Option<Value>,
);

/// Rows in one order: by company, then change, then field.
fn sort(rows: &mut [Row]) {
    rows.sort_by(|a, b| (&a.0, &a.5, &a.6).cmp(&(&b.0, &b.5, &b.6)));
}

/// The rows the content files give, worked out here: a field's value just
/// after a change is the `before` of the nearest later change that names
/// it, or the front matter's value when none does.
fn expected_rows(site: &SiteTest) -> Vec<Row> {
    let mut rows = Vec::new();
    for (slug, table) in content(site) {
        let name = table["name"].as_str().expect("name").to_string();
        let changes: Vec<&toml::Table> = table
            .get("changes")
            .and_then(toml::Value::as_array)
            .map(|a| a.iter().map(|c| c.as_table().expect("table")).collect())
            .unwrap_or_default();
        let day = |c: &toml::Table| c["date"].to_string();
        for (k, change) in changes.iter().enumerate() {
            let nth = changes[..k]
                .iter()
                .filter(|c| day(c) == day(change))
                .count();
            let anchor = match nth {
                0 => format!("{slug}-{}", day(change)),
                n => format!("{slug}-{}-{}", day(change), n + 1),
            };
            let base = (
                slug.clone(),
                name.clone(),
                day(change),
                change["summary"].as_str().expect("summary").to_string(),
                change["source"].as_str().expect("source").to_string(),
                format!("{CHANGES_URL}#{anchor}"),
            );
            let before = change.get("before").and_then(toml::Value::as_table);
            let Some(before) = before.filter(|b| !b.is_empty()) else {
                rows.push((
                    base.0, base.1, base.2, base.3, base.4, base.5, None, None, None,
                ));
                continue;
            };
            for (path, value) in before {
                let after = changes
                    .iter()
                    .filter(|c| day(c) > day(change))
                    .filter_map(|c| Some((day(c), c.get("before")?.get(path)?.clone())))
                    .min_by(|a, b| a.0.cmp(&b.0))
                    .map_or_else(|| current(&table, path), |(_, v)| v);
                let b = base.clone();
                rows.push((
                    b.0,
                    b.1,
                    b.2,
                    b.3,
                    b.4,
                    b.5,
                    Some(path.clone()),
                    Some(as_json(value)),
                    Some(as_json(&after)),
                ));
            }
        }
    }
    sort(&mut rows);
    rows
}

#[test]
fn changes_json_has_a_row_per_changed_field_as_the_files_say() {
    let site = varied();
    let text = std::fs::read_to_string(site.out().join("data/changes.json")).expect("json");
    let json: Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(json["schema_version"], 1);
    let records = json["changes"].as_array().expect("changes");
    // One record per line, after the version and the key.
    assert_eq!(text.lines().count(), records.len() + 3);
    let dates: Vec<&str> = records
        .iter()
        .map(|r| r["date"].as_str().expect("date"))
        .collect();
    assert!(
        dates.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {dates:?}"
    );
    let str_of = |v: &Value| v.as_str().expect("string").to_string();
    let opt = |v: &Value| (!v.is_null()).then(|| without_nulls(v));
    let mut got: Vec<Row> = records
        .iter()
        .map(|r| {
            (
                str_of(&r["company"]),
                str_of(&r["company_name"]),
                str_of(&r["date"]),
                str_of(&r["summary"]),
                str_of(&r["source"]),
                str_of(&r["url"]),
                r["field"].as_str().map(String::from),
                opt(&r["before"]),
                opt(&r["after"]),
            )
        })
        .collect();
    sort(&mut got);
    let want = expected_rows(&site);
    assert_eq!(got, want);
    // The test covers what it means to: every kind of value, and a note.
    assert_eq!(want.len(), 10);
    assert!(want.iter().any(|r| r.6.is_none()));
    assert!(want.iter().any(|r| r.7 == Some(Value::Bool(false))));
}

#[test]
fn changes_csv_has_the_same_rows_as_text() {
    let site = varied();
    let bytes = std::fs::read(site.out().join("data/changes.csv")).expect("csv");
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    assert_eq!(
        header,
        [
            "company",
            "company_name",
            "date",
            "summary",
            "source",
            "url",
            "field",
            "before",
            "after"
        ]
    );
    // Text as it is; `true`/`false`; the tier list as its JSON array.
    let cell = |s: &str, field: &str| -> Option<Value> {
        match field {
            "" => None,
            "tiers" => Some(without_nulls(&serde_json::from_str(s).expect("tiers JSON"))),
            "metering.payg" => Some(Value::Bool(s.parse().expect("bool"))),
            _ => Some(Value::from(s)),
        }
    };
    let mut got: Vec<Row> = reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            let f = |n: usize| r.get(n).expect("cell").to_string();
            let field = f(6);
            (
                f(0),
                f(1),
                f(2),
                f(3),
                f(4),
                f(5),
                (!field.is_empty()).then(|| field.clone()),
                cell(&f(7), &field),
                cell(&f(8), &field),
            )
        })
        .collect();
    sort(&mut got);
    assert_eq!(got, expected_rows(&site));
}

#[test]
fn companies_json_carries_each_companys_changes_newest_first() {
    let site = varied();
    let json: Value = serde_json::from_slice(
        &std::fs::read(site.out().join("data/companies.json")).expect("json"),
    )
    .expect("valid JSON");
    let files = content(&site);
    for record in json["companies"].as_array().expect("companies") {
        let slug = record["slug"].as_str().expect("slug");
        let mut want: Vec<Value> = files[slug]
            .get("changes")
            .and_then(toml::Value::as_array)
            .map(|a| a.iter().map(as_json).collect())
            .unwrap_or_default();
        for w in &mut want {
            let object = w.as_object_mut().expect("object");
            object
                .entry("before")
                .or_insert_with(|| Value::Object(Default::default()));
        }
        // Stable: one day's changes keep their file order.
        want.sort_by_key(|c| std::cmp::Reverse(c["date"].as_str().map(String::from)));
        let got: Vec<Value> = record["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .map(|c| {
                let mut c = without_nulls(c);
                let url = c.as_object_mut().and_then(|o| o.remove("url"));
                assert!(
                    url.as_ref()
                        .and_then(Value::as_str)
                        .is_some_and(|u| u.starts_with(&format!("{CHANGES_URL}#{slug}-"))),
                    "{url:?}"
                );
                c
            })
            .collect();
        assert_eq!(got, want, "{slug}");
    }
    let delta = json["companies"]
        .as_array()
        .expect("companies")
        .iter()
        .find(|c| c["slug"] == "delta")
        .expect("delta");
    let urls: Vec<&str> = delta["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| c["url"].as_str().expect("url"))
        .collect();
    assert_eq!(
        urls,
        [
            "https://example.org/changes/#delta-2025-06-16",
            "https://example.org/changes/#delta-2025-06-16-2",
            "https://example.org/changes/#delta-2024-02-01",
        ]
    );
}
