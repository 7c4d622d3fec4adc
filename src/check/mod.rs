//! Data-quality checks: warnings about a site that is valid but whose data
//! looks doubtful (stale or future dates, `tiered` companies without a tier
//! amount, companies no trend lists, trends leaving companies under
//! "Other", two companies with one website), so
//! `check` can report them and `build` can print them without failing; and
//! a note on each fact an entry marks unconfirmed, which `check` lists.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Severity};
use crate::model::{Body, Company, Dataset, Date, Excerpts, Field, Packaging, Span, Trend};
use crate::query::{self, Grouped, Index};
use crate::shell::{agree, plural};

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
        } else if d.severity == Severity::Warning {
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
        if let Some(d) = tiered_without_allowance(c) {
            emit(d);
        }
        unconfirmed(c).for_each(&mut *emit);
        if every_trend_loaded && !ds.trends.iter().any(|t| query::lists(t, c)) {
            emit(unlisted(ds, c));
        }
    }
    index
        .trends
        .iter()
        .filter_map(|g| other_warning(ds, g))
        .for_each(&mut *emit);
    for t in &ds.trends {
        stale_prose(ds, t).into_iter().for_each(&mut *emit);
    }
    duplicate_websites(&ds.companies).into_iter().for_each(emit);
}

/// Whether `build` and `serve` show a data-quality warning in full: only
/// those about what the pages show (companies left under "Other"); the
/// others are counted, and `check` lists them.
pub(crate) fn shown_by_build(d: &Diagnostic) -> bool {
    d.field.as_deref() == Some("groups")
}

/// Points `d` at `span`, drawing the line kept for it; a span that points
/// at no line leaves `d` about the whole file.
fn at(d: Diagnostic, excerpts: &Excerpts, span: Span) -> Diagnostic {
    match excerpts.line(span) {
        Some((text, underline)) => d.at_line(span.line as usize, text, underline),
        None => d,
    }
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
    Some(at(d, &c.excerpts, c.verified_at))
}

/// One warning per source whose `checked` date is after `today`.
fn future_sources(c: &Company, today: Date) -> impl Iterator<Item = Diagnostic> + '_ {
    c.sources
        .iter()
        .filter(move |s| s.checked > today)
        .map(move |s| {
            let d = Diagnostic::file_warning(
                &c.file,
                format!(
                    "source {} checked {} is in the future (today is {today})",
                    s.url, s.checked
                ),
            )
            .field("sources.checked")
            .expected(format!("a date on or before {today}"))
            .help("`checked` is the day the page was read: correct the date");
            at(d, &c.excerpts, s.checked_at)
        })
}

/// The warning for a company filed as `tiered` whose tiers state no AI
/// amount: the format files a company there only when the vendor states how
/// much AI each tier includes, so either the amounts are missing or the
/// company is `bundled`. It points at `ai_packaging`, the value that
/// changes when no amount can be sourced.
fn tiered_without_allowance(c: &Company) -> Option<Diagnostic> {
    if c.packaging != Packaging::Tiered || c.tiers.iter().any(|t| t.ai_allowance.is_some()) {
        return None;
    }
    let d = Diagnostic::file_warning(
        &c.file,
        "filed as \"tiered\", but no tier states an `ai_allowance`",
    )
    .field("ai_packaging")
    .help("`tiered` is for when the vendor states how much AI each tier includes and the amounts differ between tiers, and the entry lists those tiers with their `ai_allowance`; when every plan includes the same AI or no per-tier amount is stated, the company is `bundled` and the body says so");
    Some(at(d, &c.excerpts, c.packaging_at))
}

/// A note on each fact `c` marks unconfirmed, at its path in
/// `unconfirmed`: the list of what is left to confirm. Readers see the
/// marks on the pages, so a build neither shows nor counts them.
fn unconfirmed(c: &Company) -> impl Iterator<Item = Diagnostic> + '_ {
    c.unconfirmed.iter().map(move |u| {
        let value = u.value(c).unwrap_or_default();
        let d = Diagnostic::file_note(&c.file, format!("unconfirmed fact: {value:?}"))
            .field(u.path())
            .help("confirm it on a source, then remove its path from `unconfirmed`; or leave the fact out");
        at(d, &c.excerpts, u.at)
    })
}

