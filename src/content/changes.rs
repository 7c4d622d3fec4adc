//! A company's `[[changes]]`: dated changes of its pricing, each with the
//! fields as they were just before its date. Every problem is reported at
//! its key or value, all in one run.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::Deserialize;
use toml::{Spanned, Value};

use super::check::Checker;
use super::company::{RawTier, date, text, tier};
use crate::model::{Change, Company, Field, FieldKind, FieldValue, Mechanic, Packaging, Prior};

type Sv = Option<Spanned<Value>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawChange {
    date: Sv,
    summary: Sv,
    source: Sv,
    before: Option<Spanned<RawBefore>>,
}

/// The fields a change may say were different: every field of the company
/// format but `verified`, `sources` and `changes`, by the same dotted paths
/// trend filters use, and the whole tier list.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBefore {
    name: Sv,
    website: Sv,
    category: Sv,
    ai_packaging: Sv,
    #[serde(rename = "metering.mechanic")]
    mechanic: Sv,
    #[serde(rename = "metering.unit")]
    unit: Sv,
    #[serde(rename = "metering.payg")]
    payg: Sv,
    #[serde(rename = "metering.note")]
    note: Sv,
    tiers: Option<Spanned<Vec<Spanned<RawTier>>>>,
}

/// A prior value with where it was written, while the changes are checked.
struct Located {
    prior: Prior,
    span: Range<usize>,
}

/// Validates the changes of `now` (the company as its front matter says it
/// is) and returns them newest first. A change dated after today, a
/// missing `date`, `summary` or `source`, a source that is not http(s), a
/// `before` value equal to the value after the change, and two changes of
/// one field on one date are errors.
pub(super) fn parse(c: &mut Checker<'_>, raw: &[Spanned<RawChange>], now: &Company) -> Vec<Change> {
    let today = crate::scaffold::today();
    let mut changes: Vec<(Change, Vec<Located>)> = Vec::with_capacity(raw.len());
    for r in raw {
        let span = c.span(r);
        let line = crate::diag::line(c.source, span.start);
        let r = r.get_ref();
        let date = date(c.required(&r.date, span.clone(), "changes.date", FieldKind::Date));
        let summary =
            text(c.required(&r.summary, span.clone(), "changes.summary", FieldKind::Text));
        let source = text(c.required(&r.source, span.clone(), "changes.source", FieldKind::Url));
        if let (Some(d), Some(v)) = (date, &r.date)
            && d > today
        {
            let at = c.span(v);
            c.error(
                at,
                "changes.date",
                format!("change dated {d}, after today ({today})"),
                format!("a date on or before {today}: enter a change once it has happened"),
            );
        }
        let summary_line = r
            .summary
            .as_ref()
            .map_or(line, |v| crate::diag::line(c.source, c.span(v).start));
        let before = r.before.as_ref().map(|b| priors(c, b)).unwrap_or_default();
        // A change missing its summary or source is still checked against
        // the others; the entry has errors, so it is never used.
        if let Some(date) = date {
            let change = Change {
                date,
                summary: summary.unwrap_or_default(),
                summary_line,
                source: source.unwrap_or_default(),
                before: before.iter().map(|l| l.prior.clone()).collect(),
                line,
            };
            changes.push((change, before));
        }
    }
    // Newest first; a stable sort keeps one date's changes in file order.
    changes.sort_by_key(|c| std::cmp::Reverse(c.0.date));
    check_against_state(c, &changes, now);
    changes.into_iter().map(|(change, _)| change).collect()
}

