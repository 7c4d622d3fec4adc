//! Shared by the fuzz targets: the links every body may point at, and the
//! checks every diagnostic must pass.

#![allow(dead_code)]

use std::collections::HashSet;

use trendsite::config::BaseUrl;
use trendsite::diag::Diagnostic;
use trendsite::markdown::Links;

/// The slugs that `@/` links and `see_also` may name in fuzzed input; the
/// same as the seeds' own, so valid links are reachable.
pub const COMPANIES: &[&str] = &["acme", "beta", "gamma", "cursor", "x"];
pub const TRENDS: &[&str] = &["credits", "plain", "ai-credits", "ai-bundling", "t"];

pub fn links() -> Links {
    Links {
        base: BaseUrl::parse("/sub/").expect("a valid base"),
        companies: COMPANIES.iter().map(|s| s.to_string()).collect(),
        trends: TRENDS.iter().map(|s| s.to_string()).collect(),
    }
}

pub fn trend_slugs() -> HashSet<String> {
    TRENDS.iter().map(|s| s.to_string()).collect()
}

/// Renders every diagnostic both ways and checks that its position lies in
/// `text` (when it has one).
pub fn check_diags(text: &str, diags: &[Diagnostic]) {
    let lines = text.split('\n').count();
    for d in diags {
        let rendered = d.render(false);
        assert!(!rendered.is_empty());
        assert!(rendered.contains(&d.message), "{rendered}");
        let _ = d.render(true);
        let _ = d.to_string();
        if d.line > 0 {
            assert!(d.column > 0, "{d:?}");
            assert!(d.line <= lines, "line {} of {lines}: {d:?}", d.line);
        }
    }
}

/// A content file from fuzz bytes: lossy, so non-UTF-8 inputs still reach
/// the parser after the decoder has had its go at them.
pub fn decode(data: &[u8], rel: &str) -> String {
    match trendsite::content::decode_text(data.to_vec(), rel) {
        Ok(text) => text,
        Err(d) => {
            assert!(d.is_error() && d.line >= 1 && d.column >= 1, "{d:?}");
            let _ = d.render(false);
            String::from_utf8_lossy(data).into_owned()
        }
    }
}

/// The front matter alone, fenced, so mutations that drop the fences still
/// exercise the TOML checks.
pub fn fenced(text: &str) -> String {
    format!("+++\n{text}\n+++\n")
}
