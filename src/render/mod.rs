//! The `render` stage: Tera templates over borrowed, typed views of the
//! dataset, giving every page of the site.
//!
//! Templates are compiled once per build and pages render in parallel. A
//! company's snippet in lists (`company_item.html`) and in the index table
//! (`company_row.html`) is rendered once and reused by every page that shows
//! it, which keeps pages listing thousands of companies cheap, and lets
//! `serve` re-render one company's snippets instead of whole lists.

mod charts;
mod data;
mod feeds;
mod templates;
mod views;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::config;
use crate::diag::{Diagnostic, Diagnostics};
use crate::markdown::{Html, Links};
use crate::model::{Company, Dataset, Date, Mechanic, Packaging, Term};
use crate::query::{Grouped, Index};
pub use templates::{
    BUILTIN_TEMPLATES, PAGE_TEMPLATES, TEMPLATES_DIR, Templates, escape_html, is_bidi_control,
    templates,
};
pub use views::price_label;
use views::*;

/// Files written to the output unless the site's static/ has one of the
/// same name.
pub const BUILTIN_ASSETS: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../../assets/style.css")),
    ("find.js", include_bytes!("../../assets/find.js")),
];

/// One output file, by its path under the output folder (`/` separators).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub path: String,
    pub content: Content,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    Bytes(Vec<u8>),
    /// A static file, copied when the output is written.
    Copy(PathBuf),
}

/// Everything rendering needs besides the per-company snippets.
pub struct Inputs<'a> {
    pub dataset: &'a Dataset,
    pub index: &'a Index<'a>,
    pub html: &'a Html,
    /// For company bodies, rendered page by page.
    pub links: &'a Links,
    pub templates: &'a Templates,
    /// The normalized base URL (`https://example.org/sub/` or `/`).
    pub base_url: &'a str,
}

/// Each company's snippets, by position in `Dataset::companies`.
#[derive(Debug, Default, Clone)]
pub struct Fragments {
    /// `company_item.html`: a company in a list.
    pub items: Vec<String>,
    /// `company_row.html`: a company in the index table.
    pub rows: Vec<String>,
    /// The company as a line of `data/companies.json`; kept only for
    /// `serve`, where an edit then re-serializes one company. A build writes
    /// the data files straight from the dataset and holds no second copy.
    pub json: Vec<String>,
    /// The company as a row of `data/companies.csv`, `csv_width` wide; kept
    /// like `json`.
    pub csv: Vec<String>,
    pub csv_width: data::CsvWidth,
}

/// One company's snippets and data lines.
struct Fragment {
    item: String,
    row: String,
    /// The JSON line and CSV row, when asked for.
    data: Option<(String, String)>,
}

/// A page to render: which template and which view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Job {
    Index,
    Trends,
    /// By position in `Dataset::trends`.
    Trend(usize),
    /// By position in `Dataset::companies`.
    Company(usize),
    Packaging(Packaging),
    Mechanic(Mechanic),
    PackagingList,
    MechanicList,
    NotFound,
    Robots,
    /// `data/companies.json`.
    CompaniesJson,
    /// `data/companies.csv`.
    CompaniesCsv,
    /// `data/find.json`: what the index table's script needs.
    FindJson,
    /// `data/trends.json`.
    TrendsJson,
    /// Part `k` of the sitemap; 0 is `sitemap.xml` itself.
    Sitemap(usize),
    /// `atom.xml`.
    Feed,
}

impl Job {
    /// The template the job renders with; `None` for data files, which are
    /// written from the dataset directly.
    pub fn template(self) -> Option<&'static str> {
        Some(match self {
            Job::Index => "index.html",
            Job::Trends => "trends.html",
            Job::Trend(_) => "trend.html",
            Job::Company(_) => "company.html",
            Job::Packaging(_) | Job::Mechanic(_) => "term.html",
            Job::PackagingList | Job::MechanicList => "term_list.html",
            Job::NotFound => "404.html",
            Job::Robots => "robots.txt",
            Job::CompaniesJson
            | Job::CompaniesCsv
            | Job::FindJson
            | Job::TrendsJson
            | Job::Sitemap(_)
            | Job::Feed => return None,
        })
    }
}

impl Job {
    /// Where a data file goes; `None` for pages, whose paths come from
    /// their slugs as they render.
    pub fn data_path(self) -> Option<String> {
        match self {
            Job::CompaniesJson => Some("data/companies.json".into()),
            Job::CompaniesCsv => Some("data/companies.csv".into()),
            Job::FindJson => Some("data/find.json".into()),
            Job::TrendsJson => Some("data/trends.json".into()),
            Job::Sitemap(k) => Some(feeds::sitemap_path(k)),
            Job::Feed => Some("atom.xml".into()),
            _ => None,
        }
    }
}

