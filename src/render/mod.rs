//! The `render` stage: every output of the site's plan, in memory. Pages
//! are Tera templates over borrowed, typed views (`pages`); the data files
//! (`data`), the sitemap and feed (`feeds`) are written from the dataset;
//! `charts` draws inline SVG for both.
//!
//! Templates are compiled once per build and outputs render in parallel. A
//! company's snippet in lists (`company_item.html`) and in the index table
//! (`company_row.html`) is rendered once and reused by every page that
//! shows it (`splice`), which keeps pages listing thousands of companies
//! cheap, and lets `serve` re-render one company's snippets instead of
//! whole lists.
//!
//! Each output reads the dataset only through a [`Scope`] over its plan
//! entry, which refuses what the entry does not declare: the plan's record
//! of what each output reads is what `serve` trusts to know what an edit
//! touches.

mod change_data;
mod charts;
mod data;
mod feeds;
mod history;
mod pages;
mod splice;
mod statics;
mod templates;
mod views;

use std::path::PathBuf;
use std::sync::OnceLock;

use rayon::prelude::*;

use crate::diag::{Diagnostic, Diagnostics};
use crate::markdown::{Html, Links};
use crate::model::{Company, Dataset, Mechanic, Packaging};
use crate::plan::{Entry, Plan, Urls};
use crate::query::{Grouped, Index, Quarter};
pub use statics::{BUILTIN_STATIC, static_files};
pub use templates::{BUILTIN_TEMPLATES, TEMPLATES_DIR, Templates, templates};

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

/// Everything rendering reads: the site as read and checked, the query
/// results and the plan.
pub struct Inputs<'a> {
    dataset: &'a Dataset,
    index: &'a Index<'a>,
    html: &'a Html,
    /// For company bodies, rendered page by page.
    links: &'a Links,
    templates: &'a Templates,
    plan: &'a Plan,
    /// The date the site is shown as of, if it is replayed.
    as_of: Option<crate::model::Date>,
}

impl<'a> Inputs<'a> {
    pub fn new(site: &'a crate::Site, index: &'a Index<'a>, plan: &'a Plan) -> Option<Inputs<'a>> {
        Some(Inputs {
            dataset: &site.dataset,
            index,
            html: &site.html,
            links: &site.links,
            templates: site.templates.as_ref()?,
            plan,
            as_of: site.as_of,
        })
    }
}

/// Whether company snippets keep their data lines (see [`Fragments`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataLines {
    /// A build writes the data files straight from the dataset and holds no
    /// second copy.
    Skip,
    /// `serve` keeps each company's JSON line and CSV row, so an edit then
    /// re-serializes one company.
    Keep,
}

/// Each company's snippets, by position in `Dataset::companies`.
#[derive(Debug, Clone)]
pub struct Fragments {
    /// `company_item.html`: a company in a list.
    items: Vec<String>,
    /// `company_item.html` with `unconfirmed_listing` true, for the lists
    /// a company's unconfirmed facts decide; empty for a company with none.
    marked: Vec<String>,
    /// `company_row.html`: a company in the index table.
    rows: Vec<String>,
    /// `change_item.html`: each company's changes on the changes page, in
    /// file order.
    changes: Vec<Vec<String>>,
    data: Option<KeptData>,
}

/// The data lines kept with [`DataLines::Keep`].
#[derive(Debug, Clone)]
struct KeptData {
    json: Vec<String>,
    /// Rows `width` wide.
    csv: Vec<String>,
    width: data::CsvWidth,
}

/// One company's snippets and data lines.
struct Fragment {
    item: String,
    marked: String,
    row: String,
    changes: Vec<String>,
    /// The JSON line and CSV row, when asked for.
    data: Option<(String, String)>,
}

impl Fragments {
    /// How many companies the snippets are for.
    pub fn companies(&self) -> usize {
        self.items.len()
    }

