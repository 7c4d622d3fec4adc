//! Compiling the templates: the built-in ones embedded in the binary, with a
//! site's own `templates/*.html` replacing them by name, and the escaper
//! every template uses.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use tera::{Context, ErrorKind, Tera};

use crate::diag::{Diagnostic, Diagnostics};
use crate::escape::escape_into;

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
    ("changes.html", include_str!("../../templates/changes.html")),
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
    (
        "change_item.html",
        include_str!("../../templates/change_item.html"),
    ),
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

/// The compiled templates of one site.
pub struct Templates {
    tera: Tera,
    overridden: Vec<String>,
    /// Each template's text by name, to point errors at their line.
    sources: BTreeMap<String, String>,
    /// What was left out while reading the site's templates (a broken link).
    pub warnings: Diagnostics,
}

impl Templates {
    pub fn render(&self, name: &str, view: &impl Serialize) -> Result<String, Vec<Diagnostic>> {
        let error = |e: tera::Error| vec![report(&e, name, &self.sources, &self.overridden)];
        let context = Context::from_serialize(view).map_err(error)?;
        self.tera.render(name, &context).map_err(error)
    }
}

/// A Tera error as a diagnostic: at the template, line and column Tera
/// names when it names them (a page may fail in the template it extends),
/// else on the template `rendering`.
fn report(
    e: &tera::Error,
    rendering: &str,
    sources: &BTreeMap<String, String>,
    overridden: &[String],
) -> Diagnostic {
    if let ErrorKind::SyntaxError(r) | ErrorKind::RenderingError(r) = e.kind() {
        let name = if r.filename().is_empty() {
            rendering
        } else {
            r.filename()
        };
        let file = origin(name, overridden);
        return match sources.get(name) {
            Some(text) => Diagnostic::error(&file, text, r.span().range.clone(), r.message()),
            None => Diagnostic::file_error(&file, r.message()),
        };
    }
    Diagnostic::file_error(&origin(rendering, overridden), tera_message(e))
}

/// Tera reports the unknown filters, tests and functions of every template
/// at once, as one message of reports it has drawn itself (`error: what`,
/// then ` --> name:line:column`, then the source with `^^^` under the
/// span). Each becomes a diagnostic of ours, drawn like every other error;
/// `None` when the message is not in that shape.
fn drawn_reports(
    message: &str,
    sources: &BTreeMap<String, String>,
    overridden: &[String],
) -> Option<Vec<Diagnostic>> {
    let mut out = Vec::new();
    let mut lines = message.lines().peekable();
    while let Some(first) = lines.next() {
        let what = first.strip_prefix("error: ")?;
        let at = lines.next()?.trim_start().strip_prefix("--> ")?;
        let (at, column) = at.rsplit_once(':')?;
        let (name, line) = at.rsplit_once(':')?;
        let (line, column): (usize, usize) = (line.parse().ok()?, column.parse().ok()?);
        let mut width = 1;
        while let Some(next) = lines.next_if(|l| !l.starts_with("error: ")) {
            if let Some((_, marks)) = next.split_once('|')
                && marks.trim_start().starts_with('^')
            {
                width = marks.trim().chars().take_while(|&c| c == '^').count();
            }
        }
        let text = sources.get(name)?;
        let line_start = crate::diag::line_start(text, line)?;
        let start = line_start
            + text[line_start..]
                .char_indices()
                .nth(column.checked_sub(1)?)
                .map_or(0, |(i, _)| i);
        // The marks count characters; the span is in bytes.
        let end = text[start..]
            .char_indices()
            .nth(width)
            .map_or(text.len(), |(i, _)| start + i);
        let file = origin(name, overridden);
        out.push(Diagnostic::error(&file, text, start..end, what));
    }
    (!out.is_empty()).then_some(out)
}

fn new_tera() -> Tera {
    let mut tera = Tera::new();
    tera.autoescape_on([".html"]);
    tera.set_escape_fn(escape_into);
    tera
}