/// Every page and file of the site. The sitemap and the feed need absolute
/// URLs: without a host in `base_url` they are left out.
pub fn all_jobs(ds: &Dataset, index: &Index<'_>, base_url: &str) -> Vec<Job> {
    // The long jobs first (each data file is one sequential pass over every
    // company; the index and trend pages list them all), so they overlap
    // with the many short ones instead of finishing alone on one core.
    let mut jobs = data_jobs(ds, index, base_url);
    jobs.extend([
        Job::Index,
        Job::Trends,
        Job::NotFound,
        Job::PackagingList,
        Job::MechanicList,
        Job::Robots,
    ]);
    jobs.extend((0..ds.trends.len()).map(Job::Trend));
    jobs.extend((0..ds.companies.len()).map(Job::Company));
    jobs.extend(index.by_packaging.keys().map(|p| Job::Packaging(*p)));
    jobs.extend(index.by_mechanic.keys().map(|m| Job::Mechanic(*m)));
    jobs
}

/// The files that list every company: what any change to content touches
/// besides pages.
pub fn data_jobs(ds: &Dataset, index: &Index<'_>, base_url: &str) -> Vec<Job> {
    let mut jobs = vec![
        Job::CompaniesJson,
        Job::CompaniesCsv,
        Job::FindJson,
        Job::TrendsJson,
    ];
    if has_host(base_url) {
        jobs.push(Job::Feed);
        let parts = feeds::sitemap_parts(sitemap_len(ds, index));
        jobs.extend((0..=parts).map(Job::Sitemap));
    }
    jobs
}

/// Whether URLs under `base_url` can be written absolute.
pub fn has_host(base_url: &str) -> bool {
    !base_url.starts_with('/')
}

/// How many URLs the sitemap lists: every page but the 404.
fn sitemap_len(ds: &Dataset, index: &Index<'_>) -> usize {
    4 + ds.trends.len() + ds.companies.len() + index.by_packaging.len() + index.by_mechanic.len()
}

/// Renders every company's snippets in parallel, and its data lines when
/// `keep_data` (see `Fragments::json`).
pub fn fragments(inputs: &Inputs<'_>, keep_data: bool) -> Result<Fragments, Diagnostics> {
    let r = Renderer::new(inputs);
    let width = data::CsvWidth::of(&inputs.dataset.companies);
    let results: Vec<Result<Fragment, Vec<Diagnostic>>> = (0..inputs.dataset.companies.len())
        .into_par_iter()
        .map(|i| r.fragments(i, keep_data.then_some(width)))
        .collect();
    let n = results.len();
    let mut out = Fragments {
        items: Vec::with_capacity(n),
        rows: Vec::with_capacity(n),
        json: Vec::with_capacity(n),
        csv: Vec::with_capacity(n),
        csv_width: width,
    };
    let mut diags = Diagnostics::new();
    for result in results {
        match result {
            Ok(f) => {
                out.items.push(f.item);
                out.rows.push(f.row);
                if let Some((json, csv)) = f.data {
                    out.json.push(json);
                    out.csv.push(csv);
                }
            }
            Err(d) => diags.extend(d),
        }
    }
    if diags.has_errors() {
        diags.sort();
        return Err(diags);
    }
    Ok(out)
}

/// Re-renders the snippets of the companies at `positions`, and every CSV
/// row when the most tiers or sources any company has changed with them.
pub fn refresh_fragments(
    inputs: &Inputs<'_>,
    fragments: &mut Fragments,
    positions: &[usize],
) -> Result<(), Diagnostics> {
    let r = Renderer::new(inputs);
    let width = data::CsvWidth::of(&inputs.dataset.companies);
    let keep_data = fragments.json.len() == fragments.items.len();
    for &i in positions {
        match r.fragments(i, keep_data.then_some(width)) {
            Ok(f) => {
                fragments.items[i] = f.item;
                fragments.rows[i] = f.row;
                if let Some((json, csv)) = f.data {
                    fragments.json[i] = json;
                    fragments.csv[i] = csv;
                }
            }
            Err(d) => {
                let mut diags = Diagnostics::new();
                diags.extend(d);
                return Err(diags);
            }
        }
    }
    if keep_data && width != fragments.csv_width {
        fragments.csv = (0..inputs.dataset.companies.len())
            .into_par_iter()
            .map(|i| r.record(i, &r.absolute_company_url(i)).csv(width))
            .collect();
        fragments.csv_width = width;
    }
    Ok(())
}

/// Renders the snippets, then every page of the site, in memory.
pub fn render(inputs: &Inputs<'_>) -> Result<Vec<Page>, Diagnostics> {
    let fragments = fragments(inputs, false)?;
    let jobs = all_jobs(inputs.dataset, inputs.index, inputs.base_url);
    render_jobs(inputs, &fragments, &jobs)
}

