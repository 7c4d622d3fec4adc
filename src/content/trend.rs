//! Trend pages: `content/trends/<slug>.md`, a query over the companies plus
//! the editor's prose.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::ops::Range;

use serde::de::{self, Deserialize, Deserializer, SeqAccess, Visitor};
use toml::{Spanned, Value};

use super::check::{Checker, describe};
use crate::model::{Body, Clause, Field, FieldKind, Filter, Group, Trend};

type Sv = Option<Spanned<Value>>;
type FilterTable = BTreeMap<Spanned<String>, Spanned<Entry>>;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTrend {
    title: Sv,
    summary: Sv,
    heading: Sv,
    see_also: Option<Vec<Spanned<Value>>>,
    reviewed: Sv,
    select: Option<Spanned<FilterTable>>,
    groups: Option<Vec<Spanned<FilterTable>>>,
}

/// A filter-table entry. Lists keep the span of every element so a bad value
/// is reported where it stands; that is why this is not `toml::Value`.
enum Entry {
    List(Vec<Spanned<Value>>),
    Text(String),
    Other(&'static str),
}

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entry;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of values")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Entry, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Spanned<Value>>()? {
                    items.push(item);
                }
                Ok(Entry::List(items))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Entry, E> {
                Ok(Entry::Text(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Entry, E> {
                Ok(Entry::Other("a boolean"))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Entry, E> {
                Ok(Entry::Other("an integer"))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Entry, E> {
                Ok(Entry::Other("an integer"))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Entry, E> {
                Ok(Entry::Other("a number"))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Entry, A::Error> {
                while map
                    .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(Entry::Other("a table or date"))
            }
        }
        d.deserialize_any(V)
    }
}

/// The line that marks where the generated groups go.
pub(super) const GROUPS_MARKER: &str = "<!-- groups -->";

pub(super) fn parse(
    c: &mut Checker<'_>,
    slug: &str,
    front_matter: &str,
    whole: Range<usize>,
    body: Body,
    trend_slugs: &HashSet<String>,
) -> Option<Trend> {
    let raw: RawTrend = match toml::from_str(front_matter) {
        Ok(raw) => raw,
        Err(e) => {
            c.push(crate::config::toml_error(c.file, c.source, c.offset, &e));
            return None;
        }
    };
    let title = text(c.required(&raw.title, whole.clone(), "title", FieldKind::Text));
    let summary = text(c.required(&raw.summary, whole.clone(), "summary", FieldKind::Text));
    let heading = text(c.optional(&raw.heading, "heading", FieldKind::Text));

    let mut see_also = Vec::new();
    for item in raw.see_also.iter().flatten() {
        let Some(s) = text(c.value(item, "see_also", FieldKind::Slug)) else {
            continue;
        };
        if trend_slugs.contains(&s) {
            see_also.push(s);
        } else {
            let span = c.span(item);
            let mut known: Vec<&str> = trend_slugs.iter().map(String::as_str).collect();
            known.sort_unstable();
            c.error(
                span,
                "see_also",
                format!("`see_also` names the trend {s:?}, which does not exist"),
                format!("expected one of: {}", known.join(", ")),
            );
        }
    }

    let select = raw
        .select
        .as_ref()
        .map(|table| filter(c, table.get_ref(), "select", false).1);

    let mut groups = Vec::new();
    for g in raw.groups.iter().flatten() {
        let span = c.span(g);
        let (title, filter) = filter(c, g.get_ref(), "groups", true);
        match title {
            Some(title) => groups.push(Group { title, filter }),
            None if !c
                .diags
                .iter()
                .any(|d| d.field.as_deref() == Some("groups.title")) =>
            {
                c.missing(span, "groups.title", FieldKind::Text)
            }
            None => {}
        }
    }

    let reviewed = match c.optional(&raw.reviewed, "reviewed", FieldKind::Date) {
        Some(crate::model::FieldValue::Date(d)) => Some(d),
        _ => None,
    };
    let last_group_at = raw.groups.iter().flatten().last().map(|g| c.locate(g));
    let (intro, outro) = split_body(body);
    if !c.diags.is_empty() {
        return None;
    }
    Some(Trend {
        slug: slug.to_string(),
        file: c.file.to_string(),
        title: title?,
        summary: summary?,
        heading: heading.unwrap_or_else(|| "Companies".into()),
        see_also,
        reviewed,
        select,
        groups,
        intro,
        outro,
        last_group_at,
        excerpts: c.take_excerpts(),
    })
}

fn text(v: Option<crate::model::FieldValue>) -> Option<String> {
    match v {
        Some(crate::model::FieldValue::Text(s)) => Some(s),
        _ => None,
    }
}

/// Compiles a filter table. In a group, `title` is the group's title rather
/// than a field path.
fn filter(
    c: &mut Checker<'_>,
    table: &FilterTable,
    table_name: &str,
    with_title: bool,
) -> (Option<String>, Filter) {
    let mut title = None;
    let mut clauses = Vec::new();
    for (key, entry) in table {
        let key_span = c.span(key);
        let entry_span = c.span(entry);
        if with_title && key.get_ref() == "title" {
            match entry.get_ref() {
                Entry::Text(t) if !t.trim().is_empty() => title = Some(t.clone()),
                _ => c.error(
                    entry_span,
                    "groups.title",
                    "a group's `title` must be a non-empty string".into(),
                    "expected a string such as \"Add-on with credits\"".into(),
                ),
            }
            continue;
        }
        let Some(field) = Field::parse(key.get_ref()) else {
            let paths: Vec<&str> = Field::ALL.iter().map(|f| f.path()).collect();
            // A quoted key may hold a line break or a control character,
            // which would break the report's one-line heading.
            let shown = key.get_ref().escape_debug();
            c.error(
                key_span,
                &format!("{table_name}.{shown}"),
                format!("`{shown}` in [{table_name}] is not a field of the company format"),
                format!("expected a field path, one of: {}", paths.join(", ")),
            );
            continue;
        };
        let items = match entry.get_ref() {
            Entry::List(items) => items,
            Entry::Text(_) | Entry::Other(_) => {
                let found = match entry.get_ref() {
                    Entry::Text(s) => describe(&Value::String(s.clone())),
                    Entry::Other(what) => what.to_string(),
                    Entry::List(_) => String::new(),
                };
                c.error(
                    entry_span,
                    field.path(),
                    format!(
                        "a filter on `{}` must list its accepted values; found {found}",
                        field.path()
                    ),
                    format!(
                        "expected a list such as [\"a\", \"b\"] of {}",
                        field.kind().describe()
                    ),
                );
                continue;
            }
        };
        let accepted = items
            .iter()
            .filter_map(|v| c.value(v, field.path(), field.kind()))
            .collect();
        clauses.push(Clause { field, accepted });
    }
    (title, Filter { clauses })
}

/// Splits the prose at the `<!-- groups -->` line; without one, everything is
/// intro and the groups follow it.
fn split_body(body: Body) -> (Body, Body) {
    let mut pos = 0;
    for line in body.markdown.split_inclusive('\n') {
        if line.trim() == GROUPS_MARKER {
            let after = pos + line.len();
            let outro = Body {
                markdown: body.markdown[after..].to_string(),
                line: body.line + body.markdown[..after].matches('\n').count(),
            };
            let intro = Body {
                markdown: body.markdown[..pos].to_string(),
                line: body.line,
            };
            return (intro, outro);
        }
        pos += line.len();
    }
    let line = body.line + body.markdown.matches('\n').count();
    (
        body,
        Body {
            markdown: String::new(),
            line,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_splits_at_the_marker_line() {
        let (a, b) = split_body(Body {
            markdown: "Intro\n\n<!-- groups -->\n\n## After\n".into(),
            line: 10,
        });
        assert_eq!(a.markdown, "Intro\n\n");
        assert_eq!(b.markdown, "\n## After\n");
        assert_eq!(b.line, 13);
    }

    #[test]
    fn body_without_marker_is_all_intro() {
        let (a, b) = split_body(Body {
            markdown: "Intro\n".into(),
            line: 1,
        });
        assert_eq!(a.markdown, "Intro\n");
        assert!(b.markdown.is_empty());
    }
}

#[cfg(test)]
mod parse_tests {
    use super::*;
    use crate::model::FieldValue;

    fn check(front_matter: &str) -> (Option<Trend>, Vec<crate::diag::Diagnostic>) {
        let source = format!("+++\n{front_matter}+++\n");
        let mut c = Checker::new("content/trends/t.md", &source, 4);
        let slugs: HashSet<String> = ["t".to_string(), "other".to_string()].into();
        let trend = parse(&mut c, "t", front_matter, 0..3, Body::default(), &slugs);
        (trend, c.diags)
    }

    #[test]
    fn filters_compile_to_typed_clauses() {
        let (trend, diags) = check(
            "title = \"T\"\nsummary = \"S\"\nsee_also = [\"other\"]\n[select]\n\"metering.payg\" = [true]\n\"tiers.price_usd\" = [20]\n[[groups]]\ntitle = \"G\"\nai_packaging = [\"add-on\"]\n",
        );
        assert!(diags.is_empty(), "{diags:?}");
        let t = trend.unwrap();
        let select = t.select.unwrap();
        assert_eq!(select.clauses.len(), 2);
        assert!(
            select
                .clauses
                .iter()
                .any(|c| c.field == Field::MeteringPayg && c.accepted == [FieldValue::Bool(true)])
        );
        assert!(
            select.clauses.iter().any(
                |c| c.field == Field::TiersPriceUsd && c.accepted == [FieldValue::Number(20.0)]
            )
        );
        assert_eq!(t.groups[0].title, "G");
        assert_eq!(t.heading, "Companies");
        let at = t.last_group_at.unwrap();
        let (text, underline) = t.excerpts.line(at).unwrap();
        assert_eq!(
            (at.line, text, &text[underline]),
            (8, "[[groups]]", "[[groups]]")
        );
    }

    #[test]
    fn filter_mistakes_are_all_reported() {
        let (trend, diags) = check(
            "title = \"T\"\nsummary = \"S\"\n[select]\nai_packaging = \"add-on\"\n\"metering.payg\" = [\"yes\"]\n[[groups]]\nai_packaging = [\"add-on\"]\n",
        );
        assert!(trend.is_none());
        let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(diags.len(), 3, "{messages:?}");
        assert!(messages[0].contains("must list its accepted values"));
        assert!(messages[1].contains("wrong type"));
        assert!(messages[2].contains("missing required field `title`"));
    }

    #[test]
    fn an_unknown_key_with_a_line_break_stays_on_one_line() {
        let (_, diags) = check("title = \"T\"\nsummary = \"S\"\n[select]\n\"a\\nb\" = [1]\n");
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(
            diags[0].message,
            "`a\\nb` in [select] is not a field of the company format"
        );
        assert!(!diags[0].field.as_deref().unwrap_or("").contains('\n'));
    }
}
