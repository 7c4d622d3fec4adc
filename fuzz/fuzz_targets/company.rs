#![no_main]

//! A company file from any bytes: decoded, split, parsed and validated, its
//! diagnostics rendered and, when valid, its note and body rendered.

use libfuzzer_sys::fuzz_target;
use trendsite::content::{frontmatter, parse_company_text};
use trendsite::markdown::render_company;

#[path = "common.rs"]
mod common;

const REL: &str = "content/companies/x.md";

fn run(text: &str) {
    let (company, diags) = parse_company_text(REL, "x", text);
    common::check_diags(text, &diags);
    if let Some(c) = company {
        assert!(diags.is_empty(), "a company with errors: {diags:?}");
        assert!(!c.sources.is_empty());
        let (_note, _body, link_diags) = render_company(&c, &common::links());
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
