//! trendsite: a static site generator for a dataset of how software companies
//! package and meter AI in their pricing.
//!
//! The pipeline runs one stage per module, each feeding the next:
//! [`content`] (find, split, parse, validate) → [`model`] (the typed site) →
//! [`query`] (select and group) → [`plan`] (every output, its route and the
//! inputs it reads) → [`markdown`] and [`render`] (outputs in memory) →
//! [`output`] (atomic write). [`check`] adds the data-quality warnings that
//! `check` reports and `build` prints; [`serve`] keeps a site in memory and
//! asks the plan what each edit touches. docs/architecture.md draws it.

// Diagnostics are returned on the cold path only, and carry the excerpt an
// editor needs; boxing them would add noise to every stage for no gain.
#![allow(clippy::result_large_err)]
#![warn(unreachable_pub)]

mod check;
pub mod config;
pub mod content;
pub mod diag;
mod escape;
pub mod markdown;
pub mod model;
pub mod output;
pub mod plan;
pub mod publish;
pub mod query;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod shell;

use std::path::Path;

use diag::{Diagnostic, Diagnostics};
use render::Page;

/// A site rendered in memory, with the warnings met on the way.
#[derive(Debug)]
pub struct Built {
    pub pages: Vec<Page>,
    pub warnings: Diagnostics,
    pub companies: usize,
    pub trends: usize,
    pub timings: Timings,
}

