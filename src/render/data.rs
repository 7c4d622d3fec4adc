//! The dataset published as data: `data/companies.json`,
//! `data/companies.csv` and `data/trends.json`.
//!
//! Each company's JSON object and CSV row is serialized once, with its
//! snippets, so a file of ten thousand companies is a join, and `serve`
//! re-serializes only the company that changed. The shapes are documented
//! in docs/data.md; `SCHEMA_VERSION` changes when a key is renamed or removed.

use serde::{Serialize, Serializer};

use super::change_data::ChangeRecord;
use super::{Fragments, Renderer, all_group_ids};
use crate::diag::Diagnostic;
use crate::model::{Company, Date, Tier};
use crate::plan::{Entry, Output};
use crate::query::Grouped;

/// The version of the published data's shape.
pub(super) const SCHEMA_VERSION: u32 = 1;

/// One company: every front-matter field, plus its slug and page URL. The
/// Markdown body is prose for its page, and stays there: it is most of a
/// company's bytes, and readers of the data want the fields.
/// Keys keep this order in the JSON; absent optional values are `null`.
#[derive(Serialize)]
pub(super) struct CompanyRecord<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub url: &'a str,
    pub website: &'a str,
    pub category: &'a str,
    pub ai_packaging: &'static str,
    pub verified: Date,
    /// The paths of the facts marked unconfirmed; empty when every fact
    /// was confirmed.
    pub unconfirmed: Vec<String>,
    /// `null` when the entry has no `[metering]` table.
    pub metering: Option<MeteringRecord<'a>>,
    pub tiers: Vec<TierRecord<'a>>,
    pub sources: Vec<SourceRecord<'a>>,
    /// Newest first; not in the CSV, whose rows `changes.csv` has.
    pub changes: Vec<ChangeRecord<'a>>,
}

#[derive(Serialize)]
pub(super) struct MeteringRecord<'a> {
    pub mechanic: &'static str,
    pub unit: Option<&'a str>,
    pub payg: bool,
    pub note: Option<&'a str>,
}

#[derive(Serialize)]
pub(super) struct TierRecord<'a> {
    pub name: &'a str,
    pub price_usd: Option<Price>,
    pub period: Option<&'static str>,
    pub per: Option<&'static str>,
    pub ai_allowance: Option<&'a str>,
}

#[derive(Serialize)]
pub(super) struct SourceRecord<'a> {
    pub url: &'a str,
    pub checked: Date,
}

/// A price as the editor wrote it: `20`, not `20.0`.
#[derive(Clone, Copy)]
pub(super) struct Price(pub f64);

impl Price {
    /// Whole prices print without a fraction; validation keeps prices
    /// finite and non-negative, and below 2^53 every whole f64 is exact.
    fn whole(self) -> Option<u64> {
        (self.0.fract() == 0.0 && self.0 < 9_007_199_254_740_992.0).then_some(self.0 as u64)
    }
}

impl std::fmt::Display for Price {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.whole() {
            Some(n) => write!(f, "{n}"),
            None => write!(f, "{}", self.0),
        }
    }
}

impl Serialize for Price {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.whole() {
            Some(n) => s.serialize_u64(n),
            None => s.serialize_f64(self.0),
        }
    }
}

