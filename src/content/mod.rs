//! The `content` stage: finds the content files, splits their front matter,
//! parses and validates them into the typed [`Dataset`].
//!
//! Every file is read once and checked independently (in parallel), and every
//! problem in every file is collected before the caller decides to stop.

mod changes;
mod check;
mod company;
pub mod frontmatter;
mod trend;
mod unconfirmed;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::{self, Config};
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::{Body, Company, Dataset, Trend, is_slug};
use check::Checker;

pub use check::is_http_url;

pub const COMPANIES_DIR: &str = "content/companies";
pub const TRENDS_DIR: &str = "content/trends";

/// A content file found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: PathBuf,
    /// Relative to the site root, with `/` separators: what diagnostics show.
    pub rel: String,
    pub slug: String,
}

/// Files an editor never means as content: hidden files and the swap and
/// backup files that editors leave beside the ones being edited.
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "4913"
}

pub fn rel_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.to_string_lossy().replace('\\', "/")
}

/// Lists the `.md` files under `root/dir`, any depth, checking that their
/// stems are slugs and unique.
pub fn discover(root: &Path, dir: &str, diags: &mut Diagnostics) -> Vec<Entry> {
    let base = root.join(dir);
    if !base.is_dir() {
        return Vec::new();
    }
    let mut entries = Vec::new();
    let walker = walkdir::WalkDir::new(&base)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored_name(&e.file_name().to_string_lossy()));
    for item in walker {
        let entry = match item {
            Ok(e) => e,
            Err(e) => {
                diags.extend(walk_error(root, dir, &e));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let rel = rel_path(root, path);
        let name = entry.file_name().to_string_lossy();
        let Some(stem) = name.strip_suffix(".md") else {
            diags.push(
                Diagnostic::file_warning(&rel, "ignored: not a Markdown (.md) file")
                    .help(format!("only .md files under {dir}/ are read")),
            );
            continue;
        };
        if !is_slug(stem) {
            diags.push(
                Diagnostic::file_error(&rel, format!("file name {stem:?} is not a valid slug"))
                    .field("slug")
                    .expected("a file stem of lower-case ASCII letters, digits and `-`")
                    .help(format!(
                        "rename it, for example to {}.md",
                        suggest_slug(stem)
                    )),
            );
            continue;
        }
        entries.push(Entry {
            path: path.to_path_buf(),
            rel,
            slug: stem.to_string(),
        });
    }
    let mut first: HashMap<&str, &str> = HashMap::new();
    let mut duplicates = HashSet::new();
    for (i, e) in entries.iter().enumerate() {
        if let Some(other) = first.insert(&e.slug, &e.rel) {
            diags.push(
                Diagnostic::file_error(
                    &e.rel,
                    format!(
                        "duplicate slug {:?}: {other} has the same file stem",
                        e.slug
                    ),
                )
                .field("slug")
                .expected("each file stem in one section to be unique"),
            );
            duplicates.insert(i);
        }
    }
    entries
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !duplicates.contains(i))
        .map(|(_, e)| e)
        .collect()
}

/// What a failure to list or open something under `root/dir` means to an
/// editor, or `None` when it is about a file that would have been ignored
/// anyway: an editor's lock file (Emacs's `.#x` is a symbolic link to nowhere).
pub fn walk_error(root: &Path, dir: &str, e: &walkdir::Error) -> Option<Diagnostic> {
    let Some(path) = e.path() else {
        return Some(Diagnostic::file_error(dir, format!("cannot read: {e}")));
    };
    let rel = rel_path(root, path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if e.depth() > 0 && is_ignored_name(&name) {
        return None;
    }
    if let Some(ancestor) = e.loop_ancestor() {
        return Some(
            Diagnostic::file_error(
                &rel,
                format!(
                    "symbolic link loop: this folder links back to {}, one of its parents",
                    loop_target(root, ancestor)
                ),
            )
            .help("remove the link, or point it at a folder outside this one"),
        );
    }
    let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    let missing = e
        .io_error()
        .is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound);
    if link && missing {
        let target = std::fs::read_link(path)
            .map(|t| t.to_string_lossy().into_owned())
            .unwrap_or_default();
        let message =
            format!("broken symbolic link: it points to {target:?}, which does not exist");
        return Some(if name.ends_with(".md") {
            Diagnostic::file_error(&rel, message)
                .help("restore the file it points to, or remove the link")
        } else {
            Diagnostic::file_warning(&rel, format!("ignored: {message}"))
                .help(format!("only .md files under {dir}/ are read"))
        });
    }
    if missing {
        return Some(Diagnostic::file_error(
            &rel,
            "cannot read: it was removed while the site was being read",
        ));
    }
    let cause = e
        .io_error()
        .map_or_else(|| e.to_string(), |io| io.to_string());
    Some(Diagnostic::file_error(
        &rel,
        format!("cannot read: {cause}"),
    ))
}