/// Wall time per pipeline stage, for `build --timings`.
#[derive(Debug, Default, Clone)]
pub struct Timings(pub Vec<(&'static str, std::time::Duration)>);

impl Timings {
    /// Records the time since `since` under `stage` and restarts the clock.
    pub fn lap(&mut self, stage: &'static str, since: &mut std::time::Instant) {
        let now = std::time::Instant::now();
        self.0.push((stage, now - *since));
        *since = now;
    }
}

/// A site as read and checked: what every render reads.
pub struct Site {
    /// What the pages show: the dataset as read, or replayed to `as_of`.
    pub dataset: model::Dataset,
    /// The URL the site is built for.
    pub base: config::BaseUrl,
    pub html: markdown::Html,
    pub links: markdown::Links,
    /// `None` when a template failed to compile (the error is reported).
    pub templates: Option<render::Templates>,
    /// The date the site is shown as of (`--as-of`); `None` shows it now.
    pub as_of: Option<model::Date>,
}

/// Everything read and checked from a site, before pages are rendered.
pub struct Prepared {
    pub site: Site,
    pub company_files: Vec<content::Entry>,
    pub trend_files: Vec<content::Entry>,
    /// Errors and warnings from every stage so far.
    pub diagnostics: Diagnostics,
    pub statics: Vec<Page>,
    pub timings: Timings,
    /// The dataset as its files say, when `site.dataset` is replayed to a
    /// date: the data-quality warnings judge what the files say, since that
    /// is what an editor corrects.
    pub written: Option<model::Dataset>,
}

/// Reads, validates and prepares a whole site. Every stage runs even when an
/// earlier one found errors, so one run reports as much as possible.
/// `bodies` says what to do with company bodies: `serve` keeps their HTML,
/// as it renders pages again and again.
pub fn prepare(root: &Path, base_url: Option<&str>, bodies: markdown::Bodies) -> Prepared {
    prepare_as_of(root, base_url, bodies, None)
}

/// [`prepare`], with the site replayed to `as_of` when given: every company
/// as it stood on that date, and the changes after it left out.
pub fn prepare_as_of(
    root: &Path,
    base_url: Option<&str>,
    bodies: markdown::Bodies,
    as_of: Option<model::Date>,
) -> Prepared {
    let mut timings = Timings::default();
    let mut clock = std::time::Instant::now();
    let loaded = content::load(root);
    timings.lap("read and validate content", &mut clock);
    let mut diags = loaded.diagnostics;
    let ds = loaded.dataset;

    let base = match base_url {
        Some(url) => match config::BaseUrl::parse(url) {
            Some(base) => base,
            None => {
                diags.push(
                    Diagnostic::file_error("--base-url", format!("invalid base URL {url:?}"))
                        .expected(
                            "an http(s) URL such as https://example.org/sub/ or a path such as /",
                        ),
                );
                ds.config.base_url.clone()
            }
        },
        None => ds.config.base_url.clone(),
    };

    let templates = match render::templates(root) {
        Ok(t) => {
            diags.extend(t.warnings.clone());
            Some(t)
        }
        Err(d) => {
            diags.extend(d);
            None
        }
    };
    timings.lap("compile templates", &mut clock);

    let links = markdown::Links {
        base: base.clone(),
        companies: loaded
            .company_files
            .iter()
            .map(|e| e.slug.clone())
            .collect(),
        trends: loaded.trend_files.iter().map(|e| e.slug.clone()).collect(),
    };
    // Company bodies are rendered with their pages, which reports their
    // broken links; when the build stops before that, check them here so one
    // run still reports every error.
    let bodies = match bodies {
        markdown::Bodies::Skip if diags.has_errors() || templates.is_none() => {
            markdown::Bodies::Check
        }
        other => other,
    };
    let (mut html, link_diags) = markdown::render_all(&ds, &links, bodies);
    diags.extend(link_diags);
    // Links are checked in the files as written; a replayed note is drawn
    // from its `before` value.
    let (ds, written) = match as_of {
        Some(date) => {
            let shown = query::as_of(&ds, date);
            diags.extend(replay_notes(&mut html, &ds, &shown, &links));
            (shown, Some(ds))
        }
        None => (ds, None),
    };
    timings.lap("markdown", &mut clock);

    let (statics, static_diags) = render::static_files(root);
    diags.extend(static_diags);
    timings.lap("list static files", &mut clock);

    Prepared {
        site: Site {
            dataset: ds,
            base,
            html,
            links,
            templates,
            as_of,
        },
        company_files: loaded.company_files,
        trend_files: loaded.trend_files,
        diagnostics: diags,
        statics,
        timings,
        written,
    }
}

/// Renders again the notes that replaying changed, and returns the
/// problems in them. A broken link in a `before` note is reported at the
/// line of the note now, the nearest line that holds a note.
fn replay_notes(
    html: &mut markdown::Html,
    written: &model::Dataset,
    shown: &model::Dataset,
    links: &markdown::Links,
) -> Vec<Diagnostic> {
    let note = |c: &model::Company| c.metering.as_ref().and_then(|m| m.note.clone());
    let mut diags = Vec::new();
    for (i, (w, s)) in written.companies.iter().zip(&shown.companies).enumerate() {
        if note(w) != note(s) {
            html.notes[i] = markdown::render_note(s, links, &mut diags);
        }
        // The changes after the date are left out, newest first, and their
        // summaries with them.
        if let Some(summaries) = html.summaries.get_mut(i) {
            let dropped = w.changes.len() - s.changes.len();
            summaries.drain(..dropped.min(summaries.len()));
        }
    }
    diags
}

/// What `build_to` wrote.
#[derive(Debug)]
pub struct Written {
    pub warnings: Diagnostics,
    /// Data-quality warnings not in `warnings`: a build reports how many,
    /// and `trendsite check` lists them.
    pub more_warnings: usize,
    pub companies: usize,
    pub trends: usize,
    pub files: usize,
    pub bytes: u64,
    pub timings: Timings,
    /// The base URL the pages were built for.
    pub base_url: config::BaseUrl,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{}", .0.summary())]
    Content(Diagnostics),
    #[error(transparent)]
    Output(#[from] output::OutputError),
}

/// What rendering a whole site reports, besides its pages.
struct Rendered {
    base_url: config::BaseUrl,
    warnings: Diagnostics,
    more_warnings: usize,
    companies: usize,
    trends: usize,
    timings: Timings,
}

/// Which data-quality warnings a run reports in full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Warnings {
    /// Every one: `check`, and the in-memory build tests use.
    All,
    /// Those that change the pages (companies left under "Other"); the rest
    /// are counted. On a large, old dataset the stale dates alone would be
    /// thousands of lines, and `check` lists them.
    Build,
}

/// Runs every stage but `output`, handing each page (static files included)
/// to `sink` as soon as it is ready. Fails with every error found, across
/// all files, when any stage finds one; pages may have reached `sink` by
/// then, so a caller writing them must be ready to discard them.
fn render_site(
    root: &Path,
    base_url: Option<&str>,
    as_of: Option<model::Date>,
    sink: &(dyn Fn(Page) + Sync),
    warnings: Warnings,
) -> Result<Rendered, Diagnostics> {
    let prepared = prepare_as_of(root, base_url, markdown::Bodies::Skip, as_of);
    let mut timings = prepared.timings;
    let mut clock = std::time::Instant::now();
    let mut diags = prepared.diagnostics;
    let site = &prepared.site;
    let ds = &site.dataset;
    let history = query::histories(ds);
    let index = query::index(ds, &history);
    timings.lap("query", &mut clock);
    let written = prepared.written.as_ref();
    let written_index = written.map(|w| query::index(w, &[]));
    let (checked, checked_index) = match (written, &written_index) {
        (Some(w), Some(i)) => (w, i),
        _ => (ds, &index),
    };
    let every_trend_loaded = checked.trends.len() == prepared.trend_files.len();
    let today = scaffold::today();
    let (quality, more_warnings) = match warnings {
        Warnings::All => (
            check::data_quality(checked, checked_index, today, every_trend_loaded),
            0,
        ),
        Warnings::Build => check::build_warnings(checked, checked_index, today, every_trend_loaded),
    };
    diags.extend(quality);
    timings.lap("data-quality checks", &mut clock);
    let plan = plan::Plan::new(ds, &index, &site.base);
    timings.lap("plan", &mut clock);
    let inputs = render::Inputs::new(site, &index, &plan).filter(|_| !diags.has_errors());
    let Some(inputs) = inputs else {
        diags.sort();
        return Err(diags);
    };
    let fragments = render::Fragments::render(&inputs, render::DataLines::Skip)?;
    prepared.statics.into_iter().for_each(sink);
    let render_diags = render::render_each(&inputs, &fragments, plan.entries(), sink);
    timings.lap("render pages", &mut clock);
    diags.extend(render_diags);
    diags.sort();
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(Rendered {
        base_url: site.base.clone(),
        warnings: diags,
        more_warnings,
        companies: ds.companies.len(),
        trends: ds.trends.len(),
        timings,
    })
}

/// Builds the site into `out`, writing each page as soon as it is rendered
/// (into a temporary folder swapped in at the end), so the whole site is
/// never held in memory. On any error the previous output is left as it was.
pub fn build_to(root: &Path, base_url: Option<&str>, out: &Path) -> Result<Written, BuildError> {
    build_to_as_of(root, base_url, None, out)
}

/// [`build_to`], with the site as it stood on `as_of` when given.
pub fn build_to_as_of(
    root: &Path,
    base_url: Option<&str>,
    as_of: Option<model::Date>,
    out: &Path,
) -> Result<Written, BuildError> {
    let staging = output::Staging::begin(out)?;
    let files = std::sync::atomic::AtomicUsize::new(0);
    let bytes = std::sync::atomic::AtomicU64::new(0);
    let failed: std::sync::Mutex<Option<output::OutputError>> = std::sync::Mutex::new(None);
    let put = |page: Page| match staging.put(&page) {
        Ok(n) => {
            files.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            bytes.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        }
        Err(e) => {
            if let Ok(mut slot) = failed.lock() {
                slot.get_or_insert(e);
            }
        }
    };
    // Dropping `staging` on any error below removes what was written.
    let mut rendered =
        render_site(root, base_url, as_of, &put, Warnings::Build).map_err(BuildError::Content)?;
    if let Some(e) = failed.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(e.into());
    }
    let mut clock = std::time::Instant::now();
    staging.commit()?;
    rendered.timings.lap("swap in the new output", &mut clock);
    Ok(Written {
        warnings: rendered.warnings,
        more_warnings: rendered.more_warnings,
        companies: rendered.companies,
        trends: rendered.trends,
        files: files.into_inner(),
        bytes: bytes.into_inner(),
        timings: rendered.timings,
        base_url: rendered.base_url,
    })
}

/// Runs every stage but `output` and returns the pages in memory, sorted by
/// path. Fails with every error found, across all files.
pub fn build(root: &Path, base_url: Option<&str>) -> Result<Built, Diagnostics> {
    build_as_of(root, base_url, None)
}

/// [`build`], with the site as it stood on `as_of` when given.
pub fn build_as_of(
    root: &Path,
    base_url: Option<&str>,
    as_of: Option<model::Date>,
) -> Result<Built, Diagnostics> {
    let pages = std::sync::Mutex::new(Vec::new());
    let rendered = render_site(
        root,
        base_url,
        as_of,
        &|page| {
            if let Ok(mut pages) = pages.lock() {
                pages.push(page);
            }
        },
        Warnings::All,
    )?;
    let mut pages = pages.into_inner().unwrap_or_else(|e| e.into_inner());
    pages.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    Ok(Built {
        pages,
        warnings: rendered.warnings,
        companies: rendered.companies,
        trends: rendered.trends,
        timings: rendered.timings,
    })
}
