//! Positions in source text: lines, columns and the part of a long line a
//! report can show.

use std::ops::Range;

use super::MAX_TAIL;

/// 1-based line of byte `offset` in `source`: the cheap half of
/// [`position`], for the spans every company keeps for warnings.
pub fn line(source: &str, offset: usize) -> usize {
    let end = offset.min(source.len());
    source.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The bytes of the line of `source` holding byte `offset`, without its
/// line ending (`\n` and any `\r` before it).
pub fn line_around(source: &str, offset: usize) -> Range<usize> {
    let offset = floor_char_boundary(source, offset.min(source.len()));
    let start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = source[offset..]
        .find('\n')
        .map_or(source.len(), |i| offset + i);
    start..start + source[start..end].trim_end_matches('\r').len()
}

/// The start of `text` that drawing it with an underline ending at byte
/// `end` can show: a line of megabytes keeps a few hundred bytes. The
/// spaces after the underline may be cut from the drawing, so they are kept
/// and not counted; then the `MAX_TAIL` bytes drawn after them are at most
/// as many characters of `text`, four bytes each at most, and a few more
/// keep the `…` that marks the cut.
pub fn shown_part(text: &str, end: usize) -> &str {
    let end = floor_char_boundary(text, end.min(text.len()));
    let rest = &text[end..];
    let gap = rest.len() - rest.trim_start().len();
    let mut cut = end + gap + 4 * MAX_TAIL + 16;
    if cut >= text.len() {
        return text;
    }
    while !text.is_char_boundary(cut) {
        cut += 1;
    }
    &text[..cut]
}

/// Byte offset where 1-based `line` of `source` starts; `None` for line 0
/// or a line past the end.
pub fn line_start(source: &str, line: usize) -> Option<usize> {
    match line {
        0 => None,
        1 => Some(0),
        n => Some(source.match_indices('\n').nth(n - 2)?.0 + 1),
    }
}

/// 1-based line and character column of byte `offset` in `source`.
pub fn position(source: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(source, offset.min(source.len()));
    let line_start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = line(source, line_start);
    let mut column = source[line_start..offset].chars().count() + 1;
    // A BOM is invisible in an editor, so it must not shift the column.
    if line == 1 && source.starts_with('\u{feff}') && column > 1 {
        column -= 1;
    }
    (line, column)
}

pub(crate) fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
