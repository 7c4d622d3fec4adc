//! The `render` stage: Tera templates over borrowed, typed views of the
//! dataset, giving every page of the site in memory.
//!
//! Templates are compiled once per build; pages render in parallel. The
//! built-in templates are compiled into the binary, and a site's own
//! `templates/*.html` replace them by name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::config::{self, Config};
use crate::diag::{Diagnostic, Diagnostics};
use crate::markdown::Html;
use crate::model::{Company, Dataset, Mechanic, Packaging, Tier};
use crate::query::{Grouped, Index};

/// The built-in templates, by the name a site's override must use.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("index.html", include_str!("../templates/index.html")),
    ("trends.html", include_str!("../templates/trends.html")),
    ("trend.html", include_str!("../templates/trend.html")),
    ("company.html", include_str!("../templates/company.html")),
    ("term.html", include_str!("../templates/term.html")),
    (
        "term_list.html",
        include_str!("../templates/term_list.html"),
    ),
    ("404.html", include_str!("../templates/404.html")),
];

/// Files written to the output unless the site's static/ has one of the
/// same name.
pub const BUILTIN_ASSETS: &[(&str, &[u8])] =
    &[("style.css", include_bytes!("../assets/style.css"))];

pub const TEMPLATES_DIR: &str = "templates";

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

/// Which file each template came from, for error messages.
fn template_origin(name: &str, overridden: &[String]) -> String {
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
                    diags.push(Diagnostic::file_error(
                        TEMPLATES_DIR,
                        format!("cannot read: {e}"),
                    ));
                    continue;
                }
            };
            let name = entry.file_name().to_string_lossy();
            if !entry.file_type().is_file() || crate::content::is_ignored_name(&name) {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(&dir)
                .unwrap_or(entry.path())
                .to_string_lossy()
                .replace('\\', "/");
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
    let mut tera = Tera::default();
    tera.set_escape_fn(escape_html);
    // Each template is parsed alone first, so a syntax error names its file.
    for (name, text) in &sources {
        if let Err(e) = tera::Template::new(name, None, text) {
            diags.push(Diagnostic::file_error(
                &template_origin(name, &overridden),
                tera_message(&e),
            ));
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    if let Err(e) = tera.add_raw_templates(sources.iter().map(|(n, s)| (n.as_str(), s.as_str()))) {
        diags.push(Diagnostic::file_error(TEMPLATES_DIR, tera_message(&e)));
        return Err(diags);
    }
    Ok(Templates { tera, overridden })
}

/// Escapes what HTML needs escaped in text and quoted attributes. Tera's own
/// escaper also rewrites `/`, which makes every URL in the output longer and
/// harder to read without making anything safer.
pub fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 8);
    for ch in input.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

pub struct Templates {
    tera: Tera,
    overridden: Vec<String>,
}

impl Templates {
    fn render(&self, name: &str, view: &impl Serialize) -> Result<Vec<u8>, Vec<Diagnostic>> {
        let error = |e: tera::Error| {
            vec![Diagnostic::file_error(
                &template_origin(name, &self.overridden),
                tera_message(&e),
            )]
        };
        let context = Context::from_serialize(view).map_err(error)?;
        self.tera
            .render(name, &context)
            .map(String::into_bytes)
            .map_err(error)
    }
}

/// What every page knows about the site.
#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
    base_path: &'a str,
    /// The absolute URL canonical links start with; empty when the base URL
    /// is only a path.
    canonical_base: &'a str,
}

#[derive(Serialize)]
struct PageView<'a, T: Serialize> {
    site: &'a SiteView<'a>,
    /// The page's path below the base, such as `companies/cursor/`.
    path: &'a str,
    /// The navigation section the page belongs to.
    section: &'a str,
    #[serde(flatten)]
    page: T,
}

#[derive(Serialize, Clone, Copy)]
struct TermRef<'a> {
    value: &'static str,
    url: &'a str,
    description: &'static str,
}

#[derive(Serialize, Clone, Copy)]
struct CompanyLink<'a> {
    name: &'a str,
    url: &'a str,
    note: &'a str,
}

#[derive(Serialize)]
struct TrendLink<'a> {
    slug: &'a str,
    title: &'a str,
    url: &'a str,
    summary: &'a str,
    count: usize,
}

