//! Dated changes as data: `data/changes.json` and `data/changes.csv` (one
//! row per changed field), and the `changes` each company carries in
//! `data/companies.json`. The shapes are documented in docs/data.md.
//!
//! A value is published in one machine form everywhere: in JSON typed as
//! the field is (a string, `true`/`false`, the tier list as the objects
//! `companies.json` gives tiers), in CSV as text, the tier list as that
//! same JSON array.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use super::Renderer;
use super::data::{SCHEMA_VERSION, TierRecord, csv_writer, par_chunks};
use super::history::change_url;
use crate::model::{Change, Company, Date, Prior};

/// One field's value, serialized in its machine form.
pub(super) struct Value<'a>(pub &'a Prior);

impl Serialize for Value<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Prior::Name(v)
            | Prior::Website(v)
            | Prior::Category(v)
            | Prior::Unit(v)
            | Prior::Note(v) => s.serialize_str(v),
            Prior::Packaging(p) => s.serialize_str(p.as_str()),
            Prior::Mechanic(m) => s.serialize_str(m.as_str()),
            Prior::Payg(b) => s.serialize_bool(*b),
            Prior::Tiers(tiers) => {
                let mut seq = s.serialize_seq(Some(tiers.len()))?;
                for t in tiers {
                    seq.serialize_element(&TierRecord::new(t))?;
                }
                seq.end()
            }
        }
    }
}

impl Value<'_> {
    /// The value as a CSV cell: text as it is, `true`/`false`, and the
    /// tier list as its JSON array, which no other text form keeps whole.
    fn csv(&self) -> String {
        match self.0 {
            Prior::Name(v)
            | Prior::Website(v)
            | Prior::Category(v)
            | Prior::Unit(v)
            | Prior::Note(v) => v.clone(),
            Prior::Packaging(p) => p.as_str().into(),
            Prior::Mechanic(m) => m.as_str().into(),
            Prior::Payg(b) => b.to_string(),
            // Serializing strings, numbers and enums cannot fail.
            Prior::Tiers(_) => serde_json::to_string(self).unwrap_or_default(),
        }
    }
}

/// A change's `before`, as a map from field path to value, in the order
/// of `model::PRIOR_PATHS`.
pub(super) struct Before<'a>(pub &'a [Prior]);

impl Serialize for Before<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for prior in self.0 {
            map.serialize_entry(prior.path(), &Value(prior))?;
        }
        map.end()
    }
}

/// A change as `companies.json` gives it, under its company.
#[derive(Serialize)]
pub(super) struct ChangeRecord<'a> {
    pub date: Date,
    pub summary: &'a str,
    pub source: &'a str,
    pub url: String,
    pub before: Before<'a>,
}

impl<'a> ChangeRecord<'a> {
    pub(super) fn of(c: &'a Company, changes_url: &str) -> Vec<ChangeRecord<'a>> {
        c.changes
            .iter()
            .enumerate()
            .map(|(k, ch)| ChangeRecord {
                date: ch.date,
                summary: &ch.summary,
                source: &ch.source,
                url: change_url(changes_url, c, k),
                before: Before(&ch.before),
            })
            .collect()
    }
}

/// One row of `changes.json` and `changes.csv`: one changed field of one
/// change, or a change without `before` with no field.
#[derive(Serialize)]
struct Row<'a> {
    company: &'a str,
    company_name: &'a str,
    date: Date,
    summary: &'a str,
    source: &'a str,
    url: &'a str,
    field: Option<&'static str>,
    before: Option<Value<'a>>,
    after: Option<Value<'a>>,
}

const CSV_COLUMNS: [&str; 9] = [
    "company",
    "company_name",
    "date",
    "summary",
    "source",
    "url",
    "field",
    "before",
    "after",
];