/// Renders the given pages, in parallel.
pub fn render_jobs(
    inputs: &Inputs<'_>,
    fragments: &Fragments,
    jobs: &[Job],
) -> Result<Vec<Page>, Diagnostics> {
    let pages = std::sync::Mutex::new(Vec::with_capacity(jobs.len()));
    let diags = render_each(inputs, fragments, jobs, |page| {
        if let Ok(mut pages) = pages.lock() {
            pages.push(page);
        }
    });
    if diags.has_errors() {
        return Err(diags);
    }
    let mut pages = pages.into_inner().unwrap_or_else(|e| e.into_inner());
    // Parallel rendering finishes in any order; callers get a stable one.
    pages.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    Ok(pages)
}

/// Renders the given pages in parallel and hands each to `sink` as soon as
/// it is ready, so a build can write pages while others render and never
/// hold the whole site in memory. Returns the problems met.
pub fn render_each(
    inputs: &Inputs<'_>,
    fragments: &Fragments,
    jobs: &[Job],
    sink: impl Fn(Page) + Sync,
) -> Diagnostics {
    let r = Renderer::new(inputs);
    let problems: Vec<Vec<Diagnostic>> = jobs
        .par_iter()
        .filter_map(|job| match r.page(*job, fragments) {
            Ok(page) => {
                sink(page);
                None
            }
            Err(d) => Some(d),
        })
        .collect();
    let mut diags = Diagnostics::new();
    diags.extend(problems.into_iter().flatten());
    diags.sort();
    diags
}

/// The values in use of one taxonomy (packaging or metering mechanic):
/// each value, its description, its URL and its companies.
struct Terms<'r> {
    section: &'static str,
    label: &'static str,
    list_url: &'r str,
    terms: Vec<(&'static str, &'static str, &'r str, &'r [usize])>,
}

impl<'r> Terms<'r> {
    fn new<T: Term>(
        section: &'static str,
        label: &'static str,
        list_url: &'r str,
        by: &'r BTreeMap<T, Vec<usize>>,
        urls: &'r BTreeMap<T, String>,
    ) -> Terms<'r> {
        let terms = by
            .iter()
            .map(|(t, list)| {
                (
                    t.as_str(),
                    t.description(),
                    urls[t].as_str(),
                    list.as_slice(),
                )
            })
            .collect();
        Terms {
            section,
            label,
            list_url,
            terms,
        }
    }
}

fn term_ref<T: Term>(t: T, urls: &BTreeMap<T, String>) -> TermRef<'_> {
    TermRef {
        value: t.as_str(),
        url: &urls[&t],
        description: t.description(),
    }
}

/// A bar per value of a taxonomy, those no company has included, each
/// linked to its page.
fn term_bars<'r, T: Term>(
    by: &BTreeMap<T, Vec<usize>>,
    urls: &'r BTreeMap<T, String>,
) -> Vec<charts::Bar<'r>> {
    T::ALL
        .iter()
        .map(|t| charts::Bar {
            label: t.as_str(),
            value: by.get(t).map_or(0, Vec::len),
            url: Some(&urls[t]),
        })
        .collect()
}

/// Every value of a taxonomy as an axis of the matrix, linked to its page
/// when it has one.
fn term_axis<'r, T: Term>(
    by: &BTreeMap<T, Vec<usize>>,
    urls: &'r BTreeMap<T, String>,
) -> Vec<(&'static str, Option<&'r str>)> {
    T::ALL
        .iter()
        .map(|t| (t.as_str(), by.contains_key(t).then_some(urls[t].as_str())))
        .collect()
}

struct Renderer<'a> {
    inputs: &'a Inputs<'a>,
    urls: Urls,
    canonical_base: &'a str,
    feed_url: String,
    sitemap_url: String,
}