/// A trend as other pages link to it. Kept to what cannot change when
/// companies change, so an edit to one company never touches the pages that
/// merely link to a trend.
#[derive(Serialize)]
struct TrendRef<'a> {
    slug: &'a str,
    title: &'a str,
    url: &'a str,
}

#[derive(Serialize)]
struct CompanyRow<'a> {
    name: &'a str,
    url: &'a str,
    category: &'a str,
    packaging: TermRef<'a>,
    mechanic: TermRef<'a>,
}

#[derive(Serialize)]
struct IndexPage<'a> {
    trends: Vec<TrendLink<'a>>,
    companies: Vec<CompanyRow<'a>>,
}

#[derive(Serialize)]
struct TrendsPage<'a> {
    trends: Vec<TrendLink<'a>>,
}

#[derive(Serialize)]
struct GroupView<'a> {
    title: &'a str,
    id: String,
    companies: Vec<CompanyLink<'a>>,
}

#[derive(Serialize)]
struct TrendView<'a> {
    slug: &'a str,
    title: &'a str,
    summary: &'a str,
    heading: &'a str,
    intro: &'a str,
    outro: &'a str,
    total: usize,
    groups: Vec<GroupView<'a>>,
    other: Vec<CompanyLink<'a>>,
    see_also: Vec<TrendRef<'a>>,
}

#[derive(Serialize)]
struct TrendPage<'a> {
    trend: TrendView<'a>,
}

#[derive(Serialize)]
struct TierView<'a> {
    name: &'a str,
    price: String,
    ai_allowance: Option<&'a str>,
}

#[derive(Serialize)]
struct SourceView<'a> {
    url: &'a str,
    checked: String,
}

#[derive(Serialize)]
struct CompanyView<'a> {
    slug: &'a str,
    name: &'a str,
    website: &'a str,
    category: &'a str,
    packaging: TermRef<'a>,
    mechanic: TermRef<'a>,
    unit: Option<&'a str>,
    payg: bool,
    note: &'a str,
    note_text: &'a str,
    verified: String,
    tiers: Vec<TierView<'a>>,
    sources: Vec<SourceView<'a>>,
    body: String,
}

#[derive(Serialize)]
struct CompanyPage<'a> {
    company: CompanyView<'a>,
    trends: Vec<TrendRef<'a>>,
}

#[derive(Serialize)]
struct TermPage<'a> {
    term: TermView<'a>,
}

#[derive(Serialize)]
struct TermView<'a> {
    label: &'static str,
    value: &'static str,
    description: &'static str,
    count: usize,
    list_url: &'a str,
    companies: Vec<CompanyLink<'a>>,
}

#[derive(Serialize)]
struct TermListPage<'a> {
    label: &'static str,
    terms: Vec<TermRow<'a>>,
}

#[derive(Serialize)]
struct TermRow<'a> {
    value: &'static str,
    url: &'a str,
    description: &'static str,
    count: usize,
}

/// `$20 / month per user`, `$9.99 one-time`, `contact sales`.
pub fn price_label(t: &Tier) -> String {
    let Some(p) = t.price_usd else {
        return "contact sales".into();
    };
    let mut s = if p.fract() == 0.0 {
        format!("${p:.0}")
    } else {
        format!("${p:.2}")
    };
    if let Some(period) = t.period {
        s.push_str(match period {
            crate::model::Period::Month => " / month",
            crate::model::Period::Year => " / year",
            crate::model::Period::OneTime => " one-time",
        });
    }
    if let Some(per) = t.per {
        s.push_str(" per ");
        s.push_str(per.as_str());
    }
    s
}

/// Precomputed URLs, so that each page borrows them instead of formatting.
struct Urls {
    base: String,
    companies: Vec<String>,
    trends: Vec<String>,
    packaging: BTreeMap<Packaging, String>,
    mechanic: BTreeMap<Mechanic, String>,
}

impl Urls {
    fn new(ds: &Dataset, base: &str) -> Urls {
        Urls {
            base: base.to_string(),
            companies: ds
                .companies
                .iter()
                .map(|c| format!("{base}companies/{}/", c.slug))
                .collect(),
            trends: ds
                .trends
                .iter()
                .map(|t| format!("{base}trends/{}/", t.slug))
                .collect(),
            packaging: Packaging::ALL
                .iter()
                .map(|p| (*p, format!("{base}packaging/{p}/")))
                .collect(),
            mechanic: Mechanic::ALL
                .iter()
                .map(|m| (*m, format!("{base}metering/{m}/")))
                .collect(),
        }
    }
}

