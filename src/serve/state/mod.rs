//! The site held in memory by `serve`, and incremental rebuilds of it.
//!
//! A change to one company or trend re-parses that file; the site's plan,
//! made again, is compared with the plan of what is served, and only the
//! outputs whose declared inputs changed are rendered again. A change to
//! the set of files or to site.toml reloads everything. Either way the
//! pages equal what a full build of the same files gives, byte for byte (a
//! property test holds us to it).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

mod reread;

use super::watch::{ChangeKind, classify};
use crate::Site;
use crate::config::BaseUrl;
use crate::content::Entry;
use crate::diag::{Diagnostic, Diagnostics};
use crate::markdown::{Bodies, Html, Links};
use crate::model::{Dataset, Date};
use crate::plan::{Changes, Plan, Route};
use crate::query;
use crate::render::{self, Content, Page};
use reread::Update;

/// Where diagnostics that belong to no content file are kept.
const TEMPLATES_KEY: &str = "templates";

/// The result of one rebuild, for the terminal and the browsers.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Every page was replaced: the server swaps its whole map.
    pub full: bool,
    /// Paths whose bytes were (re)written, relative to the site root URL.
    pub changed: Vec<String>,
    pub removed: Vec<String>,
    /// How many pages were rendered with templates.
    pub rendered: usize,
    /// Data files left for `State::finish_deferred`: the old bytes are
    /// still in the pages until then.
    pub deferred: Vec<String>,
    /// The problems that keep the site from building, if any; the pages are
    /// then those of the last good build.
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
    /// Data-quality warnings not in `warnings` (see `check::shown_by_build`).
    pub more_warnings: usize,
    pub millis: f64,
}

impl Outcome {
    /// Only stylesheets changed, so browsers can swap them without a reload.
    pub fn css_only(&self) -> bool {
        !self.full
            && self.errors.is_empty()
            && self.rendered == 0
            && self.removed.is_empty()
            && !self.changed.is_empty()
            && self.changed.iter().all(|p| p.ends_with(".css"))
    }
}

pub struct State {
    root: PathBuf,
    /// The base URL pages are rendered for (`/` for a local preview).
    base_url: String,
    /// What the pages show: replayed to `site.as_of` when that is set.
    site: Site,
    /// The dataset as its files say, when `site.dataset` is replayed: edits
    /// land here, the data-quality warnings judge it, and each edited
    /// company is replayed from it into `site.dataset`.
    written: Option<Dataset>,
    company_files: Vec<Entry>,
    trend_files: Vec<Entry>,
    /// Each company's list and table snippets, kept between rebuilds;
    /// `None` until the first render, and again when companies moved
    /// position.
    fragments: Option<render::Fragments>,
    /// Each company's history (`query::CompanyHistory`), by position, and
    /// the slugs it was made for: replayed again only for the companies an
    /// edit touched, unless a trend or site.toml changed.
    history: Vec<query::CompanyHistory>,
    history_slugs: Vec<String>,
    /// The reading order and the changes' order of the last index.
    kept: query::Kept,
    /// The data-quality warnings last reported, and how many more there were.
    warnings: Vec<Diagnostic>,
    more_warnings: usize,
    /// The output files: rendered pages and static files, by path.
    pages: BTreeMap<String, Arc<Vec<u8>>>,
    /// The paths in `pages` that are static files.
    statics: BTreeSet<String>,
    /// Current problems, by the file they are in.
    errors: BTreeMap<String, Vec<Diagnostic>>,
    /// The plan of what `pages` holds.
    served: Plan,
    /// What changed since `pages` was last rendered: while the site has
    /// errors, edits pile up here until it renders again.
    pending: Changes,
    /// Data files that `apply_deferring` left, by route.
    deferred: BTreeSet<Route>,
}

/// When an incremental rebuild renders the data files (JSON, CSV, sitemap,
/// feed: each a pass over every company).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DataFiles {
    /// With the pages.
    Now,
    /// Left for `State::finish_deferred`, so browsers can reload the pages
    /// first.
    Later,
}

