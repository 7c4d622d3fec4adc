//! `site.toml`: the site's title, public URL, output folder and the age at
//! which a company's `verified` date is reported as stale.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Diagnostic, Diagnostics};

pub const FILE: &str = "site.toml";

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub title: String,
    pub description: Option<String>,
    /// The public URL the site is served under.
    pub base_url: BaseUrl,
    /// Output folder, relative to the site root.
    pub output_dir: String,
    pub language: String,
    /// Days after which a company's `verified` date is reported as stale by
    /// the data-quality checks; always at least 1.
    pub stale_after_days: u32,
}

/// `stale_after_days` when site.toml leaves it out.
pub const DEFAULT_STALE_AFTER_DAYS: u32 = 180;

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "AI pricing trends".into(),
            description: None,
            base_url: BaseUrl::default(),
            output_dir: "public".into(),
            language: "en".into(),
            stale_after_days: DEFAULT_STALE_AFTER_DAYS,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: Spanned<String>,
    description: Option<String>,
    base_url: Option<Spanned<String>>,
    output_dir: Option<Spanned<String>>,
    language: Option<String>,
    stale_after_days: Option<Spanned<toml::Value>>,
}

/// Reads `site.toml` under `root`. A missing file is an error: it is what
/// marks a folder as a trendsite site.
pub fn load(root: &Path) -> Result<Config, Diagnostics> {
    let mut diags = Diagnostics::new();
    let text = match std::fs::read(root.join(FILE)) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => {
                diags.push(Diagnostic::file_error(FILE, "file is not valid UTF-8"));
                return Err(diags);
            }
        },
        Err(e) => {
            diags.push(
                Diagnostic::file_error(FILE, format!("cannot read the site configuration: {e}"))
                    .help("a site folder holds site.toml, content/companies/ and content/trends/; pass --root to point at one"),
            );
            return Err(diags);
        }
    };
    parse(&text)
}

pub fn parse(text: &str) -> Result<Config, Diagnostics> {
    let mut diags = Diagnostics::new();
    let raw: RawConfig = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            diags.push(toml_error(FILE, text, 0, &e));
            return Err(diags);
        }
    };
    let mut config = Config {
        title: raw.title.into_inner(),
        description: raw.description,
        language: raw.language.unwrap_or_else(|| "en".into()),
        ..Config::default()
    };
    if let Some(url) = raw.base_url {
        match BaseUrl::parse(url.get_ref()) {
            Some(url) => config.base_url = url,
            None => diags.push(
                Diagnostic::error(FILE, text, url.span(), "invalid base_url")
                    .field("base_url")
                    .expected("an http(s) URL such as https://example.org/ or a path such as /"),
            ),
        }
    }
    if let Some(dir) = raw.output_dir {
        let d = dir.get_ref();
        if d.is_empty() || Path::new(d).is_absolute() || d.split(['/', '\\']).any(|p| p == "..") {
            diags.push(
                Diagnostic::error(FILE, text, dir.span(), "invalid output_dir")
                    .field("output_dir")
                    .expected("a folder inside the site root, such as \"public\""),
            );
        } else {
            config.output_dir = d.clone();
        }
    }
    if let Some(days) = raw.stale_after_days {
        match days.get_ref() {
            toml::Value::Integer(n) if *n >= 1 => {
                config.stale_after_days = u32::try_from(*n).unwrap_or(u32::MAX);
            }
            _ => diags.push(
                Diagnostic::error(FILE, text, days.span(), "invalid stale_after_days")
                    .field("stale_after_days")
                    .expected("a positive whole number of days, such as 180")
                    .help("a company whose `verified` date is older than this many days is reported as stale"),
            ),
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(config)
    }
}

/// The public URL a site is built for, normalised once: an http(s) URL
/// with a host (`https://example.org/sub/`), or only a path (`/sub/`) for a
/// site that links relatively and is served wherever it is put. Whether it
/// has a host decides what can be written at all: canonical links, the
/// sitemap and the feed need absolute URLs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// The normalised text, always ending in `/`.
    text: String,
    /// Where the path starts in `text`: 0 when there is no host.
    path_at: usize,
}

impl Default for BaseUrl {
    fn default() -> Self {
        BaseUrl {
            text: "/".into(),
            path_at: 0,
        }
    }
}

