//! Data-quality checks: warnings about a site that is valid but whose data
//! looks doubtful (stale or future dates, companies no trend lists, trends
//! leaving companies under "Other", two companies with one website), so
//! `check` can report them and `build` can print them without failing.

use std::collections::HashMap;

use crate::diag::Diagnostic;
use crate::model::{Body, Company, Dataset, Date, Excerpts, Field, Span, Trend};
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
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::content::{parse_company_text, parse_trend_text};
    use crate::model::Trend;

    fn date(y: u16, m: u8, d: u8) -> Date {
        Date::new(y, m, d).unwrap()
    }

    /// A company parsed from its file text, so its spans are the parser's:
    /// `website` on line 3, `ai_packaging` 5, `verified` 6, `mechanic` 9 and
    /// `checked` 13.
    fn company(slug: &str, website: &str, verified: Date, checked: Date) -> Company {
        company_with(slug, website, "none", "none", verified, checked)
    }

    fn company_with(
        slug: &str,
        website: &str,
        packaging: &str,
        mechanic: &str,
        verified: Date,
        checked: Date,
    ) -> Company {
        let text = format!(
            "+++\nname = \"{slug}\"\nwebsite = \"{website}\"\ncategory = \"tools\"\n\
             ai_packaging = \"{packaging}\"\nverified = {verified}\n\n[metering]\n\
             mechanic = \"{mechanic}\"\n\n[[sources]]\nurl = \"{website}/pricing\"\n\
             checked = {checked}  # the day it was read\n+++\n"
        );
        let file = format!("content/companies/{slug}.md");
        let (c, diags) = parse_company_text(&file, slug, &text);
        assert!(diags.is_empty(), "{diags:#?}");
        c.unwrap()
    }

    /// A trend parsed from its front matter.
    fn trend(slug: &str, front_matter: &str) -> Trend {
        let text = format!("+++\ntitle = \"T\"\nsummary = \"S\"\n{front_matter}+++\n");
        let file = format!("content/trends/{slug}.md");
        let (t, diags) = parse_trend_text(&file, slug, &text, &HashSet::new());
        assert!(diags.is_empty(), "{diags:#?}");
        t.unwrap()
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

    /// Where each diagnostic points: file, line, column and field.
    fn places(diags: &[Diagnostic]) -> Vec<(&str, usize, usize, Option<&str>)> {
        diags
            .iter()
            .map(|d| (d.file.as_str(), d.line, d.column, d.field.as_deref()))
            .collect()
    }

    #[track_caller]
    fn drawn(d: &Diagnostic, needle: &str) {
        let text = d.render(false);
        assert!(text.contains(needle), "{needle:?} not in\n{text}");
    }

    #[test]
    fn prose_linking_a_company_changed_since_its_review_is_a_warning_at_the_link() {
        let today = date(2026, 11, 26);
        let (acme, diags) = parse_company_text(
            "content/companies/acme.md",
            "acme",
            "+++\nname = \"Acme\"\nwebsite = \"https://acme.example\"\ncategory = \"tools\"\n\
             ai_packaging = \"bundled\"\nverified = 2026-11-01\n\n[metering]\nmechanic = \"credits\"\n\n\
             [[sources]]\nurl = \"https://acme.example/pricing\"\nchecked = 2026-11-01\n\n\
             [[changes]]\ndate = 2025-06-16\nsummary = \"Credits replaced the `add-on`.\"\n\
             source = \"https://acme.example/june\"\nbefore = { ai_packaging = \"add-on\" }\n\n\
             [[changes]]\ndate = 2025-09-01\nsummary = \"A dated note.\"\n\
             source = \"https://acme.example/sep\"\n+++\n",
        );
        assert!(diags.is_empty(), "{diags:#?}");
        let acme = acme.unwrap();
        let warnings = |reviewed: &str| {
            let text = format!(
                "+++\ntitle = \"T\"\nsummary = \"S\"\n{reviewed}+++\nIntro.\n\n\
                 See [Acme](@/companies/acme.md#tiers) and\n  [again](@/companies/acme.md).\n\n\
                 <!-- groups -->\n\nOutro [Acme](@/companies/acme.md), [T](@/trends/t.md).\n"
            );
            let (t, diags) = parse_trend_text("content/trends/t.md", "t", &text, &HashSet::new());
            assert!(diags.is_empty(), "{diags:#?}");
            run(vec![acme.clone()], vec![t.unwrap()], today)
        };

        let diags = warnings("reviewed = 2025-05-01\n");
        assert_eq!(
            places(&diags),
            [
                ("content/trends/t.md", 8, 5, Some("reviewed")),
                ("content/trends/t.md", 9, 3, Some("reviewed")),
                ("content/trends/t.md", 13, 7, Some("reviewed")),
            ],
            "{diags:#?}"
        );
        assert_eq!(
            diags[0].message,
            "links Acme, which changed on 2025-09-01 after this trend was reviewed (2025-05-01): \"A dated note.\" (1 earlier change since the review)"
        );
        assert_eq!(
            diags[0].help.as_deref(),
            Some("check the prose against the entry, then update `reviewed`")
        );
        drawn(
            &diags[1],
            "9 |   [again](@/companies/acme.md).\n  |   ----------------------------",
        );
        assert!(!shown_by_build(&diags[0]));

        let diags = warnings("reviewed = 2025-07-01\n");
        assert_eq!(diags.len(), 3, "{diags:#?}");
        assert!(
            diags[2]
                .message
                .ends_with("(2025-07-01): \"A dated note.\"")
        );

        // Reviewed on the day of the newest change, or never: no warning.
        assert!(warnings("reviewed = 2025-09-01\n").is_empty());
        assert!(warnings("").is_empty());
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
            vec![trend("all", "")],
            today,
        );
        assert!(diags.is_empty(), "{diags:#?}");
    }

    #[test]
    fn each_problem_is_a_warning_at_its_value() {
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
        assert_eq!(
            places(&diags),
            [
                ("content/companies/a.md", 6, 12, Some("verified")),
                ("content/companies/a.md", 5, 16, Some("ai_packaging")),
                ("content/companies/b.md", 13, 11, Some("sources.checked")),
                ("content/companies/b.md", 5, 16, Some("ai_packaging")),
                ("content/companies/b.md", 3, 11, Some("website")),
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
        drawn(
            &diags[0],
            "6 | verified = 2026-10-26\n  |            ---------- a date on or after 2026-10-27",
        );
        assert!(diags[2].message.contains("2026-11-27 is in the future"));
        drawn(
            &diags[2],
            "13 | checked = 2026-11-27  # the day it was read\n   |           ---------- a date",
        );
        drawn(
            &diags[1],
            "5 | ai_packaging = \"none\"\n  |                ------",
        );
        assert_eq!(
            diags[4].message,
            "same website as content/companies/a.md:3 (a): https://a.example/"
        );
        drawn(
            &diags[4],
            "3 | website = \"https://a.example/\"\n  |           --------------------",
        );
    }

    #[test]
    fn an_unlisted_company_is_pointed_at_the_value_most_trends_reject() {
        let today = date(2026, 11, 26);
        let delta = || {
            company_with(
                "delta",
                "https://delta.example",
                "usage-based",
                "compute-time",
                today,
                today,
            )
        };
        let credits = trend(
            "credits",
            "[select]\n\"metering.mechanic\" = [\"credits\"]\n",
        );
        let tokens = trend("tokens", "[select]\n\"metering.mechanic\" = [\"tokens\"]\n");
        let none = trend("none", "[select]\nai_packaging = [\"none\"]\n");

        // Two trends leave it out for its mechanic, one for its packaging.
        let diags = run(
            vec![delta()],
            vec![credits.clone(), tokens, none.clone()],
            today,
        );
        assert_eq!(
            places(&diags),
            [(
                "content/companies/delta.md",
                9,
                12,
                Some("metering.mechanic")
            )]
        );
        assert_eq!(diags[0].message, "no trend lists this company");
        drawn(
            &diags[0],
            "9 | mechanic = \"compute-time\"\n  |            --------------",
        );

        // A tie goes to the packaging.
        let diags = run(vec![delta()], vec![credits, none], today);
        assert_eq!(
            places(&diags),
            [("content/companies/delta.md", 5, 16, Some("ai_packaging"))]
        );
        drawn(
            &diags[0],
            "5 | ai_packaging = \"usage-based\"\n  |                -------------",
        );

        // So do trends that select on other fields only.
        let category = trend("c", "[select]\ncategory = [\"games\"]\n");
        let diags = run(vec![delta()], vec![category], today);
        assert_eq!(
            places(&diags),
            [("content/companies/delta.md", 5, 16, Some("ai_packaging"))]
        );
    }

    #[test]
    fn companies_no_group_takes_are_a_warning_at_the_last_group() {
        let today = date(2026, 11, 26);
        let groups = "[select]\n\"metering.mechanic\" = [\"credits\", \"tokens\"]\n\n\
                      [[groups]]\ntitle = \"Bundled\"\nai_packaging = [\"bundled\"]\n\n\
                      [[groups]]\ntitle = \"Add-on\"\nai_packaging = [\"add-on\"]\n";
        let companies = vec![
            company_with("a", "https://a.example", "bundled", "credits", today, today),
            company_with("b", "https://b.example", "tiered", "tokens", today, today),
        ];
        let diags = run(companies.clone(), vec![trend("t", groups)], today);
        assert_eq!(
            places(&diags),
            [("content/trends/t.md", 11, 1, Some("groups"))],
            "{diags:#?}"
        );
        assert_eq!(
            diags[0].message,
            "1 selected company matches no group and is listed under \"Other\": b"
        );
        assert!(shown_by_build(&diags[0]));
        drawn(&diags[0], "11 | [[groups]]\n   | ----------\n");

        // Without the first group, two companies fall to "Other".
        let one_group = groups.replace(
            "[[groups]]\ntitle = \"Bundled\"\nai_packaging = [\"bundled\"]\n\n",
            "",
        );
        let diags = run(companies.clone(), vec![trend("t", &one_group)], today);
        assert_eq!(
            places(&diags),
            [("content/trends/t.md", 7, 1, Some("groups"))],
            "{diags:#?}"
        );
        assert_eq!(
            diags[0].message,
            "2 selected companies match no group and are listed under \"Other\": a, b"
        );

        // Without groups, every selected company is listed plainly.
        let plain = trend(
            "t",
            "[select]\n\"metering.mechanic\" = [\"credits\", \"tokens\"]\n",
        );
        assert!(run(companies, vec![plain], today).is_empty());
    }
}