fn read_statics(statics: Vec<Page>) -> (Vec<(String, Vec<u8>)>, Vec<Diagnostic>) {
    let mut out = Vec::with_capacity(statics.len());
    let mut diags = Vec::new();
    for page in statics {
        match page.content {
            Content::Bytes(b) => out.push((page.path, b)),
            Content::Copy(src) => match std::fs::read(&src) {
                Ok(b) => out.push((page.path, b)),
                Err(e) => diags.push(Diagnostic::file_error(
                    &format!("static/{}", page.path),
                    format!("cannot read: {e}"),
                )),
            },
        }
    }
    (out, diags)
}

fn bytes(page: Page) -> (String, Arc<Vec<u8>>) {
    let b = match page.content {
        Content::Bytes(b) => b,
        // Rendered pages are always bytes; static files are read before.
        Content::Copy(_) => Vec::new(),
    };
    (page.path, Arc::new(b))
}

impl State {
    /// Loads the site from disk. The state is usable even when the site has
    /// errors: `outcome.errors` lists them and no pages exist until fixed.
    pub fn load(root: &Path, base_url: &str) -> (State, Outcome) {
        State::load_as_of(root, base_url, None)
    }

    /// [`State::load`], with the site shown as it stood on `as_of` when
    /// given, through every later edit.
    pub fn load_as_of(root: &Path, base_url: &str, as_of: Option<Date>) -> (State, Outcome) {
        let base = BaseUrl::default();
        let mut state = State {
            root: root.to_path_buf(),
            base_url: base_url.to_string(),
            site: Site {
                dataset: Dataset::default(),
                base: base.clone(),
                html: Html::default(),
                links: Links::default(),
                templates: None,
                as_of,
            },
            written: None,
            company_files: Vec::new(),
            trend_files: Vec::new(),
            fragments: None,
            history: Vec::new(),
            history_slugs: Vec::new(),
            kept: query::Kept::default(),
            warnings: Vec::new(),
            more_warnings: 0,
            pages: BTreeMap::new(),
            statics: BTreeSet::new(),
            errors: BTreeMap::new(),
            served: Plan::empty(base),
            pending: Changes::everything(),
            deferred: BTreeSet::new(),
        };
        let outcome = state.reload();
        (state, outcome)
    }

