//! Escaping shared by the `markdown` and `render` stages: HTML text and
//! attributes, and Unicode bidi controls, which are shown rather than obeyed
//! wherever content reaches a reader.

/// Escapes what HTML needs escaped in text and quoted attributes, as Tera's
/// own escaper does, and one thing more: Unicode bidi controls are shown as
/// `[U+202E]`. Left in, a control in a company name could reorder the text
/// of the whole line around it.
pub(crate) fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 8);
    escape_with(input, |s| out.push_str(s));
    out
}

/// [`escape_html`] for Tera, which writes every `{{ }}` of every page
/// through it straight into the page.
pub(crate) fn escape_into(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut result = Ok(());
    escape_with(input, |s| {
        if result.is_ok() {
            result = out.write_all(s.as_bytes());
        }
    });
    result
}

/// Hands `input` to `emit` in pieces, escaped: runs of plain text whole, and
/// each special character's replacement.
fn escape_with(input: &str, mut emit: impl FnMut(&str)) {
    // Most values (names, URLs, slugs) need no escaping at all: one table
    // load per byte finds that out.
    let special = |b: u8| SPECIAL[usize::from(b)];
    let mut rest = input;
    while let Some(at) = rest.bytes().position(special) {
        emit(&rest[..at]);
        let ch = rest[at..].chars().next().unwrap_or('\0');
        match ch {
            '&' => emit("&amp;"),
            '<' => emit("&lt;"),
            '>' => emit("&gt;"),
            '"' => emit("&quot;"),
            '\'' => emit("&#39;"),
            c if is_bidi_control(c) => emit(&format!("[U+{:04X}]", c as u32)),
            c => {
                let mut buf = [0; 4];
                emit(c.encode_utf8(&mut buf));
            }
        }
        rest = &rest[at + ch.len_utf8()..];
    }
    emit(rest);
}

/// The bytes `escape_html` must stop at: the five HTML specials, and 0xE2,
/// which starts every bidi control's UTF-8 encoding.
static SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    let specials = [b'&', b'<', b'>', b'"', b'\'', 0xE2];
    while i < specials.len() {
        table[specials[i] as usize] = true;
        i += 1;
    }
    table
};

/// The explicit bidi formatting characters: embeddings, overrides and
/// isolates, with their terminators. Marks (LRM, RLM) stay: they affect only
/// the text next to them.
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_controls_are_shown_not_obeyed() {
        assert_eq!(escape_html("Acme\u{202E}moc"), "Acme[U+202E]moc");
        assert_eq!(escape_html("\u{2067}x\u{2069}"), "[U+2067]x[U+2069]");
        assert_eq!(escape_html("€ — ok"), "€ — ok");
        assert_eq!(escape_html("a—b & c\u{202E}d"), "a—b &amp; c[U+202E]d");
        assert_eq!(escape_html("—"), "—");
    }

    #[test]
    fn escaping_covers_text_and_attributes_but_not_slashes() {
        assert_eq!(escape_html("a/b"), "a/b");
        assert_eq!(
            escape_html("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