impl<'a> TierRecord<'a> {
    pub(super) fn new(t: &'a Tier) -> TierRecord<'a> {
        TierRecord {
            name: &t.name,
            price_usd: t.price_usd.map(Price),
            period: t.period.map(|p| p.as_str()),
            per: t.per.map(|p| p.as_str()),
            ai_allowance: t.ai_allowance.as_deref(),
        }
    }
}

impl<'a> CompanyRecord<'a> {
    /// `changes_url` is the changes page's published URL, which each
    /// change's anchor is appended to.
    pub(super) fn new(c: &'a Company, url: &'a str, changes_url: &str) -> CompanyRecord<'a> {
        CompanyRecord {
            slug: &c.slug,
            name: &c.name,
            url,
            website: &c.website,
            category: &c.category,
            ai_packaging: c.packaging.as_str(),
            verified: c.verified,
            unconfirmed: c.unconfirmed.iter().map(|u| u.path()).collect(),
            metering: c.metering.as_ref().map(|m| MeteringRecord {
                mechanic: m.mechanic.as_str(),
                unit: m.unit.as_deref(),
                payg: m.payg,
                note: m.note.as_deref(),
            }),
            tiers: c.tiers.iter().map(TierRecord::new).collect(),
            sources: c
                .sources
                .iter()
                .map(|s| SourceRecord {
                    url: &s.url,
                    checked: s.checked,
                })
                .collect(),
            changes: ChangeRecord::of(c, changes_url),
        }
    }

    /// The company as one line of JSON.
    pub(super) fn json(&self) -> String {
        let mut line = Vec::with_capacity(512);
        self.write_json(&mut line);
        String::from_utf8(line).unwrap_or_default()
    }

    /// Appends the company as one line of JSON.
    pub(super) fn write_json(&self, out: &mut Vec<u8>) {
        let start = out.len();
        // Serializing borrowed strings, numbers and dates cannot fail; an
        // empty object keeps the file valid should that ever change.
        if serde_json::to_writer(&mut *out, self).is_err() {
            out.truncate(start);
            out.extend_from_slice(b"{}");
        }
    }

    /// The company as one CSV row (CRLF-terminated), its tiers and sources
    /// padded to `width` so every row has the header's columns.
    pub(super) fn csv(&self, width: CsvWidth) -> String {
        let mut w = csv_writer(Vec::new(), 64 * 1024);
        // Writing to a Vec cannot fail.
        let _ = self.write_csv(&mut w, width);
        let mut line = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
        // Serve keeps a line per company: not with room to spare.
        line.shrink_to_fit();
        line
    }

    /// Writes the company's row field by field, without building it first.
    fn write_csv<W: std::io::Write>(
        &self,
        w: &mut csv::Writer<W>,
        width: CsvWidth,
    ) -> csv::Result<()> {
        for cell in [
            self.slug,
            self.name,
            self.url,
            self.website,
            self.category,
            self.ai_packaging,
        ] {
            w.write_field(cell)?;
        }
        w.write_field(self.verified.to_string())?;
        match &self.metering {
            Some(m) => {
                w.write_field(m.mechanic)?;
                w.write_field(m.unit.unwrap_or(""))?;
                w.write_field(if m.payg { "true" } else { "false" })?;
                w.write_field(m.note.unwrap_or(""))?;
            }
            None => empty_fields(w, 4)?,
        }
        w.write_field(self.unconfirmed.join("; "))?;
        for i in 0..width.tiers {
            match self.tiers.get(i) {
                Some(t) => {
                    w.write_field(t.name)?;
                    w.write_field(t.price_usd.map(|p| p.to_string()).unwrap_or_default())?;
                    w.write_field(t.period.unwrap_or(""))?;
                    w.write_field(t.per.unwrap_or(""))?;
                    w.write_field(t.ai_allowance.unwrap_or(""))?;
                }
                None => empty_fields(w, TIER_COLUMNS.len())?,
            }
        }
        for i in 0..width.sources {
            match self.sources.get(i) {
                Some(s) => {
                    w.write_field(s.url)?;
                    w.write_field(s.checked.to_string())?;
                }
                None => empty_fields(w, SOURCE_COLUMNS.len())?,
            }
        }
        w.write_record(None::<&[u8]>)
    }
}

fn empty_fields<W: std::io::Write>(w: &mut csv::Writer<W>, n: usize) -> csv::Result<()> {
    for _ in 0..n {
        w.write_field("")?;
    }
    Ok(())
}