    pub fn pages(&self) -> &BTreeMap<String, Arc<Vec<u8>>> {
        &self.pages
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn errors(&self) -> Vec<Diagnostic> {
        let mut all: Vec<Diagnostic> = self.errors.values().flatten().cloned().collect();
        all.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        all
    }

    /// Re-reads everything from disk.
    fn reload(&mut self) -> Outcome {
        let start = Instant::now();
        let prepared = crate::prepare_as_of(
            &self.root,
            Some(&self.base_url),
            Bodies::Keep,
            self.site.as_of,
        );
        let templates = prepared.site.templates.is_some();
        let old_templates = self.site.templates.take();
        self.site = prepared.site;
        if !templates {
            // Keep rendering with the last good templates once the content
            // is fixed; the template error is reported meanwhile.
            self.site.templates = old_templates;
        }
        self.written = prepared.written;
        self.company_files = prepared.company_files;
        self.trend_files = prepared.trend_files;
        self.fragments = None;
        self.errors.clear();
        let mut warnings = Vec::new();
        for d in prepared.diagnostics {
            if d.is_error() {
                let key = if d.file.starts_with("content/") || d.file == crate::config::FILE {
                    d.file.clone()
                } else {
                    TEMPLATES_KEY.to_string()
                };
                self.errors.entry(key).or_default().push(d);
            } else {
                warnings.push(d);
            }
        }
        let (statics, static_diags) = read_statics(prepared.statics);
        warnings.extend(static_diags);
        let mut outcome = Outcome::default();
        let now: BTreeSet<String> = statics.iter().map(|(p, _)| p.clone()).collect();
        for gone in self.statics.difference(&now) {
            if self.pages.remove(gone).is_some() {
                outcome.removed.push(gone.clone());
            }
        }
        self.statics = now;
        for (path, b) in statics {
            self.pages.insert(path.clone(), Arc::new(b));
            outcome.changed.push(path);
        }
        self.pending.merge(Changes::everything());
        self.finish(outcome, Quality::Full, DataFiles::Now, start, warnings)
    }

    /// Applies a batch of changed paths like `apply`, but leaves the data
    /// files (JSON, CSV, sitemap, feed: each a pass over every company) to
    /// `finish_deferred`, so browsers can reload the pages first.
    pub fn apply_deferring(&mut self, paths: &[PathBuf]) -> Outcome {
        self.update(paths, DataFiles::Later)
    }

    /// Applies a batch of changed paths.
    pub fn apply(&mut self, paths: &[PathBuf]) -> Outcome {
        self.update(paths, DataFiles::Now)
    }

    /// Renders the data files `apply_deferring` left, if any.
    pub fn finish_deferred(&mut self) -> Option<Outcome> {
        if self.deferred.is_empty() {
            return None;
        }
        let start = Instant::now();
        let deferred = std::mem::take(&mut self.deferred);
        if !self.errors.is_empty() {
            // Rendered with the next clean rebuild: the data files read
            // every company, so any pending change includes them.
            return None;
        }
        self.kept.update(&self.site.dataset);
        let index = query::index_kept(&self.site.dataset, &self.history, &self.kept);
        let mut outcome = Outcome::default();
        let (Some(inputs), Some(fragments)) = (
            render::Inputs::new(&self.site, &index, &self.served),
            self.fragments.as_ref(),
        ) else {
            return None;
        };
        let entries = self
            .served
            .entries()
            .iter()
            .filter(|e| deferred.contains(&e.route))
            .collect::<Vec<_>>();
        match render::render_entries(&inputs, fragments, entries) {
            Ok(pages) => {
                insert_pages(&mut self.pages, pages, &mut outcome);
            }
            Err(d) => {
                // Render them again with the next rebuild.
                self.pending.merge(Changes::everything());
                self.render_failed(d, &mut outcome);
            }
        }
        outcome.millis = start.elapsed().as_secs_f64() * 1000.0;
        Some(outcome)
    }

    fn update(&mut self, paths: &[PathBuf], data: DataFiles) -> Outcome {
        let start = Instant::now();
        let kinds: BTreeSet<ChangeKind> = paths
            .iter()
            .filter_map(|p| classify(&self.root, p))
            .collect();
        let structural = kinds.iter().any(|k| match k {
            ChangeKind::Config => true,
            ChangeKind::Company(p) => {
                p.is_file() != self.company_files.iter().any(|e| same_path(&e.path, p))
            }
            ChangeKind::Trend(p) => {
                p.is_file() != self.trend_files.iter().any(|e| same_path(&e.path, p))
            }
            // A folder moved in or out hides the events of the files in it.
            ChangeKind::ContentOther(p) => {
                p.is_dir()
                    || (!p.exists()
                        && self
                            .company_files
                            .iter()
                            .chain(&self.trend_files)
                            .any(|e| is_under(&e.path, p)))
            }
            _ => false,
        });
        if structural || self.site.templates.is_none() {
            return self.reload();
        }
        let mut outcome = Outcome::default();
        let mut warnings = Vec::new();
        let mut templates_changed = Vec::new();
        for kind in &kinds {
            let update = match kind {
                ChangeKind::Company(path) => self.update_company(path),
                ChangeKind::Trend(path) => self.update_trend(path),
                ChangeKind::Template(path) => {
                    templates_changed.push(path.clone());
                    continue;
                }
                ChangeKind::Static(rel) => {
                    match self.read_static(rel) {
                        Ok(Some(b)) => {
                            self.pages.insert(rel.clone(), Arc::new(b));
                            self.statics.insert(rel.clone());
                            outcome.changed.push(rel.clone());
                        }
                        Ok(None) => {
                            self.statics.remove(rel);
                            if self.pages.remove(rel).is_some() {
                                outcome.removed.push(rel.clone());
                            }
                        }
                        Err(d) => warnings.push(d),
                    }
                    continue;
                }
                ChangeKind::Config | ChangeKind::ContentOther(_) => continue,
            };
            match (update, kind) {
                (Update::Changed(slug), ChangeKind::Company(_)) => {
                    self.pending.companies.insert(slug);
                }
                (Update::Changed(slug), _) => {
                    self.pending.trends.insert(slug);
                }
                (Update::Invalid, _) => {}
                (Update::Reload, _) => return self.reload(),
            }
        }
        if !templates_changed.is_empty() {
            match render::templates(&self.root) {
                Ok(t) => {
                    self.site.templates = Some(t);
                    self.errors.remove(TEMPLATES_KEY);
                    self.pending.templates.extend(
                        templates_changed
                            .iter()
                            .filter_map(|p| p.strip_prefix(self.root.join("templates")).ok())
                            .map(|p| p.to_string_lossy().replace('\\', "/")),
                    );
                }
                Err(d) => {
                    self.errors
                        .insert(TEMPLATES_KEY.to_string(), d.into_iter().collect());
                }
            }
        }
        self.finish(outcome, Quality::Incremental, data, start, warnings)
    }

    /// Renders what the plan says the pending changes touch (or nothing,
    /// while there are errors) and records the new pages.
    fn finish(
        &mut self,
        mut outcome: Outcome,
        quality: Quality,
        data: DataFiles,
        start: Instant,
        more: Vec<Diagnostic>,
    ) -> Outcome {
        if self.errors.is_empty() {
            // Kept in the pending changes until they are rendered.
            self.pending.history |= self.refresh_history();
        }
        self.kept.update(&self.site.dataset);
        let index = query::index_kept(&self.site.dataset, &self.history, &self.kept);
        // Warnings judge the files as written, also when the pages show
        // them replayed.
        let written_index = self.written.as_ref().map(|w| query::index(w, &[]));
        let (checked, checked_index) = match (&self.written, &written_index) {
            (Some(w), Some(i)) => (w, i),
            _ => (&self.site.dataset, &index),
        };
        // The warnings a build shows, printed when they change rather than
        // after every save. The count of the others (stale dates, duplicate
        // websites, ...) costs a pass over every company and URL: it is
        // taken when the whole site is read, not on every edit.
        let (warnings, count) = match quality {
            Quality::Full => {
                let every_trend_loaded = checked.trends.len() == self.trend_files.len();
                crate::check::build_warnings(
                    checked,
                    checked_index,
                    crate::scaffold::today(),
                    every_trend_loaded,
                )
            }
            Quality::Incremental => {
                let others = checked_index
                    .trends
                    .iter()
                    .filter_map(|g| crate::check::other_warning(checked, g))
                    .collect();
                (others, self.more_warnings)
            }
        };
        if warnings != self.warnings || count != self.more_warnings {
            self.warnings = warnings.clone();
            self.more_warnings = count;
            outcome.warnings = warnings;
            outcome.more_warnings = count;
        }
        outcome.warnings.extend(more);
        if !self.errors.is_empty() {
            outcome.errors = self.errors();
            outcome.millis = start.elapsed().as_secs_f64() * 1000.0;
            return outcome;
        }
        let plan = Plan::new(&self.site.dataset, &index, &self.site.base);
        let Some(inputs) = render::Inputs::new(&self.site, &index, &plan) else {
            outcome.millis = start.elapsed().as_secs_f64() * 1000.0;
            return outcome;
        };
        let diff = plan.diff(&self.served, &self.pending);
        // Snippets follow from a company's content and their own templates,
        // so they are rendered again for those, not for a page template.
        let fragments = match self.fragments.take() {
            Some(mut kept) if kept.companies() == self.site.dataset.companies.len() => {
                let companies = &self.site.dataset.companies;
                let edited: Vec<usize> = if self.pending.touches_every_snippet() {
                    (0..companies.len()).collect()
                } else {
                    // Only the companies edited: found by slug, not by a
                    // pass over ten thousand of them.
                    self.pending
                        .companies
                        .iter()
                        .filter_map(|slug| companies.binary_search_by(|c| c.slug.cmp(slug)).ok())
                        .collect()
                };
                kept.refresh(&inputs, &edited).map(|()| kept)
            }
            _ => render::Fragments::render(&inputs, render::DataLines::Keep),
        };
        let fragments = match fragments {
            Ok(f) => f,
            Err(d) => {
                self.render_failed(d, &mut outcome);
                outcome.millis = start.elapsed().as_secs_f64() * 1000.0;
                return outcome;
            }
        };
        let everything = self.pending.site;
        let mut now = Vec::with_capacity(diff.render.len());
        let mut later = BTreeSet::new();
        for &k in &diff.render {
            let entry = &plan.entries()[k];
            if data == DataFiles::Later && entry.output.is_data() && !everything {
                later.insert(entry.route.clone());
            } else {
                now.push(entry);
            }
        }
        match render::render_entries(&inputs, &fragments, now) {
            Ok(pages) => {
                outcome.rendered = pages.len();
                outcome.full = everything;
                insert_pages(&mut self.pages, pages, &mut outcome);
                for path in diff.removed {
                    if !self.statics.contains(&path) && self.pages.remove(&path).is_some() {
                        outcome.removed.push(path);
                    }
                }
                self.deferred
                    .retain(|r| plan.entries().iter().any(|e| &e.route == r));
                outcome.deferred = later.iter().map(|r| r.file_path().into_owned()).collect();
                self.deferred.extend(later);
                self.served = plan;
                self.pending = Changes::default();
            }
            Err(d) => self.render_failed(d, &mut outcome),
        }
        self.fragments = Some(fragments);
        outcome.millis = start.elapsed().as_secs_f64() * 1000.0;
        outcome
    }

    /// Brings the kept histories up to date with the dataset: every company's
    /// when companies were added, removed or renamed, or a trend or
    /// site.toml changed; else the pending companies'. Returns whether any
    /// company's history changed, which trend pages read.
    fn refresh_history(&mut self) -> bool {
        let ds = &self.site.dataset;
        let same_companies = self.history_slugs.len() == ds.companies.len()
            && self
                .history_slugs
                .iter()
                .zip(&ds.companies)
                .all(|(s, c)| *s == c.slug);
        if !same_companies || self.pending.site || !self.pending.trends.is_empty() {
            let fresh = query::histories(ds);
            let changed = !same_companies || fresh != self.history;
            self.history = fresh;
            self.history_slugs = ds.companies.iter().map(|c| c.slug.clone()).collect();
            return changed;
        }
        let mut changed = false;
        for slug in &self.pending.companies {
            let Ok(i) = ds.companies.binary_search_by(|c| c.slug.cmp(slug)) else {
                continue;
            };
            let fresh = query::company_history(ds, &ds.companies[i]);
            if self.history.get(i) != Some(&fresh) {
                self.history[i] = fresh;
                changed = true;
            }
        }
        changed
    }

    /// A template failed on a page: the site keeps its last good pages, and
    /// the pending changes stay pending for the next rebuild.
    fn render_failed(&mut self, d: Diagnostics, outcome: &mut Outcome) {
        self.errors
            .insert(TEMPLATES_KEY.to_string(), d.into_iter().collect());
        outcome.errors = self.errors();
    }

    /// The bytes now served at `rel`: the site's static file, else a
    /// built-in one of that name, else nothing.
    fn read_static(&self, rel: &str) -> Result<Option<Vec<u8>>, Diagnostic> {
        let path = self.root.join("static").join(rel);
        if path.is_file() {
            return std::fs::read(&path).map(Some).map_err(|e| {
                Diagnostic::file_error(&format!("static/{rel}"), format!("cannot read: {e}"))
            });
        }
        Ok(render::BUILTIN_STATIC
            .iter()
            .find(|(n, _)| *n == rel)
            .map(|(_, b)| b.to_vec()))
    }
}

/// Whether two paths are the same, byte for byte. Both come from joining
/// the same root with the same walk, so no two spellings of one file meet
/// here; `Path`'s own `==` compares component by component, which over
/// ten thousand entries was a visible share of every edit.
fn same_path(a: &Path, b: &Path) -> bool {
    a.as_os_str() == b.as_os_str()
}

/// Whether `path` lies inside the folder `dir`, compared as bytes: every
/// temporary file an editor saves through comes by here, against every
/// content file of the site.
fn is_under(path: &Path, dir: &Path) -> bool {
    let (p, d) = (
        path.as_os_str().as_encoded_bytes(),
        dir.as_os_str().as_encoded_bytes(),
    );
    p.starts_with(d)
        && p.get(d.len())
            .is_some_and(|&b| std::path::is_separator(b as char))
}

/// Which data-quality warnings a rebuild recounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quality {
    /// All of them: the whole site was read.
    Full,
    /// Those an edit can change cheaply (companies under "Other").
    Incremental,
}

fn insert_pages(
    pages: &mut BTreeMap<String, Arc<Vec<u8>>>,
    rendered: Vec<Page>,
    outcome: &mut Outcome,
) {
    for page in rendered {
        let (path, b) = bytes(page);
        outcome.changed.push(path.clone());
        pages.insert(path, b);
    }
}
