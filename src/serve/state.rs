//! The site held in memory by `serve`, and incremental rebuilds of it.
//!
//! A change to one company or trend re-parses that file and re-renders only
//! the pages whose views it feeds; a change to the set of files or to
//! site.toml reloads everything. Either way the pages equal what a full build
//! of the same files gives, byte for byte (a test holds us to it).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use crate::content::{self, Entry};
use crate::diag::{Diagnostic, Diagnostics};
use crate::markdown::{self, Html, Links};
use crate::model::Dataset;
use crate::query::{self, lists};
use crate::render::{self, Content, Job, Page, Templates};

/// Where diagnostics that belong to no content file are kept.
const TEMPLATES_KEY: &str = "templates";

/// What kind of file a changed path is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    Config,
    Company(PathBuf),
    Trend(PathBuf),
    Template(PathBuf),
    /// Path relative to static/.
    Static(String),
    /// Something else under content/: a folder moved in or out matters, a
    /// temporary file from an editor or a tool does not.
    ContentOther(PathBuf),
}

/// Sorts a changed path into what it means for the site; `None` for paths
/// that do not affect it (editor leftovers, the output folder, …).
pub fn classify(root: &Path, path: &Path) -> Option<ChangeKind> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.iter().any(|p| content::is_ignored_name(p)) {
        return None;
    }
    match parts
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [file] if *file == crate::config::FILE => Some(ChangeKind::Config),
        ["content", "companies", ..] if rel.extension().is_some_and(|e| e == "md") => {
            Some(ChangeKind::Company(path.to_path_buf()))
        }
        ["content", "trends", ..] if rel.extension().is_some_and(|e| e == "md") => {
            Some(ChangeKind::Trend(path.to_path_buf()))
        }
        ["content", ..] => Some(ChangeKind::ContentOther(path.to_path_buf())),
        ["templates", ..] => Some(ChangeKind::Template(path.to_path_buf())),
        ["static", rest @ ..] if !rest.is_empty() => Some(ChangeKind::Static(rest.join("/"))),
        _ => None,
    }
}

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
    base_url: String,
    dataset: Dataset,
    company_files: Vec<Entry>,
    trend_files: Vec<Entry>,
    html: Html,
    links: Links,
    templates: Option<Templates>,
    /// Each company's list and table snippets, kept between rebuilds.
    fragments: render::Fragments,
    /// The data-quality warnings last reported, and how many more there were.
    warnings: Vec<Diagnostic>,
    more_warnings: usize,
    /// The output files: rendered pages and static files, by path.
    pages: BTreeMap<String, Arc<Vec<u8>>>,
    /// Current problems, by the file they are in.
    errors: BTreeMap<String, Vec<Diagnostic>>,
    /// The pages lag behind the dataset (a change arrived while the site had
    /// errors), so the next clean rebuild renders everything.
    stale: bool,
    /// Leave the data files of an incremental rebuild for later.
    defer_data: bool,
    /// The data files waiting for `finish_deferred`.
    deferred: BTreeSet<Job>,
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
        let mut state = State {
            root: root.to_path_buf(),
            base_url: base_url.to_string(),
            dataset: Dataset::default(),
            company_files: Vec::new(),
            trend_files: Vec::new(),
            html: Html::default(),
            links: Links::default(),
            templates: None,
            fragments: render::Fragments::default(),
            warnings: Vec::new(),
            more_warnings: 0,
            pages: BTreeMap::new(),
            errors: BTreeMap::new(),
            stale: true,
            defer_data: false,
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
        let prepared = crate::prepare(&self.root, Some(&self.base_url), true);
        self.dataset = prepared.dataset;
        self.company_files = prepared.company_files;
        self.trend_files = prepared.trend_files;
        self.html = prepared.html;
        self.links = prepared.links;
        if prepared.templates.is_some() {
            self.templates = prepared.templates;
        }
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
        let mut outcome = self.finish(true, None, &[], statics, Vec::new(), start);
        outcome.warnings.extend(warnings);
        outcome
    }

    /// Applies a batch of changed paths like `apply`, but leaves the data
    /// files (JSON, CSV, sitemap, feed: each a pass over every company) to
    /// `finish_deferred`, so browsers can reload the pages first.
    pub fn apply_deferring(&mut self, paths: &[PathBuf]) -> Outcome {
        self.defer_data = true;
        let outcome = self.apply(paths);
        self.defer_data = false;
        outcome
    }

    /// Renders the data files `apply_deferring` left, if any.
    pub fn finish_deferred(&mut self) -> Option<Outcome> {
        if self.deferred.is_empty() {
            return None;
        }
        if !self.errors.is_empty() {
            // Rendered with the next clean rebuild, which renders everything.
            self.deferred.clear();
            self.stale = true;
            return None;
        }
        let start = Instant::now();
        let jobs = std::mem::take(&mut self.deferred);
        let templates = self.templates.as_ref()?;
        let index = query::index(&self.dataset);
        let inputs = render::Inputs {
            dataset: &self.dataset,
            index: &index,
            html: &self.html,
            links: &self.links,
            templates,
            base_url: &self.base_url,
        };
        let list: Vec<Job> = jobs.into_iter().collect();
        let mut outcome = Outcome::default();
        match render::render_jobs(&inputs, &self.fragments, &list) {
            Ok(pages) => {
                self.insert_pages(pages, &mut outcome);
            }
            Err(d) => self.render_failed(d, &mut outcome),
        }
        outcome.millis = start.elapsed().as_secs_f64() * 1000.0;
        Some(outcome)
    }

    /// Applies a batch of changed paths.
    pub fn apply(&mut self, paths: &[PathBuf]) -> Outcome {
        let start = Instant::now();
        let kinds: BTreeSet<ChangeKind> = paths
            .iter()
            .filter_map(|p| classify(&self.root, p))
            .collect();
        let structural = kinds.iter().any(|k| match k {
            ChangeKind::Config => true,
            ChangeKind::Company(p) => {
                p.is_file() != self.company_files.iter().any(|e| &e.path == p)
            }
            ChangeKind::Trend(p) => p.is_file() != self.trend_files.iter().any(|e| &e.path == p),
            // A folder moved in or out hides the events of the files in it.
            ChangeKind::ContentOther(p) => {
                p.is_dir()
                    || (!p.exists()
                        && self
                            .company_files
                            .iter()
                            .chain(&self.trend_files)
                            .any(|e| e.path.starts_with(p)))
            }
            _ => false,
        });
        if structural || self.templates.is_none() {
            return self.reload();
        }
        let content_changes = kinds
            .iter()
            .filter(|k| matches!(k, ChangeKind::Company(_) | ChangeKind::Trend(_)))
            .count();
        let mut jobs: Option<BTreeSet<Job>> = Some(BTreeSet::new());
        let mut removed = Vec::new();
        let mut statics = Vec::new();
        let mut warnings = Vec::new();
        let mut templates_changed = Vec::new();
        for kind in &kinds {
            match kind {
                ChangeKind::Company(path) => {
                    let hint = self.update_company(path);
                    merge(&mut jobs, hint, &mut removed);
                }
                ChangeKind::Trend(path) => {
                    let hint = self.update_trend(path);
                    merge(&mut jobs, hint, &mut removed);
                }
                ChangeKind::Template(path) => templates_changed.push(path.clone()),
                ChangeKind::Static(rel) => match self.read_static(rel) {
                    Ok(Some(b)) => statics.push((rel.clone(), b)),
                    Ok(None) => removed.push(rel.clone()),
                    Err(d) => warnings.push(d),
                },
                ChangeKind::Config | ChangeKind::ContentOther(_) => {}
            }
        }
        if content_changes > 1 {
            // Several entries at once (a checkout, a search-and-replace):
            // their effects interact, so render everything from the dataset.
            jobs = None;
        }
        // A company's snippets (list item, table row, data lines) follow
        // from its content and their own templates, so they are rendered
        // again for the pages content asks for, not for a page template's.
        let edited: Vec<usize> = jobs
            .iter()
            .flatten()
            .filter_map(|j| match j {
                Job::Company(i) => Some(*i),
                _ => None,
            })
            .collect();
        if !templates_changed.is_empty() {
            match render::templates(&self.root) {
                Ok(t) => {
                    self.templates = Some(t);
                    self.errors.remove(TEMPLATES_KEY);
                    let names: Vec<String> = templates_changed
                        .iter()
                        .filter_map(|p| p.file_name())
                        .map(|n| n.to_string_lossy().into_owned())
                        .collect();
                    if names
                        .iter()
                        .all(|n| render::PAGE_TEMPLATES.contains(&n.as_str()))
                    {
                        if let Some(set) = jobs.as_mut() {
                            let index = query::index(&self.dataset);
                            set.extend(
                                render::all_jobs(&self.dataset, &index, &self.base_url)
                                    .into_iter()
                                    .filter(|j| {
                                        names.iter().any(|n| Some(n.as_str()) == j.template())
                                    }),
                            );
                        }
                    } else {
                        // base.html, macros or an included template: every page.
                        jobs = None;
                    }
                }
                Err(d) => {
                    self.errors
                        .insert(TEMPLATES_KEY.to_string(), d.into_iter().collect());
                }
            }
        }
        let mut outcome = self.finish(false, jobs, &edited, statics, removed, start);
        outcome.warnings.extend(warnings);
        outcome
    }

    /// Renders what needs rendering (or nothing, while there are errors) and
    /// records the new pages. `jobs: None` means every page; `edited` are
    /// the companies whose snippets must be rendered again.
    fn finish(
        &mut self,
        quality: bool,
        jobs: Option<BTreeSet<Job>>,
        edited: &[usize],
        statics: Vec<(String, Vec<u8>)>,
        mut removed: Vec<String>,
        start: Instant,
    ) -> Outcome {
        let mut outcome = Outcome::default();
        for (path, b) in statics {
            self.pages.insert(path.clone(), Arc::new(b));
            outcome.changed.push(path);
        }
        let index = query::index(&self.dataset);
        // The warnings a build shows, printed when they change rather than
        // after every save. The count of the others (stale dates, duplicate
        // websites, ...) costs a pass over every company and URL: it is
        // taken when the whole site is read, not on every edit.
        let (warnings, more) = if quality {
            let every_trend_loaded = self.dataset.trends.len() == self.trend_files.len();
            crate::check::build_warnings(
                &self.dataset,
                &index,
                crate::scaffold::today(),
                every_trend_loaded,
            )
        } else {
            let others = index
                .trends
                .iter()
                .filter_map(|g| query::other_warning(&self.dataset, g))
                .collect();
            (others, self.more_warnings)
        };
        if warnings != self.warnings || more != self.more_warnings {
            self.warnings = warnings.clone();
            self.more_warnings = more;
            outcome.warnings = warnings;
            outcome.more_warnings = more;
        }
        let rendering = match (&self.templates, self.errors.is_empty()) {
            (Some(t), true) => Some(t),
            _ => None,
        };
        let Some(templates) = rendering else {
            if jobs.as_ref().is_none_or(|j| !j.is_empty()) {
                self.stale = true;
            }
            outcome.errors = self.errors();
            for path in &removed {
                if self.pages.remove(path).is_some() {
                    outcome.removed.push(path.clone());
                }
            }
            outcome.millis = start.elapsed().as_secs_f64() * 1000.0;
            return outcome;
        };
        let inputs = render::Inputs {
            dataset: &self.dataset,
            index: &index,
            html: &self.html,
            links: &self.links,
            templates,
            base_url: &self.base_url,
        };
        let full = jobs.is_none() || self.stale;
        let list: Vec<Job> = if full {
            self.deferred.clear();
            render::all_jobs(&self.dataset, &index, &self.base_url)
        } else {
            let mut jobs = jobs.unwrap_or_default();
            // Content changes ask for the data files by naming one; how
            // many sitemap parts there are is known only now.
            if jobs.contains(&Job::CompaniesJson) {
                jobs.extend(render::data_jobs(&self.dataset, &index, &self.base_url));
            }
            if self.defer_data {
                let (data, pages): (BTreeSet<Job>, BTreeSet<Job>) =
                    jobs.into_iter().partition(|j| j.data_path().is_some());
                outcome.deferred = data.iter().filter_map(|j| j.data_path()).collect();
                self.deferred.extend(data);
                jobs = pages;
            }
            jobs.into_iter().collect()
        };
        let fragments = if full {
            render::fragments(&inputs, true).map(|f| self.fragments = f)
        } else {
            render::refresh_fragments(&inputs, &mut self.fragments, edited)
        };
        let rendered =
            fragments.and_then(|()| render::render_jobs(&inputs, &self.fragments, &list));
        match rendered {
            Ok(pages) => {
                outcome.rendered = pages.len();
                if full {
                    // Keep static files; drop every rendered page, then add
                    // the new ones, so pages that no longer exist go away.
                    let keep: HashSet<String> = self.static_paths();
                    let old: Vec<String> = self
                        .pages
                        .keys()
                        .filter(|p| !keep.contains(*p))
                        .cloned()
                        .collect();
                    for p in old {
                        self.pages.remove(&p);
                    }
                    outcome.full = true;
                    removed.clear();
                }
                self.insert_pages(pages, &mut outcome);
                for path in removed {
                    if self.pages.remove(&path).is_some() {
                        outcome.removed.push(path);
                    }
                }
                self.stale = false;
            }
            Err(d) => self.render_failed(d, &mut outcome),
        }
        outcome.millis = start.elapsed().as_secs_f64() * 1000.0;
        outcome
    }

    fn insert_pages(&mut self, pages: Vec<Page>, outcome: &mut Outcome) {
        for page in pages {
            let (path, b) = bytes(page);
            outcome.changed.push(path.clone());
            self.pages.insert(path, b);
        }
    }

    /// A template failed on a page: the site keeps its last good pages and
    /// renders everything once the template is fixed.
    fn render_failed(&mut self, d: Diagnostics, outcome: &mut Outcome) {
        self.errors
            .insert(TEMPLATES_KEY.to_string(), d.into_iter().collect());
        self.stale = true;
        outcome.errors = self.errors();
    }

    /// The paths of the static files: what a full render must keep.
    fn static_paths(&self) -> HashSet<String> {
        render::static_files(&self.root)
            .0
            .into_iter()
            .map(|p| p.path)
            .collect()
    }

    /// The bytes now served at `rel`: the site's static file, else a
    /// built-in asset of that name, else nothing.
    fn read_static(&self, rel: &str) -> Result<Option<Vec<u8>>, Diagnostic> {
        let path = self.root.join("static").join(rel);
        if path.is_file() {
            return std::fs::read(&path).map(Some).map_err(|e| {
                Diagnostic::file_error(&format!("static/{rel}"), format!("cannot read: {e}"))
            });
        }
        Ok(render::BUILTIN_ASSETS
            .iter()
            .find(|(n, _)| *n == rel)
            .map(|(_, b)| b.to_vec()))
    }

    /// Re-reads one existing company file.
    fn update_company(&mut self, path: &Path) -> Hint {
        let Some(entry) = self.company_files.iter().find(|e| e.path == path).cloned() else {
            return Hint::All;
        };
        let (company, mut diags) = content::load_company(&entry);
        let Some(company) = company else {
            self.errors.insert(entry.rel.clone(), diags);
            return Hint::Nothing;
        };
        let (note, body, link_diags) = markdown::render_company(&company, &self.links);
        diags.extend(link_diags);
        if diags.iter().any(Diagnostic::is_error) {
            self.errors.insert(entry.rel.clone(), diags);
            return Hint::Nothing;
        }
        self.errors.remove(&entry.rel);
        let companies = &mut self.dataset.companies;
        let i = match companies.binary_search_by(|c| c.slug.cmp(&company.slug)) {
            Ok(i) => i,
            Err(i) => {
                // Known on disk but invalid at load: it joins the dataset now.
                companies.insert(i, company);
                self.html.notes.insert(i, note);
                self.html.bodies.insert(i, body);
                return Hint::All;
            }
        };
        let old = std::mem::replace(&mut companies[i], company);
        self.html.notes[i] = note;
        self.html.bodies[i] = body;
        let new = &self.dataset.companies[i];
        let mut jobs = BTreeSet::from([
            Job::Company(i),
            Job::Index,
            Job::Trends,
            Job::PackagingList,
            Job::MechanicList,
            Job::CompaniesJson,
        ]);
        for (t, trend) in self.dataset.trends.iter().enumerate() {
            if lists(trend, &old) || lists(trend, new) {
                jobs.insert(Job::Trend(t));
            }
        }
        let mut removed = Vec::new();
        for p in [old.packaging, new.packaging] {
            if self.dataset.companies.iter().any(|c| c.packaging == p) {
                jobs.insert(Job::Packaging(p));
            } else {
                removed.push(format!("packaging/{p}/index.html"));
            }
        }
        for m in [old.mechanic(), new.mechanic()] {
            if self.dataset.companies.iter().any(|c| c.mechanic() == m) {
                jobs.insert(Job::Mechanic(m));
            } else {
                removed.push(format!("metering/{m}/index.html"));
            }
        }
        Hint::Jobs(jobs, removed)
    }

    /// Re-reads one existing trend file.
    fn update_trend(&mut self, path: &Path) -> Hint {
        let Some(entry) = self.trend_files.iter().find(|e| e.path == path).cloned() else {
            return Hint::All;
        };
        let slugs: HashSet<String> = self.trend_files.iter().map(|e| e.slug.clone()).collect();
        let (trend, mut diags) = content::load_trend(&entry, &slugs);
        let Some(trend) = trend else {
            self.errors.insert(entry.rel.clone(), diags);
            return Hint::Nothing;
        };
        let (intro, outro, link_diags) = markdown::render_trend(&trend, &self.links);
        diags.extend(link_diags);
        if diags.iter().any(Diagnostic::is_error) {
            self.errors.insert(entry.rel.clone(), diags);
            return Hint::Nothing;
        }
        self.errors.remove(&entry.rel);
        let trends = &mut self.dataset.trends;
        let t = match trends.binary_search_by(|x| x.slug.cmp(&trend.slug)) {
            Ok(t) => t,
            Err(t) => {
                trends.insert(t, trend);
                self.html.trend_intros.insert(t, intro);
                self.html.trend_outros.insert(t, outro);
                return Hint::All;
            }
        };
        let old = std::mem::replace(&mut trends[t], trend);
        self.html.trend_intros[t] = intro;
        self.html.trend_outros[t] = outro;
        let new = &self.dataset.trends[t];
        let mut jobs: BTreeSet<Job> = (0..self.dataset.trends.len()).map(Job::Trend).collect();
        jobs.extend([Job::Index, Job::Trends, Job::CompaniesJson]);
        let title_changed = old.title != new.title;
        for (i, c) in self.dataset.companies.iter().enumerate() {
            let (before, after) = (lists(&old, c), lists(new, c));
            if before != after || (title_changed && before) {
                jobs.insert(Job::Company(i));
            }
        }
        Hint::Jobs(jobs, Vec::new())
    }
}

/// What one changed file asks to be rendered.
enum Hint {
    Nothing,
    /// Render every page.
    All,
    Jobs(BTreeSet<Job>, Vec<String>),
}

fn merge(jobs: &mut Option<BTreeSet<Job>>, hint: Hint, removed: &mut Vec<String>) {
    match hint {
        Hint::Nothing => {}
        Hint::All => *jobs = None,
        Hint::Jobs(more, gone) => {
            if let Some(set) = jobs.as_mut() {
                set.extend(more);
            }
            removed.extend(gone);
        }
    }
}
