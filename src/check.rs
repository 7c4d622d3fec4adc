//! Data-quality checks: warnings about a site that is valid but whose data
//! looks doubtful (stale or future dates, companies no trend lists, trends
//! leaving companies under "Other", two companies with one website), so
//! `check` can report them and `build` can print them without failing.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use crate::diag::Diagnostic;
use crate::model::{Company, Dataset, Date};
use crate::query::{self, Index};

/// Every data-quality warning for `ds`, judged on `today`. None of them is an
/// error: the site still builds. `every_trend_loaded` is false when a trend
/// file had errors: companies are then not reported as unlisted, since the
/// missing trend may well list them.
pub(crate) fn data_quality(
    ds: &Dataset,
    index: &Index<'_>,
    today: Date,
    every_trend_loaded: bool,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    each_warning(ds, index, today, every_trend_loaded, &mut |d| out.push(d));
    out
}

/// The warnings `build` and `serve` show in full (see [`shown_by_build`]),
/// and how many others there are. The others are dropped as they are
/// found: on a large, old dataset they number in thousands.
pub(crate) fn build_warnings(
    ds: &Dataset,
    index: &Index<'_>,
    today: Date,
    every_trend_loaded: bool,
) -> (Vec<Diagnostic>, usize) {
    let mut shown = Vec::new();
    let mut more = 0;
    each_warning(ds, index, today, every_trend_loaded, &mut |d| {
        if shown_by_build(&d) {
            shown.push(d);
        } else {
            more += 1;
        }
    });
    (shown, more)
}

fn each_warning(
    ds: &Dataset,
    index: &Index<'_>,
    today: Date,
    every_trend_loaded: bool,
    emit: &mut dyn FnMut(Diagnostic),
) {
    for c in &ds.companies {
        if let Some(d) = stale(c, ds.config.stale_after_days, today) {
            emit(d);
        }
        future_sources(c, today).for_each(&mut *emit);
        if every_trend_loaded && !ds.trends.iter().any(|t| query::lists(t, c)) {
            emit(
                Diagnostic::file_warning(&c.file, "no trend lists this company")
                    .help("widen a trend's [select] or add a trend that selects it; until then only its own page and the packaging and metering pages show it"),
            );
        }
    }
    index
        .trends
        .iter()
        .filter_map(|g| query::other_warning(ds, g))
        .for_each(&mut *emit);
    duplicate_websites(&ds.companies).into_iter().for_each(emit);
}

/// Whether `build` and `serve` show a data-quality warning in full: only
/// those about what the pages show (companies left under "Other"); the
/// others are counted, and `check` lists them.
pub(crate) fn shown_by_build(d: &Diagnostic) -> bool {
    d.field.as_deref() == Some("groups")
}

/// Draws the source line under each warning that points at a line, with the
/// value after `=` (or the whole line) underlined, as errors are drawn. The
/// model keeps line numbers, not text, so each file concerned is read again;
/// a file that cannot be read, or no longer has that line, keeps its warning
/// without an excerpt.
pub(crate) fn add_excerpts(root: &Path, diags: &mut [Diagnostic]) {
    let mut texts: HashMap<String, Option<String>> = HashMap::new();
    for d in diags.iter_mut().filter(|d| d.line > 0) {
        let text = texts
            .entry(d.file.clone())
            .or_insert_with(|| std::fs::read_to_string(root.join(&d.file)).ok());
        if let Some(text) = text.as_deref()
            && let Some(span) = value_span(text, d.line)
        {
            *d = d.clone().at(text, span);
        }
    }
}

/// The byte range of the value on 1-based `line` of `text` (from after `=` to
/// the next space or comment), or of the line's text when it has no `=`.
fn value_span(text: &str, line: usize) -> Option<Range<usize>> {
    let start = crate::diag::line_start(text, line)?;
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let content = &text[start..end];
    let (from, rest) = match content.find('=') {
        Some(eq) => (eq + 1, &content[eq + 1..]),
        None => (0, content),
    };
    let skipped = rest.len() - rest.trim_start().len();
    let value = rest.trim_start();
    let len = match content.find('=') {
        Some(_) => value
            .find(|c: char| c.is_whitespace() || c == '#')
            .unwrap_or(value.len()),
        None => value.trim_end().len(),
    };
    let at = start + from + skipped;
    Some(at..at + len)
}

/// The warning for a `verified` date more than `after_days` days before
/// `today`.
fn stale(c: &Company, after_days: u32, today: Date) -> Option<Diagnostic> {
    let age = today.days() - c.verified.days();
    if age <= i64::from(after_days) {
        return None;
    }
    let cutoff = Date::from_days(today.days() - i64::from(after_days));
    let mut d = Diagnostic::file_warning(
        &c.file,
        format!(
            "verified {} is {age} days ago, more than stale_after_days ({after_days})",
            c.verified
        ),
    )
    .field("verified")
    .help("check the pricing against the sources again, then update `verified` and each source's `checked`");
    if let Some(cutoff) = cutoff {
        d = d.expected(format!("a date on or after {cutoff}"));
    }
    (d.line, d.column) = line_start(c.verified_line);
    Some(d)
}