/// `ancestor` relative to the site root when it is inside it. walkdir names
/// the folders above the walk's start by their canonical path, so the root is
/// canonicalized too before giving up and showing the full path.
fn loop_target(root: &Path, ancestor: &Path) -> String {
    let canonical = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let rel = ancestor
        .strip_prefix(root)
        .or_else(|_| ancestor.strip_prefix(&canonical));
    match rel {
        Ok(rel) if rel.as_os_str().is_empty() => "the site root".to_string(),
        Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
        Err(_) => ancestor.to_string_lossy().into_owned(),
    }
}

fn suggest_slug(stem: &str) -> String {
    let mut out = String::new();
    for ch in stem.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-').to_string();
    if out.is_empty() {
        "my-entry".into()
    } else {
        out
    }
}

/// Reads a file as UTF-8, pointing at the first bad byte when it is not.
pub fn read_text(path: &Path, rel: &str) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(path).map_err(|e| {
        let d = Diagnostic::file_error(rel, format!("cannot read the file: {e}"));
        match e.kind() {
            std::io::ErrorKind::NotFound => {
                d.help("it was found, then removed or renamed before it could be read")
            }
            std::io::ErrorKind::PermissionDenied => {
                d.help("make it readable by the user running trendsite (chmod a+r)")
            }
            _ => d,
        }
    })?;
    decode_text(bytes, rel)
}

/// Decodes a file's bytes as UTF-8, pointing at the first bad byte when they
/// are not.
pub fn decode_text(bytes: Vec<u8>, rel: &str) -> Result<String, Diagnostic> {
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        let mut d = Diagnostic::file_error(rel, "the file is encoded as UTF-16, not UTF-8")
            .expected("text encoded as UTF-8")
            .help("save the file as UTF-8 in your editor");
        (d.line, d.column) = (1, 1);
        return Err(d);
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        // The prefix is valid UTF-8 by definition, so this cannot fail.
        let prefix = std::str::from_utf8(valid).unwrap_or_default();
        let (line, column) = crate::diag::position(prefix, prefix.len());
        // An error always has a bad byte after the valid prefix.
        let bad = e.as_bytes().get(valid.len()).copied().unwrap_or_default();
        let mut d = Diagnostic::file_error(
            rel,
            format!("the file is not valid UTF-8 (byte 0x{bad:02x})"),
        )
        .expected("text encoded as UTF-8")
        .help("save the file as UTF-8 in your editor");
        d.line = line;
        d.column = column;
        d
    })
}

/// Reads one file and hands its text to `parse`.
fn load_file<T>(
    entry: &Entry,
    parse: impl FnOnce(&str) -> (Option<T>, Vec<Diagnostic>),
) -> (Option<T>, Vec<Diagnostic>) {
    match read_text(&entry.path, &entry.rel) {
        Ok(text) => parse(&text),
        Err(d) => (None, vec![d]),
    }
}

