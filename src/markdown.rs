//! The `markdown` stage: Markdown bodies and notes to HTML, with `@/…`
//! internal links resolved to page URLs.
//!
//! Links are resolved against the set of slugs that exist, so a broken one is
//! reported at its file and line before anything is written.

use std::collections::HashSet;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

use rayon::prelude::*;

use crate::config::BaseUrl;
use crate::diag::Diagnostic;
use crate::model::{Body, Company, Dataset, Trend};
use crate::plan::Route;

/// Everything that an `@/` link may point at.
#[derive(Debug, Clone, Default)]
pub struct Links {
    /// The URL the site is built for; links take its path.
    pub base: BaseUrl,
    pub companies: HashSet<String>,
    pub trends: HashSet<String>,
}

impl Links {
    /// `@/companies/cursor.md#tiers` → `/companies/cursor/#tiers`.
    pub fn resolve(&self, target: &str) -> Result<String, String> {
        let rest = target.strip_prefix("@/").unwrap_or(target);
        let (path, fragment) = match rest.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (rest, None),
        };
        let (section, file) = path.split_once('/').ok_or_else(|| {
            format!(
                "`{target}` does not name a page; write @/companies/<slug>.md or @/trends/<slug>.md"
            )
        })?;
        let (set, route): (_, fn(&str) -> Route) = match section {
            "companies" => (&self.companies, Route::company),
            "trends" => (&self.trends, Route::trend),
            _ => {
                return Err(format!(
                    "`{target}` points into `{section}/`; internal links go to @/companies/<slug>.md or @/trends/<slug>.md"
                ));
            }
        };
        let slug = file.strip_suffix(".md").ok_or_else(|| {
            format!("`{target}` must name the Markdown file, as @/{section}/<slug>.md")
        })?;
        if !set.contains(slug) {
            return Err(format!(
                "`{target}` points to content/{section}/{slug}.md, which does not exist"
            ));
        }
        let mut url = route(slug).url(&self.base);
        if let Some(f) = fragment {
            url.push('#');
            url.push_str(f);
        }
        Ok(url)
    }
}

/// The HTML of the Markdown texts shown on more than one page, in dataset
/// order. A build leaves `bodies` empty: each company body appears on one
/// page only, so it is rendered with that page rather than held in memory.
/// `serve` keeps them, so that a template edit re-renders 10,000 pages
/// without parsing 10,000 bodies again.
#[derive(Debug, Default)]
pub struct Html {
    pub notes: Vec<String>,
    /// Each company's change summaries, in the order of its `changes`.
    pub summaries: Vec<Vec<String>>,
    pub bodies: Vec<String>,
    pub trend_intros: Vec<String>,
    pub trend_outros: Vec<String>,
}

impl Links {
    pub fn for_dataset(ds: &Dataset, base: &BaseUrl) -> Links {
        Links {
            base: base.clone(),
            companies: ds.companies.iter().map(|c| c.slug.clone()).collect(),
            trends: ds.trends.iter().map(|t| t.slug.clone()).collect(),
        }
    }
}

/// A company's note and body as HTML, and any broken links in them.
pub fn render_company(c: &Company, links: &Links) -> (String, String, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let note = render_note(c, links, &mut diags);
    let body = render_body(&c.body, &c.file, links, &mut diags);
    (note, body, diags)
}

/// Reports broken internal links in a body without making its HTML.
pub fn check_links(body: &Body, file: &str, links: &Links, diags: &mut Vec<Diagnostic>) {
    for (event, range) in Parser::new_ext(&body.markdown, options()).into_offset_iter() {
        if matches!(&event, Event::Start(Tag::Link { dest_url, .. }) if dest_url.starts_with("@/"))
        {
            rewrite_link(event, range, body, file, links, diags);
        }
    }
}

/// Every `@/` link of a body: its target and the bytes of the link in
/// `body.markdown`, as the renderer finds them.
pub fn internal_links(body: &Body) -> Vec<(String, std::ops::Range<usize>)> {
    Parser::new_ext(&body.markdown, options())
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::Link { dest_url, .. }) if dest_url.starts_with("@/") => {
                Some((dest_url.into_string(), range))
            }
            _ => None,
        })
        .collect()
}

