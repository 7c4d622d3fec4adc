//! Diagnostics: every problem trendsite finds in a site, with the file, line,
//! column and field it concerns, so an editor can act on it without guessing.
//!
//! A diagnostic keeps the one line of source it points at rather than the whole
//! file, so diagnostics are cheap to collect from parallel workers and can be
//! rendered long after the file text is gone.

mod print;
mod text;

pub use print::{print, print_by_file};

pub(crate) use text::floor_char_boundary;
pub use text::{line, line_around, line_start, position, shown_part};

use std::fmt;
use std::ops::Range;

use annotate_snippets::{Level, Renderer, Snippet};
use serde::Serialize;

use crate::shell::{HEADER, count};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    /// Information that asks for no change and never fails a run: a fact
    /// the entry marks unconfirmed, which `check` lists.
    Note,
}

impl Severity {
    /// How a report names it: `error`, `warning`, `note`.
    pub fn word(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// The source line a diagnostic points at, and the part of it underlined.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Excerpt {
    text: String,
    underline: Range<usize>,
}

/// The most spaces kept between the end of an underline and the first text
/// of its line; see [`Excerpt::for_display`].
const MAX_GAP: usize = 8;

/// The most of a line shown after the end of its underline.
pub(crate) const MAX_TAIL: usize = 120;

impl Excerpt {
    /// The line as the renderer is given it, with the underline moved along:
    ///
    /// - whitespace other than a space (tab, form feed, a stray `\r`, no-break
    ///   space, ...) becomes a space, and any other control character U+FFFD.
    ///   The renderer counts them zero columns wide but prints them wider,
    ///   which misplaces the caret, and control characters must not reach a
    ///   terminal raw. One character stays one, so the column the renderer
    ///   prints is still [`Diagnostic::column`];
    /// - a byte order mark starting line 1 is dropped: [`position`] does not
    ///   count it either;
    /// - spaces between the end of the underline and the first text of the
    ///   line are cut down to [`MAX_GAP`]: annotate-snippets 0.11 overflows
    ///   when an underline ends far to the left of a long line's indentation
    ///   (fixed upstream in rust-lang/annotate-snippets-rs#334).
    fn for_display(&self, first_line: bool) -> (String, Range<usize>) {
        let mut text = String::with_capacity(self.text.len());
        let (mut start, mut end) = (None, None);
        for (i, c) in self.text.char_indices() {
            if i == self.underline.start {
                start = Some(text.len());
            }
            if i == self.underline.end {
                end = Some(text.len());
            }
            if i == 0 && first_line && c == '\u{feff}' {
                continue;
            }
            text.push(if c.is_whitespace() {
                ' '
            } else if c.is_control() {
                '\u{fffd}'
            } else {
                c
            });
        }
        let start = start.unwrap_or(text.len());
        let end = end.unwrap_or(text.len()).max(start);
        let indent = text.len() - text.trim_start_matches(' ').len();
        // Within the indentation bytes are columns; the renderer underlines
        // at least one column.
        let end_column = end.max(start + 1);
        if indent < text.len() && indent > end_column + MAX_GAP {
            text.replace_range(end_column + MAX_GAP..indent, "");
        }
        // A line of megabytes (a file with no line breaks) is cut a little
        // after the underline; the start stays, so the column printed is
        // still the real one.
        let keep = end_column + MAX_TAIL;
        if text.len() > keep + 1 {
            let mut cut = keep;
            while !text.is_char_boundary(cut) {
                cut += 1;
            }
            text.truncate(cut);
            text.push('…');
        }
        (text, start..end)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Path relative to the site root, with `/` separators.
    pub file: String,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based, in characters; 0 when the problem concerns the whole file.
    pub column: usize,
    /// The front-matter field concerned, as a dotted path (`metering.mechanic`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message: String,
    /// What was expected at that place, shown under the underlined text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip)]
    excerpt: Option<Excerpt>,
}

impl Diagnostic {
    fn new(severity: Severity, file: &str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            file: file.to_string(),
            line: 0,
            column: 0,
            field: None,
            message: message.into(),
            expected: None,
            help: None,
            excerpt: None,
        }
    }

    /// An error about a whole file (unreadable, badly named, ...).
    pub fn file_error(file: &str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, file, message)
    }

