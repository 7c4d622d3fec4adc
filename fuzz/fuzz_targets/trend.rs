#![no_main]

//! A trend file from any bytes: decoded, split, parsed and validated, its
//! diagnostics rendered and, when valid, its prose rendered.

use libfuzzer_sys::fuzz_target;
use trendsite::content::{frontmatter, parse_trend_text};
use trendsite::markdown::render_trend;

#[path = "common.rs"]
mod common;

const REL: &str = "content/trends/t.md";

fn run(text: &str) {
    let (trend, diags) = parse_trend_text(REL, "t", text, &common::trend_slugs());
    common::check_diags(text, &diags);
    if let Some(t) = trend {
        assert!(diags.is_empty(), "a trend with errors: {diags:?}");
        let (_intro, _outro, link_diags) = render_trend(&t, &common::links());
        common::check_diags(text, &link_diags);
    } else {
        assert!(!diags.is_empty(), "rejected without a reason");
    }
}

fuzz_target!(|data: &[u8]| {
    let text = common::decode(data, REL);
    run(&text);
    if frontmatter::split(&text).is_err() {
        run(&common::fenced(&text));
    }
});