impl<'a> Renderer<'a> {
    fn new(inputs: &'a Inputs<'a>) -> Renderer<'a> {
        let base_path = config::base_path(inputs.base_url);
        let canonical_base = if has_host(inputs.base_url) {
            inputs.base_url
        } else {
            ""
        };
        // Empty, like `canonical_base`, when there is no host to name.
        let absolute = |file: &str| {
            if canonical_base.is_empty() {
                String::new()
            } else {
                format!("{canonical_base}{file}")
            }
        };
        Renderer {
            inputs,
            urls: Urls::new(inputs.dataset, &base_path),
            canonical_base,
            feed_url: absolute("atom.xml"),
            sitemap_url: absolute("sitemap.xml"),
        }
    }

    fn site(&self) -> SiteView<'_> {
        let config = &self.inputs.dataset.config;
        SiteView {
            title: &config.title,
            description: config.description.as_deref().unwrap_or(""),
            language: &config.language,
            base_path: &self.urls.base,
            canonical_base: self.canonical_base,
            feed_url: &self.feed_url,
            sitemap_url: &self.sitemap_url,
        }
    }

    fn fragments(
        &self,
        i: usize,
        data_width: Option<data::CsvWidth>,
    ) -> Result<Fragment, Vec<Diagnostic>> {
        let c = &self.inputs.dataset.companies[i];
        let t = self.inputs.templates;
        let url = self.urls.company(&c.slug);
        let item = t.render(
            "company_item.html",
            &FragmentView {
                c: CompanyItem {
                    slug: &c.slug,
                    name: &c.name,
                    url: &url,
                    note: &self.inputs.html.notes[i],
                },
            },
        )?;
        let row = t.render(
            "company_row.html",
            &FragmentView {
                c: CompanyRow {
                    slug: &c.slug,
                    name: &c.name,
                    url: &url,
                    category: &c.category,
                    packaging: self.packaging(c.packaging),
                    mechanic: self.mechanic(c.mechanic()),
                },
            },
        )?;
        // Tera renders into a buffer of at least 1 KB; kept for every
        // company, the unused room would be most of a large build's memory.
        let (mut item, mut row) = (item, row);
        item.shrink_to_fit();
        row.shrink_to_fit();
        let data = data_width.map(|width| {
            let url = self.absolute_company_url(i);
            let record = self.record(i, &url);
            (record.json(), record.csv(width))
        });
        Ok(Fragment { item, row, data })
    }

    /// A company page's URL as published data gives it: absolute when the
    /// base URL has a host.
    fn absolute_company_url(&self, i: usize) -> String {
        self.absolute(&self.urls.company(&self.inputs.dataset.companies[i].slug))
    }

    fn record<'r>(&'r self, i: usize, url: &'r str) -> data::CompanyRecord<'r> {
        data::CompanyRecord::new(&self.inputs.dataset.companies[i], url)
    }

    fn page(&self, job: Job, fragments: &Fragments) -> Result<Page, Vec<Diagnostic>> {
        let Some(template) = job.template() else {
            return self.data_file(job, fragments);
        };
        let ds = self.inputs.dataset;
        let index = self.inputs.index;
        let splices = Splices::default();
        let render = |path: &str, section: &str, view: &dyn ErasedView| {
            view.render_with(self, template, path, section)
        };
        let (path, html) = match job {
            Job::Index => {
                let view = IndexPage {
                    trends: self.trend_links(),
                    company_count: ds.companies.len(),
                    company_rows: splices.mark(&index.order, &fragments.rows),
                    charts: self.index_charts(),
                };
                (String::new(), render("", "home", &view)?)
            }
            Job::Trends => {
                let view = TrendsPage {
                    trends: self.trend_links(),
                };
                ("trends/".to_string(), render("trends/", "trends", &view)?)
            }
            Job::NotFound => ("404.html".to_string(), render("404.html", "", &())?),
            Job::Robots => ("robots.txt".to_string(), render("robots.txt", "", &())?),
            Job::Trend(t) => {
                let g = &index.trends[t];
                let path = format!("trends/{}/", g.trend.slug);
                let view = TrendPage {
                    trend: self.trend_view(t, g, fragments, &splices),
                };
                let html = render(&path, "trends", &view)?;
                (path, html)
            }
            Job::Company(i) => {
                let c = &ds.companies[i];
                let path = format!("companies/{}/", c.slug);
                let mut diags = Vec::new();
                let view = self.company_page(i, c, &mut diags);
                if !diags.is_empty() {
                    return Err(diags);
                }
                let html = render(&path, "companies", &view)?;
                (path, html)
            }
            Job::Packaging(p) => {
                self.term_page(&self.packaging_terms(), p.as_str(), fragments, &splices)?
            }
            Job::Mechanic(m) => {
                self.term_page(&self.mechanic_terms(), m.as_str(), fragments, &splices)?
            }
            Job::PackagingList => self.term_list(&self.packaging_terms())?,
            Job::MechanicList => self.term_list(&self.mechanic_terms())?,
            Job::CompaniesJson
            | Job::CompaniesCsv
            | Job::FindJson
            | Job::TrendsJson
            | Job::Sitemap(_)
            | Job::Feed => return self.data_file(job, fragments),
        };
        let path = if path.is_empty() || path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path
        };
        Ok(Page {
            path,
            content: Content::Bytes(splices.apply(html)),
        })
    }

    /// A file written from the dataset without a template.
    fn data_file(&self, job: Job, fragments: &Fragments) -> Result<Page, Vec<Diagnostic>> {
        let ds = self.inputs.dataset;
        let index = self.inputs.index;
        let n = ds.companies.len();
        let bytes = match job {
            Job::CompaniesJson if fragments.json.len() == n => {
                let size = fragments.json.iter().map(|l| l.len() + 2).sum();
                Ok(data::companies_json(
                    fragments.json.iter(),
                    size,
                    |out, line| out.extend_from_slice(line.as_bytes()),
                ))
            }
            Job::CompaniesJson => {
                let urls: Vec<String> = (0..n).map(|i| self.absolute_company_url(i)).collect();
                let records = urls.iter().enumerate().map(|(i, url)| self.record(i, url));
                Ok(data::companies_json(records, n * 700, |out, r| {
                    r.write_json(out)
                }))
            }
            Job::CompaniesCsv if fragments.csv.len() == n => {
                let size = fragments.csv.iter().map(String::len).sum();
                Ok(data::companies_csv(
                    fragments.csv_width,
                    fragments.csv.iter(),
                    size,
                ))
            }
            Job::CompaniesCsv => {
                let width = data::CsvWidth::of(&ds.companies);
                let urls: Vec<String> = (0..n).map(|i| self.absolute_company_url(i)).collect();
                let records = urls.iter().enumerate().map(|(i, url)| self.record(i, url));
                Ok(data::companies_csv_from(width, records, n * 350))
            }
            Job::FindJson => Ok(data::find_json(&ds.companies)),
            Job::TrendsJson => {
                let urls: Vec<String> = (0..ds.trends.len())
                    .map(|t| self.absolute(&self.urls.trends[t]))
                    .collect();
                let ids: Vec<Vec<String>> = index.trends.iter().map(group_ids).collect();
                Ok(data::trends_json(&ds.companies, &index.trends, &urls, &ids))
            }
            Job::Sitemap(k) => self.sitemap(k),
            Job::Feed => self.feed(),
            _ => unreachable!("{job:?} renders with a template"),
        };
        let path = job.data_path().unwrap_or_default();
        match bytes {
            Ok(bytes) => Ok(Page {
                path,
                content: Content::Bytes(bytes),
            }),
            Err(e) => Err(vec![Diagnostic::file_error(
                &path,
                format!("cannot write {path}: {e}"),
            )]),
        }
    }

    /// A site URL (base path included) made absolute, when the base URL has
    /// a host.
    fn absolute(&self, url: &str) -> String {
        if self.canonical_base.is_empty() {
            return url.to_string();
        }
        let below_base = url.strip_prefix(self.urls.base.as_str()).unwrap_or(url);
        format!("{}{below_base}", self.canonical_base)
    }

    /// Every page but the 404, each with the newest `verified` date of the
    /// companies it shows.
    fn sitemap_entries(&self) -> Vec<feeds::SitemapEntry> {
        let ds = self.inputs.dataset;
        let index = self.inputs.index;
        let newest = |list: &[usize]| list.iter().map(|&i| ds.companies[i].verified).max();
        let all = ds.companies.iter().map(|c| c.verified).max();
        let entry = |url: &str, lastmod: Option<Date>| feeds::SitemapEntry {
            loc: self.absolute(url),
            lastmod,
        };
        let mut entries = Vec::with_capacity(sitemap_len(ds, index));
        entries.push(entry(&self.urls.base, all));
        entries.push(entry(&format!("{}trends/", self.urls.base), all));
        for (t, g) in index.trends.iter().enumerate() {
            let lastmod = g
                .groups
                .iter()
                .map(|group| newest(&group.companies))
                .chain([newest(&g.other)])
                .max()
                .flatten();
            entries.push(entry(&self.urls.trends[t], lastmod));
        }
        for c in &ds.companies {
            entries.push(entry(&self.urls.company(&c.slug), Some(c.verified)));
        }
        for terms in [self.packaging_terms(), self.mechanic_terms()] {
            entries.push(entry(terms.list_url, all));
            for &(_, _, url, list) in &terms.terms {
                entries.push(entry(url, newest(list)));
            }
        }
        entries
    }

    fn sitemap(&self, k: usize) -> std::io::Result<Vec<u8>> {
        let entries = self.sitemap_entries();
        let parts: Vec<&[feeds::SitemapEntry]> = entries.chunks(feeds::SITEMAP_LIMIT).collect();
        match (k, feeds::sitemap_parts(entries.len())) {
            (0, 0) => feeds::urlset(&entries),
            (0, _) => feeds::sitemap_index(self.canonical_base, &parts),
            (k, _) => feeds::urlset(parts.get(k - 1).copied().unwrap_or_default()),
        }
    }

    /// The companies checked most recently, newest first; among those of
    /// one day, in name order.
    fn feed(&self) -> std::io::Result<Vec<u8>> {
        let ds = self.inputs.dataset;
        let mut newest: Vec<usize> = self.inputs.index.order.clone();
        // Stable, so a day's companies keep their name order.
        newest.sort_by(|&a, &b| ds.companies[b].verified.cmp(&ds.companies[a].verified));
        newest.truncate(feeds::FEED_ENTRIES);
        let entries: Vec<feeds::FeedEntry<'_>> = newest
            .iter()
            .map(|&i| {
                let c = &ds.companies[i];
                let (p, m) = (c.packaging, c.mechanic());
                let mut summary = format!(
                    "AI packaging: {p} ({}). Metering: {m} ({}).",
                    p.description(),
                    m.description()
                );
                if let Some(note) = c.note() {
                    summary.push(' ');
                    summary.push_str(note);
                }
                feeds::FeedEntry {
                    title: &c.name,
                    url: self.absolute_company_url(i),
                    updated: c.verified,
                    summary,
                    categories: [
                        (p.as_str(), self.absolute(&self.urls.packaging[&p])),
                        (m.as_str(), self.absolute(&self.urls.mechanic[&m])),
                    ],
                }
            })
            .collect();
        let config = &ds.config;
        feeds::atom(
            &feeds::Feed {
                title: &config.title,
                subtitle: config.description.as_deref().unwrap_or(""),
                base: self.canonical_base,
                language: &config.language,
            },
            &entries,
        )
    }

    /// Companies per packaging value and per mechanic, as bars, and the
    /// two crossed. Every value shows, so a reader sees what no one uses.
    fn index_charts(&self) -> IndexCharts {
        let (index, urls) = (self.inputs.index, &self.urls);
        let mut counts = vec![vec![0usize; Mechanic::ALL.len()]; Packaging::ALL.len()];
        for c in &self.inputs.dataset.companies {
            // ALL lists the variants in declaration order.
            counts[c.packaging as usize][c.mechanic() as usize] += 1;
        }
        IndexCharts {
            packaging: charts::bars(
                "chart-packaging",
                "Companies per AI packaging",
                &term_bars(&index.by_packaging, &urls.packaging),
            ),
            mechanic: charts::bars(
                "chart-mechanic",
                "Companies per metering mechanic",
                &term_bars(&index.by_mechanic, &urls.mechanic),
            ),
            matrix: charts::matrix(
                "chart-matrix",
                "Companies per AI packaging and metering mechanic",
                &term_axis(&index.by_packaging, &urls.packaging),
                &term_axis(&index.by_mechanic, &urls.mechanic),
                &counts,
            ),
        }
    }

    fn packaging_terms(&self) -> Terms<'_> {
        let index = self.inputs.index;
        let urls = &self.urls;
        Terms::new(
            "packaging",
            "AI packaging",
            &urls.packaging_list,
            &index.by_packaging,
            &urls.packaging,
        )
    }

    fn mechanic_terms(&self) -> Terms<'_> {
        let index = self.inputs.index;
        let urls = &self.urls;
        Terms::new(
            "metering",
            "Metering",
            &urls.mechanic_list,
            &index.by_mechanic,
            &urls.mechanic,
        )
    }

    /// One value's page: its description and companies.
    fn term_page<'s>(
        &'s self,
        terms: &Terms<'s>,
        value: &str,
        fragments: &'s Fragments,
        splices: &Splices<'s>,
    ) -> Result<(String, String), Vec<Diagnostic>> {
        let Some(&(value, description, _, list)) = terms.terms.iter().find(|t| t.0 == value) else {
            // Jobs come from the same index, so this would be a bug: say so
            // rather than leave the page out silently.
            return Err(vec![Diagnostic::file_error(
                terms.section,
                format!("no company has the value {value:?}; its page was not rendered"),
            )]);
        };
        let path = format!("{}/{value}/", terms.section);
        let view = TermPage {
            term: TermView {
                label: terms.label,
                value,
                description,
                count: list.len(),
                list_url: terms.list_url,
                items: splices.mark(list, &fragments.items),
            },
        };
        let html = view.render_with(self, "term.html", &path, terms.section)?;
        Ok((path, html))
    }

    /// The list of values in use, with counts.
    fn term_list(&self, terms: &Terms<'_>) -> Result<(String, String), Vec<Diagnostic>> {
        let view = TermListPage {
            label: terms.label,
            terms: terms
                .terms
                .iter()
                .map(|&(value, description, url, list)| TermRow {
                    value,
                    url,
                    description,
                    count: list.len(),
                })
                .collect(),
        };
        let path = format!("{}/", terms.section);
        let html = view.render_with(self, "term_list.html", &path, terms.section)?;
        Ok((path, html))
    }

    fn packaging(&self, p: Packaging) -> TermRef<'_> {
        term_ref(p, &self.urls.packaging)
    }

    fn mechanic(&self, m: Mechanic) -> TermRef<'_> {
        term_ref(m, &self.urls.mechanic)
    }

    fn trend_link(&self, t: usize) -> TrendLink<'_> {
        let g = &self.inputs.index.trends[t];
        TrendLink {
            slug: &g.trend.slug,
            title: &g.trend.title,
            url: &self.urls.trends[t],
            summary: &g.trend.summary,
            count: g.total,
        }
    }

    fn trend_ref(&self, t: usize) -> TrendRef<'_> {
        let trend = &self.inputs.dataset.trends[t];
        TrendRef {
            slug: &trend.slug,
            title: &trend.title,
            url: &self.urls.trends[t],
        }
    }

    fn trend_links(&self) -> Vec<TrendLink<'_>> {
        (0..self.inputs.index.trends.len())
            .map(|t| self.trend_link(t))
            .collect()
    }

    fn trend_view<'s>(
        &'s self,
        t: usize,
        g: &'a Grouped<'a>,
        fragments: &'s Fragments,
        splices: &Splices<'s>,
    ) -> TrendView<'s> {
        let ds = self.inputs.dataset;
        let ids = group_ids(g);
        let groups: Vec<GroupView<'_>> = g
            .groups
            .iter()
            .zip(ids)
            .map(|(group, id)| GroupView {
                title: group.title,
                id,
                count: group.companies.len(),
                items: splices.mark(&group.companies, &fragments.items),
            })
            .collect();
        let chart = self.trend_chart(t, g, &groups);
        let see_also = g
            .trend
            .see_also
            .iter()
            .filter_map(|slug| ds.trends.iter().position(|x| &x.slug == slug))
            .map(|j| self.trend_ref(j))
            .collect();
        TrendView {
            slug: &g.trend.slug,
            title: &g.trend.title,
            summary: &g.trend.summary,
            heading: &g.trend.heading,
            intro: &self.inputs.html.trend_intros[t],
            outro: &self.inputs.html.trend_outros[t],
            total: g.total,
            groups,
            other: ItemList {
                count: g.other.len(),
                items: splices.mark(&g.other, &fragments.items),
            },
            see_also,
            chart,
        }
    }

    /// The size of each group (and of "Other"), linked to its place on the
    /// page; nothing when the trend selects no company.
    fn trend_chart(&self, t: usize, g: &Grouped<'_>, groups: &[GroupView<'_>]) -> String {
        if g.total == 0 {
            return String::new();
        }
        let anchors: Vec<String> = groups
            .iter()
            .map(|group| format!("{}#{}", self.urls.trends[t], group.id))
            .chain([format!("{}#other", self.urls.trends[t])])
            .collect();
        let mut bars: Vec<charts::Bar<'_>> = groups
            .iter()
            .zip(&anchors)
            .map(|(group, url)| charts::Bar {
                label: group.title,
                value: group.count,
                url: Some(url),
            })
            .collect();
        if !g.other.is_empty() {
            bars.push(charts::Bar {
                label: if groups.is_empty() { "All" } else { "Other" },
                value: g.other.len(),
                url: anchors
                    .last()
                    .map(String::as_str)
                    .filter(|_| !groups.is_empty()),
            });
        }
        charts::bars(
            "chart-groups",
            &format!("Companies per group: {}", g.trend.title),
            &bars,
        )
    }

    fn company_page(
        &self,
        i: usize,
        c: &'a Company,
        diags: &mut Vec<Diagnostic>,
    ) -> CompanyPage<'_> {
        let trends = self
            .inputs
            .index
            .trends_of(c)
            .map(|t| self.trend_ref(t))
            .collect();
        let m = c.metering.as_ref();
        CompanyPage {
            company: CompanyView {
                slug: &c.slug,
                name: &c.name,
                website: &c.website,
                category: &c.category,
                packaging: self.packaging(c.packaging),
                mechanic: self.mechanic(c.mechanic()),
                unit: m.and_then(|m| m.unit.as_deref()),
                payg: m.is_some_and(|m| m.payg),
                note: &self.inputs.html.notes[i],
                note_text: c.note().unwrap_or(""),
                verified: c.verified.to_string(),
                tiers: c
                    .tiers
                    .iter()
                    .map(|t| TierView {
                        name: &t.name,
                        price: price_label(t),
                        ai_allowance: t.ai_allowance.as_deref(),
                    })
                    .collect(),
                sources: c
                    .sources
                    .iter()
                    .map(|s| SourceView {
                        url: &s.url,
                        checked: s.checked.to_string(),
                    })
                    .collect(),
                body: match self.inputs.html.bodies.get(i) {
                    Some(kept) => Cow::Borrowed(kept.as_str()),
                    None => Cow::Owned(crate::markdown::render_body(
                        &c.body,
                        &c.file,
                        self.inputs.links,
                        diags,
                    )),
                },
            },
            trends,
        }
    }
}

