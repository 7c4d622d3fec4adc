//! Splits a content file into its TOML front matter and Markdown body.
//!
//! Offsets are kept relative to the whole file so that a TOML error inside the
//! front matter, or a broken link in the body, is reported at the line an
//! editor sees.

/// A file split at its `+++` fences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    pub front_matter: &'a str,
    /// Byte offset of `front_matter` in the file.
    pub front_matter_offset: usize,
    pub body: &'a str,
    pub body_offset: usize,
}

/// Why a file could not be split, with the byte range to point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitError {
    pub message: &'static str,
    pub span: std::ops::Range<usize>,
    pub help: &'static str,
}

const FENCE: &str = "+++";

/// Accepts a UTF-8 byte order mark and CRLF line endings, since both are what
/// some editors write without being asked.
pub fn split(text: &str) -> Result<Split<'_>, SplitError> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut lines = LineIter { text, pos: start };
    let Some((first, first_end)) = lines.next() else {
        return Err(SplitError {
            message: "the file is empty",
            span: start..start,
            help: "a content file starts with a `+++` line, then TOML fields, then a closing `+++` line",
        });
    };
    if first.trim_end() != FENCE {
        if first.starts_with("+++\r") {
            return Err(SplitError {
                message: "the lines end in a lone carriage return (CR), which is not a line ending here",
                span: start..start + FENCE.len(),
                help: "save the file with LF (or CRLF) line endings",
            });
        }
        return Err(SplitError {
            message: "missing front matter: the file must start with a `+++` line",
            span: start..start + first.trim_end().len(),
            help: "a content file starts with a `+++` line, then TOML fields, then a closing `+++` line",
        });
    }
    let front_matter_offset = first_end;
    let mut line_start = first_end;
    for (line, end) in lines {
        if line.trim_end() == FENCE {
            return Ok(Split {
                front_matter: &text[front_matter_offset..line_start],
                front_matter_offset,
                body: &text[end..],
                body_offset: end,
            });
        }
        line_start = end;
    }
    Err(SplitError {
        message: "front matter is not closed: no `+++` line after the opening one",
        span: start..start + FENCE.len(),
        help: "add a line holding only `+++` after the last TOML field",
    })
}

/// Lines with their terminators, yielding each line's text (without `\n`)
/// and the offset just past it.
struct LineIter<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Iterator for LineIter<'a> {
    type Item = (&'a str, usize);
    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.text.len() {
            return None;
        }
        let rest = &self.text[self.pos..];
        let (line, len) = match rest.find('\n') {
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        self.pos += len;
        Some((line, self.pos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_and_body() {
        let s = split("+++\nname = \"x\"\n+++\nBody\n").unwrap();
        assert_eq!(s.front_matter, "name = \"x\"\n");
        assert_eq!(s.front_matter_offset, 4);
        assert_eq!(s.body, "Body\n");
        assert_eq!(s.body_offset, 19);
    }

    #[test]
    fn accepts_crlf_and_bom() {
        let text = "\u{feff}+++\r\nname = \"x\"\r\n+++\r\nBody\r\n";
        let s = split(text).unwrap();
        assert_eq!(s.front_matter, "name = \"x\"\r\n");
        assert_eq!(s.body, "Body\r\n");
        assert_eq!(&text[s.front_matter_offset..][..4], "name");
    }

    #[test]
    fn empty_body_and_fence_at_end_of_file() {
        let s = split("+++\na = 1\n+++").unwrap();
        assert_eq!(s.front_matter, "a = 1\n");
        assert_eq!(s.body, "");
    }

    #[test]
    fn a_fence_inside_a_string_line_is_not_a_fence() {
        let s = split("+++\nnote = \"+++\"\n+++\n").unwrap();
        assert_eq!(s.front_matter, "note = \"+++\"\n");
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        let e = split("+++\nname = \"x\"\nBody\n").unwrap_err();
        assert!(e.message.contains("not closed"));
        assert_eq!(e.span, 0..3);
    }

    #[test]
    fn lone_cr_line_endings_are_named() {
        let e = split("+++\rname = \"x\"\r+++\rBody\r").unwrap_err();
        assert!(e.message.contains("carriage return"), "{}", e.message);
        assert_eq!(e.span, 0..3);
    }

    #[test]
    fn missing_and_empty() {
        assert!(
            split("name = 1\n")
                .unwrap_err()
                .message
                .contains("missing front matter")
        );
        assert!(split("").unwrap_err().message.contains("empty"));
        assert!(split("\u{feff}").unwrap_err().message.contains("empty"));
    }

    #[test]
    fn trailing_spaces_after_the_fence_are_tolerated() {
        assert!(split("+++  \na = 1\n+++\t\n").is_ok());
    }
}