    /// An error at `span`, a byte range of `source`, the full text of `file`.
    pub fn error(file: &str, source: &str, span: Range<usize>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, file, message).at(source, span)
    }

    pub fn warning(
        file: &str,
        source: &str,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        Self::new(Severity::Warning, file, message).at(source, span)
    }

    pub fn file_warning(file: &str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, file, message)
    }

    /// A note about a file; [`Diagnostic::at_line`] points it at a value.
    pub fn file_note(file: &str, message: impl Into<String>) -> Self {
        Self::new(Severity::Note, file, message)
    }

    /// Points the diagnostic at `span` of `source`, computing line and column.
    pub fn at(self, source: &str, span: Range<usize>) -> Self {
        let start = floor_char_boundary(source, span.start.min(source.len()));
        let bounds = line_around(source, start);
        // A span starting in the `\r`s that end a line points at its end.
        let start = start.min(bounds.end);
        let end = floor_char_boundary(source, span.end.clamp(start, bounds.end));
        self.at_line(
            line(source, start),
            &source[bounds.clone()],
            start - bounds.start..end - bounds.start,
        )
    }

    /// Points the diagnostic at bytes `underline` of `text`, which is line
    /// `line` of the file without its line ending: for a problem found after
    /// parsing, when only that line was kept.
    pub fn at_line(mut self, line: usize, text: &str, underline: Range<usize>) -> Self {
        let start = floor_char_boundary(text, underline.start.min(text.len()));
        let end = floor_char_boundary(text, underline.end.clamp(start, text.len()));
        let mut column = text[..start].chars().count() + 1;
        // A BOM is invisible in an editor, so it must not shift the column.
        if line == 1 && text.starts_with('\u{feff}') && column > 1 {
            column -= 1;
        }
        (self.line, self.column) = (line, column);
        self.excerpt = Some(Excerpt {
            text: shown_part(text, end).to_string(),
            underline: start..end,
        });
        self
    }

    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:col`, or just `file` when the problem has no position.
    pub fn location(&self) -> String {
        if self.line == 0 {
            self.file.clone()
        } else {
            format!("{}:{}:{}", self.file, self.line, self.column)
        }
    }

    /// The multi-line report with the source excerpt, as a terminal shows it.
    pub fn render(&self, color: bool) -> String {
        let level = match self.severity {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
            Severity::Note => Level::Note,
        };
        let title = match &self.field {
            Some(field) => format!("{} (field `{field}`)", self.message),
            None => self.message.clone(),
        };
        let origin = self.location();
        let mut message = level.title(&title);
        let (text, underline);
        let snippet;
        match &self.excerpt {
            Some(excerpt) => {
                (text, underline) = excerpt.for_display(self.line == 1);
                let mut annotation = level.span(underline);
                if let Some(expected) = &self.expected {
                    annotation = annotation.label(expected);
                }
                // The renderer appends `:line:col` to the origin itself.
                snippet = Snippet::source(&text)
                    .line_start(self.line)
                    .origin(&self.file)
                    .annotation(annotation);
                message = message.snippet(snippet);
            }
            None => {
                // No excerpt to draw: a location line and notes read better
                // than an empty snippet frame.
                let kind = self.severity.word();
                let mut out = format!("{kind}: {title}\n  --> {origin}");
                if let Some(expected) = &self.expected {
                    out.push_str(&format!("\n   = expected: {expected}"));
                }
                if let Some(help) = &self.help {
                    out.push_str(&format!("\n   = help: {help}"));
                }
                return out;
            }
        }
        if let Some(help) = &self.help {
            message = message.footer(Level::Help.title(help));
        }
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        renderer.render(message).to_string()
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.severity.word();
        write!(f, "{}: {kind}: {}", self.location(), self.message)?;
        if let Some(field) = &self.field {
            write!(f, " (field `{field}`)")?;
        }
        if let Some(expected) = &self.expected {
            write!(f, "; {expected}")?;
        }
        Ok(())
    }
}

/// Diagnostics from a whole run, in a stable order: by file, then position.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.count_of(Severity::Warning)
    }

    /// The notes: facts marked unconfirmed.
    pub fn note_count(&self) -> usize {
        self.count_of(Severity::Note)
    }

    fn count_of(&self, severity: Severity) -> usize {
        self.0.iter().filter(|d| d.severity == severity).count()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            (&a.file, a.line, a.column, a.severity, &a.message)
                .cmp(&(&b.file, b.line, b.column, b.severity, &b.message))
        });
        self.0.dedup();
    }

    /// Every diagnostic rendered with its excerpt, grouped by file: a header
    /// line per file with its counts, then its diagnostics in line order.
    pub fn render_by_file(&self, color: bool) -> String {
        let mut sorted: Vec<&Diagnostic> = self.0.iter().collect();
        sorted.sort_by(|a, b| {
            (&a.file, a.line, a.column, a.severity, &a.message)
                .cmp(&(&b.file, b.line, b.column, b.severity, &b.message))
        });
        let mut out = String::new();
        for group in sorted.chunk_by(|a, b| a.file == b.file) {
            let of = |s: Severity| group.iter().filter(|d| d.severity == s).count();
            let mut counts = Vec::new();
            for (n, noun) in [
                (of(Severity::Error), "error"),
                (of(Severity::Warning), "warning"),
                (of(Severity::Note), "unconfirmed fact"),
            ] {
                if n > 0 {
                    counts.push(count(n, noun));
                }
            }
            let header = format!("=== {} ({})", group[0].file, counts.join(", "));
            if color {
                out.push_str(&format!("{HEADER}{header}{HEADER:#}\n"));
            } else {
                out.push_str(&header);
                out.push('\n');
            }
            for d in group {
                out.push_str(&d.render(color));
                out.push_str("\n\n");
            }
        }
        out
    }

    /// How many distinct files the diagnostics concern.
    pub fn file_count(&self) -> usize {
        let mut files: Vec<&str> = self.0.iter().map(|d| d.file.as_str()).collect();
        files.sort_unstable();
        files.dedup();
        files.len()
    }

    pub fn counts(&self) -> Counts {
        Counts {
            errors: self.error_count(),
            warnings: self.warning_count(),
            unconfirmed: self.note_count(),
            files: self.file_count(),
        }
    }

    /// `{"diagnostics": [...], "summary": {"errors", "warnings", "files"}}`,
    /// for editors' tooling.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        #[derive(Serialize)]
        struct Report<'a> {
            diagnostics: &'a [Diagnostic],
            summary: Counts,
        }
        serde_json::to_string_pretty(&Report {
            diagnostics: &self.0,
            summary: self.counts(),
        })
    }

    /// "N errors, M warnings in K files", with ", U unconfirmed facts"
    /// after the warnings when there are any.
    pub fn summary(&self) -> String {
        let notes = match self.note_count() {
            0 => String::new(),
            n => format!(", {}", count(n, "unconfirmed fact")),
        };
        format!(
            "{}, {}{notes} in {}",
            count(self.error_count(), "error"),
            count(self.warning_count(), "warning"),
            count(self.file_count(), "file")
        )
    }
}

/// The counts a run ends with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    /// Notes: facts marked unconfirmed.
    pub unconfirmed: usize,
    pub files: usize,
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_line_is_cut_after_the_underline() {
        let src = format!("+++{}", "x".repeat(5_000_000));
        let d = Diagnostic::error("f.md", &src, 0..3, "bad");
        let text = d.render(false);
        assert!(text.len() < 1_000, "{} bytes", text.len());
        assert!(text.contains("f.md:1:1"));
        assert!(text.contains('…'));
    }

    #[test]
    fn a_line_cut_to_its_shown_part_is_drawn_as_the_whole_line() {
        let long = "x".repeat(2_000);
        let wide = "\u{3000}é\x01".repeat(300);
        let lines = [
            format!("key = \"v\" {long}"),
            format!("key = \"v\" {wide}"),
            format!("key = \"v\"{}{long}", " ".repeat(3_000)),
            format!("{}key{long}", " ".repeat(40)),
            "key = \"v\"".to_string(),
        ];
        let mut cut_lines = 0;
        for line in &lines {
            for underline in [6..9, 0..0, 0..1, 20..25, 21..26] {
                let end = underline.end;
                // Diagnostics only ever underline whole characters.
                if !line.is_char_boundary(underline.start) || !line.is_char_boundary(end) {
                    continue;
                }
                let whole = Excerpt {
                    text: line.clone(),
                    underline: underline.clone(),
                };
                let cut = Excerpt {
                    text: shown_part(line, end).to_string(),
                    underline,
                };
                assert!(cut.text.len() < 4_000, "{}", cut.text.len());
                assert_eq!(whole.for_display(false), cut.for_display(false));
                cut_lines += usize::from(cut.text.len() < line.len());
            }
        }
        assert!(cut_lines >= 10, "{cut_lines}");
    }

    #[test]
    fn a_kept_line_gives_the_position_the_whole_file_gives() {
        let src = "+++\nname = \"é\" x\n";
        let at = src.find('x').unwrap();
        let from_file = Diagnostic::error("f.md", src, at..at + 1, "bad");
        let text = "name = \"é\" x";
        let from_line = Diagnostic::file_error("f.md", "bad").at_line(2, text, 12..13);
        assert_eq!(from_line, from_file);
        assert_eq!((from_line.line, from_line.column), (2, 12));
        let bom = Diagnostic::file_error("f.md", "bad").at_line(1, "\u{feff}+++x", 6..7);
        assert_eq!(bom.column, 4);
    }

    #[test]
    fn position_is_line_and_character_column() {
        let src = "a = 1\nname = \"é\" x\n";
        let at = src.find('x').unwrap();
        let d = Diagnostic::error("f.md", src, at..at + 1, "bad");
        assert_eq!((d.line, d.column), (2, 12));
        assert_eq!(d.location(), "f.md:2:12");
    }

    #[test]
    fn bom_does_not_shift_the_column() {
        let src = "\u{feff}+++x";
        let at = src.find('x').unwrap();
        let d = Diagnostic::error("f.md", src, at..at + 1, "bad");
        assert_eq!((d.line, d.column), (1, 4));
    }

    #[test]
    fn rendered_report_names_file_line_and_expectation() {
        let src = "+++\nai_packaging = \"bundle\"\n+++\n";
        let at = src.find("\"bundle\"").unwrap();
        let d = Diagnostic::error("content/companies/x.md", src, at..at + 8, "unknown value")
            .field("ai_packaging")
            .expected("one of: bundled, tiered");
        let text = d.render(false);
        assert!(text.contains("content/companies/x.md:2:16"), "{text}");
        assert!(text.contains("one of: bundled, tiered"), "{text}");
        assert!(text.contains("ai_packaging = \"bundle\""), "{text}");
    }

    #[test]
    fn span_past_the_end_is_clamped() {
        let d = Diagnostic::error("f.md", "abc", 10..20, "bad");
        assert_eq!((d.line, d.column), (1, 4));
    }

    /// The text drawn above the carets of a rendered report: what a reader
    /// sees underlined.
    fn underlined(rendered: &str) -> String {
        let lines: Vec<&str> = rendered.lines().collect();
        let at = lines.iter().position(|l| l.contains('^')).expect("a caret");
        let carets: Vec<char> = lines[at].chars().collect();
        lines[at - 1]
            .chars()
            .zip(carets.iter().chain(std::iter::repeat(&' ')))
            .filter(|(_, c)| **c == '^')
            .map(|(t, _)| t)
            .collect()
    }

    #[test]
    fn span_starting_in_the_crs_ending_a_line_points_at_its_end() {
        let src = "name = \"x\r\r\n+++\r\n";
        let d = Diagnostic::error("f.md", src, 10..11, "unterminated string");
        assert_eq!((d.line, d.column), (1, 10));
        assert!(d.render(false).contains("f.md:1:10"), "{}", d.render(false));
    }

    #[test]
    fn underline_far_left_of_a_long_indented_line_renders() {
        let src = format!("{}{}", " ".repeat(30), "x".repeat(150));
        for span in [0..0, 0..1, 16..16] {
            let d = Diagnostic::error("f.md", &src, span.clone(), "bad");
            let text = d.render(false);
            assert!(text.contains("xxxx"), "{text}");
            assert!(
                text.contains(&format!("f.md:1:{}", span.start + 1)),
                "{text}"
            );
        }
        // Form feeds count as whitespace but are zero columns wide.
        let src = format!("  \r  {}x{}", "\x0c".repeat(100), "\x0c".repeat(40));
        let d = Diagnostic::error("f.md", &src, 0..src.len(), "bad");
        assert!(d.render(false).contains("f.md:1:1"));
    }

    #[test]
    fn tabs_and_control_characters_keep_the_caret_under_the_span() {
        let src = "\tname =\x0c\x1b[2J \"v\"\n";
        let at = src.find('"').unwrap();
        let d = Diagnostic::error("f.md", src, at..at + 3, "bad");
        let text = d.render(false);
        assert!(text.contains("f.md:1:14"), "{text}");
        assert!(!text.contains(['\t', '\x0c', '\x1b']), "{text:?}");
        assert_eq!(underlined(&text), "\"v\"", "{text}");
    }

    #[test]
    fn grouped_report_has_a_header_per_file_and_json_counts() {
        let mut diags = Diagnostics::new();
        diags.push(Diagnostic::warning("b.md", "x\ny\n", 2..3, "second"));
        diags.push(Diagnostic::file_warning("b.md", "whole"));
        diags.push(Diagnostic::error("a.md", "x\n", 0..1, "first"));
        let text = diags.render_by_file(false);
        let a = text.find("=== a.md (1 error)\n").expect(&text);
        let b = text.find("=== b.md (2 warnings)\n").expect(&text);
        assert!(a < b, "{text}");
        let (whole, second) = (text.find("whole").unwrap(), text.find("second").unwrap());
        assert!(b < whole && whole < second, "{text}");
        assert_eq!(diags.summary(), "1 error, 2 warnings in 2 files");
        let json: serde_json::Value = serde_json::from_str(&diags.to_json().unwrap()).unwrap();
        assert_eq!(json["summary"]["errors"], 1);
        assert_eq!(json["summary"]["files"], 2);
        assert_eq!(json["diagnostics"][2]["severity"], "error");
    }

    #[test]
    fn bom_is_not_drawn_or_counted_in_the_report() {
        let src = "\u{feff}+++x";
        let at = src.find('x').unwrap();
        let d = Diagnostic::error("f.md", src, at..at + 1, "bad");
        let text = d.render(false);
        assert!(text.contains("f.md:1:4"), "{text}");
        assert!(!text.contains('\u{feff}'), "{text:?}");
        assert_eq!(underlined(&text), "x", "{text}");
    }
}