    /// Renders every company's snippets in parallel, with their data lines
    /// when `lines` keeps them.
    pub fn render(inputs: &Inputs<'_>, lines: DataLines) -> Result<Fragments, Diagnostics> {
        let r = Renderer::new(inputs);
        let width = data::CsvWidth::of(&inputs.dataset.companies);
        let keep = (lines == DataLines::Keep).then_some(width);
        let ids = all_group_ids(inputs.index);
        let results: Vec<Result<Fragment, Vec<Diagnostic>>> = (0..inputs.dataset.companies.len())
            .into_par_iter()
            .map(|i| r.fragment(i, keep, &ids))
            .collect();
        let n = results.len();
        let mut out = Fragments {
            items: Vec::with_capacity(n),
            marked: Vec::with_capacity(n),
            rows: Vec::with_capacity(n),
            changes: Vec::with_capacity(n),
            data: keep.map(|width| KeptData {
                json: Vec::with_capacity(n),
                csv: Vec::with_capacity(n),
                width,
            }),
        };
        let mut diags = Diagnostics::new();
        for result in results {
            match result {
                Ok(f) => {
                    out.items.push(f.item);
                    out.marked.push(f.marked);
                    out.rows.push(f.row);
                    out.changes.push(f.changes);
                    if let (Some(kept), Some((json, csv))) = (out.data.as_mut(), f.data) {
                        kept.json.push(json);
                        kept.csv.push(csv);
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

    /// Re-renders the snippets of the companies at `positions`, and every
    /// kept CSV row when the most tiers or sources any company has changed
    /// with them.
    pub fn refresh(&mut self, inputs: &Inputs<'_>, positions: &[usize]) -> Result<(), Diagnostics> {
        let r = Renderer::new(inputs);
        let width = data::CsvWidth::of(&inputs.dataset.companies);
        let keep = self.data.as_ref().map(|_| width);
        let ids = all_group_ids(inputs.index);
        let mut diags = Diagnostics::new();
        // In parallel: a template or trend edit refreshes every company.
        let fresh: Vec<_> = positions
            .par_iter()
            .map(|&i| (i, r.fragment(i, keep, &ids)))
            .collect();
        for (i, fragment) in fresh {
            match fragment {
                Ok(f) => {
                    self.items[i] = f.item;
                    self.marked[i] = f.marked;
                    self.rows[i] = f.row;
                    self.changes[i] = f.changes;
                    if let (Some(kept), Some((json, csv))) = (self.data.as_mut(), f.data) {
                        kept.json[i] = json;
                        kept.csv[i] = csv;
                    }
                }
                Err(d) => diags.extend(d),
            }
        }
        if diags.has_errors() {
            return Err(diags);
        }
        if let Some(kept) = self.data.as_mut().filter(|k| k.width != width) {
            kept.csv = (0..inputs.dataset.companies.len())
                .into_par_iter()
                .map(|i| r.record(i, &r.published_company_url(i)).csv(width))
                .collect();
            kept.width = width;
        }
        Ok(())
    }
}

/// Renders the given entries of the plan in parallel and hands each output
/// to `sink` as soon as it is ready, so a build can write pages while others
/// render and never hold the whole site in memory. Returns the problems met.
pub fn render_each<'e>(
    inputs: &Inputs<'_>,
    fragments: &Fragments,
    entries: impl IntoParallelIterator<Item = &'e Entry>,
    sink: impl Fn(Page) + Sync,
) -> Diagnostics {
    let r = Renderer::new(inputs);
    let problems: Vec<Vec<Diagnostic>> = entries
        .into_par_iter()
        .filter_map(|entry| match r.output(entry, fragments) {
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

/// Renders the given entries in parallel, into memory, sorted by path.
pub fn render_entries<'e>(
    inputs: &Inputs<'_>,
    fragments: &Fragments,
    entries: impl IntoParallelIterator<Item = &'e Entry>,
) -> Result<Vec<Page>, Diagnostics> {
    let pages = std::sync::Mutex::new(Vec::new());
    let diags = render_each(inputs, fragments, entries, |page| {
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

/// The dataset as one output may see it: only what its plan entry
/// declares. Asking for anything else is an error naming the output, so a
/// wrong declaration shows on the first render rather than as a page that
/// `serve` silently leaves stale.
struct Scope<'s, 'a> {
    entry: &'s Entry,
    dataset: &'a Dataset,
    index: &'a Index<'a>,
    over_time: &'s OnceLock<Vec<Quarter>>,
    /// The date the site is replayed to, which history ends at.
    as_of: Option<crate::model::Date>,
}

impl<'s, 'a> Scope<'s, 'a> {
    fn undeclared(&self, what: String) -> Vec<Diagnostic> {
        vec![Diagnostic::file_error(
            &self.entry.route.file_path(),
            format!(
                "internal error: this output reads {what}, which its entry in the site plan does not declare"
            ),
        )]
    }

    fn company(&self, i: usize) -> Result<&'a Company, Vec<Diagnostic>> {
        match self.dataset.companies.get(i) {
            Some(c) if self.entry.reads.companies.contains(i) => Ok(c),
            _ => Err(self.undeclared(format!("company {i}"))),
        }
    }

    /// A trend and its groups.
    fn trend(&self, t: usize) -> Result<&'a Grouped<'a>, Vec<Diagnostic>> {
        match self.index.trends.get(t) {
            Some(g) if self.entry.reads.trends.contains(t) => Ok(g),
            _ => Err(self.undeclared(format!("trend {t}"))),
        }
    }

    /// A list of companies, by position, every one declared.
    fn listed(&self, list: &'a [usize]) -> Result<&'a [usize], Vec<Diagnostic>> {
        let undeclared = match &self.entry.reads.companies {
            crate::plan::Set::All => None,
            // A trend page checks thousands of members: one bit per
            // company makes each check a load instead of a search.
            crate::plan::Set::Only(declared) if list.len() > 64 => {
                let mut bits = vec![0u64; self.dataset.companies.len().div_ceil(64)];
                for &i in declared {
                    if let Some(word) = bits.get_mut(i as usize / 64) {
                        *word |= 1 << (i % 64);
                    }
                }
                list.iter().find(|&&i| {
                    bits.get(i / 64)
                        .is_none_or(|word| word & (1 << (i % 64)) == 0)
                })
            }
            crate::plan::Set::Only(_) => list
                .iter()
                .find(|&&i| !self.entry.reads.companies.contains(i)),
        };
        match undeclared {
            Some(i) => Err(self.undeclared(format!("company {i}"))),
            None => Ok(list),
        }
    }

    /// Every company, for outputs that declare them all.
    fn companies(&self) -> Result<&'a [Company], Vec<Diagnostic>> {
        if self.entry.reads.companies.is_all() {
            Ok(&self.dataset.companies)
        } else {
            Err(self.undeclared("every company".into()))
        }
    }

    /// The query results over every company and trend, for outputs that
    /// declare them all.
    fn whole_index(&self) -> Result<&'a Index<'a>, Vec<Diagnostic>> {
        if self.entry.reads.companies.is_all() && self.entry.reads.trends.is_all() {
            Ok(self.index)
        } else {
            Err(self.undeclared("every company and trend".into()))
        }
    }

    /// Each taxonomy's companies, for outputs that declare every company.
    fn terms(&self) -> Result<&'a Index<'a>, Vec<Diagnostic>> {
        self.companies().map(|_| self.index)
    }

    /// Every company's history, for outputs that declare it (or every
    /// company).
    fn history(&self) -> Result<(), Vec<Diagnostic>> {
        if self.entry.reads.history || self.entry.reads.companies.is_all() {
            Ok(())
        } else {
            Err(self.undeclared("the history of every company".into()))
        }
    }

    /// Every trend's group sizes at the end of each quarter, for outputs
    /// that declare the history they show: every company's, and the newest
    /// date (where the quarters end). Summed once per render from the
    /// companies' histories, by the first output that asks.
    fn over_time(&self) -> Result<&'s [Quarter], Vec<Diagnostic>> {
        self.history()?;
        if self.entry.reads.history_end.is_none() && !self.entry.reads.companies.is_all() {
            return Err(self.undeclared("the newest date in the content".into()));
        }
        Ok(self
            .over_time
            .get_or_init(|| crate::query::over_time(self.dataset, self.as_of, self.index.history)))
    }

    /// The companies of one packaging value, every one declared.
    fn packaging(&self, p: Packaging) -> Result<&'a [usize], Vec<Diagnostic>> {
        self.listed(self.index.by_packaging.get(&p).map_or(&[], Vec::as_slice))
    }

    /// The companies of one metering mechanic, every one declared.
    fn mechanic(&self, m: Mechanic) -> Result<&'a [usize], Vec<Diagnostic>> {
        self.listed(self.index.by_mechanic.get(&m).map_or(&[], Vec::as_slice))
    }
}

struct Renderer<'a> {
    inputs: &'a Inputs<'a>,
    urls: Urls,
    /// The base URL when it has a host, else empty: what templates test.
    canonical_base: &'a str,
    feed_url: String,
    sitemap_url: String,
    /// `/changes/`, which changes link into by their anchors.
    changes_url: String,
    /// The changes page's published URL, which the feed and data files
    /// give change anchors under.
    changes_published_url: String,
    /// `site.as_of` in templates: the date, or empty.
    as_of: String,
    /// See [`Scope::over_time`].
    over_time: OnceLock<Vec<Quarter>>,
}

impl<'a> Renderer<'a> {
    fn new(inputs: &'a Inputs<'a>) -> Renderer<'a> {
        let base = &inputs.plan.base;
        // Empty, like `canonical_base`, when there is no host to name.
        let absolute = |route: crate::plan::Route| {
            if base.has_host() {
                route.published_url(base)
            } else {
                String::new()
            }
        };
        Renderer {
            inputs,
            urls: Urls::new(inputs.dataset, base),
            canonical_base: base.absolute().unwrap_or(""),
            feed_url: absolute(crate::plan::Route::feed()),
            sitemap_url: absolute(crate::plan::Route::sitemap(0)),
            changes_url: crate::plan::Route::changes().url(base),
            changes_published_url: crate::plan::Route::changes().published_url(base),
            as_of: inputs.as_of.map(|d| d.to_string()).unwrap_or_default(),
            over_time: OnceLock::new(),
        }
    }

    fn scope<'s>(&'s self, entry: &'s Entry) -> Scope<'s, 'a> {
        Scope {
            entry,
            dataset: self.inputs.dataset,
            index: self.inputs.index,
            over_time: &self.over_time,
            as_of: self.inputs.as_of,
        }
    }

    /// One output of the plan.
    fn output(&self, entry: &Entry, fragments: &Fragments) -> Result<Page, Vec<Diagnostic>> {
        let bytes = if entry.output.is_data() {
            self.data_file(entry, fragments)?
        } else {
            self.page(entry, fragments)?
        };
        Ok(Page {
            path: entry.route.file_path().into_owned(),
            content: Content::Bytes(bytes),
        })
    }

    /// A company page's URL as published data gives it: absolute when the
    /// base URL has a host.
    fn published_company_url(&self, i: usize) -> String {
        crate::plan::Route::company(&self.inputs.dataset.companies[i].slug)
            .published_url(&self.inputs.plan.base)
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

    fn record<'r>(&'r self, i: usize, url: &'r str) -> data::CompanyRecord<'r> {
        data::CompanyRecord::new(
            &self.inputs.dataset.companies[i],
            url,
            &self.changes_published_url,
        )
    }
}

/// [`group_ids`] of every trend, by position.
fn all_group_ids(index: &Index<'_>) -> Vec<Vec<String>> {
    index.trends.iter().map(group_ids).collect()
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

#[cfg(test)]
mod tests {
    use crate::plan::{Output, PAGE_TEMPLATES};

    #[test]
    fn every_page_renders_with_a_page_template() {
        use crate::model::{Mechanic, Packaging};
        let pages = [
            Output::Home,
            Output::Trends,
            Output::Trend(0),
            Output::Company(0),
            Output::Packaging(Packaging::Bundled),
            Output::Mechanic(Mechanic::Credits),
            Output::PackagingList,
            Output::MechanicList,
            Output::Changes,
            Output::NotFound,
            Output::Robots,
        ];
        for output in pages {
            let template = output.template().unwrap_or("none");
            assert!(PAGE_TEMPLATES.contains(&template), "{output:?}");
        }
        for output in [
            Output::CompaniesJson,
            Output::CompaniesCsv,
            Output::FindJson,
            Output::TrendsJson,
            Output::ChangesJson,
            Output::ChangesCsv,
            Output::Feed,
            Output::Sitemap(0),
        ] {
            assert_eq!(output.template(), None, "{output:?}");
        }
    }
}
