//! What crawlers and feed readers fetch: `sitemap.xml` (split into parts
//! past the protocol's 50,000 URLs) and the Atom feed `atom.xml`. Both need
//! absolute URLs, so they are written only when the base URL has a host.

use std::borrow::Cow;
use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::Renderer;
use crate::config::BaseUrl;
use crate::escape::escape_html;
use crate::model::{Company, Date};
use crate::plan::{Route, SITEMAP_LIMIT, sitemap_parts};
use crate::query::Index;

/// How many entries the Atom feed carries.
pub(super) const FEED_ENTRIES: usize = 50;

const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const ATOM_NS: &str = "http://www.w3.org/2005/Atom";

pub(super) struct SitemapEntry {
    pub loc: String,
    pub lastmod: Option<Date>,
}

/// XML 1.0 forbids most control characters even when escaped; a stray one
/// in a company name must not make the whole feed unreadable. Bidi controls
/// are shown as `[U+202E]`, as on the pages, so a name cannot reorder the
/// text around it in a feed reader.
fn xml_text(s: &str) -> Cow<'_, str> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && !matches!(c, '\u{fffe}' | '\u{ffff}'))
    };
    if s.chars()
        .all(|c| allowed(c) && !crate::escape::is_bidi_control(c))
    {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars().filter(|&c| allowed(c)) {
        if crate::escape::is_bidi_control(c) {
            out.push_str(&format!("[U+{:04X}]", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn text_element(w: &mut Writer<Vec<u8>>, name: &str, text: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(&xml_text(text)))?;
    Ok(())
}

/// A sitemap's `<url>` or a sitemap index's `<sitemap>`: a `<loc>`, and a
/// `<lastmod>` when the date is known.
fn located(
    w: &mut Writer<Vec<u8>>,
    name: &str,
    loc: &str,
    lastmod: Option<Date>,
) -> io::Result<()> {
    w.create_element(name).write_inner_content(|w| {
        text_element(w, "loc", loc)?;
        if let Some(d) = lastmod {
            text_element(w, "lastmod", &d.to_string())?;
        }
        Ok(())
    })?;
    Ok(())
}

fn writer() -> io::Result<Writer<Vec<u8>>> {
    let mut w = Writer::new_with_indent(Vec::with_capacity(4096), b' ', 1);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    Ok(w)
}

fn finish(w: Writer<Vec<u8>>) -> Vec<u8> {
    let mut out = w.into_inner();
    out.push(b'\n');
    out
}

/// A `<urlset>` of `entries`.
pub(super) fn urlset(entries: &[SitemapEntry]) -> io::Result<Vec<u8>> {
    let mut w = writer()?;
    w.create_element("urlset")
        .with_attribute(("xmlns", SITEMAP_NS))
        .write_inner_content(|w| {
            for e in entries {
                located(w, "url", &e.loc, e.lastmod)?;
            }
            Ok(())
        })?;
    Ok(finish(w))
}

/// A `<sitemapindex>` naming the part files, each with its newest lastmod.
pub(super) fn sitemap_index(base: &BaseUrl, parts: &[&[SitemapEntry]]) -> io::Result<Vec<u8>> {
    let mut w = writer()?;
    w.create_element("sitemapindex")
        .with_attribute(("xmlns", SITEMAP_NS))
        .write_inner_content(|w| {
            for (k, part) in parts.iter().enumerate() {
                let loc = Route::sitemap(k + 1).published_url(base);
                let newest = part.iter().filter_map(|e| e.lastmod).max();
                located(w, "sitemap", &loc, newest)?;
            }
            Ok(())
        })?;
    Ok(finish(w))
}

/// The feed as a whole.
pub(super) struct Feed<'a> {
    pub title: &'a str,
    pub subtitle: &'a str,
    /// The changes page's absolute URL: the feed's id and alternate link.
    pub page: &'a str,
    pub self_url: &'a str,
    /// The site's absolute base URL, against which the site links in
    /// summaries (`/sub/companies/acme/`) resolve.
    pub base: &'a str,
    pub author: &'a str,
    pub language: &'a str,
    /// The feed's `updated` when it has no entry.
    pub updated: Date,
}

/// A dated change, as a feed entry.
pub(super) struct FeedEntry {
    /// The change's absolute URL on the changes page: its id and its link.
    pub url: String,
    pub title: String,
    pub updated: Date,
    /// Where the vendor dates the change.
    pub source: String,
    /// HTML: the summary, each field before → after, the source.
    pub content: String,
}

/// RFC 3339 at midnight UTC: entries carry dates, Atom wants date-times.
fn timestamp(d: Date) -> String {
    format!("{d}T00:00:00Z")
}

/// An Atom feed (RFC 4287) of `entries`, already newest first. Its
/// `updated` is the newest entry's, so the same content gives the same bytes.
pub(super) fn atom(feed: &Feed<'_>, entries: &[FeedEntry]) -> io::Result<Vec<u8>> {
    let updated = entries
        .iter()
        .map(|e| e.updated)
        .max()
        .unwrap_or(feed.updated);
    let mut w = writer()?;
    w.create_element("feed")
        .with_attribute(("xmlns", ATOM_NS))
        .with_attribute(("xml:lang", feed.language))
        .with_attribute(("xml:base", feed.base))
        .write_inner_content(|w| {
            text_element(w, "id", feed.page)?;
            text_element(w, "title", feed.title)?;
            if !feed.subtitle.is_empty() {
                text_element(w, "subtitle", feed.subtitle)?;
            }
            text_element(w, "updated", &timestamp(updated))?;
            w.create_element("link")
                .with_attribute(("rel", "self"))
                .with_attribute(("type", "application/atom+xml"))
                .with_attribute(("href", feed.self_url))
                .write_empty()?;
            w.create_element("link")
                .with_attribute(("rel", "alternate"))
                .with_attribute(("type", "text/html"))
                .with_attribute(("href", feed.page))
                .write_empty()?;
            w.create_element("author")
                .write_inner_content(|w| text_element(w, "name", feed.author))?;
            w.create_element("generator")
                .with_attribute(("version", env!("CARGO_PKG_VERSION")))
                .write_text_content(BytesText::new("trendsite"))?;
            for e in entries {
                w.create_element("entry").write_inner_content(|w| {
                    text_element(w, "id", &e.url)?;
                    text_element(w, "title", &e.title)?;
                    text_element(w, "updated", &timestamp(e.updated))?;
                    w.create_element("link")
                        .with_attribute(("rel", "alternate"))
                        .with_attribute(("type", "text/html"))
                        .with_attribute(("href", e.url.as_str()))
                        .write_empty()?;
                    w.create_element("link")
                        .with_attribute(("rel", "related"))
                        .with_attribute(("href", xml_text(&e.source).as_ref()))
                        .write_empty()?;
                    // The HTML is text to XML: quick-xml escapes it once,
                    // and feed readers unescape it before showing it.
                    w.create_element("content")
                        .with_attribute(("type", "html"))
                        .write_text_content(BytesText::new(&xml_text(&e.content)))?;
                    Ok(())
                })?;
            }
            Ok(())
        })?;
    Ok(finish(w))
}

impl Renderer<'_> {
    /// Every page but the 404, each with the newest `verified` date of the
    /// companies it shows.
    fn sitemap_entries(&self, index: &Index<'_>) -> Vec<SitemapEntry> {
        let ds = self.inputs.dataset;
        let base = &self.inputs.plan.base;
        let newest = |list: &[usize]| list.iter().map(|&i| ds.companies[i].verified).max();
        let all = ds.companies.iter().map(|c| c.verified).max();
        let entry = |route: Route, lastmod: Option<Date>| SitemapEntry {
            loc: route.published_url(base),
            lastmod,
        };
        let mut entries = Vec::with_capacity(crate::plan::sitemap_len(ds, index));
        entries.push(entry(Route::home(), all));
        entries.push(entry(Route::trends(), all));
        for g in &index.trends {
            let lastmod = g
                .groups
                .iter()
                .map(|group| newest(&group.companies))
                .chain([newest(&g.other)])
                .max()
                .flatten();
            entries.push(entry(Route::trend(&g.trend.slug), lastmod));
        }
        for c in &ds.companies {
            entries.push(entry(Route::company(&c.slug), Some(c.verified)));
        }
        entries.push(entry(Route::packaging_list(), all));
        for (p, list) in &index.by_packaging {
            entries.push(entry(Route::packaging(*p), newest(list)));
        }
        entries.push(entry(Route::mechanic_list(), all));
        for (m, list) in &index.by_mechanic {
            entries.push(entry(Route::mechanic(*m), newest(list)));
        }
        let newest_change = ds
            .companies
            .iter()
            .filter_map(|c| c.changes.first().map(|ch| ch.date))
            .max();
        entries.push(entry(Route::changes(), newest_change));
        entries
    }

    pub(super) fn sitemap(&self, index: &Index<'_>, k: usize) -> io::Result<Vec<u8>> {
        let entries = self.sitemap_entries(index);
        let parts: Vec<&[SitemapEntry]> = entries.chunks(SITEMAP_LIMIT).collect();
        match (k, sitemap_parts(entries.len())) {
            (0, 0) => urlset(&entries),
            (0, _) => sitemap_index(&self.inputs.plan.base, &parts),
            (k, _) => urlset(parts.get(k - 1).copied().unwrap_or_default()),
        }
    }

    /// The newest changes, in the timeline's order.
    pub(super) fn feed(&self) -> io::Result<Vec<u8>> {
        let ds = self.inputs.dataset;
        let entries: Vec<FeedEntry> = self
            .timeline()
            .iter()
            .take(FEED_ENTRIES)
            .map(|e| self.feed_entry(&ds.companies[e.company], e.change))
            .collect();
        let config = &ds.config;
        let title = format!("{}: pricing changes", config.title);
        atom(
            &Feed {
                title: &title,
                subtitle: config.description.as_deref().unwrap_or(""),
                page: &self.changes_published_url,
                self_url: &self.feed_url,
                base: self.canonical_base,
                author: &config.title,
                language: &config.language,
                // The newest date the content holds, not the clock's.
                updated: ds
                    .companies
                    .iter()
                    .map(|c| c.verified)
                    .max()
                    .unwrap_or(Date {
                        year: 1970,
                        month: 1,
                        day: 1,
                    }),
            },
            &entries,
        )
    }

    /// Change `k` of `c`: its summary as the title, and as the content the
    /// summary, each field before → after and the source.
    fn feed_entry(&self, c: &Company, k: usize) -> FeedEntry {
        let change = &c.changes[k];
        // Broken `@/` links in a summary are reported by the pages that
        // show it; the feed keeps the link as written.
        let mut ignored = Vec::new();
        let summary = crate::markdown::render_inline(
            &change.summary,
            change.line,
            &c.file,
            self.inputs.links,
            &mut ignored,
        );
        let mut content = format!("<p>{summary}</p>\n");
        if !change.before.is_empty() {
            content.push_str("<ul>\n");
            for prior in &change.before {
                content.push_str(&format!(
                    "<li><code>{}</code>: {} → {}</li>\n",
                    prior.path(),
                    escape_html(&prior.display()),
                    escape_html(&c.value_after(k, prior).display())
                ));
            }
            content.push_str("</ul>\n");
        }
        let source = escape_html(&change.source);
        content.push_str(&format!("<p>Source: <a href=\"{source}\">{source}</a></p>"));
        FeedEntry {
            url: super::history::change_url(&self.changes_published_url, c, k),
            title: format!(
                "{}: {}",
                c.name,
                crate::markdown::inline_text(&change.summary)
            ),
            updated: change.date,
            source: change.source.clone(),
            content,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_dropped_and_markup_escaped() {
        let entries = [SitemapEntry {
            loc: "https://example.org/a?b=1&c=<2>\u{1}".into(),
            lastmod: None,
        }];
        let xml = String::from_utf8(urlset(&entries).unwrap()).unwrap();
        assert!(xml.contains("<loc>https://example.org/a?b=1&amp;c=&lt;2&gt;</loc>"));
        assert_eq!(xml_text("Acme\u{202E}moc"), "Acme[U+202E]moc");
    }

    #[test]
    fn large_sitemaps_split_at_the_protocol_limit() {
        assert_eq!(sitemap_parts(SITEMAP_LIMIT), 0);
        assert_eq!(sitemap_parts(SITEMAP_LIMIT + 1), 2);
        assert_eq!(sitemap_parts(3 * SITEMAP_LIMIT), 3);
        assert_eq!(Route::sitemap(2).rel(), "sitemap-2.xml");
    }
}
