//! Where values stand in their files, kept for the warnings found after
//! parsing.

use std::ops::Range;

/// Where a value stands in its file, kept from parsing so that a warning
/// found later (a stale date, a duplicate website) points at the value and
/// draws its line without the file being read again. `start..end` are the
/// value's bytes in its entry's [`Excerpts`].
///
/// Three `u32`s: a dataset of 50,000 companies keeps five or so each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// 1-based line in the file; 0 points at no line (the default, for
    /// values built by hand rather than parsed).
    pub line: u32,
    pub start: u32,
    pub end: u32,
}

/// The lines of a file that its entry's [`Span`]s stand on, each once and
/// ending in `\n`, and nothing else of the file: the few lines a warning
/// may draw under its message, not a copy of the file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Excerpts(Box<str>);

impl Excerpts {
    pub fn new(lines: String) -> Self {
        Excerpts(lines.into_boxed_str())
    }

    #[cfg(test)]
    pub(crate) fn text(&self) -> &str {
        &self.0
    }

    /// The text of the line `span` stands on, without its line ending, and
    /// the value's bytes within it; `None` for a span that points at no line.
    pub fn line(&self, span: Span) -> Option<(&str, Range<usize>)> {
        let (start, end) = (span.start as usize, span.end as usize);
        if span.line == 0 || start > end {
            return None;
        }
        let text = &*self.0;
        let from = text.get(..start)?.rfind('\n').map_or(0, |i| i + 1);
        let to = text
            .get(start..)?
            .find('\n')
            .map_or(text.len(), |i| start + i);
        let end = end.min(to);
        Some((text.get(from..to)?, start - from..end - from))
    }
}