/// One warning per source whose `checked` date is after `today`.
fn future_sources(c: &Company, today: Date) -> impl Iterator<Item = Diagnostic> + '_ {
    c.sources
        .iter()
        .filter(move |s| s.checked > today)
        .map(move |s| {
            let mut d = Diagnostic::file_warning(
                &c.file,
                format!(
                    "source {} checked {} is in the future (today is {today})",
                    s.url, s.checked
                ),
            )
            .field("sources.checked")
            .expected(format!("a date on or before {today}"))
            .help("`checked` is the day the page was read: correct the date");
            (d.line, d.column) = line_start(s.checked_line);
            d
        })
}

/// Line and column of the start of `line`, or of the whole file when the
/// line is unknown (0).
fn line_start(line: usize) -> (usize, usize) {
    (line, usize::from(line > 0))
}

/// A warning on each company whose website is the same as an earlier
/// company's (in slug order), naming the first one.
fn duplicate_websites(companies: &[Company]) -> Vec<Diagnostic> {
    let mut first: HashMap<String, &Company> = HashMap::new();
    let mut out = Vec::new();
    for c in companies {
        let key = website_key(&c.website);
        match first.get(&key) {
            Some(earlier) => {
                let mut d = Diagnostic::file_warning(
                    &c.file,
                    format!(
                        "same website as {} ({}): {}",
                        earlier.file, earlier.slug, c.website
                    ),
                )
                .field("website")
                .help(
                    "if both files describe one company, merge them; otherwise correct the website",
                );
                (d.line, d.column) = line_start(c.website_line);
                out.push(d);
            }
            None => {
                first.insert(key, c);
            }
        }
    }
    out
}

/// A website as compared for duplicates: host in lower case without a
/// leading `www.`, port, path without a trailing slash, and query. The scheme
/// is left out: `http://` and `https://` name the same site.
pub(crate) fn website_key(website: &str) -> String {
    match url::Url::parse(website.trim()) {
        Ok(u) => {
            let host = u.host_str().unwrap_or_default().to_lowercase();
            let host = host.strip_prefix("www.").unwrap_or(&host);
            let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
            let path = u.path().trim_end_matches('/');
            let query = u.query().map(|q| format!("?{q}")).unwrap_or_default();
            format!("{host}{port}{path}{query}")
        }
        Err(_) => website.trim().trim_end_matches('/').to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Body, Packaging, Source, Trend};

    fn date(y: u16, m: u8, d: u8) -> Date {
        Date::new(y, m, d).unwrap()
    }

    fn company(slug: &str, website: &str, verified: Date, checked: Date) -> Company {
        Company {
            slug: slug.into(),
            file: format!("content/companies/{slug}.md"),
            name: slug.into(),
            website: website.into(),
            category: "tools".into(),
            packaging: Packaging::None,
            verified,
            verified_line: 6,
            website_line: 3,
            metering: None,
            tiers: vec![],
            sources: vec![Source {
                url: format!("{website}/pricing"),
                checked,
                checked_line: 10,
            }],
            body: Body::default(),
        }
    }

    fn every_company() -> Trend {
        Trend {
            slug: "all".into(),
            file: "content/trends/all.md".into(),
            title: "All".into(),
            summary: "All.".into(),
            heading: "Companies".into(),
            see_also: vec![],
            select: None,
            groups: vec![],
            intro: Body::default(),
            outro: Body::default(),
            select_pos: (0, 0),
        }
    }

    fn run(companies: Vec<Company>, trends: Vec<Trend>, today: Date) -> Vec<Diagnostic> {
        let mut ds = Dataset {
            companies,
            trends,
            ..Dataset::default()
        };
        ds.config.stale_after_days = 30;
        let index = query::index(&ds);
        data_quality(&ds, &index, today, true)
    }

    #[test]
    fn value_spans_cover_the_value_or_the_line() {
        let text = "+++\nverified = 2026-01-01  # old\n  [select]  \r\nx";
        assert_eq!(value_span(text, 2).map(|r| &text[r]), Some("2026-01-01"));
        assert_eq!(value_span(text, 3).map(|r| &text[r]), Some("[select]"));
        assert_eq!(value_span(text, 1).map(|r| &text[r]), Some("+++"));
        assert_eq!(value_span(text, 4).map(|r| &text[r]), Some("x"));
        assert_eq!(value_span(text, 5), None);
        assert_eq!(value_span("a =", 1), Some(3..3));
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
            vec![every_company()],
            today,
        );
        assert!(diags.is_empty(), "{diags:#?}");
    }

    #[test]
    fn each_problem_is_a_warning_at_its_line() {
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
        let found: Vec<(&str, usize, Option<&str>)> = diags
            .iter()
            .map(|d| (d.file.as_str(), d.line, d.field.as_deref()))
            .collect();
        assert_eq!(
            found,
            [
                ("content/companies/a.md", 6, Some("verified")),
                ("content/companies/a.md", 0, None),
                ("content/companies/b.md", 10, Some("sources.checked")),
                ("content/companies/b.md", 0, None),
                ("content/companies/b.md", 3, Some("website")),
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
        assert!(diags[2].message.contains("2026-11-27 is in the future"));
        assert!(diags[4].message.contains("content/companies/a.md"));
    }
}