/// The warning for a company that no trend lists, pointed at the value that
/// keeps it out of the most trends, of the two fields trends select
/// companies on: `ai_packaging` or `metering.mechanic`. That is the value an
/// editor corrects if it is wrong, and the one a wider `[select]` or a new
/// trend has to take if it is right. A tie, or trends that select on other
/// fields only, points at `ai_packaging`: every company has one, and it is
/// what the site files a company under first.
fn unlisted(ds: &Dataset, c: &Company) -> Diagnostic {
    let rejects = |field: Field| {
        ds.trends
            .iter()
            .filter(|t| {
                t.select.as_ref().is_some_and(|s| {
                    s.clauses
                        .iter()
                        .any(|clause| clause.field == field && !query::clause_matches(c, clause))
                })
            })
            .count()
    };
    let (field, span) = match &c.metering {
        Some(m) if rejects(Field::MeteringMechanic) > rejects(Field::AiPackaging) => {
            (Field::MeteringMechanic, m.mechanic_at)
        }
        _ => (Field::AiPackaging, c.packaging_at),
    };
    let d = Diagnostic::file_warning(&c.file, "no trend lists this company")
        .field(field.path())
        .help("widen a trend's [select] or add a trend that selects it; until then only its own page and the packaging and metering pages show it");
    at(d, &c.excerpts, span)
}

/// The warning for companies a trend selects but no group takes, pointed
/// at the last `[[groups]]` table: they fell through every group there, and
/// a group that takes them goes after it.
pub(crate) fn other_warning(ds: &Dataset, g: &Grouped<'_>) -> Option<Diagnostic> {
    if g.trend.groups.is_empty() || g.other.is_empty() {
        return None;
    }
    const SHOWN: usize = 10;
    let mut names: Vec<&str> = g
        .other
        .iter()
        .take(SHOWN)
        .map(|&i| ds.companies[i].slug.as_str())
        .collect();
    if g.other.len() > SHOWN {
        names.push("…");
    }
    let count = g.other.len();
    let d = Diagnostic::file_warning(
        &g.trend.file,
        format!(
            "{} no group and {} listed under \"Other\": {}",
            plural(
                count,
                "selected company matches",
                "selected companies match"
            ),
            agree(count, "is", "are"),
            names.join(", ")
        ),
    )
    .field("groups")
    .help("add a [[groups]] table that takes them, or narrow [select]");
    Some(match g.trend.last_group_at {
        Some(span) => at(d, &g.trend.excerpts, span),
        None => d,
    })
}

/// A warning at each `@/companies/…` link in a trend's prose whose company
/// changed after the trend's `reviewed` date: the sentence around it may
/// describe the company as it was. It quotes the newest such change, the
/// one the entry now reflects. A trend without `reviewed` gets none: it
/// makes no claim about when its prose was checked.
fn stale_prose(ds: &Dataset, t: &Trend) -> Vec<Diagnostic> {
    let Some(reviewed) = t.reviewed else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for body in [&t.intro, &t.outro] {
        for (target, range) in crate::markdown::internal_links(body) {
            let Some(c) = crate::markdown::linked_company(&target).and_then(|s| ds.company(s))
            else {
                continue;
            };
            // Newest first, so the changes since the review lead.
            let since = c.changes.iter().take_while(|ch| ch.date > reviewed).count();
            let Some(newest) = c.changes.first().filter(|_| since > 0) else {
                continue;
            };
            let earlier = match since - 1 {
                0 => String::new(),
                n => format!(
                    " ({} since the review)",
                    plural(n, "earlier change", "earlier changes")
                ),
            };
            let message = format!(
                "links {}, which changed on {} after this trend was reviewed ({reviewed}): \"{}\"{earlier}",
                c.name, newest.date, newest.summary
            );
            out.push(
                warning_in(body, &t.file, range, message)
                    .field("reviewed")
                    .help("check the prose against the entry, then update `reviewed`"),
            );
        }
    }
    out
}

/// A warning at bytes `range` of a trend's prose, on the file's line.
fn warning_in(
    body: &Body,
    file: &str,
    range: std::ops::Range<usize>,
    message: String,
) -> Diagnostic {
    let mut d = Diagnostic::warning(file, &body.markdown, range, message);
    if body.line > 0 {
        d.line += body.line - 1;
    }
    d
}

/// A warning on each company whose website is the same as an earlier
/// company's (in slug order), at its `website` value and naming the first
/// one's file and line.
fn duplicate_websites(companies: &[Company]) -> Vec<Diagnostic> {
    let mut first: HashMap<String, &Company> = HashMap::new();
    let mut out = Vec::new();
    for c in companies {
        let key = website_key(&c.website);
        match first.get(&key) {
            Some(earlier) => {
                let place = match earlier.website_at.line {
                    0 => earlier.file.clone(),
                    line => format!("{}:{line}", earlier.file),
                };
                let d = Diagnostic::file_warning(
                    &c.file,
                    format!("same website as {place} ({}): {}", earlier.slug, c.website),
                )
                .field("website")
                .help(
                    "if both files describe one company, merge them; otherwise correct the website",
                );
                out.push(at(d, &c.excerpts, c.website_at));
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
mod tests;
