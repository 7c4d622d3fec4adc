#![no_main]

//! Markdown bodies and inline notes from any text: rendered with `@/` links
//! resolved, broken ones reported and their diagnostics rendered.

use libfuzzer_sys::fuzz_target;
use trendsite::markdown::{render_body, render_inline};
use trendsite::model::Body;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the line the body starts at in its file.
    let Some((&line, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let links = common::links();
    let mut diags = Vec::new();
    let body = Body {
        markdown: text.to_string(),
        line: line as usize,
    };
    let _ = render_body(&body, "content/companies/x.md", &links, &mut diags);
    let _ = render_inline(
        text,
        line as usize,
        "content/companies/x.md",
        &links,
        &mut diags,
    );
    for d in &diags {
        assert!(d.line >= 1 && d.column >= 1, "{d:?}");
        let _ = d.render(false);
    }
});
