//! A company's `unconfirmed`: the paths of the facts its sources did not
//! confirm. Every problem is reported at its path, all in one run.

use toml::{Spanned, Value};

use super::check::Checker;
use crate::model::{FieldKind, FieldValue, Unconfirmed};

/// Validates the list against `present`, the paths of the fields the
/// front matter writes. A path that names no field that can be marked, a
/// field the entry does not hold, and a path listed twice are errors.
pub(super) fn parse(
    c: &mut Checker<'_>,
    list: &Spanned<Vec<Spanned<Value>>>,
    present: &[String],
) -> Vec<Unconfirmed> {
    let mut out = Vec::new();
    // Each path seen, with the line and column it was first written at.
    let mut seen: Vec<(String, usize, usize)> = Vec::new();
    for v in list.get_ref() {
        let Some(FieldValue::Text(path)) = c.value(v, "unconfirmed", FieldKind::Text) else {
            continue;
        };
        let span = c.span(v);
        let Some((field, tier)) = Unconfirmed::parse_path(&path) else {
            c.error(
                span,
                "unconfirmed",
                format!("{path:?} is not a field that can be marked unconfirmed"),
                format!("expected one of: {}", Unconfirmed::allowed_paths()),
            );
            continue;
        };
        if let Some((_, line, column)) = seen.iter().find(|(p, _, _)| *p == path) {
            let message = format!(
                "{path:?} is listed twice in `unconfirmed`: here and at line {line}, column {column}"
            );
            c.error(span, "unconfirmed", message, "each path once".into());
            continue;
        }
        let (line, column) = crate::diag::position(c.source, span.start);
        seen.push((path.clone(), line, column));
        if !present.contains(&path) {
            let held = |t: &str| {
                present
                    .iter()
                    .any(|p| p.starts_with(&format!("tiers.{t}.")))
            };
            let message = match tier {
                Some(t) if !held(t) => {
                    format!("{path:?} is marked unconfirmed, but no tier is named {t:?}")
                }
                _ => format!(
                    "{path:?} is marked unconfirmed, but the entry has no value there; a fact left out needs no mark"
                ),
            };
            let expected = if present.is_empty() {
                "a field the entry holds; it holds none that can be marked".to_string()
            } else {
                format!("a field the entry holds: {}", present.join(", "))
            };
            c.error(span, "unconfirmed", message, expected);
            continue;
        }
        out.push(Unconfirmed {
            field,
            tier: tier.map(str::to_string),
            at: c.locate(v),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::content::parse_company_text;
    use crate::model::{Field, Unconfirmed};

    const ENTRY: &str = r#"+++
name = "Acme"
website = "https://acme.example"
category = "tools"
ai_packaging = "tiered"
verified = 2025-10-01
UNCONFIRMED
[metering]
mechanic = "credits"

[[tiers]]
name = "Pro 2.5"
price_usd = 20
ai_allowance = "500 credits"

[[sources]]
url = "https://acme.example/pricing"
checked = 2025-10-01
+++
Body.
"#;

    fn parse(unconfirmed: &str) -> (Option<crate::model::Company>, Vec<String>) {
        let text = ENTRY.replace("UNCONFIRMED", unconfirmed);
        let (c, diags) = parse_company_text("content/companies/acme.md", "acme", &text);
        let shown = diags
            .iter()
            .map(|d| {
                let expected = d.expected.as_deref().unwrap_or_default();
                let field = d.field.as_deref().unwrap_or_default();
                format!(
                    "{}:{} {field}: {} | {expected}",
                    d.line, d.column, d.message
                )
            })
            .collect();
        (c, shown)
    }

    #[test]
    fn marked_facts_are_kept_with_where_they_are_written() {
        let (c, errors) =
            parse("unconfirmed = [\"metering.mechanic\",\n  \"tiers.Pro 2.5.ai_allowance\"]\n");
        assert_eq!(errors, Vec::<String>::new());
        let c = c.expect("valid");
        let paths: Vec<String> = c.unconfirmed.iter().map(Unconfirmed::path).collect();
        assert_eq!(paths, ["metering.mechanic", "tiers.Pro 2.5.ai_allowance"]);
        assert_eq!(c.unconfirmed[1].tier.as_deref(), Some("Pro 2.5"));
        let values: Vec<Option<String>> = c.unconfirmed.iter().map(|u| u.value(&c)).collect();
        assert_eq!(
            values,
            [Some("credits".to_string()), Some("500 credits".to_string())]
        );
        let (line, underline) = c.excerpts.line(c.unconfirmed[1].at).expect("kept");
        assert_eq!(c.unconfirmed[1].at.line, 8);
        assert_eq!(&line[underline], "\"tiers.Pro 2.5.ai_allowance\"");
        assert!(c.unconfirmed_in(&[Field::AiPackaging, Field::MeteringMechanic]));
        assert!(!c.unconfirmed_in(&[Field::AiPackaging]));
        assert_eq!(c.tier_unconfirmed("Pro 2.5"), ["ai_allowance"]);
        assert!(c.tier_unconfirmed("Pro").is_empty());
    }

    #[test]
    fn every_bad_path_is_an_error_at_its_place_in_one_run() {
        let (c, errors) = parse(
            "unconfirmed = [\"metering.mechanics\", \"metering.unit\", \"tiers.Team.price_usd\",\n  \
             \"tiers.Pro 2.5.period\", \"metering.mechanic\", 3, \"metering.mechanic\"]\n",
        );
        assert!(c.is_none());
        let held = "a field the entry holds: ai_packaging, metering.mechanic, \
                    tiers.Pro 2.5.price_usd, tiers.Pro 2.5.ai_allowance";
        assert_eq!(
            errors,
            [
                "7:16 unconfirmed: \"metering.mechanics\" is not a field that can be marked unconfirmed | \
                 expected one of: ai_packaging, metering.mechanic, metering.unit, metering.payg, \
                 tiers.<tier name>.price_usd, tiers.<tier name>.period, tiers.<tier name>.per, \
                 tiers.<tier name>.ai_allowance".to_string(),
                format!(
                    "7:38 unconfirmed: \"metering.unit\" is marked unconfirmed, but the entry has no value there; \
                     a fact left out needs no mark | {held}"
                ),
                format!(
                    "7:55 unconfirmed: \"tiers.Team.price_usd\" is marked unconfirmed, but no tier is named \"Team\" | {held}"
                ),
                format!(
                    "8:3 unconfirmed: \"tiers.Pro 2.5.period\" is marked unconfirmed, but the entry has no value there; \
                     a fact left out needs no mark | {held}"
                ),
                "8:48 unconfirmed: `unconfirmed` has the wrong type: found the integer 3 | expected a string".into(),
                "8:51 unconfirmed: \"metering.mechanic\" is listed twice in `unconfirmed`: here and at line 8, column 27 | each path once".into(),
            ]
        );
    }
}
