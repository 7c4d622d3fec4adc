#![no_main]

//! `frontmatter::split` on any text: never panics, and its offsets and spans
//! always point into the text it was given.

use libfuzzer_sys::fuzz_target;
use trendsite::content::frontmatter::split;
use trendsite::diag::Diagnostic;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match split(text) {
        Ok(s) => {
            let fm_end = s.front_matter_offset + s.front_matter.len();
            assert_eq!(&text[s.front_matter_offset..fm_end], s.front_matter);
            assert_eq!(&text[s.body_offset..], s.body);
            assert!(s.body_offset >= fm_end);
            assert!(text[..s.front_matter_offset].trim_end().ends_with("+++"));
        }
        Err(e) => {
            assert!(e.span.start <= e.span.end && e.span.end <= text.len());
            assert!(text.is_char_boundary(e.span.start) && text.is_char_boundary(e.span.end));
            let d =
                Diagnostic::error("content/companies/x.md", text, e.span, e.message).help(e.help);
            assert!(d.line >= 1 && d.column >= 1);
            let _ = d.render(false);
        }
    }
});