/// An RFC 4180 writer: fields quoted when they need it, CRLF after each
/// record. csv-core rescans a field from its start each time a buffer
/// smaller than the field fills, so the buffer is generous: with 8 KB, a
/// 50 MB field took minutes.
/// Appends to `out` what `write` makes of each chunk of `items`, written in
/// parallel and joined in order; `write` is told whether its chunk is the
/// first. Each data file is one pass over every company or change: written
/// on one thread, the largest would hold a core for most of a build.
pub(super) fn par_chunks<T: Sync>(
    items: &[T],
    out: &mut Vec<u8>,
    write: impl Fn(bool, &[T]) -> Vec<u8> + Sync,
) {
    use rayon::prelude::*;
    let size = (items.len() / (rayon::current_num_threads() * 4)).max(256);
    let parts: Vec<Vec<u8>> = items
        .par_chunks(size)
        .enumerate()
        .map(|(n, chunk)| write(n == 0, chunk))
        .collect();
    out.reserve(parts.iter().map(Vec::len).sum());
    for part in parts {
        out.extend_from_slice(&part);
    }
}

pub(super) fn csv_writer<W: std::io::Write>(out: W, buffer: usize) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .buffer_capacity(buffer)
        .from_writer(out)
}

const FIXED_COLUMNS: &[&str] = &[
    "slug",
    "name",
    "url",
    "website",
    "category",
    "ai_packaging",
    "verified",
    "metering.mechanic",
    "metering.unit",
    "metering.payg",
    "metering.note",
    "unconfirmed",
];
const TIER_COLUMNS: &[&str] = &["name", "price_usd", "period", "per", "ai_allowance"];
const SOURCE_COLUMNS: &[&str] = &["url", "checked"];

/// How many tiers and sources the CSV has columns for: the most any
/// company has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct CsvWidth {
    pub tiers: usize,
    pub sources: usize,
}

impl CsvWidth {
    pub(super) fn of(companies: &[Company]) -> CsvWidth {
        companies.iter().fold(CsvWidth::default(), |w, c| CsvWidth {
            tiers: w.tiers.max(c.tiers.len()),
            sources: w.sources.max(c.sources.len()),
        })
    }

    /// The header row: `tiers.1.name`, … `sources.1.url`, … numbered from 1.
    pub(super) fn header(self) -> String {
        let mut cells: Vec<String> = FIXED_COLUMNS.iter().map(|c| c.to_string()).collect();
        for i in 1..=self.tiers {
            cells.extend(TIER_COLUMNS.iter().map(|c| format!("tiers.{i}.{c}")));
        }
        for i in 1..=self.sources {
            cells.extend(SOURCE_COLUMNS.iter().map(|c| format!("sources.{i}.{c}")));
        }
        csv_line(&cells)
    }
}