/// The slug an `@/companies/<slug>.md` link (with or without `#fragment`)
/// points at; `None` for any other link.
pub fn linked_company(target: &str) -> Option<&str> {
    let file = target.strip_prefix("@/companies/")?;
    let file = file.split_once('#').map_or(file, |(f, _)| f);
    file.strip_suffix(".md")
}

/// A trend's prose before and after the groups, as HTML.
pub fn render_trend(t: &Trend, links: &Links) -> (String, String, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let intro = render_body(&t.intro, &t.file, links, &mut diags);
    let outro = render_body(&t.outro, &t.file, links, &mut diags);
    (intro, outro, diags)
}

/// A company's note as HTML.
pub fn render_note(c: &Company, links: &Links, diags: &mut Vec<Diagnostic>) -> String {
    c.metering
        .as_ref()
        .and_then(|m| Some((m.note.as_deref()?, m.note_line)))
        .map(|(n, line)| render_inline(n, line, &c.file, links, diags))
        .unwrap_or_default()
}

/// A company's change summaries as HTML, in the order of its `changes`:
/// inline Markdown like a note, since the changes page lists thousands.
pub fn render_summaries(c: &Company, links: &Links, diags: &mut Vec<Diagnostic>) -> Vec<String> {
    let first = diags.len();
    let html = c
        .changes
        .iter()
        .map(|ch| render_inline(&ch.summary, ch.summary_line, &c.file, links, diags))
        .collect();
    for d in &mut diags[first..] {
        d.field = Some("changes.summary".into());
    }
    html
}

/// What [`render_all`] does with company bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bodies {
    /// Nothing: each is rendered with its page, which reports its broken
    /// links (a build that goes on to write pages).
    Skip,
    /// Their broken links reported (a build that stops before its pages).
    Check,
    /// Rendered into `Html::bodies`, broken links reported (`serve`).
    Keep,
}

/// Renders every note and trend text in parallel, collecting broken links,
/// and does with company bodies what `bodies` says.
pub fn render_all(ds: &Dataset, links: &Links, bodies: Bodies) -> (Html, Vec<Diagnostic>) {
    type Rendered = (String, Option<String>, Vec<String>, Vec<Diagnostic>);
    let companies: Vec<Rendered> = ds
        .companies
        .par_iter()
        .map(|c| {
            if bodies == Bodies::Keep {
                let (note, body, mut diags) = render_company(c, links);
                let summaries = render_summaries(c, links, &mut diags);
                return (note, Some(body), summaries, diags);
            }
            let mut diags = Vec::new();
            let note = render_note(c, links, &mut diags);
            let summaries = render_summaries(c, links, &mut diags);
            if bodies == Bodies::Check {
                check_links(&c.body, &c.file, links, &mut diags);
            }
            (note, None, summaries, diags)
        })
        .collect();
    let trends: Vec<(String, String, Vec<Diagnostic>)> = ds
        .trends
        .par_iter()
        .map(|t| render_trend(t, links))
        .collect();
    let mut html = Html::default();
    let mut diags = Vec::new();
    for (note, body, summaries, d) in companies {
        html.notes.push(note);
        html.bodies.extend(body);
        html.summaries.push(summaries);
        diags.extend(d);
    }
    for (intro, outro, d) in trends {
        html.trend_intros.push(intro);
        html.trend_outros.push(outro);
        diags.extend(d);
    }
    // A broken link in a note, summary or trend stops the build before the
    // pages that would report the bodies' links: check those here, so one
    // run still reports every error.
    if bodies == Bodies::Skip && diags.iter().any(Diagnostic::is_error) {
        let more: Vec<Diagnostic> = ds
            .companies
            .par_iter()
            .flat_map_iter(|c| {
                let mut d = Vec::new();
                check_links(&c.body, &c.file, links, &mut d);
                d
            })
            .collect();
        diags.extend(more);
    }
    (html, diags)
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders a Markdown body. Raw HTML in a body is kept: bodies are written by
/// the site's editors, who are trusted like the templates' authors.
/// Problems (broken internal links) are pushed to `diags` against `file`.
pub fn render_body(body: &Body, file: &str, links: &Links, diags: &mut Vec<Diagnostic>) -> String {
    if body.markdown.trim().is_empty() {
        return String::new();
    }
    let mut events: Vec<Event<'_>> = Vec::new();
    for (event, range) in Parser::new_ext(&body.markdown, options()).into_offset_iter() {
        events.push(rewrite_link(event, range, body, file, links, diags));
    }
    add_heading_ids(&mut events);
    let mut out = String::with_capacity(body.markdown.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    out
}

/// Renders a one-line field such as a metering note: inline Markdown only,
/// no wrapping paragraph, and any raw HTML shown as text, because fields are
/// data that end up in many pages.
pub fn render_inline(
    text: &str,
    line: usize,
    file: &str,
    links: &Links,
    diags: &mut Vec<Diagnostic>,
) -> String {
    let body = Body {
        markdown: text.to_string(),
        line,
    };
    let events = Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH)
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => None,
            // A note is one line of data: markup in it is text, and so are
            // bidi controls (see `escape::escape_html`).
            Event::Html(t) | Event::InlineHtml(t) | Event::Text(t)
                if t.chars().any(crate::escape::is_bidi_control) =>
            {
                Some(Event::Text(show_bidi_controls(&t).into()))
            }
            Event::Html(h) | Event::InlineHtml(h) => Some(Event::Text(h)),
            Event::Code(t) if t.chars().any(crate::escape::is_bidi_control) => {
                Some(Event::Code(show_bidi_controls(&t).into()))
            }
            Event::SoftBreak | Event::HardBreak => Some(Event::Text(" ".into())),
            other => Some(rewrite_link(other, range, &body, file, links, diags)),
        });
    let mut out = String::with_capacity(text.len() + 16);
    html::push_html(&mut out, events);
    out.trim_end().to_string()
}

