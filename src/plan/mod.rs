//! The `plan` stage: the map of the site. From the dataset and the query
//! results it lists every output the site has, with its route (the file it
//! is written to and the URL it is served at) and the inputs it reads: which
//! companies, which trends, which templates. It sits between `query` and
//! `render`:
//!
//! - `render` renders an entry from its declared inputs only (see
//!   `render::Scope`), so a declared dependency cannot be wrong;
//! - everything that needs a path or a URL (pages, `@/` links, the sitemap,
//!   the feed, the data files, `serve`'s 404 and removed paths) asks a
//!   [`Route`];
//! - `serve` asks [`Plan::diff`] what an edit touches: the old map, the new
//!   map and what changed give the outputs to render and the routes gone.
//!
//! A new kind of output is added here, as an [`Output`] variant with its
//! route and reads, and in `render` as the function that draws it.

mod reads;
mod route;

use std::collections::{BTreeSet, HashMap};

use rayon::prelude::*;

pub use reads::{Changes, Reads, Set, TemplateReads};
pub use route::{NOT_FOUND, Route, Urls};

use crate::config::BaseUrl;
use crate::model::{Dataset, Mechanic, Packaging};
use crate::query::Index;

/// What an output is; its route and reads come with it in an [`Entry`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Output {
    Home,
    Trends,
    /// By position in `Dataset::trends`.
    Trend(usize),
    /// By position in `Dataset::companies`.
    Company(usize),
    Packaging(Packaging),
    Mechanic(Mechanic),
    PackagingList,
    MechanicList,
    /// `/changes/`: every dated change, newest first.
    Changes,
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
    /// `data/changes.json`: one row per changed field.
    ChangesJson,
    /// `data/changes.csv`: the same rows.
    ChangesCsv,
    /// Part `k` of the sitemap; 0 is `sitemap.xml` itself.
    Sitemap(usize),
    /// `atom.xml`.
    Feed,
}

/// The templates that render a page of their own. An edit to one of these
/// re-renders only its pages; any other template may be extended or
/// included anywhere, so an edit to it re-renders every page.
pub const PAGE_TEMPLATES: &[&str] = &[
    "index.html",
    "trends.html",
    "trend.html",
    "company.html",
    "term.html",
    "term_list.html",
    "changes.html",
    "404.html",
    "robots.txt",
];

/// The company snippets: rendered once per company, spliced into lists.
pub const ITEM_TEMPLATE: &str = "company_item.html";
pub const ROW_TEMPLATE: &str = "company_row.html";
/// The change snippet: rendered once per change, spliced into `/changes/`.
pub const CHANGE_TEMPLATE: &str = "change_item.html";

impl Output {
    /// The template the output renders with; `None` for the data files and
    /// feeds, which are written from the dataset directly.
    pub fn template(self) -> Option<&'static str> {
        Some(match self {
            Output::Home => "index.html",
            Output::Trends => "trends.html",
            Output::Trend(_) => "trend.html",
            Output::Company(_) => "company.html",
            Output::Packaging(_) | Output::Mechanic(_) => "term.html",
            Output::PackagingList | Output::MechanicList => "term_list.html",
            Output::Changes => "changes.html",
            Output::NotFound => "404.html",
            Output::Robots => "robots.txt",
            Output::CompaniesJson
            | Output::CompaniesCsv
            | Output::FindJson
            | Output::TrendsJson
            | Output::ChangesJson
            | Output::ChangesCsv
            | Output::Sitemap(_)
            | Output::Feed => return None,
        })
    }

    /// A data file or feed: one pass over every company, which `serve` may
    /// render after the pages (see `serve::state`).
    pub fn is_data(self) -> bool {
        self.template().is_none()
    }

    /// The part of the site a page belongs to, for the navigation.
    pub fn section(self) -> &'static str {
        match self {
            Output::Home => "home",
            Output::Trends | Output::Trend(_) => "trends",
            Output::Company(_) => "companies",
            Output::Packaging(_) | Output::PackagingList => "packaging",
            Output::Mechanic(_) | Output::MechanicList => "metering",
            Output::Changes => "changes",
            _ => "",
        }
    }
}

/// One output of the site.
#[derive(Debug, Clone)]
pub struct Entry {
    pub output: Output,
    pub route: Route,
    pub reads: Reads,
}