/// One RFC 4180 record.
fn csv_line(cells: &[String]) -> String {
    let mut w = csv_writer(Vec::new(), 64 * 1024);
    // Writing to a Vec cannot fail, and a String's fields are UTF-8.
    let _ = w.write_record(cells);
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// `data/companies.json`: the schema version, then one company per line,
/// in order. `write` appends one company's object: a line `serve` kept, or
/// a record a build serializes on the spot. `size` is a guess of the bytes,
/// to allocate once.
pub(super) fn companies_json<T>(
    companies: impl Iterator<Item = T>,
    size: usize,
    mut write: impl FnMut(&mut Vec<u8>, T),
) -> Vec<u8> {
    let mut out = Vec::with_capacity(size + 64);
    out.extend_from_slice(
        format!("{{\"schema_version\":{SCHEMA_VERSION},\n\"companies\":[").as_bytes(),
    );
    for (i, company) in companies.enumerate() {
        out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
        write(&mut out, company);
    }
    out.extend_from_slice(b"\n]}\n");
    out
}

/// The columns of `data/find.json`, in the order each row holds them.
pub(super) const FIND_FIELDS: [&str; 6] = [
    "slug",
    "name",
    "category",
    "ai_packaging",
    "mechanic",
    "note",
];

/// `data/find.json`: what the index page's `find.js` sorts, filters and
/// searches by, one company per line as an array in `FIND_FIELDS` order. At
/// 10,000 companies it is a fifth of `companies.json`, which a reader's
/// browser would otherwise download in full before the controls appear.
pub(super) fn find_json(companies: &[Company]) -> Vec<u8> {
    let mut out = Vec::with_capacity(companies.len() * 120 + 128);
    let fields = serde_json::to_string(&FIND_FIELDS).unwrap_or_default();
    out.extend_from_slice(
        format!("{{\"schema_version\":{SCHEMA_VERSION},\n\"fields\":{fields},\n\"companies\":[")
            .as_bytes(),
    );
    for (i, c) in companies.iter().enumerate() {
        out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
        let row = (
            &c.slug,
            &c.name,
            &c.category,
            c.packaging.as_str(),
            c.mechanic().as_str(),
            c.note().unwrap_or(""),
        );
        // Strings and a tuple of them always serialize.
        let _ = serde_json::to_writer(&mut out, &row);
    }
    out.extend_from_slice(b"\n]}\n");
    out
}

/// `data/companies.csv`: the header, then every company's row, in order.
pub(super) fn companies_csv<S: AsRef<str>>(
    width: CsvWidth,
    rows: impl Iterator<Item = S>,
    size: usize,
) -> Vec<u8> {
    let header = width.header();
    let mut out = String::with_capacity(header.len() + size);
    out.push_str(&header);
    for row in rows {
        out.push_str(row.as_ref());
    }
    out.into_bytes()
}

#[derive(Serialize)]
struct TrendsFile<'a> {
    schema_version: u32,
    trends: Vec<TrendRecord<'a>>,
}

#[derive(Serialize)]
struct TrendRecord<'a> {
    slug: &'a str,
    title: &'a str,
    summary: &'a str,
    heading: &'a str,
    url: &'a str,
    see_also: &'a [String],
    /// How many companies the trend selects.
    total: usize,
    groups: Vec<GroupRecord<'a>>,
    /// Selected companies no group matched.
    other: Vec<&'a str>,
}

#[derive(Serialize)]
struct GroupRecord<'a> {
    title: &'a str,
    /// The group's anchor on the trend page.
    id: &'a str,
    companies: Vec<&'a str>,
}

