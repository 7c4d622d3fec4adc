//! What templates see: typed views that borrow from the dataset, so a page
//! costs one serialization of exactly the fields it shows.

use std::borrow::Cow;

use serde::Serialize;

/// What every page knows about the site.
#[derive(Serialize)]
pub(super) struct SiteView<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub language: &'a str,
    pub base_path: &'a str,
    /// The absolute URL canonical links start with; empty when the base URL
    /// is only a path.
    pub canonical_base: &'a str,
    /// The Atom feed's absolute URL; empty when the base URL is only a path
    /// (feeds and sitemaps need absolute URLs, so there is none).
    pub feed_url: &'a str,
    /// The sitemap's absolute URL, or empty like `feed_url`.
    pub sitemap_url: &'a str,
    /// The date the site is shown as of (`--as-of`), or empty when it
    /// shows the dataset as it is now.
    pub as_of: &'a str,
}

#[derive(Serialize)]
pub(super) struct PageView<'a, T: Serialize> {
    pub site: &'a SiteView<'a>,
    /// The page's path below the base, such as `companies/cursor/`.
    pub path: &'a str,
    /// The navigation section the page belongs to.
    pub section: &'a str,
    #[serde(flatten)]
    pub page: T,
}

/// A packaging value or metering mechanic, linked to its page.
#[derive(Serialize, Clone, Copy)]
pub(super) struct TermRef<'a> {
    pub value: &'static str,
    pub url: &'a str,
    pub description: &'static str,
}

/// The view of `company_item.html` (as `c`): one company in a list.
#[derive(Serialize)]
pub(super) struct CompanyItem<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub url: &'a str,
    /// The metering note as HTML; empty when there is none.
    pub note: &'a str,
    /// Whether a fact that places the company in the list is marked
    /// unconfirmed. Lists share snippets: a company with unconfirmed facts
    /// has a second one, with this true, for the lists those facts decide.
    pub unconfirmed_listing: bool,
}

/// The view of `company_row.html` (as `c`): one row of the index table.
#[derive(Serialize)]
pub(super) struct CompanyRow<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub url: &'a str,
    pub category: &'a str,
    pub packaging: TermRef<'a>,
    pub mechanic: TermRef<'a>,
    /// The paths of the facts marked unconfirmed.
    pub unconfirmed: Vec<String>,
}

/// A company snippet's whole view: only the company, as `c`. Snippets are
/// rendered ten thousand times on a large site, so they get nothing else.
#[derive(Serialize)]
pub(super) struct FragmentView<T: Serialize> {
    pub c: T,
}

#[derive(Serialize)]
pub(super) struct TrendLink<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub url: &'a str,
    pub summary: &'a str,
    pub count: usize,
}

/// A trend as other pages link to it. Kept to what cannot change when
/// companies change, so an edit to one company never touches the pages that
/// merely link to a trend.
#[derive(Serialize)]
pub(super) struct TrendRef<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub url: &'a str,
}

#[derive(Serialize)]
pub(super) struct IndexPage<'a> {
    pub trends: Vec<TrendLink<'a>>,
    pub company_count: usize,
    /// `company_row.html` for every company, in reading order.
    pub company_rows: String,
    pub charts: IndexCharts,
    pub latest_changes: LatestChanges<'a>,
}

/// The index's charts, as inline SVG.
#[derive(Serialize)]
pub(super) struct IndexCharts {
    /// Companies per packaging value.
    pub packaging: String,
    /// Companies per metering mechanic.
    pub mechanic: String,
    /// Companies per packaging value and mechanic.
    pub matrix: String,
}

#[derive(Serialize)]
pub(super) struct TrendsPage<'a> {
    pub trends: Vec<TrendLink<'a>>,
}

/// A list of companies, as `company_item.html` snippets.
#[derive(Serialize)]
pub(super) struct ItemList {
    pub count: usize,
    pub items: String,
}

#[derive(Serialize)]
pub(super) struct GroupView<'a> {
    pub title: &'a str,
    pub id: String,
    pub count: usize,
    pub items: String,
}

#[derive(Serialize)]
pub(super) struct TrendView<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    pub heading: &'a str,
    pub intro: &'a str,
    pub outro: &'a str,
    pub total: usize,
    pub groups: Vec<GroupView<'a>>,
    pub other: ItemList,
    pub see_also: Vec<TrendRef<'a>>,
    /// The size of each group, as inline SVG; empty when nothing matches.
    pub chart: String,
    /// The latest moves into or out of the groups, newest first.
    pub recent_moves: Vec<MoveView<'a>>,
    /// Each group's size at the end of every quarter; none when history
    /// spans fewer than two quarters.
    pub over_time: Option<OverTimeView<'a>>,
}

/// A trend's group sizes quarter by quarter: a chart and the same numbers
/// as a table.
#[derive(Serialize)]
pub(super) struct OverTimeView<'a> {
    /// A line per group, as inline SVG.
    pub chart: String,
    /// The table's column headings: each group, then "Other" when a
    /// company ever was in it.
    pub columns: Vec<&'a str>,
    /// Oldest quarter first.
    pub rows: Vec<QuarterRow<'a>>,
}