/// A one-line field's inline Markdown as plain text, where no markup can
/// go (a feed entry's title): the words of links and emphasis kept, markup
/// and raw HTML shown as written.
pub fn inline_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for event in Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                out.push_str(&t)
            }
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            _ => {}
        }
    }
    out.trim().to_string()
}

fn rewrite_link<'a>(
    event: Event<'a>,
    range: std::ops::Range<usize>,
    body: &Body,
    file: &str,
    links: &Links,
    diags: &mut Vec<Diagnostic>,
) -> Event<'a> {
    match event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if dest_url.starts_with("@/") => {
            let dest_url = match links.resolve(&dest_url) {
                Ok(url) => CowStr::from(url),
                Err(message) => {
                    let mut d = Diagnostic::error(file, &body.markdown, range, message)
                        .field("body")
                        .expected("an existing page: @/companies/<slug>.md or @/trends/<slug>.md");
                    if body.line > 0 {
                        d.line += body.line - 1;
                    }
                    diags.push(d);
                    dest_url
                }
            };
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            })
        }
        other => other,
    }
}

/// Gives every heading without an explicit `{#id}` one made from its text, so
/// readers can link to a section; repeats get `-1`, `-2`, ….
fn add_heading_ids(events: &mut [Event<'_>]) {
    let mut seen: HashSet<String> = HashSet::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { id, .. }) = &events[i] {
            if let Some(id) = id {
                seen.insert(id.to_string());
            } else {
                let mut text = String::new();
                for e in &events[i + 1..] {
                    match e {
                        Event::End(TagEnd::Heading(_)) => break,
                        Event::Text(t) | Event::Code(t) => text.push_str(t),
                        _ => {}
                    }
                }
                let base = slugify(&text);
                let mut candidate = base.clone();
                let mut n = 1;
                while seen.contains(&candidate) {
                    candidate = format!("{base}-{n}");
                    n += 1;
                }
                seen.insert(candidate.clone());
                if let Event::Start(Tag::Heading { id, .. }) = &mut events[i] {
                    *id = Some(CowStr::from(candidate));
                }
            }
        }
        i += 1;
    }
}

