//! Typed reads of front-matter values that collect every problem instead of
//! stopping at the first, each pointing at the key or value concerned.

use std::ops::Range;

use toml::{Spanned, Value};

use crate::diag::{self, Diagnostic};
use crate::model::{Date, Excerpts, FieldKind, FieldValue, Span, is_slug};

/// One file's validation state: where its front matter sits in the file, the
/// problems found so far, and the lines kept for later warnings.
pub(super) struct Checker<'a> {
    pub file: &'a str,
    pub source: &'a str,
    /// Where the TOML text starts in `source`.
    pub offset: usize,
    pub diags: Vec<Diagnostic>,
    /// The lines [`Checker::locate`] kept, each ending in `\n`, and for each
    /// its file line, where it starts in `kept` and its length.
    kept: String,
    kept_at: Vec<(usize, usize, usize)>,
}

impl<'a> Checker<'a> {
    pub(super) fn new(file: &'a str, source: &'a str, offset: usize) -> Self {
        Checker {
            file,
            source,
            offset,
            diags: Vec::new(),
            kept: String::new(),
            kept_at: Vec::new(),
        }
    }

    /// Keeps the line `v` stands on, for a warning found after parsing,
    /// and returns where `v` stands in it. Lines are kept once each and cut
    /// as a report would cut them, so an entry holds a few short lines.
    pub(super) fn locate<T>(&mut self, v: &Spanned<T>) -> Span {
        let span = self.span(v);
        let bounds = diag::line_around(self.source, span.start);
        let start = span.start.clamp(bounds.start, bounds.end) - bounds.start;
        let end = span.end.clamp(bounds.start, bounds.end) - bounds.start;
        let text = diag::shown_part(&self.source[bounds.clone()], end);
        let line = diag::line(self.source, bounds.start);
        // A line already kept is kept again only when it was cut before
        // this value (a line of megabytes holding two of them).
        let at = match self
            .kept_at
            .iter()
            .find(|&&(l, _, len)| l == line && end <= len)
        {
            Some(&(_, at, _)) => at,
            None => {
                let at = self.kept.len();
                self.kept.push_str(text);
                self.kept.push('\n');
                self.kept_at.push((line, at, text.len()));
                at
            }
        };
        // Past 4 GiB a span points nowhere rather than at a wrong place.
        let u32 = |n: usize| u32::try_from(n).ok();
        match (u32(line), u32(at + start), u32(at + end)) {
            (Some(line), Some(start), Some(end)) => Span { line, start, end },
            _ => Span::default(),
        }
    }

    /// The lines kept by [`Checker::locate`], for the entry being built.
    pub(super) fn take_excerpts(&mut self) -> Excerpts {
        self.kept_at.clear();
        Excerpts::new(std::mem::take(&mut self.kept))
    }

    pub(super) fn span<T>(&self, v: &Spanned<T>) -> Range<usize> {
        let s = v.span();
        self.offset + s.start..self.offset + s.end
    }

    pub(super) fn error(
        &mut self,
        span: Range<usize>,
        field: &str,
        message: String,
        expected: String,
    ) {
        self.diags.push(
            Diagnostic::error(self.file, self.source, span, message)
                .field(field)
                .expected(expected),
        );
    }

    pub(super) fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Reports a required field that is absent from the table at `table`.
    pub(super) fn missing(&mut self, table: Range<usize>, field: &str, kind: FieldKind) {
        let name = field.rsplit('.').next().unwrap_or(field);
        self.error(
            table,
            field,
            format!("missing required field `{name}`"),
            format!("add `{name} = …` with {}", kind.describe()),
        );
    }

    /// A required field: reports it missing, or checks it against `kind`.
    pub(super) fn required(
        &mut self,
        value: &Option<Spanned<Value>>,
        table: Range<usize>,
        field: &str,
        kind: FieldKind,
    ) -> Option<FieldValue> {
        match value {
            Some(v) => self.value(v, field, kind),
            None => {
                self.missing(table, field, kind);
                None
            }
        }
    }

    pub(super) fn optional(
        &mut self,
        value: &Option<Spanned<Value>>,
        field: &str,
        kind: FieldKind,
    ) -> Option<FieldValue> {
        value.as_ref().and_then(|v| self.value(v, field, kind))
    }