/// Each group's anchor on its trend page: its title as a slug, numbered
/// when two titles give the same one.
fn group_ids(g: &Grouped<'_>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    g.groups
        .iter()
        .map(|group| {
            let base = crate::markdown::slugify(group.title);
            let mut id = base.clone();
            let mut n = 1;
            while !seen.insert(id.clone()) {
                id = format!("{base}-{n}");
                n += 1;
            }
            id
        })
        .collect()
}

/// Lists of snippets to insert into a rendered page. Views carry a short
/// marker where a list goes, and the joined snippets replace it after Tera
/// has rendered the page: a list of 10,000 snippets is then copied once,
/// instead of also into the template context and through the renderer.
#[derive(Default)]
struct Splices<'s> {
    lists: std::cell::RefCell<Vec<(&'s [usize], &'s [String])>>,
}

/// Private-use characters around a marker. A marker also carries a number
/// drawn once per process, so text in content can never pose as one.
const MARK: char = '\u{e000}';

fn nonce() -> u64 {
    static NONCE: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *NONCE.get_or_init(|| {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u32(std::process::id());
        h.finish()
    })
}

impl<'s> Splices<'s> {
    fn mark(&self, positions: &'s [usize], snippets: &'s [String]) -> String {
        let mut lists = self.lists.borrow_mut();
        lists.push((positions, snippets));
        format!("{MARK}{:x}:{}{MARK}", nonce(), lists.len() - 1)
    }