/// Splits and validates one file's text; `parse` gets the checker, the front
/// matter, the span of the opening fence and the body.
fn parse_text<T>(
    rel: &str,
    text: &str,
    parse: impl FnOnce(&mut Checker<'_>, &str, std::ops::Range<usize>, Body) -> Option<T>,
) -> (Option<T>, Vec<Diagnostic>) {
    let split = match frontmatter::split(text) {
        Ok(s) => s,
        Err(e) => {
            let d = Diagnostic::error(rel, text, e.span, e.message).help(e.help);
            return (None, vec![d]);
        }
    };
    // Missing top-level fields are reported at the opening fence.
    let fence = if text.starts_with('\u{feff}') {
        3..6
    } else {
        0..3
    };
    let mut checker = Checker::new(rel, text, split.front_matter_offset);
    let body = Body {
        markdown: split.body.to_string(),
        line: crate::diag::line(text, split.body_offset),
    };
    let value = parse(&mut checker, split.front_matter, fence, body);
    (value, checker.diags)
}

/// Parses and validates a company from the text of its file, without reading
/// anything from disk. `rel` is the path diagnostics name.
pub fn parse_company_text(rel: &str, slug: &str, text: &str) -> (Option<Company>, Vec<Diagnostic>) {
    parse_text(rel, text, |c, fm, fence, body| {
        company::parse(c, slug, fm, fence, body)
    })
}

/// Parses and validates a trend from the text of its file; `trend_slugs` are
/// the trends that `see_also` may name.
pub fn parse_trend_text(
    rel: &str,
    slug: &str,
    text: &str,
    trend_slugs: &HashSet<String>,
) -> (Option<Trend>, Vec<Diagnostic>) {
    parse_text(rel, text, |c, fm, fence, body| {
        trend::parse(c, slug, fm, fence, body, trend_slugs)
    })
}

/// The result of reading a site: every valid entry, every problem, and every
/// file found (valid or not), so links to a file with errors in it are not
/// reported as broken too.
#[derive(Debug)]
pub struct Loaded {
    pub dataset: Dataset,
    pub diagnostics: Diagnostics,
    pub company_files: Vec<Entry>,
    pub trend_files: Vec<Entry>,
}

/// Loads the whole site under `root`. Callers stop on errors.
pub fn load(root: &Path) -> Loaded {
    let mut diags = Diagnostics::new();
    let config = match config::load(root) {
        Ok(c) => c,
        Err(d) => {
            diags.extend(d);
            Config::default()
        }
    };
    let company_files = discover(root, COMPANIES_DIR, &mut diags);
    let trend_files = discover(root, TRENDS_DIR, &mut diags);
    let (dataset, more) = load_entries(config, &company_files, &trend_files);
    diags.extend(more);
    Loaded {
        dataset,
        diagnostics: diags,
        company_files,
        trend_files,
    }
}

/// Reads and validates one company file.
pub fn load_company(entry: &Entry) -> (Option<Company>, Vec<Diagnostic>) {
    load_file(entry, |text| {
        parse_company_text(&entry.rel, &entry.slug, text)
    })
}

/// Reads and validates one trend file; `trend_slugs` are the trends that
/// `see_also` may name.
pub fn load_trend(
    entry: &Entry,
    trend_slugs: &HashSet<String>,
) -> (Option<Trend>, Vec<Diagnostic>) {
    load_file(entry, |text| {
        parse_trend_text(&entry.rel, &entry.slug, text, trend_slugs)
    })
}

/// Parses discovered files. Public so that `serve` can re-parse a few files
/// without walking the folders again.
pub fn load_entries(
    config: Config,
    company_files: &[Entry],
    trend_files: &[Entry],
) -> (Dataset, Diagnostics) {
    let trend_slugs: HashSet<String> = trend_files.iter().map(|e| e.slug.clone()).collect();
    let companies: Vec<(Option<Company>, Vec<Diagnostic>)> =
        company_files.par_iter().map(load_company).collect();
    let trends: Vec<(Option<Trend>, Vec<Diagnostic>)> = trend_files
        .par_iter()
        .map(|e| load_trend(e, &trend_slugs))
        .collect();
    let mut diags = Diagnostics::new();
    let mut dataset = Dataset {
        config,
        companies: Vec::with_capacity(companies.len()),
        trends: Vec::with_capacity(trends.len()),
    };
    for (c, d) in companies {
        dataset.companies.extend(c);
        diags.extend(d);
    }
    for (t, d) in trends {
        dataset.trends.extend(t);
        diags.extend(d);
    }
    dataset.companies.sort_by(|a, b| a.slug.cmp(&b.slug));
    dataset.trends.sort_by(|a, b| a.slug.cmp(&b.slug));
    (dataset, diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_leftovers_are_ignored() {
        for name in [
            ".cursor.md.swp",
            "cursor.md~",
            ".#cursor.md",
            "4913",
            "#cursor.md#",
            ".hidden.md",
        ] {
            assert!(is_ignored_name(name), "{name}");
        }
        assert!(!is_ignored_name("cursor.md"));
    }

    /// Every diagnostic is rendered as `trendsite check` would print it.
    fn rendered(diags: &[Diagnostic]) -> String {
        diags.iter().map(|d| d.render(false) + "\n").collect()
    }

    #[test]
    fn toml_error_among_doubled_crs_is_reported_at_the_line_end() {
        // Found by fuzzing: the span started in the `\r\r` ending the line.
        let text = "+++  \r\r\nname = \"x\r\r\n+++\r\n";
        let (company, diags) = parse_company_text("content/companies/x.md", "x", text);
        assert!(company.is_none());
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert!(
            rendered(&diags).contains("content/companies/x.md:2:"),
            "{}",
            rendered(&diags)
        );
        let (trend, diags) = parse_trend_text("content/trends/t.md", "t", text, &HashSet::new());
        assert!(trend.is_none());
        assert!(rendered(&diags).contains("content/trends/t.md:2:"));
    }

    #[test]
    fn missing_front_matter_on_a_long_line_of_control_characters_is_reported() {
        // Found by fuzzing: zero-width whitespace before the text of a long
        // line overflowed the report's margin arithmetic.
        let text = format!(
            "  \r  {}\x13{}$\x0f\r\r\x14",
            "\x0c".repeat(19),
            "\x0c".repeat(115)
        );
        let (company, diags) = parse_company_text("content/companies/x.md", "x", &text);
        assert!(company.is_none());
        let report = rendered(&diags);
        assert!(report.contains("missing front matter"), "{report}");
        assert!(report.contains("content/companies/x.md:1:1"), "{report}");
    }

    #[test]
    fn invalid_utf8_is_reported_at_the_first_bad_byte() {
        let d = decode_text(b"+++\nname = \"\xff\"\n".to_vec(), "f.md").unwrap_err();
        assert!(d.message.contains("0xff"), "{}", d.message);
        assert_eq!((d.line, d.column), (2, 9));
        assert_eq!(decode_text(b"ok".to_vec(), "f.md").unwrap(), "ok");
    }

    #[test]
    fn utf16_is_named() {
        let d = decode_text(vec![0xff, 0xfe, b'+', 0], "f.md").unwrap_err();
        assert!(d.message.contains("UTF-16"), "{}", d.message);
        assert_eq!((d.file.as_str(), d.line, d.column), ("f.md", 1, 1));
    }

    #[test]
    fn a_file_removed_after_it_was_found_is_an_error_naming_it() {
        // What a file deleted between `discover` and the read looks like.
        let dir = tempfile::tempdir().unwrap();
        let entry = Entry {
            path: dir.path().join("gone.md"),
            rel: "content/companies/gone.md".into(),
            slug: "gone".into(),
        };
        let (company, diags) = load_company(&entry);
        assert!(company.is_none());
        let report = rendered(&diags);
        assert!(report.contains("content/companies/gone.md"), "{report}");
        assert!(report.contains("cannot read the file"), "{report}");
        assert!(report.contains("removed or renamed"), "{report}");
    }

    #[test]
    fn slug_suggestions() {
        assert_eq!(suggest_slug("My Company"), "my-company");
        assert_eq!(suggest_slug("ACME_inc"), "acme-inc");
        assert_eq!(suggest_slug("___"), "my-entry");
    }
}