/// Calls `row` with every row of one change: each field it changed, with
/// the value just after it, or one row without a field.
fn rows_of(c: &Company, k: usize, ch: &Change, url: &str, mut row: impl FnMut(Row<'_>)) {
    let base = |field, before, after| Row {
        company: &c.slug,
        company_name: &c.name,
        date: ch.date,
        summary: &ch.summary,
        source: &ch.source,
        url,
        field,
        before,
        after,
    };
    if ch.before.is_empty() {
        row(base(None, None, None));
        return;
    }
    let now: Vec<std::borrow::Cow<'_, Prior>> =
        ch.before.iter().map(|p| c.value_after(k, p)).collect();
    for (prior, now) in ch.before.iter().zip(&now) {
        row(base(
            Some(prior.path()),
            Some(Value(prior)),
            Some(Value(now)),
        ));
    }
}

impl Renderer<'_> {
    /// Appends to `out` what `write` makes of every change's rows, changes
    /// newest first in the timeline's order (one date's changes in reading
    /// order of companies); chunks of changes are written in parallel, and
    /// `write` is told whether a row is the file's first.
    fn change_rows(
        &self,
        companies: &[Company],
        out: &mut Vec<u8>,
        write: impl Fn(&mut Vec<u8>, bool, Row<'_>) + Sync,
    ) {
        par_chunks(self.timeline(), out, |first, chunk| {
            let mut part = Vec::with_capacity(chunk.len() * 600);
            let mut first = first;
            for e in chunk {
                let (c, k) = (&companies[e.company], e.change);
                let url = change_url(&self.changes_published_url, c, k);
                rows_of(c, k, &c.changes[k], &url, |row| {
                    write(&mut part, first, row);
                    first = false;
                });
            }
            part
        });
    }

    /// `data/changes.json`: the schema version, then one row per line.
    pub(super) fn changes_json(&self, companies: &[Company]) -> Vec<u8> {
        let mut out = format!("{{\"schema_version\":{SCHEMA_VERSION},\n\"changes\":[").into_bytes();
        self.change_rows(companies, &mut out, |out, first, row| {
            out.extend_from_slice(if first { b"\n" } else { b",\n" });
            let start = out.len();
            // Rows hold strings, dates, bools and tiers, which always
            // serialize; an empty object keeps the file valid regardless.
            if serde_json::to_writer(&mut *out, &row).is_err() {
                out.truncate(start);
                out.extend_from_slice(b"{}");
            }
        });
        out.extend_from_slice(b"\n]}\n");
        out
    }

    /// `data/changes.csv`: a header, then one row per changed field.
    pub(super) fn changes_csv(&self, companies: &[Company]) -> Vec<u8> {
        let mut header = csv_writer(Vec::new(), 1024);
        // Writing to a Vec cannot fail.
        let _ = header.write_record(CSV_COLUMNS);
        let mut out = header.into_inner().unwrap_or_default();
        self.change_rows(companies, &mut out, |out, _, row| {
            let cell = |v: &Option<Value<'_>>| v.as_ref().map(Value::csv).unwrap_or_default();
            let date = row.date.to_string();
            // One writer per row: rows of a chunk share no state but `out`.
            let mut w = csv_writer(&mut *out, 512);
            let _ = w.write_record([
                row.company,
                row.company_name,
                &date,
                row.summary,
                row.source,
                row.url,
                row.field.unwrap_or(""),
                &cell(&row.before),
                &cell(&row.after),
            ]);
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Packaging, Period, Tier};

    #[test]
    fn values_have_one_machine_form() {
        let tiers = Prior::Tiers(vec![Tier {
            name: "Pro".into(),
            price_usd: Some(20.0),
            period: Some(Period::Month),
            per: None,
            ai_allowance: Some("500 \"fast\" requests".into()),
        }]);
        let json = r#"[{"name":"Pro","price_usd":20,"period":"month","per":null,"ai_allowance":"500 \"fast\" requests"}]"#;
        assert_eq!(serde_json::to_string(&Value(&tiers)).unwrap(), json);
        assert_eq!(Value(&tiers).csv(), json);
        assert_eq!(Value(&Prior::Payg(true)).csv(), "true");
        assert_eq!(
            serde_json::to_string(&Value(&Prior::Payg(false))).unwrap(),
            "false"
        );
        let before = [
            Prior::Packaging(Packaging::AddOn),
            Prior::Unit(String::new()),
        ];
        assert_eq!(
            serde_json::to_string(&Before(&before)).unwrap(),
            r#"{"ai_packaging":"add-on","metering.unit":""}"#
        );
    }
}