/// Every error in a set of templates that failed to compile with `first`:
/// Tera stops at one, an editor wants them all, each at its own file and
/// line. Only called on failure, so a good set is parsed once.
fn every_template_error(
    first: &tera::Error,
    sources: &BTreeMap<String, String>,
    overridden: &[String],
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    // Each template is parsed alone first, for its syntax errors. A template
    // alone may extend one that is not there; only syntax errors count here.
    let mut broken: Vec<String> = Vec::new();
    for (name, text) in sources {
        if let Err(e) = new_tera().add_raw_template(name, text)
            && matches!(e.kind(), ErrorKind::SyntaxError(_))
        {
            diags.push(report(&e, name, sources, overridden));
            broken.push(name.clone());
        }
    }
    // Unknown filters and missing parents show only once all templates are
    // in. Tera stops at the first such error, so the template it names is set
    // aside and the rest tried again, until they compile or every error is
    // known. Templates extending a set-aside one then miss their parent:
    // that is not an error of their own.
    loop {
        let set = sources.iter().filter(|(n, _)| !broken.contains(n));
        let Err(e) = new_tera().add_raw_templates(set.map(|(n, s)| (n.as_str(), s.as_str())))
        else {
            if diags.is_empty() {
                diags.push(Diagnostic::file_error(TEMPLATES_DIR, tera_message(first)));
            }
            return diags;
        };
        let name = match e.kind() {
            ErrorKind::SyntaxError(r) | ErrorKind::RenderingError(r) => r.filename(),
            ErrorKind::MissingParent { current, parent } => {
                if !broken.contains(parent) {
                    diags.push(report(&e, current, sources, overridden));
                }
                current
            }
            _ => "",
        };
        if name.is_empty() || broken.iter().any(|b| b == name) {
            let message = tera_message(&e);
            match drawn_reports(&message, sources, overridden) {
                Some(each) => diags.extend(each),
                None => diags.push(Diagnostic::file_error(TEMPLATES_DIR, message)),
            }
            return diags;
        }
        if !matches!(e.kind(), ErrorKind::MissingParent { .. }) {
            diags.push(report(&e, name, sources, overridden));
        }
        broken.push(name.to_string());
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
    let mut tera = new_tera();
    if let Err(e) = tera.add_raw_templates(sources.iter().map(|(n, s)| (n.as_str(), s.as_str()))) {
        diags.extend(every_template_error(&e, &sources, &overridden));
        return Err(diags);
    }
    Ok(Templates {
        tera,
        overridden,
        sources,
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
    fn a_message_not_drawn_by_tera_stays_whole() {
        let sources = BTreeMap::from([("a.html".to_string(), "{{ x }}".to_string())]);
        assert!(drawn_reports("something else went wrong", &sources, &[]).is_none());
        assert!(
            drawn_reports("error: Unknown filter `f`\n --> b.html:1:4", &sources, &[]).is_none()
        );
        let each = drawn_reports(
            "error: Unknown filter `f`\n --> a.html:1:4\n  |\n1 | {{ x }}\n  |    ^\n",
            &sources,
            &[],
        )
        .expect("one report");
        assert_eq!(each.len(), 1);
        assert_eq!(each[0].location(), "built-in template a.html:1:4");
        // Marks under multi-byte text, or running past the end, stay inside it.
        let sources = BTreeMap::from([("é.html".to_string(), "{{ é | ç }}".to_string())]);
        let each = drawn_reports(
            "error: Unknown filter `ç`\n --> é.html:1:8\n  |\n1 | {{ é | ç }}\n  |        ^^^^^^^^^^^^\n",
            &sources,
            &[],
        )
        .expect("one report");
        assert_eq!(each[0].location(), "built-in template é.html:1:8");
        assert!(each[0].render(false).contains("{{ é | ç }}"));
    }
}