/// Everything `render` needs beyond the dataset.
pub struct Inputs<'a> {
    pub dataset: &'a Dataset,
    pub index: &'a Index<'a>,
    pub html: &'a Html,
    /// For company bodies, rendered page by page.
    pub links: &'a crate::markdown::Links,
    pub templates: &'a Templates,
    /// The normalized base URL (`https://example.org/sub/` or `/`).
    pub base_url: &'a str,
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
}

impl Job {
    /// The page template the job renders with.
    pub fn template(self) -> &'static str {
        match self {
            Job::Index => "index.html",
            Job::Trends => "trends.html",
            Job::Trend(_) => "trend.html",
            Job::Company(_) => "company.html",
            Job::Packaging(_) | Job::Mechanic(_) => "term.html",
            Job::PackagingList | Job::MechanicList => "term_list.html",
            Job::NotFound => "404.html",
        }
    }
}

/// Every page of the site.
pub fn all_jobs(ds: &Dataset, index: &Index<'_>) -> Vec<Job> {
    let mut jobs = vec![
        Job::Index,
        Job::Trends,
        Job::NotFound,
        Job::PackagingList,
        Job::MechanicList,
    ];
    jobs.extend((0..ds.trends.len()).map(Job::Trend));
    jobs.extend((0..ds.companies.len()).map(Job::Company));
    jobs.extend(index.by_packaging.keys().map(|p| Job::Packaging(*p)));
    jobs.extend(index.by_mechanic.keys().map(|m| Job::Mechanic(*m)));
    jobs
}

/// Renders every page of the site, in parallel.
pub fn render(inputs: &Inputs<'_>) -> Result<Vec<Page>, Diagnostics> {
    render_jobs(inputs, &all_jobs(inputs.dataset, inputs.index))
}