impl std::fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl BaseUrl {
    /// `https://example.org/sub` → `https://example.org/sub/`; a bare path
    /// such as `/` or `/sub/` is accepted too. `None` for anything else
    /// (another scheme, a query, a fragment, no host).
    pub fn parse(url: &str) -> Option<BaseUrl> {
        let url = url.trim();
        if url.starts_with('/') {
            if url.contains("//") || url.contains(['?', '#', ' ']) {
                return None;
            }
            let mut text = url.to_string();
            if !text.ends_with('/') {
                text.push('/');
            }
            return Some(BaseUrl { text, path_at: 0 });
        }
        let parsed = url::Url::parse(url).ok()?;
        if !matches!(parsed.scheme(), "http" | "https")
            || parsed.host_str().is_none()
            || parsed.query().is_some()
            || parsed.fragment().is_some()
        {
            return None;
        }
        let mut text = parsed.to_string();
        if !text.ends_with('/') {
            text.push('/');
        }
        // The path is what follows the authority: the first `/` after `//`.
        let after_scheme = text.find("//").map_or(0, |i| i + 2);
        let path_at = text[after_scheme..]
            .find('/')
            .map_or(text.len() - 1, |i| after_scheme + i);
        Some(BaseUrl { text, path_at })
    }

    /// The whole normalised URL, as given in site.toml or `--base-url`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// What every internal link starts with: `/sub/`.
    pub fn path(&self) -> &str {
        &self.text[self.path_at..]
    }

    /// Whether URLs can be written absolute.
    pub fn has_host(&self) -> bool {
        !self.text.starts_with('/')
    }

    /// The URL absolute links start with (`https://example.org/sub/`);
    /// `None` without a host.
    pub fn absolute(&self) -> Option<&str> {
        self.has_host().then_some(self.text.as_str())
    }
}

/// Turns a TOML parse or type error into a diagnostic. `offset` is where the
/// TOML text starts inside `source`, the whole file.
pub fn toml_error(file: &str, source: &str, offset: usize, e: &toml::de::Error) -> Diagnostic {
    let message = e.message().trim().to_string();
    let (headline, expected) = split_toml_message(&message);
    let d = match e.span() {
        Some(span) => Diagnostic::error(
            file,
            source,
            offset + span.start..offset + span.end,
            headline,
        ),
        None => Diagnostic::file_error(file, headline),
    };
    match expected {
        Some(expected) => d.expected(expected),
        None => d,
    }
}

/// serde writes "unknown field `x`, expected one of `a`, `b`": the part after
/// the comma is what goes under the caret.
fn split_toml_message(message: &str) -> (String, Option<String>) {
    if let Some((head, tail)) = message.split_once(", expected ") {
        return (head.to_string(), Some(format!("expected {tail}")));
    }
    (message.to_string(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_normalized() {
        let parse = |s: &str| BaseUrl::parse(s).map(|b| b.as_str().to_string());
        assert_eq!(
            parse("https://example.org/sub").as_deref(),
            Some("https://example.org/sub/")
        );
        assert_eq!(parse("/").as_deref(), Some("/"));
        assert_eq!(parse("/sub").as_deref(), Some("/sub/"));
        assert_eq!(parse("ftp://x.org/"), None);
        assert_eq!(parse("javascript:alert(1)"), None);
        assert_eq!(parse("https://example.org/a?b"), None);
        let path = |s: &str| BaseUrl::parse(s).map(|b| b.path().to_string());
        assert_eq!(path("https://example.org/sub/").as_deref(), Some("/sub/"));
        assert_eq!(path("https://example.org").as_deref(), Some("/"));
        assert_eq!(path("http://localhost:1111/x/y").as_deref(), Some("/x/y/"));
        assert_eq!(path("/sub/").as_deref(), Some("/sub/"));
        let host = BaseUrl::parse("https://example.org/").expect("valid");
        assert!(host.has_host());
        assert_eq!(host.absolute(), Some("https://example.org/"));
        let local = BaseUrl::parse("/").expect("valid");
        assert!(!local.has_host());
        assert_eq!(local.absolute(), None);
    }

    #[test]
    fn stale_after_days_defaults_and_must_be_a_positive_integer() {
        let config = parse("title = \"x\"\n").unwrap();
        assert_eq!(config.stale_after_days, DEFAULT_STALE_AFTER_DAYS);
        let config = parse("title = \"x\"\nstale_after_days = 30\n").unwrap();
        assert_eq!(config.stale_after_days, 30);
        for bad in ["0", "-5", "1.5", "\"180\"", "true"] {
            let err = parse(&format!("title = \"x\"\nstale_after_days = {bad}\n")).unwrap_err();
            let d = err.iter().next().unwrap();
            assert_eq!((d.line, d.column), (2, 20), "{bad}: {d}");
            assert_eq!(d.field.as_deref(), Some("stale_after_days"), "{bad}");
            assert!(
                d.expected
                    .as_deref()
                    .unwrap()
                    .contains("positive whole number"),
                "{bad}"
            );
        }
    }

    #[test]
    fn unknown_key_is_reported_with_position() {
        let err = parse("title = \"x\"\ntitel = \"y\"\n").unwrap_err();
        let d = err.iter().next().unwrap();
        assert_eq!((d.line, d.column), (2, 1), "{d}");
        assert!(d.message.contains("titel"), "{d}");
    }
}