/// Fields show bidi controls as `[U+202E]` rather than obey them; see
/// `escape::escape_html`.
fn show_bidi_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if crate::escape::is_bidi_control(c) {
            out.push_str(&format!("[U+{:04X}]", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// `The Pattern` → `the-pattern`.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if ch.is_alphanumeric() {
            out.extend(ch.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        "section".into()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_markdown_reads_as_text() {
        assert_eq!(
            inline_text(
                "Pro moves to a **$20** [budget](https://x.example) of `API` <b>use</b>\nnow."
            ),
            "Pro moves to a $20 budget of API <b>use</b> now."
        );
    }

    fn links() -> Links {
        Links {
            base: BaseUrl::parse("/sub/").expect("valid"),
            companies: ["cursor".to_string()].into(),
            trends: ["ai-credits".to_string()].into(),
        }
    }

    #[test]
    fn internal_links_resolve_with_base_path_and_fragment() {
        let l = links();
        assert_eq!(
            l.resolve("@/companies/cursor.md").unwrap(),
            "/sub/companies/cursor/"
        );
        assert_eq!(
            l.resolve("@/trends/ai-credits.md#the-pattern").unwrap(),
            "/sub/trends/ai-credits/#the-pattern"
        );
        assert!(
            l.resolve("@/companies/nope.md")
                .unwrap_err()
                .contains("does not exist")
        );
        assert!(
            l.resolve("@/companies/cursor")
                .unwrap_err()
                .contains("Markdown file")
        );
        assert!(l.resolve("@/blog/x.md").is_err());
    }

    #[test]
    fn broken_link_is_reported_at_its_file_line() {
        let body = Body {
            markdown: "Intro.\n\nSee [X](@/companies/nope.md).\n".into(),
            line: 7,
        };
        let mut diags = Vec::new();
        let html = render_body(&body, "content/trends/t.md", &links(), &mut diags);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].line, 9);
        assert_eq!(diags[0].column, 5);
        assert!(html.contains("See"));
    }

    #[test]
    fn headings_get_ids() {
        let body = Body {
            markdown: "## The Pattern\n\n## The Pattern\n\n## Own {#mine}\n".into(),
            line: 1,
        };
        let html = render_body(&body, "f", &links(), &mut Vec::new());
        assert!(
            html.contains("<h2 id=\"the-pattern\">The Pattern</h2>"),
            "{html}"
        );
        assert!(html.contains("<h2 id=\"the-pattern-1\">"), "{html}");
        assert!(html.contains("<h2 id=\"mine\">"), "{html}");
    }

    #[test]
    fn inline_notes_have_no_paragraph_and_escape_html() {
        let html = render_inline(
            "Tiered (`ai_packaging: tiered`) <b>x</b> & [C](@/companies/cursor.md)",
            3,
            "f",
            &links(),
            &mut Vec::new(),
        );
        assert_eq!(
            html,
            "Tiered (<code>ai_packaging: tiered</code>) &lt;b&gt;x&lt;/b&gt; &amp; <a href=\"/sub/companies/cursor/\">C</a>"
        );
    }

    #[test]
    fn summaries_render_inline_and_report_broken_links_at_their_line() {
        let text = r#"+++
name = "Cursor"
website = "https://cursor.example"
category = "developer-tools"
ai_packaging = "bundled"
verified = 2025-11-20

[metering]
mechanic = "credits"

[[sources]]
url = "https://cursor.example/pricing"
checked = 2025-11-20

[[changes]]
date = 2025-06-16
summary = "Budgets, like [trends](@/trends/ai-credits.md)."
source = "https://cursor.example/june"

[[changes]]
date = 2025-02-01
source = "https://cursor.example/feb"
summary = "See [gone](@/companies/gone.md)."
+++
"#;
        let (c, d) =
            crate::content::parse_company_text("content/companies/cursor.md", "cursor", text);
        let c = c.unwrap_or_else(|| panic!("{d:?}"));
        let mut diags = Vec::new();
        let html = render_summaries(&c, &links(), &mut diags);
        assert_eq!(
            html[0],
            "Budgets, like <a href=\"/sub/trends/ai-credits/\">trends</a>."
        );
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].file, "content/companies/cursor.md");
        assert_eq!(diags[0].line, 23);
        assert_eq!(diags[0].field.as_deref(), Some("changes.summary"));
    }
}