#[derive(Serialize)]
pub(super) struct QuarterRow<'a> {
    /// `2025 Q2`.
    pub label: &'a str,
    /// One per column.
    pub counts: Vec<usize>,
}

#[derive(Serialize)]
pub(super) struct TrendPage<'a> {
    pub trend: TrendView<'a>,
}

#[derive(Serialize)]
pub(super) struct TierView<'a> {
    pub name: &'a str,
    pub price: String,
    pub ai_allowance: Option<&'a str>,
    /// The tier's fields marked unconfirmed, by their names in the tier:
    /// `price_usd`, `period`, `per`, `ai_allowance`.
    pub unconfirmed: Vec<&'static str>,
}

/// A fact marked unconfirmed, as the company page lists it.
#[derive(Serialize)]
pub(super) struct UnconfirmedView {
    /// As written in `unconfirmed`: `metering.mechanic`, `tiers.Pro.price_usd`.
    pub path: String,
    /// `Metering`, `Pro: price`.
    pub label: String,
    pub value: String,
}

#[derive(Serialize)]
pub(super) struct SourceView<'a> {
    pub url: &'a str,
    pub checked: String,
}

#[derive(Serialize)]
pub(super) struct CompanyView<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub website: &'a str,
    pub category: &'a str,
    pub packaging: TermRef<'a>,
    pub mechanic: TermRef<'a>,
    pub unit: Option<&'a str>,
    pub payg: bool,
    pub note: &'a str,
    pub note_text: &'a str,
    pub verified: String,
    pub tiers: Vec<TierView<'a>>,
    pub sources: Vec<SourceView<'a>>,
    pub body: Cow<'a, str>,
    /// The paths of the facts marked unconfirmed, for `in` tests.
    pub unconfirmed: Vec<String>,
    /// The same facts, worded for readers.
    pub unconfirmed_facts: Vec<UnconfirmedView>,
}

#[derive(Serialize)]
pub(super) struct CompanyPage<'a> {
    pub company: CompanyView<'a>,
    pub trends: Vec<TrendRef<'a>>,
    /// The company's changes, newest first.
    pub history: Vec<ChangeView<'a>>,
}

#[derive(Serialize)]
pub(super) struct TermPage<'a> {
    pub term: TermView<'a>,
}

#[derive(Serialize)]
pub(super) struct TermView<'a> {
    pub label: &'static str,
    pub value: &'static str,
    pub description: &'static str,
    pub count: usize,
    pub list_url: &'a str,
    pub items: String,
}

#[derive(Serialize)]
pub(super) struct TermListPage<'a> {
    pub label: &'static str,
    pub terms: Vec<TermRow<'a>>,
}

#[derive(Serialize)]
pub(super) struct TermRow<'a> {
    pub value: &'static str,
    pub url: &'a str,
    pub description: &'static str,
    pub count: usize,
}

/// A company as a change names it.
#[derive(Serialize)]
pub(super) struct CompanyLink<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub url: String,
}

/// One field a change changed, each value as a reader sees it.
#[derive(Serialize)]
pub(super) struct FieldChange {
    /// The field path, such as `metering.mechanic`.
    pub field: &'static str,
    /// The field as the company page names it, such as `Metering`.
    pub label: &'static str,
    pub before: String,
    pub after: String,
}

/// A trend group a change moved its company into or out of, linked to the
/// group on the trend page.
#[derive(Serialize)]
pub(super) struct GroupLink<'a> {
    pub trend: &'a str,
    /// The group's title; empty for a trend without groups, whose page
    /// lists every company in one list.
    pub group: &'a str,
    pub url: String,
}

/// One dated change.
#[derive(Serialize)]
pub(super) struct ChangeView<'a> {
    /// Its anchor on the changes page.
    pub id: String,
    /// Its URL on the changes page, anchor included.
    pub url: String,
    pub date: String,
    pub company: CompanyLink<'a>,
    /// HTML.
    pub summary: &'a str,
    pub source: &'a str,
    pub fields: Vec<FieldChange>,
    /// Empty where a page does not show moves (company pages, the home
    /// page).
    pub entered: Vec<GroupLink<'a>>,
    pub left: Vec<GroupLink<'a>>,
}

/// The changes of one month, newest first.
#[derive(Serialize)]
pub(super) struct MonthView {
    /// `June 2025`.
    pub label: String,
    /// `month-2025-06`.
    pub id: String,
    /// Its `change_item.html` snippets, spliced in after rendering.
    pub changes: String,
}

#[derive(Serialize)]
pub(super) struct ChangesPage {
    pub count: usize,
    pub months: Vec<MonthView>,
}

/// The latest changes on the home page.
#[derive(Serialize)]
pub(super) struct LatestChanges<'a> {
    pub changes: Vec<ChangeView<'a>>,
    /// Every change, not only those shown.
    pub count: usize,
    /// `/changes/`.
    pub url: &'a str,
}

/// One move into or out of a trend's groups, on its page.
#[derive(Serialize)]
pub(super) struct MoveView<'a> {
    pub date: String,
    pub company: CompanyLink<'a>,
    /// HTML.
    pub summary: &'a str,
    /// Absent when the company was not in the trend before (or after).
    pub from: Option<GroupLink<'a>>,
    pub to: Option<GroupLink<'a>>,
    /// The change on the changes page.
    pub url: String,
}