/// `data/trends.json`: each trend with its groups and their members' slugs,
/// in page order. `urls[t]` and `ids[t]` are trend `t`'s page URL and group
/// anchors.
pub(super) fn trends_json(
    companies: &[Company],
    trends: &[Grouped<'_>],
    urls: &[String],
    ids: &[Vec<String>],
) -> Vec<u8> {
    let slugs = |list: &[usize]| list.iter().map(|&i| companies[i].slug.as_str()).collect();
    let file = TrendsFile {
        schema_version: SCHEMA_VERSION,
        trends: trends
            .iter()
            .zip(urls)
            .zip(ids)
            .map(|((g, url), ids)| TrendRecord {
                slug: &g.trend.slug,
                title: &g.trend.title,
                summary: &g.trend.summary,
                heading: &g.trend.heading,
                url,
                see_also: &g.trend.see_also,
                total: g.total,
                groups: g
                    .groups
                    .iter()
                    .zip(ids)
                    .map(|(group, id)| GroupRecord {
                        title: group.title,
                        id,
                        companies: slugs(&group.companies),
                    })
                    .collect(),
                other: slugs(&g.other),
            })
            .collect(),
    };
    let mut out = serde_json::to_vec_pretty(&file).unwrap_or_else(|_| b"{}".to_vec());
    out.push(b'\n');
    out
}

impl Renderer<'_> {
    /// A file written from the dataset without a template: the data files,
    /// the sitemap and the feed.
    pub(super) fn data_file(
        &self,
        entry: &Entry,
        fragments: &Fragments,
    ) -> Result<Vec<u8>, Vec<Diagnostic>> {
        let scope = self.scope(entry);
        let companies = scope.companies()?;
        let n = companies.len();
        let bytes = match (entry.output, &fragments.data) {
            (Output::CompaniesJson, Some(kept)) => {
                let size = kept.json.iter().map(|l| l.len() + 2).sum();
                Ok(companies_json(kept.json.iter(), size, |out, line| {
                    out.extend_from_slice(line.as_bytes())
                }))
            }
            (Output::CompaniesJson, None) => {
                let positions: Vec<usize> = (0..n).collect();
                let mut out =
                    format!("{{\"schema_version\":{SCHEMA_VERSION},\n\"companies\":[").into_bytes();
                par_chunks(&positions, &mut out, |first, chunk| {
                    let mut part = Vec::with_capacity(chunk.len() * 700);
                    for &i in chunk {
                        part.extend_from_slice(if first && i == 0 { b"\n" } else { b",\n" });
                        self.record(i, &self.published_company_url(i))
                            .write_json(&mut part);
                    }
                    part
                });
                out.extend_from_slice(b"\n]}\n");
                Ok(out)
            }
            (Output::CompaniesCsv, Some(kept)) => {
                let size = kept.csv.iter().map(String::len).sum();
                Ok(companies_csv(kept.width, kept.csv.iter(), size))
            }
            (Output::CompaniesCsv, None) => {
                let width = CsvWidth::of(companies);
                let positions: Vec<usize> = (0..n).collect();
                let mut out = width.header().into_bytes();
                par_chunks(&positions, &mut out, |_, chunk| {
                    let mut w = csv_writer(Vec::with_capacity(chunk.len() * 350), 64 * 1024);
                    for &i in chunk {
                        // Writing to a Vec cannot fail.
                        let _ = self
                            .record(i, &self.published_company_url(i))
                            .write_csv(&mut w, width);
                    }
                    w.into_inner().unwrap_or_default()
                });
                Ok(out)
            }
            (Output::FindJson, _) => Ok(find_json(companies)),
            (Output::TrendsJson, _) => {
                let index = scope.whole_index()?;
                let urls: Vec<String> = (0..index.trends.len())
                    .map(|t| self.absolute(&self.urls.trends[t]))
                    .collect();
                let ids = all_group_ids(index);
                Ok(trends_json(companies, &index.trends, &urls, &ids))
            }
            (Output::ChangesJson, _) => Ok(self.changes_json(companies)),
            (Output::ChangesCsv, _) => Ok(self.changes_csv(companies)),
            (Output::Sitemap(k), _) => self.sitemap(scope.whole_index()?, k),
            (Output::Feed, _) => {
                scope.whole_index()?;
                self.feed()
            }
            (output, _) => {
                return Err(vec![Diagnostic::file_error(
                    &entry.route.file_path(),
                    format!("internal error: {output:?} renders with a template"),
                )]);
            }
        };
        bytes.map_err(|e| {
            let path = entry.route.file_path();
            vec![Diagnostic::file_error(
                &path,
                format!("cannot write {path}: {e}"),
            )]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_keep_the_editors_form() {
        assert_eq!(Price(20.0).to_string(), "20");
        assert_eq!(Price(7.99).to_string(), "7.99");
        assert_eq!(serde_json::to_string(&Price(0.0)).unwrap(), "0");
        assert_eq!(serde_json::to_string(&Price(9.5)).unwrap(), "9.5");
    }

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        let line = csv_line(&["plain".into(), "a, b".into(), "say \"hi\"\nthen".into()]);
        assert_eq!(line, "plain,\"a, b\",\"say \"\"hi\"\"\nthen\"\r\n");
    }

    #[test]
    fn the_header_numbers_tiers_and_sources_from_one() {
        let header = CsvWidth {
            tiers: 2,
            sources: 1,
        }
        .header();
        assert!(header.contains(",metering.note,unconfirmed,tiers.1.name,tiers.1.price_usd,"));
        assert!(header.ends_with(",tiers.2.ai_allowance,sources.1.url,sources.1.checked\r\n"));
    }
}
