//! Company entries: `content/companies/<slug>.md`.

use serde::Deserialize;
use toml::{Spanned, Value};

use super::check::Checker;
use crate::model::{
    Body, Company, Date, Field, FieldKind, FieldValue, Mechanic, Metering, Packaging, Per, Period,
    Source, Tier, Unconfirmed,
};

type Sv = Option<Spanned<Value>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCompany {
    name: Sv,
    website: Sv,
    category: Sv,
    ai_packaging: Sv,
    verified: Sv,
    unconfirmed: Option<Spanned<Vec<Spanned<Value>>>>,
    metering: Option<Spanned<RawMetering>>,
    tiers: Option<Vec<Spanned<RawTier>>>,
    sources: Option<Spanned<Vec<Spanned<RawSource>>>>,
    changes: Option<Vec<Spanned<super::changes::RawChange>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMetering {
    mechanic: Sv,
    unit: Sv,
    payg: Sv,
    note: Sv,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTier {
    name: Sv,
    price_usd: Sv,
    period: Sv,
    per: Sv,
    ai_allowance: Sv,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    url: Sv,
    checked: Sv,
}

pub(super) fn text(v: Option<FieldValue>) -> Option<String> {
    match v {
        Some(FieldValue::Text(s)) => Some(s),
        _ => None,
    }
}

pub(super) fn date(v: Option<FieldValue>) -> Option<Date> {
    match v {
        Some(FieldValue::Date(d)) => Some(d),
        _ => None,
    }
}

/// Validates a company's front matter. `whole` is the span to point at when a
/// top-level field is missing (the opening fence).
pub(super) fn parse(
    c: &mut Checker<'_>,
    slug: &str,
    front_matter: &str,
    whole: std::ops::Range<usize>,
    body: Body,
) -> Option<Company> {
    let raw: RawCompany = match toml::from_str(front_matter) {
        Ok(raw) => raw,
        Err(e) => {
            c.push(crate::config::toml_error(c.file, c.source, c.offset, &e));
            return None;
        }
    };
    let name = text(c.required(&raw.name, whole.clone(), "name", FieldKind::Text));
    let website = text(c.required(&raw.website, whole.clone(), "website", FieldKind::Url));
    let category = text(c.required(&raw.category, whole.clone(), "category", FieldKind::Slug));
    let packaging = text(c.required(
        &raw.ai_packaging,
        whole.clone(),
        "ai_packaging",
        Field::AiPackaging.kind(),
    ))
    .and_then(|s| Packaging::parse(&s));
    let verified = date(c.required(&raw.verified, whole.clone(), "verified", FieldKind::Date));
    let website_at = raw.website.as_ref().map(|v| c.locate(v));
    let packaging_at = raw.ai_packaging.as_ref().map(|v| c.locate(v));
    let verified_at = raw.verified.as_ref().map(|v| c.locate(v));

    let metering = match &raw.metering {
        Some(m) => metering(c, m),
        None => {
            if packaging.is_some_and(|p| p != Packaging::None) {
                c.error(
                    whole.clone(),
                    "metering",
                    "missing required table `[metering]`".into(),
                    "add a [metering] table with `mechanic = …`; only ai_packaging = \"none\" may leave it out".into(),
                );
            }
            None
        }
    };

    let tiers: Vec<Tier> = raw
        .tiers
        .iter()
        .flatten()
        .filter_map(|t| tier(c, t, "tiers"))
        .collect();

    let mut sources = Vec::new();
    match &raw.sources {
        Some(list) if !list.get_ref().is_empty() => {
            for s in list.get_ref() {
                let span = c.span(s);
                let s = s.get_ref();
                let url = text(c.required(&s.url, span.clone(), "sources.url", FieldKind::Url));
                let checked =
                    date(c.required(&s.checked, span, "sources.checked", FieldKind::Date));
                let checked_at = s.checked.as_ref().map(|v| c.locate(v));
                if let (Some(url), Some(checked), Some(checked_at)) = (url, checked, checked_at) {
                    sources.push(Source {
                        url,
                        checked,
                        checked_at,
                    });
                }
            }
        }
        Some(list) => {
            let span = c.span(list);
            c.error(
                span,
                "sources",
                "`sources` is empty".into(),
                "at least one [[sources]] entry with the vendor's pricing page".into(),
            );
        }
        None => c.error(
            whole.clone(),
            "sources",
            "missing required `[[sources]]`".into(),
            "add at least one [[sources]] table with `url` and `checked`".into(),
        ),
    }

    let unconfirmed = match &raw.unconfirmed {
        Some(list) => super::unconfirmed::parse(c, list, &present_paths(&raw)),
        None => Vec::new(),
    };

    if !c.diags.is_empty() {
        return None;
    }
    let mut company = Company {
        slug: slug.to_string(),
        file: c.file.to_string(),
        name: name?,
        website: website?,
        category: category?,
        packaging: packaging?,
        verified: verified?,
        website_at: website_at?,
        packaging_at: packaging_at?,
        verified_at: verified_at?,
        excerpts: c.take_excerpts(),
        metering,
        tiers,
        sources,
        changes: Vec::new(),
        unconfirmed,
        body,
    };
    let changes = raw.changes.as_deref().unwrap_or_default();
    company.changes = super::changes::parse(c, changes, &company);
    c.diags.is_empty().then_some(company)
}

/// The paths of the fields `unconfirmed` may mark that the front matter
/// writes, whether their values are valid or not: a wrong value is its own
/// error, and the mark on it is not a second one.
fn present_paths(raw: &RawCompany) -> Vec<String> {
    let mut out = Vec::new();
    if raw.ai_packaging.is_some() {
        out.push("ai_packaging".to_string());
    }
    if let Some(m) = &raw.metering {
        let m = m.get_ref();
        for (path, v) in [
            ("metering.mechanic", &m.mechanic),
            ("metering.unit", &m.unit),
            ("metering.payg", &m.payg),
        ] {
            if v.is_some() {
                out.push(path.to_string());
            }
        }
    }
    for t in raw.tiers.iter().flatten() {
        let t = t.get_ref();
        let Some(Value::String(name)) = t.name.as_ref().map(|v| v.get_ref()) else {
            continue;
        };
        for (field, v) in [
            (Field::TiersPriceUsd, &t.price_usd),
            (Field::TiersPeriod, &t.period),
            (Field::TiersPer, &t.per),
            (Field::TiersAiAllowance, &t.ai_allowance),
        ] {
            let path = Unconfirmed::path_of(field, Some(name));
            if v.is_some() && !out.contains(&path) {
                out.push(path);
            }
        }
    }
    out
}

/// One `[[tiers]]` table, its fields named under `prefix` (`tiers`, or
/// `changes.before.tiers` in a change).
pub(super) fn tier(c: &mut Checker<'_>, t: &Spanned<RawTier>, prefix: &str) -> Option<Tier> {
    let span = c.span(t);
    let t = t.get_ref();
    let field = |name: &str| format!("{prefix}.{name}");
    let name = text(c.required(&t.name, span, &field("name"), FieldKind::Text));
    let price = match c.optional(&t.price_usd, &field("price_usd"), FieldKind::Number) {
        Some(FieldValue::Number(n)) => Some(n),
        _ => None,
    };
    let period = text(c.optional(&t.period, &field("period"), Field::TiersPeriod.kind()))
        .and_then(|s| Period::parse(&s));
    let per = text(c.optional(&t.per, &field("per"), Field::TiersPer.kind()))
        .and_then(|s| Per::parse(&s));
    let ai_allowance = text(c.optional(&t.ai_allowance, &field("ai_allowance"), FieldKind::Text));
    Some(Tier {
        name: name?,
        price_usd: price,
        period,
        per,
        ai_allowance,
    })
}

/// The file line a value stands on; 0 when it is absent.
fn line_of(c: &Checker<'_>, value: &Sv) -> usize {
    value
        .as_ref()
        .map_or(0, |v| crate::diag::line(c.source, c.span(v).start))
}

fn metering(c: &mut Checker<'_>, m: &Spanned<RawMetering>) -> Option<Metering> {
    let span = c.span(m);
    let m = m.get_ref();
    let mechanic = text(c.required(
        &m.mechanic,
        span,
        "metering.mechanic",
        Field::MeteringMechanic.kind(),
    ))
    .and_then(|s| Mechanic::parse(&s));
    let mechanic_at = m.mechanic.as_ref().map(|v| c.locate(v));
    let unit = text(c.optional(&m.unit, "metering.unit", FieldKind::Text));
    let payg = matches!(
        c.optional(&m.payg, "metering.payg", FieldKind::Bool),
        Some(FieldValue::Bool(true))
    );
    let note = text(c.optional(&m.note, "metering.note", FieldKind::Text));
    let note_line = line_of(c, &m.note);
    Some(Metering {
        mechanic: mechanic?,
        mechanic_at: mechanic_at?,
        unit,
        payg,
        note,
        note_line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Diagnostic;
    use crate::model::Span;

    fn check(front_matter: &str) -> (Option<Company>, Vec<Diagnostic>) {
        let source = format!("+++\n{front_matter}+++\nBody\n");
        let mut c = Checker::new("content/companies/x.md", &source, 4);
        let body = Body {
            markdown: "Body\n".into(),
            line: 1,
        };
        let company = parse(&mut c, "x", front_matter, 0..3, body);
        (company, c.diags)
    }

    const GOOD: &str = r#"name = "X"
website = "https://x.example"
category = "tools"
ai_packaging = "add-on"
verified = 2026-10-01

[metering]
mechanic = "credits"
note = "A note."

[[tiers]]
name = "Team"
price_usd = 9.5
period = "year"
per = "workspace"

[[sources]]
url = "https://x.example/pricing"
checked = 2026-10-02
"#;

    #[test]
    fn a_valid_company_becomes_typed_values() {
        let (company, diags) = check(GOOD);
        assert!(diags.is_empty(), "{diags:?}");
        let c = company.unwrap();
        assert_eq!(c.packaging, Packaging::AddOn);
        assert_eq!(c.mechanic(), Mechanic::Credits);
        assert_eq!(c.verified, Date::new(2026, 10, 1).unwrap());
        assert_eq!(c.tiers[0].price_usd, Some(9.5));
        assert_eq!(c.tiers[0].period, Some(Period::Year));
        assert_eq!(c.tiers[0].per, Some(Per::Workspace));
        assert_eq!(c.sources[0].checked, Date::new(2026, 10, 2).unwrap());
        let at = |span: Span| {
            let (text, underline) = c.excerpts.line(span).unwrap();
            (span.line, text, &text[underline])
        };
        assert_eq!(
            at(c.website_at),
            (
                3,
                "website = \"https://x.example\"",
                "\"https://x.example\""
            )
        );
        assert_eq!(
            at(c.packaging_at),
            (5, "ai_packaging = \"add-on\"", "\"add-on\"")
        );
        assert_eq!(
            at(c.verified_at),
            (6, "verified = 2026-10-01", "2026-10-01")
        );
        let m = c.metering.as_ref().unwrap();
        assert_eq!(
            at(m.mechanic_at),
            (9, "mechanic = \"credits\"", "\"credits\"")
        );
        assert_eq!(
            at(c.sources[0].checked_at),
            (20, "checked = 2026-10-02", "2026-10-02")
        );
        assert_eq!(m.note_line, 10);
    }

    #[test]
    fn only_the_lines_of_located_values_are_kept_once_each() {
        let inline = GOOD
            .replace(
                "[metering]\nmechanic = \"credits\"\nnote = \"A note.\"\n",
                "metering = { note = \"A note.\", mechanic = \"credits\" }\n",
            )
            .replace(
                "verified = 2026-10-01",
                "verified = 2026-10-01 # read again\r",
            );
        let (company, diags) = check(&inline);
        assert!(diags.is_empty(), "{diags:?}");
        let c = company.unwrap();
        let m = c.metering.as_ref().unwrap();
        let (text, underline) = c.excerpts.line(m.mechanic_at).unwrap();
        assert_eq!(
            text,
            "metering = { note = \"A note.\", mechanic = \"credits\" }"
        );
        assert_eq!(&text[underline], "\"credits\"");
        let (text, _) = c.excerpts.line(c.verified_at).unwrap();
        assert_eq!(text, "verified = 2026-10-01 # read again");
        assert_eq!(
            c.excerpts.text(),
            "website = \"https://x.example\"\nai_packaging = \"add-on\"\n\
             verified = 2026-10-01 # read again\n\
             metering = { note = \"A note.\", mechanic = \"credits\" }\n\
             checked = 2026-10-02\n",
            "those lines and nothing else"
        );
    }

    #[test]
    fn every_problem_in_one_file_is_reported() {
        let bad = GOOD
            .replace("\"add-on\"", "\"addon\"")
            .replace("\"credits\"", "\"credit\"")
            .replace("\"year\"", "\"yearly\"")
            .replace("checked = 2026-10-02", "checked = \"2026-10-02\"")
            .replace("https://x.example\"", "x.example\"");
        let (company, diags) = check(&bad);
        assert!(company.is_none());
        let fields: Vec<&str> = diags.iter().filter_map(|d| d.field.as_deref()).collect();
        assert_eq!(
            fields,
            [
                "website",
                "ai_packaging",
                "metering.mechanic",
                "tiers.period",
                "sources.checked"
            ],
            "{diags:#?}"
        );
        assert!(diags.iter().all(|d| d.line > 1 && d.expected.is_some()));
    }

    #[test]
    fn invalid_calendar_dates_are_errors_at_their_line() {
        let (_, diags) = check(&GOOD.replace("verified = 2026-10-01", "verified = 2026-02-30"));
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].line, 6, "{diags:?}");
    }

    #[test]
    fn packaging_none_needs_no_metering_and_negative_prices_fail() {
        let text = GOOD.replace("\"add-on\"", "\"none\"");
        let start = text.find("[metering]").unwrap();
        let end = text.find("[[tiers]]").unwrap();
        let no_metering = format!("{}{}", &text[..start], &text[end..]);
        let (company, diags) = check(&no_metering);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(company.unwrap().mechanic(), Mechanic::None);
        let (_, diags) = check(&GOOD.replace("9.5", "-1"));
        assert_eq!(diags[0].field.as_deref(), Some("tiers.price_usd"));
    }
}
