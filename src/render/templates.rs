//! Compiling the templates: the built-in ones embedded in the binary, with a
//! site's own `templates/*.html` replacing them by name, and the escaper
//! every template uses.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use tera::{Context, Tera};

use crate::diag::{Diagnostic, Diagnostics};

/// The built-in templates, by the name a site's override must use.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("trends.html", include_str!("../../templates/trends.html")),
    ("trend.html", include_str!("../../templates/trend.html")),
    ("company.html", include_str!("../../templates/company.html")),
    ("term.html", include_str!("../../templates/term.html")),
    (
        "term_list.html",
        include_str!("../../templates/term_list.html"),
    ),
    ("404.html", include_str!("../../templates/404.html")),
    ("robots.txt", include_str!("../../templates/robots.txt")),
    (
        "company_item.html",
        include_str!("../../templates/company_item.html"),
    ),
    (
        "company_row.html",
        include_str!("../../templates/company_row.html"),
    ),
];

/// The templates that render a page of their own (see `Job::template`). An
/// edit to one of these re-renders only its pages in `serve`; any other
/// template may be extended or included anywhere.
pub const PAGE_TEMPLATES: &[&str] = &[
    "index.html",
    "trends.html",
    "trend.html",
    "company.html",
    "term.html",
    "term_list.html",
    "404.html",
    "robots.txt",
];

pub const TEMPLATES_DIR: &str = "templates";

/// Which file a template came from, for error messages.
fn origin(name: &str, overridden: &[String]) -> String {
    if overridden.iter().any(|n| n == name) {
        format!("{TEMPLATES_DIR}/{name}")
    } else {
        format!("built-in template {name}")
    }
}

/// Tera's errors nest their causes; an editor needs all of them on one line.
fn tera_message(e: &tera::Error) -> String {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    message
}

/// Escapes what HTML needs escaped in text and quoted attributes. Tera's own
/// escaper also rewrites `/`, which makes every URL in the output longer and
/// harder to read without making anything safer.
///
/// Unicode bidi controls are shown as `[U+202E]`: left in, a control in a
/// company name could reorder the text of the whole line around it.
pub fn escape_html(input: &str) -> String {
    let bytes = input.as_bytes();
    // Most values (names, URLs, slugs) need no escaping at all, and every
    // `{{ }}` of every page comes through here: one table load per byte.
    let special = |b: u8| SPECIAL[usize::from(b)];
    let Some(first) = bytes.iter().position(|&b| special(b)) else {
        return input.to_string();
    };
    let mut out = String::with_capacity(input.len() + input.len() / 8 + 8);
    out.push_str(&input[..first]);
    let mut rest = &input[first..];
    // Copy the runs between special bytes whole; only those are looked at.
    while let Some(at) = rest.bytes().position(special) {
        out.push_str(&rest[..at]);
        let ch = rest[at..].chars().next().unwrap_or('\0');
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_bidi_control(c) => out.push_str(&format!("[U+{:04X}]", c as u32)),
            c => out.push(c),
        }
        rest = &rest[at + ch.len_utf8()..];
    }
    out.push_str(rest);
    out
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
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The compiled templates of one site.
pub struct Templates {
    tera: Tera,
    overridden: Vec<String>,
    /// What was left out while reading the site's templates (a broken link).
    pub warnings: Diagnostics,
}

impl Templates {
    pub fn render(&self, name: &str, view: &impl Serialize) -> Result<String, Vec<Diagnostic>> {
        let error = |e: tera::Error| {
            vec![Diagnostic::file_error(
                &origin(name, &self.overridden),
                tera_message(&e),
            )]
        };
        let context = Context::from_serialize(view).map_err(error)?;
        self.tera.render(name, &context).map_err(error)
    }
}

/// Compiles the built-in templates with the site's overrides.
pub fn templates(root: &Path) -> Result<Templates, Diagnostics> {
    let mut sources: BTreeMap<String, String> = BUILTIN_TEMPLATES
        .iter()
        .map(|(n, s)| (n.to_string(), s.to_string()))
        .collect();
    let mut overridden = Vec::new();
    let mut diags = Diagnostics::new();
    let dir = root.join(TEMPLATES_DIR);
    if dir.is_dir() {
        for entry in walkdir::WalkDir::new(&dir)
            .follow_links(true)
            .sort_by_file_name()
        {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    // Named like content errors: the file, and what it is.
                    diags.extend(crate::content::walk_error(root, TEMPLATES_DIR, &e));
                    continue;
                }
            };
            let name = entry.file_name().to_string_lossy();
            if !entry.file_type().is_file() || crate::content::is_ignored_name(&name) {
                continue;
            }
            let rel = crate::content::rel_path(&dir, entry.path());
            let file = format!("{TEMPLATES_DIR}/{rel}");
            match crate::content::read_text(entry.path(), &file) {
                Ok(text) => {
                    overridden.push(rel.clone());
                    sources.insert(rel, text);
                }
                Err(d) => diags.push(d),
            }
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    // Each template is parsed alone first, so a syntax error names its file.
    for (name, text) in &sources {
        if let Err(e) = tera::Template::new(name, None, text) {
            diags.push(Diagnostic::file_error(
                &origin(name, &overridden),
                tera_message(&e),
            ));
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    let mut tera = Tera::default();
    tera.set_escape_fn(escape_html);
    if let Err(e) = tera.add_raw_templates(sources.iter().map(|(n, s)| (n.as_str(), s.as_str()))) {
        diags.push(Diagnostic::file_error(TEMPLATES_DIR, tera_message(&e)));
        return Err(diags);
    }
    Ok(Templates {
        tera,
        overridden,
        warnings: diags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_templates_compile() {
        let dir = tempfile::tempdir().unwrap();
        assert!(templates(dir.path()).is_ok());
    }

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