    /// Checks one value against the kind its field holds.
    pub(super) fn value(
        &mut self,
        v: &Spanned<Value>,
        field: &str,
        kind: FieldKind,
    ) -> Option<FieldValue> {
        let span = self.span(v);
        let wrong_type = |this: &mut Self| {
            this.error(
                span.clone(),
                field,
                format!(
                    "`{field}` has the wrong type: found {}",
                    describe(v.get_ref())
                ),
                format!("expected {}", kind.describe()),
            );
            None
        };
        match (kind, v.get_ref()) {
            (FieldKind::Text, Value::String(s)) => {
                if s.trim().is_empty() {
                    self.error(
                        span,
                        field,
                        format!("`{field}` is empty"),
                        "expected some text; leave the field out instead".into(),
                    );
                    return None;
                }
                Some(FieldValue::Text(s.clone()))
            }
            (FieldKind::Url, Value::String(s)) => {
                if is_http_url(s) {
                    Some(FieldValue::Text(s.clone()))
                } else {
                    self.error(
                        span,
                        field,
                        format!("`{field}` is not an http(s) URL: {s:?}"),
                        "expected an absolute URL starting with https:// or http://".into(),
                    );
                    None
                }
            }
            (FieldKind::Slug, Value::String(s)) => {
                if is_slug(s) {
                    Some(FieldValue::Text(s.clone()))
                } else {
                    self.error(
                        span,
                        field,
                        format!("`{field}` is not a slug: {s:?}"),
                        "expected lower-case ASCII letters, digits and `-`, such as \"developer-tools\"".into(),
                    );
                    None
                }
            }
            (FieldKind::Enum(names), Value::String(s)) => {
                if names.contains(&s.as_str()) {
                    Some(FieldValue::Text(s.clone()))
                } else {
                    self.error(
                        span,
                        field,
                        format!("{s:?} is not a valid value of `{field}`"),
                        format!("expected one of: {}", names.join(", ")),
                    );
                    None
                }
            }
            (FieldKind::Bool, Value::Boolean(b)) => Some(FieldValue::Bool(*b)),
            (FieldKind::Number, Value::Integer(i)) => self.number(span, field, *i as f64),
            (FieldKind::Number, Value::Float(f)) => self.number(span, field, *f),
            (FieldKind::Date, Value::Datetime(dt)) => {
                let date = dt
                    .date
                    .filter(|_| dt.time.is_none() && dt.offset.is_none())
                    .and_then(|d| Date::new(d.year, d.month, d.day));
                match date {
                    Some(d) => Some(FieldValue::Date(d)),
                    None => {
                        self.error(
                            span,
                            field,
                            format!("`{field}` must be a date without a time: found {dt}"),
                            format!("expected {}", kind.describe()),
                        );
                        None
                    }
                }
            }
            (FieldKind::Date, Value::String(s)) if looks_like_date(s) => {
                self.error(
                    span,
                    field,
                    format!("`{field}` is a string, not a date"),
                    format!(
                        "write it without quotes: {field} = {s}",
                        field = leaf(field)
                    ),
                );
                None
            }
            _ => wrong_type(self),
        }
    }

    fn number(&mut self, span: Range<usize>, field: &str, n: f64) -> Option<FieldValue> {
        if n.is_finite() && n >= 0.0 {
            Some(FieldValue::Number(n))
        } else {
            self.error(
                span,
                field,
                format!("`{field}` must be a price of zero or more"),
                "expected a number such as 20 or 9.99".into(),
            );
            None
        }
    }
}

fn leaf(field: &str) -> &str {
    field.rsplit('.').next().unwrap_or(field)
}

fn looks_like_date(s: &str) -> bool {
    s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
}

pub(super) fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("the string {s:?}"),
        Value::Integer(i) => format!("the integer {i}"),
        Value::Float(f) => format!("the number {f}"),
        Value::Boolean(b) => format!("the boolean {b}"),
        Value::Datetime(d) => format!("the date {d}"),
        Value::Array(_) => "a list".into(),
        Value::Table(_) => "a table".into(),
    }
}

/// Only absolute http(s) URLs with a host: anything else (`javascript:`,
/// relative paths) would be unsafe or broken as a link on the site.
pub fn is_http_url(s: &str) -> bool {
    match url::Url::parse(s) {
        Ok(u) => {
            matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(is_http_url("https://cursor.com/pricing"));
        assert!(is_http_url("http://x.org"));
        assert!(!is_http_url("javascript:alert(1)"));
        assert!(!is_http_url("/pricing"));
        assert!(!is_http_url("ftp://x.org"));
    }
}