/// The map of a site: every output, long jobs first (each data file is one
/// sequential pass over every company; the index and trend pages list them
/// all), so that they overlap with the many short ones when rendered in
/// parallel, instead of finishing alone on one core.
#[derive(Debug, Clone)]
pub struct Plan {
    pub base: BaseUrl,
    entries: Vec<Entry>,
    /// Where the company pages start in `entries`, in dataset order.
    company_start: usize,
    /// Slugs by position, to compare reads across plans.
    company_slugs: Vec<String>,
    trend_slugs: Vec<String>,
}

/// What one edit asks of the renderer.
#[derive(Debug, Default)]
pub struct Diff {
    /// Positions in the new plan's entries.
    pub render: Vec<usize>,
    /// Files of the old plan that the new one no longer has.
    pub removed: Vec<String>,
}

impl Plan {
    /// The plan of a site that has no outputs yet, to diff a first render
    /// against.
    pub fn empty(base: BaseUrl) -> Plan {
        Plan {
            base,
            entries: Vec::new(),
            company_start: 0,
            company_slugs: Vec::new(),
            trend_slugs: Vec::new(),
        }
    }

    pub fn new(ds: &Dataset, index: &Index<'_>, base: &BaseUrl) -> Plan {
        let all = || Reads {
            companies: Set::All,
            trends: Set::All,
            templates: TemplateReads {
                page: None,
                items: false,
                rows: false,
                changes: false,
            },
            history_end: None,
            history: false,
        };
        let page = |template: &'static str, companies: Set, trends: Set| Reads {
            companies,
            trends,
            templates: TemplateReads {
                page: Some(template),
                items: false,
                rows: false,
                changes: false,
            },
            history_end: None,
            history: false,
        };
        let items = |mut reads: Reads| {
            reads.templates.items = true;
            reads
        };
        let mut entries = Vec::with_capacity(sitemap_len(ds, index) + 14);
        let mut add = |output: Output, route: Route, reads: Reads| {
            entries.push(Entry {
                output,
                route,
                reads,
            })
        };
        for (output, route) in [
            (Output::CompaniesJson, Route::file("data/companies.json")),
            (Output::CompaniesCsv, Route::file("data/companies.csv")),
            (Output::FindJson, Route::file("data/find.json")),
            (Output::TrendsJson, Route::file("data/trends.json")),
        ] {
            add(output, route, all());
        }
        // Each company's changes, and no trend.
        for (output, route) in [
            (Output::ChangesJson, Route::file("data/changes.json")),
            (Output::ChangesCsv, Route::file("data/changes.csv")),
        ] {
            let mut reads = all();
            reads.trends = Set::none();
            add(output, route, reads);
        }
        if base.has_host() {
            add(Output::Feed, Route::feed(), all());
            for k in 0..=sitemap_parts(sitemap_len(ds, index)) {
                add(Output::Sitemap(k), Route::sitemap(k), all());
            }
        }
        let mut home = page("index.html", Set::All, Set::All);
        home.templates.rows = true;
        add(Output::Home, Route::home(), home);
        // The list of trends shows each trend's count: every company.
        add(
            Output::Trends,
            Route::trends(),
            page("trends.html", Set::All, Set::All),
        );
        // Each change shows its fields before and after, and the groups of
        // every trend its company entered and left.
        let mut changes = page("changes.html", Set::All, Set::All);
        changes.templates.changes = true;
        add(Output::Changes, Route::changes(), changes);
        add(
            Output::NotFound,
            Route::not_found(),
            page("404.html", Set::none(), Set::none()),
        );
        for (output, route) in [
            (Output::PackagingList, Route::packaging_list()),
            (Output::MechanicList, Route::mechanic_list()),
        ] {
            add(output, route, page("term_list.html", Set::All, Set::none()));
        }
        add(
            Output::Robots,
            Route::file("robots.txt"),
            page("robots.txt", Set::none(), Set::none()),
        );
        // A trend page's history reads every company's moves and the groups
        // it was in from date to date (the quarters, and which moves are the
        // latest), declared as `history` and re-rendered when one changes;
        // of the companies, it reads its members and those its recent moves
        // name, whose summaries it shows. The quarters end at the newest date
        // in the content, read as a value.
        let movers = index.recent_movers(crate::query::RECENT_MOVES);
        let history_end = crate::query::newest_date(ds);
        for (t, g) in index.trends.iter().enumerate() {
            let see_also = g
                .trend
                .see_also
                .iter()
                .filter_map(|slug| ds.trends.iter().position(|x| &x.slug == slug));
            let members = g
                .groups
                .iter()
                .flat_map(|group| group.companies.iter())
                .chain(&g.other)
                .chain(movers.get(t).into_iter().flatten())
                .copied();
            let mut reads = items(page(
                "trend.html",
                Set::of(members),
                Set::of(std::iter::once(t).chain(see_also)),
            ));
            reads.history = true;
            reads.history_end = history_end;
            add(Output::Trend(t), Route::trend(&g.trend.slug), reads);
        }
        // Which trends list each company, from the groups the query made
        // rather than each trend's filter evaluated again per company.
        let mut trends_of: Vec<Vec<u32>> = vec![Vec::new(); ds.companies.len()];
        for (t, g) in index.trends.iter().enumerate() {
            let members = g
                .groups
                .iter()
                .flat_map(|group| &group.companies)
                .chain(&g.other);
            for &i in members {
                if let (Some(list), Ok(t)) = (trends_of.get_mut(i), u32::try_from(t)) {
                    list.push(t);
                }
            }
        }
        // Ten thousand routes and sets are made on every edit in `serve`:
        // in parallel, in dataset order.
        let company_pages: Vec<Entry> = ds
            .companies
            .par_iter()
            .zip(trends_of)
            .enumerate()
            .map(|(i, (c, trends))| Entry {
                output: Output::Company(i),
                route: Route::company(&c.slug),
                // Pushed in trend order, so already sorted.
                reads: page("company.html", Set::of([i]), Set::Only(trends)),
            })
            .collect();
        for entry in company_pages {
            add(entry.output, entry.route, entry.reads);
        }
        for (p, list) in &index.by_packaging {
            add(
                Output::Packaging(*p),
                Route::packaging(*p),
                items(page(
                    "term.html",
                    Set::of(list.iter().copied()),
                    Set::none(),
                )),
            );
        }
        for (m, list) in &index.by_mechanic {
            add(
                Output::Mechanic(*m),
                Route::mechanic(*m),
                items(page(
                    "term.html",
                    Set::of(list.iter().copied()),
                    Set::none(),
                )),
            );
        }
        let company_start = entries
            .iter()
            .position(|e| matches!(e.output, Output::Company(_)))
            .unwrap_or(entries.len());
        Plan {
            base: base.clone(),
            company_start,
            entries,
            company_slugs: ds.companies.par_iter().map(|c| c.slug.clone()).collect(),
            trend_slugs: ds.trends.iter().map(|t| t.slug.clone()).collect(),
        }
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entries that are pages, not data files or feeds.
    pub fn pages(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| !e.output.is_data())
    }

    /// What must be rendered to go from `old` (what is served) to `self`,
    /// given what changed in between: every output that is new, whose
    /// declared inputs differ (a company joined a trend, say), or that reads
    /// something changed; and the files of `old` that are gone.
    pub fn diff(&self, old: &Plan, changes: &Changes) -> Diff {
        // When no company or trend was added or removed (every edit but a
        // few), positions mean the same in both plans and entries pair by
        // output, which hashes a number instead of a path.
        let companies_same = self.company_slugs == old.company_slugs;
        let trends_same = self.trend_slugs == old.trend_slugs;
        let same_positions = companies_same && trends_same;
        // Company pages, ten thousand of them, pair by position; the few
        // other outputs by a map.
        let not_company = |e: &&Entry| !matches!(e.output, Output::Company(_));
        let old_by_output: HashMap<Output, &Entry> = if same_positions {
            old.entries
                .iter()
                .filter(not_company)
                .map(|e| (e.output, e))
                .collect()
        } else {
            HashMap::new()
        };
        let old_by_route: HashMap<&Route, &Entry> = if same_positions {
            HashMap::new()
        } else {
            old.entries.iter().map(|e| (&e.route, e)).collect()
        };
        let was = |e: &Entry| -> Option<&Entry> {
            if same_positions {
                match e.output {
                    Output::Company(i) => old
                        .entries
                        .get(old.company_start + i)
                        .filter(|was| was.output == e.output),
                    output => old_by_output.get(&output).copied(),
                }
            } else {
                old_by_route.get(&e.route).copied()
            }
        };
        let base_changed = self.base != old.base;
        let companies_moved = (!companies_same)
            .then_some((self.company_slugs.as_slice(), old.company_slugs.as_slice()));
        let trends_moved =
            (!trends_same).then_some((self.trend_slugs.as_slice(), old.trend_slugs.as_slice()));
        let render = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                let Some(was) = was(e) else {
                    return true;
                };
                changes.site
                    || base_changed
                    || was.output.template() != e.output.template()
                    || e.reads.templates != was.reads.templates
                    || e.reads.history_end != was.reads.history_end
                    || (e.reads.history && changes.history)
                    || changes.templates.iter().any(|t| e.reads.templates.reads(t))
                    || e.reads
                        .companies
                        .touches(&self.company_slugs, &changes.companies)
                    || e.reads.trends.touches(&self.trend_slugs, &changes.trends)
                    || !e
                        .reads
                        .companies
                        .same(&was.reads.companies, companies_moved)
                    || !e.reads.trends.same(&was.reads.trends, trends_moved)
            })
            .map(|(k, _)| k)
            .collect();
        let new_outputs: std::collections::HashSet<Output> = if same_positions {
            self.entries
                .iter()
                .filter(not_company)
                .map(|e| e.output)
                .collect()
        } else {
            Default::default()
        };
        let new_routes: BTreeSet<&Route> = if same_positions {
            BTreeSet::new()
        } else {
            self.entries.iter().map(|e| &e.route).collect()
        };
        let gone = |e: &Entry| {
            if same_positions {
                match e.output {
                    Output::Company(i) => i >= self.company_slugs.len(),
                    output => !new_outputs.contains(&output),
                }
            } else {
                !new_routes.contains(&e.route)
            }
        };
        let removed = old
            .entries
            .iter()
            .filter(|e| gone(e))
            .map(|e| e.route.file_path().into_owned())
            .collect();
        Diff { render, removed }
    }
}