/// Renders the given pages, in parallel.
pub fn render_jobs(inputs: &Inputs<'_>, jobs: &[Job]) -> Result<Vec<Page>, Diagnostics> {
    let pages = std::sync::Mutex::new(Vec::with_capacity(jobs.len()));
    let diags = render_each(inputs, jobs, |page| {
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
pub fn render_each(inputs: &Inputs<'_>, jobs: &[Job], sink: impl Fn(Page) + Sync) -> Diagnostics {
    let ds = inputs.dataset;
    let base_path = config::base_path(inputs.base_url);
    let urls = Urls::new(ds, &base_path);
    let canonical_base = if inputs.base_url.starts_with('/') {
        ""
    } else {
        inputs.base_url
    };
    let site = SiteView {
        title: &ds.config.title,
        description: ds.config.description.as_deref().unwrap_or(""),
        language: &ds.config.language,
        base_path: &urls.base,
        canonical_base,
    };
    let r = Renderer {
        inputs,
        urls: &urls,
        site: &site,
    };
    let problems: Vec<Vec<Diagnostic>> = jobs
        .par_iter()
        .filter_map(|job| match r.page(job) {
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

struct Renderer<'a> {
    inputs: &'a Inputs<'a>,
    urls: &'a Urls,
    site: &'a SiteView<'a>,
}

impl<'a> Renderer<'a> {
    fn page(&self, job: &Job) -> Result<Page, Vec<Diagnostic>> {
        let ds = self.inputs.dataset;
        let t = self.inputs.templates;
        let (path, bytes) = match *job {
            Job::Index => {
                let companies = crate::query::companies_by_name(ds)
                    .into_iter()
                    .map(|c| {
                        let i = self.pos(c);
                        CompanyRow {
                            name: &c.name,
                            url: &self.urls.companies[i],
                            category: &c.category,
                            packaging: self.packaging(c.packaging),
                            mechanic: self.mechanic(c.mechanic()),
                        }
                    })
                    .collect();
                let view = IndexPage {
                    trends: self.trend_links(),
                    companies,
                };
                (
                    String::new(),
                    t.render("index.html", &self.wrap("", "home", view))?,
                )
            }
            Job::Trends => {
                let view = TrendsPage {
                    trends: self.trend_links(),
                };
                (
                    "trends/".into(),
                    t.render("trends.html", &self.wrap("trends/", "trends", view))?,
                )
            }
            Job::NotFound => (
                "404.html".into(),
                t.render("404.html", &self.wrap("404.html", "", ()))?,
            ),
            Job::Trend(i) => {
                let g = &self.inputs.index.trends[i];
                let path = format!("trends/{}/", g.trend.slug);
                let view = TrendPage {
                    trend: self.trend_view(i, g),
                };
                let bytes = t.render("trend.html", &self.wrap(&path, "trends", view))?;
                (path, bytes)
            }
            Job::Company(i) => {
                let c = &ds.companies[i];
                let path = format!("companies/{}/", c.slug);
                let mut diags = Vec::new();
                let view = self.company_page(i, c, &mut diags);
                if !diags.is_empty() {
                    return Err(diags);
                }
                let bytes = t.render("company.html", &self.wrap(&path, "companies", view))?;
                (path, bytes)
            }
            Job::Packaging(p) => {
                let companies = &self.inputs.index.by_packaging[&p];
                let path = format!("packaging/{p}/");
                let view = TermPage {
                    term: TermView {
                        label: "AI packaging",
                        value: p.as_str(),
                        description: p.description(),
                        count: companies.len(),
                        list_url: &self.list_url("packaging"),
                        companies: self.links(companies),
                    },
                };
                let bytes = t.render("term.html", &self.wrap(&path, "packaging", view))?;
                (path, bytes)
            }
            Job::Mechanic(m) => {
                let companies = &self.inputs.index.by_mechanic[&m];
                let path = format!("metering/{m}/");
                let view = TermPage {
                    term: TermView {
                        label: "Metering",
                        value: m.as_str(),
                        description: m.description(),
                        count: companies.len(),
                        list_url: &self.list_url("metering"),
                        companies: self.links(companies),
                    },
                };
                let bytes = t.render("term.html", &self.wrap(&path, "metering", view))?;
                (path, bytes)
            }
            Job::PackagingList => {
                let terms = self
                    .inputs
                    .index
                    .by_packaging
                    .iter()
                    .map(|(p, list)| TermRow {
                        value: p.as_str(),
                        url: &self.urls.packaging[p],
                        description: p.description(),
                        count: list.len(),
                    })
                    .collect();
                let view = TermListPage {
                    label: "AI packaging",
                    terms,
                };
                (
                    "packaging/".into(),
                    t.render(
                        "term_list.html",
                        &self.wrap("packaging/", "packaging", view),
                    )?,
                )
            }
            Job::MechanicList => {
                let terms = self
                    .inputs
                    .index
                    .by_mechanic
                    .iter()
                    .map(|(m, list)| TermRow {
                        value: m.as_str(),
                        url: &self.urls.mechanic[m],
                        description: m.description(),
                        count: list.len(),
                    })
                    .collect();
                let view = TermListPage {
                    label: "Metering",
                    terms,
                };
                (
                    "metering/".into(),
                    t.render("term_list.html", &self.wrap("metering/", "metering", view))?,
                )
            }
        };
        let path = if path.is_empty() || path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path
        };
        Ok(Page {
            path,
            content: Content::Bytes(bytes),
        })
    }

    fn list_url(&self, section: &str) -> String {
        format!("{}{section}/", self.urls.base)
    }

    fn wrap<'v, T: Serialize>(
        &'v self,
        path: &'v str,
        section: &'v str,
        page: T,
    ) -> PageView<'v, T> {
        PageView {
            site: self.site,
            path,
            section,
            page,
        }
    }

    /// Companies are sorted by slug, so their position is a binary search.
    fn pos(&self, c: &Company) -> usize {
        self.inputs
            .dataset
            .companies
            .binary_search_by(|x| x.slug.cmp(&c.slug))
            .unwrap_or(0)
    }

    fn packaging(&self, p: Packaging) -> TermRef<'a> {
        TermRef {
            value: p.as_str(),
            url: &self.urls.packaging[&p],
            description: p.description(),
        }
    }

    fn mechanic(&self, m: Mechanic) -> TermRef<'a> {
        TermRef {
            value: m.as_str(),
            url: &self.urls.mechanic[&m],
            description: m.description(),
        }
    }

    fn link(&self, c: &'a Company) -> CompanyLink<'a> {
        let i = self.pos(c);
        CompanyLink {
            name: &c.name,
            url: &self.urls.companies[i],
            note: &self.inputs.html.notes[i],
        }
    }

    fn links(&self, list: &[&'a Company]) -> Vec<CompanyLink<'a>> {
        list.iter().map(|c| self.link(c)).collect()
    }

    fn trend_link(&self, i: usize) -> TrendLink<'a> {
        let g = &self.inputs.index.trends[i];
        TrendLink {
            slug: &g.trend.slug,
            title: &g.trend.title,
            url: &self.urls.trends[i],
            summary: &g.trend.summary,
            count: g.total,
        }
    }

    fn trend_ref(&self, i: usize) -> TrendRef<'a> {
        let t = &self.inputs.dataset.trends[i];
        TrendRef {
            slug: &t.slug,
            title: &t.title,
            url: &self.urls.trends[i],
        }
    }

    fn trend_links(&self) -> Vec<TrendLink<'a>> {
        (0..self.inputs.index.trends.len())
            .map(|i| self.trend_link(i))
            .collect()
    }

    fn trend_view(&self, i: usize, g: &'a Grouped<'a>) -> TrendView<'a> {
        let ds = self.inputs.dataset;
        let mut ids = std::collections::HashSet::new();
        let groups = g
            .groups
            .iter()
            .map(|group| {
                let base = crate::markdown::slugify(group.title);
                let mut id = base.clone();
                let mut n = 1;
                while !ids.insert(id.clone()) {
                    id = format!("{base}-{n}");
                    n += 1;
                }
                GroupView {
                    title: group.title,
                    id,
                    companies: self.links(&group.companies),
                }
            })
            .collect();
        let see_also = g
            .trend
            .see_also
            .iter()
            .filter_map(|slug| ds.trends.iter().position(|t| &t.slug == slug))
            .map(|j| self.trend_ref(j))
            .collect();
        TrendView {
            slug: &g.trend.slug,
            title: &g.trend.title,
            summary: &g.trend.summary,
            heading: &g.trend.heading,
            intro: &self.inputs.html.trend_intros[i],
            outro: &self.inputs.html.trend_outros[i],
            total: g.total,
            groups,
            other: self.links(&g.other),
            see_also,
        }
    }

    fn company_page(
        &self,
        i: usize,
        c: &'a Company,
        diags: &mut Vec<Diagnostic>,
    ) -> CompanyPage<'a> {
        let trends = self
            .inputs
            .index
            .trends_of
            .get(c.slug.as_str())
            .map(|list| list.iter().map(|&j| self.trend_ref(j)).collect())
            .unwrap_or_default();
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
                body: crate::markdown::render_body(&c.body, &c.file, self.inputs.links, diags),
            },
            trends,
        }
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
                    let rel = e
                        .path()
                        .strip_prefix(&dir)
                        .unwrap_or(e.path())
                        .to_string_lossy()
                        .replace('\\', "/");
                    if rel.split('/').any(crate::content::is_ignored_name) {
                        continue;
                    }
                    files.insert(rel, Content::Copy(e.path().to_path_buf()));
                }
                Ok(_) => {}
                Err(e) => diags.push(Diagnostic::file_error(
                    "static",
                    format!("cannot read: {e}"),
                )),
            }
        }
    }
    let pages = files
        .into_iter()
        .map(|(path, content)| Page { path, content })
        .collect();
    (pages, diags)
}

/// Reads the config so callers outside the pipeline can name the output.
pub fn output_dir(root: &Path, config: &Config) -> PathBuf {
    root.join(&config.output_dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Per, Period};

    #[test]
    fn prices_read_naturally() {
        let mut t = Tier {
            name: "Pro".into(),
            price_usd: Some(20.0),
            period: Some(Period::Month),
            per: Some(Per::User),
            ai_allowance: None,
        };
        assert_eq!(price_label(&t), "$20 / month per user");
        t.price_usd = Some(9.99);
        t.per = None;
        assert_eq!(price_label(&t), "$9.99 / month");
        t.price_usd = None;
        assert_eq!(price_label(&t), "contact sales");
    }

    #[test]
    fn builtin_templates_compile() {
        let dir = tempfile::tempdir().unwrap();
        assert!(templates(dir.path()).is_ok());
    }
}