    /// The list a marker's inside (`nonce:n`) stands for.
    fn list(
        lists: &[(&'s [usize], &'s [String])],
        inside: &str,
    ) -> Option<(&'s [usize], &'s [String])> {
        let (n, i) = inside.split_once(':')?;
        if u64::from_str_radix(n, 16).ok()? != nonce() {
            return None;
        }
        lists.get(i.parse::<usize>().ok()?).copied()
    }

    fn apply(self, html: String) -> Vec<u8> {
        let lists = self.lists.into_inner();
        if lists.is_empty() {
            return html.into_bytes();
        }
        let extra: usize = lists
            .iter()
            .map(|(positions, snippets)| {
                positions.iter().map(|&i| snippets[i].len()).sum::<usize>()
            })
            .sum();
        let mut out = String::with_capacity(html.len() + extra);
        let mut rest = html.as_str();
        while let Some(start) = rest.find(MARK) {
            let after = &rest[start + MARK.len_utf8()..];
            let found = after
                .find(MARK)
                .and_then(|end| Some((end, Self::list(&lists, &after[..end])?)));
            match found {
                Some((end, (positions, snippets))) => {
                    out.push_str(&rest[..start]);
                    for &i in positions {
                        out.push_str(&snippets[i]);
                    }
                    rest = &after[end + MARK.len_utf8()..];
                }
                None => {
                    // Not a marker: keep the character and look further on.
                    out.push_str(&rest[..start + MARK.len_utf8()]);
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out.into_bytes()
    }
}

/// Page views are different types; one closure renders any of them
/// through this object-safe trait.
trait ErasedView {
    fn render_with(
        &self,
        r: &Renderer<'_>,
        template: &str,
        path: &str,
        section: &str,
    ) -> Result<String, Vec<Diagnostic>>;
}

impl<T: Serialize> ErasedView for T {
    fn render_with(
        &self,
        r: &Renderer<'_>,
        template: &str,
        path: &str,
        section: &str,
    ) -> Result<String, Vec<Diagnostic>> {
        let site = r.site();
        r.inputs.templates.render(
            template,
            &PageView {
                site: &site,
                path,
                section,
                page: self,
            },
        )
    }
}

/// The built-in assets and the site's static/ files, site files winning.
pub fn static_files(root: &Path) -> (Vec<Page>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut files: BTreeMap<String, Content> = BUILTIN_ASSETS
        .iter()
        .map(|(n, b)| (n.to_string(), Content::Bytes(b.to_vec())))
        .collect();
    let dir = root.join("static");
    if dir.is_dir() {
        for entry in walkdir::WalkDir::new(&dir)
            .follow_links(true)
            .sort_by_file_name()
        {
            match entry {
                Ok(e) if e.file_type().is_file() => {
                    let rel = crate::content::rel_path(&dir, e.path());
                    if rel.split('/').any(crate::content::is_ignored_name) {
                        continue;
                    }
                    files.insert(rel, Content::Copy(e.path().to_path_buf()));
                }
                Ok(_) => {}
                Err(e) => diags.extend(crate::content::walk_error(root, "static", &e)),
            }
        }
    }
    let pages = files
        .into_iter()
        .map(|(path, content)| Page { path, content })
        .collect();
    (pages, diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_job_renders_with_a_page_template() {
        let jobs = [
            Job::Index,
            Job::Trends,
            Job::Trend(0),
            Job::Company(0),
            Job::Packaging(Packaging::Bundled),
            Job::Mechanic(Mechanic::Credits),
            Job::PackagingList,
            Job::MechanicList,
            Job::NotFound,
            Job::Robots,
        ];
        for job in jobs {
            let template = job.template().unwrap_or("none");
            assert!(PAGE_TEMPLATES.contains(&template), "{job:?}");
        }
        for job in [
            Job::CompaniesJson,
            Job::CompaniesCsv,
            Job::FindJson,
            Job::TrendsJson,
            Job::Feed,
        ] {
            assert_eq!(job.template(), None, "{job:?}");
        }
    }

    #[test]
    fn markers_are_replaced_and_look_alikes_kept() {
        let snippets = vec!["<li>a</li>".to_string(), "<li>b</li>".to_string()];
        let order = vec![1, 0];
        let splices = Splices::default();
        let m = splices.mark(&order, &snippets);
        let html = format!("<ul>{m}</ul>\u{e000}0:0\u{e000}\u{e000}x");
        let out = String::from_utf8(splices.apply(html)).unwrap();
        assert_eq!(
            out,
            "<ul><li>b</li><li>a</li></ul>\u{e000}0:0\u{e000}\u{e000}x"
        );
    }
}