/// The most URLs one sitemap file may list (sitemaps.org protocol).
pub const SITEMAP_LIMIT: usize = 50_000;

/// How many URLs the sitemap lists: every page but the 404.
pub fn sitemap_len(ds: &Dataset, index: &Index<'_>) -> usize {
    5 + ds.trends.len() + ds.companies.len() + index.by_packaging.len() + index.by_mechanic.len()
}

/// How many part files a sitemap of `urls` URLs is split into; 0 when
/// `sitemap.xml` lists them all itself.
pub fn sitemap_parts(urls: usize) -> usize {
    if urls <= SITEMAP_LIMIT {
        0
    } else {
        urls.div_ceil(SITEMAP_LIMIT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_reads_follow_the_template_kinds() {
        let trend = TemplateReads {
            page: Some("trend.html"),
            items: true,
            rows: false,
            changes: false,
        };
        assert!(trend.reads("trend.html"));
        assert!(trend.reads("base.html"));
        assert!(trend.reads("partials/macros.html"));
        assert!(trend.reads(ITEM_TEMPLATE));
        assert!(!trend.reads(ROW_TEMPLATE));
        assert!(!trend.reads("company.html"));
        let data = TemplateReads {
            page: None,
            items: false,
            rows: false,
            changes: false,
        };
        assert!(!data.reads("base.html"));
    }

    #[test]
    fn sets_compare_by_slug_across_plans() {
        let old = vec!["a".to_string(), "b".into(), "c".into()];
        let new = vec!["a".to_string(), "aa".into(), "b".into(), "c".into()];
        // "b" and "c" moved one place down when "aa" was added.
        let moved = Some((old.as_slice(), new.as_slice()));
        assert!(Set::of([1, 2]).same(&Set::of([2, 3]), moved));
        assert!(!Set::of([1, 2]).same(&Set::of([1, 2]), moved));
        assert!(Set::of([1, 2]).same(&Set::of([1, 2]), None));
        let changed = BTreeSet::from(["c".to_string()]);
        assert!(Set::of([2]).touches(&old, &changed));
        assert!(!Set::of([0, 1]).touches(&old, &changed));
        assert!(Set::All.touches(&old, &changed));
        assert!(!Set::All.touches(&old, &BTreeSet::new()));
    }
}