/// The values of one `[changes.before]` table, each checked as its field.
fn priors(c: &mut Checker<'_>, b: &Spanned<RawBefore>) -> Vec<Located> {
    let b = b.get_ref();
    let mut out = Vec::new();
    // A text value checked as its field, and where it was written.
    let put = |c: &mut Checker<'_>, v: &Sv, path: &str, kind: FieldKind| {
        let v = v.as_ref()?;
        let value = text(c.value(v, &format!("changes.before.{path}"), kind))?;
        Some((value, c.span(v), ()))
    };
    if let Some((v, span, _)) = put(c, &b.name, "name", FieldKind::Text) {
        out.push(Located {
            prior: Prior::Name(v),
            span,
        });
    }
    if let Some((v, span, _)) = put(c, &b.website, "website", FieldKind::Url) {
        out.push(Located {
            prior: Prior::Website(v),
            span,
        });
    }
    if let Some((v, span, _)) = put(c, &b.category, "category", FieldKind::Slug) {
        out.push(Located {
            prior: Prior::Category(v),
            span,
        });
    }
    if let Some((v, span, _)) = put(
        c,
        &b.ai_packaging,
        "ai_packaging",
        Field::AiPackaging.kind(),
    ) && let Some(p) = Packaging::parse(&v)
    {
        out.push(Located {
            prior: Prior::Packaging(p),
            span,
        });
    }
    if let Some((v, span, _)) = put(
        c,
        &b.mechanic,
        "metering.mechanic",
        Field::MeteringMechanic.kind(),
    ) && let Some(m) = Mechanic::parse(&v)
    {
        out.push(Located {
            prior: Prior::Mechanic(m),
            span,
        });
    }
    if let Some((v, span, _)) = put(c, &b.unit, "metering.unit", FieldKind::Text) {
        out.push(Located {
            prior: Prior::Unit(v),
            span,
        });
    }
    if let Some(v) = &b.payg
        && let Some(FieldValue::Bool(p)) =
            c.value(v, "changes.before.metering.payg", FieldKind::Bool)
    {
        out.push(Located {
            prior: Prior::Payg(p),
            span: c.span(v),
        });
    }
    if let Some((v, span, _)) = put(c, &b.note, "metering.note", FieldKind::Text) {
        out.push(Located {
            prior: Prior::Note(v),
            span,
        });
    }
    if let Some(list) = &b.tiers {
        let span = c.span(list);
        let tiers: Vec<_> = list
            .get_ref()
            .iter()
            .map(|t| tier(c, t, "changes.before.tiers"))
            .collect();
        if tiers.iter().all(Option::is_some) {
            out.push(Located {
                prior: Prior::Tiers(tiers.into_iter().flatten().collect()),
                span,
            });
        }
    }
    out
}

/// Checks each change against the state just after it: the front matter
/// with every later change undone.
fn check_against_state(c: &mut Checker<'_>, changes: &[(Change, Vec<Located>)], now: &Company) {
    let mut state = now.clone();
    let mut k = 0;
    while k < changes.len() {
        let day = changes[k].0.date;
        let same_day = changes[k..]
            .iter()
            .take_while(|(ch, _)| ch.date == day)
            .count();
        let mut seen: BTreeMap<&'static str, usize> = BTreeMap::new();
        for (change, located) in &changes[k..k + same_day] {
            for l in located {
                let path = l.prior.path();
                if let Some(first) = seen.insert(path, change.line) {
                    c.error(
                        l.span.clone(),
                        &format!("changes.before.{path}"),
                        format!("`{path}` changes twice on {day}: here and in the change at line {first}"),
                        "one change per field and date: merge the two into one change".into(),
                    );
                } else if l.prior.of(&state) == l.prior {
                    c.error(
                        l.span.clone(),
                        &format!("changes.before.{path}"),
                        format!(
                            "`{path}` before the change of {day} equals its value after it ({})",
                            l.prior.display()
                        ),
                        "the value the field had just before the change; leave the field out if it did not change".into(),
                    );
                }
            }
        }
        for (change, _) in &changes[k..k + same_day] {
            for prior in &change.before {
                prior.apply(&mut state);
            }
        }
        k += same_day;
    }
}

#[cfg(test)]
mod tests {
    use crate::content::parse_company_text;
    use crate::model::{Date, Mechanic, Packaging, Prior};

    const NOW: &str = r#"+++
name = "Acme"
website = "https://acme.example"
category = "tools"
ai_packaging = "tiered"
verified = 2025-10-01

[metering]
mechanic = "credits"
unit = "USD of usage"

[[tiers]]
name = "Pro"
price_usd = 20
period = "month"
per = "user"
ai_allowance = "$20 of usage"

[[sources]]
url = "https://acme.example/pricing"
checked = 2025-10-01
"#;

    fn parse(changes: &str) -> (Option<crate::model::Company>, Vec<String>) {
        let text = format!("{NOW}{changes}+++\nBody.\n");
        let (c, diags) = parse_company_text("content/companies/acme.md", "acme", &text);
        let shown = diags
            .iter()
            .map(|d| {
                let expected = d.expected.as_deref().unwrap_or_default();
                format!("{}:{} {} | {expected}", d.line, d.column, d.message)
            })
            .collect();
        (c, shown)
    }

    #[test]
    fn changes_replay_to_any_date() {
        let (c, errors) = parse(
            r#"
[[changes]]
date = 2025-06-16
summary = "Pro moved from fast requests to a usage budget."
source = "https://acme.example/blog/june"

[changes.before]
"metering.mechanic" = "requests"
"metering.unit" = "fast request"

[[changes.before.tiers]]
name = "Pro"
price_usd = 20
period = "month"
per = "user"
ai_allowance = "500 fast requests"

[[changes]]
date = 2024-01-10
summary = "AI became part of every plan."
source = "https://acme.example/blog/2024"
before = { ai_packaging = "add-on" }

[[changes]]
date = 2025-09-01
summary = "A dated note."
source = "https://acme.example/blog/note"
"#,
        );
        assert_eq!(errors, Vec::<String>::new());
        let c = c.expect("valid");
        let dates: Vec<String> = c.changes.iter().map(|ch| ch.date.to_string()).collect();
        assert_eq!(dates, ["2025-09-01", "2025-06-16", "2024-01-10"]);
        let d = |y, m, day| Date::new(y, m, day).expect("date");
        // After every change: the front matter.
        let now = c.as_of(d(2025, 12, 1));
        assert_eq!(now.mechanic(), Mechanic::Credits);
        assert_eq!(now.changes.len(), 3);
        // On the day of a change, the change has happened.
        assert_eq!(c.as_of(d(2025, 6, 16)).mechanic(), Mechanic::Credits);
        // Between changes.
        let mid = c.as_of(d(2025, 6, 15));
        assert_eq!(mid.mechanic(), Mechanic::Requests);
        assert_eq!(mid.packaging, Packaging::Tiered);
        assert_eq!(
            mid.tiers[0].ai_allowance.as_deref(),
            Some("500 fast requests")
        );
        assert_eq!(mid.changes.len(), 1);
        // Before every change.
        let old = c.as_of(d(2023, 1, 1));
        assert_eq!(old.packaging, Packaging::AddOn);
        assert_eq!(old.mechanic(), Mechanic::Requests);
        assert!(old.changes.is_empty());
        assert_eq!(c.changes[1].before[0], Prior::Mechanic(Mechanic::Requests));
        // The value after each change, looked up without replaying, is the
        // value in the replayed company.
        for (k, change) in c.changes.iter().enumerate() {
            for prior in &change.before {
                assert_eq!(*c.value_after(k, prior), prior.of(&c.after(k)), "{k}");
            }
        }
    }

    #[test]
    fn every_bad_change_is_reported_at_its_value_in_one_run() {
        let (c, errors) = parse(
            r#"
[[changes]]
date = 2999-01-01
summary = "From the future."
source = "ftp://acme.example/x"

[[changes]]
summary = "No date, and a packaging that is not one."
source = "https://acme.example/a"
before = { ai_packaging = "bundle" }

[[changes]]
date = 2025-01-01
source = "https://acme.example/b"
before = { "metering.mechanic" = "credits" }

[[changes]]
date = 2024-05-01
summary = "One field twice on one day."
source = "https://acme.example/c"
before = { "metering.unit" = "credit" }

[[changes]]
date = 2024-05-01
summary = "The same field again."
source = "https://acme.example/d"
before = { "metering.unit" = "token" }
"#,
        );
        assert!(c.is_none());
        let today = crate::scaffold::today();
        assert_eq!(
            errors,
            [
                "26:10 `changes.source` is not an http(s) URL: \"ftp://acme.example/x\" | expected an absolute URL starting with https:// or http://".to_string(),
                format!("24:8 change dated 2999-01-01, after today ({today}) | a date on or before {today}: enter a change once it has happened"),
                "28:1 missing required field `date` | add `date = …` with a TOML date such as 2026-10-01".into(),
                "31:27 \"bundle\" is not a valid value of `changes.before.ai_packaging` | expected one of: bundled, tiered, add-on, separate-sku, usage-based, none".into(),
                "33:1 missing required field `summary` | add `summary = …` with a string".into(),
                "36:34 `metering.mechanic` before the change of 2025-01-01 equals its value after it (credits) | the value the field had just before the change; leave the field out if it did not change".into(),
                "48:30 `metering.unit` changes twice on 2024-05-01: here and in the change at line 38 | one change per field and date: merge the two into one change".into(),
            ]
        );
    }

    #[test]
    fn an_unknown_field_path_names_the_paths_allowed() {
        let (c, errors) = parse(
            r#"
[[changes]]
date = 2025-01-01
summary = "Verified is not history."
source = "https://acme.example/a"
before = { verified = 2024-01-01 }
"#,
        );
        assert!(c.is_none());
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with("27:12 unknown field `verified`"),
            "{errors:?}"
        );
        // The expected part lists every path `before` accepts.
        for path in crate::model::PRIOR_PATHS {
            assert!(
                errors[0].contains(&format!("`{path}`")),
                "{path}: {errors:?}"
            );
        }
    }
}
