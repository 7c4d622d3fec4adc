//! The pages' share of history: the changes page, the latest changes on
//! the home page, a company's history and a trend's recent moves. Each
//! change is rendered once as a snippet with the company's other
//! fragments (see `Fragments`), and moves come from the index's timeline
//! (`query::timeline`), assembled from the companies' kept histories.

use super::splice::Splices;
use super::views::{
    ChangeView, ChangesPage, CompanyLink, FieldChange, FragmentView, GroupLink, LatestChanges,
    MonthView, MoveView,
};
use super::{Fragments, Renderer, Scope};
use crate::diag::Diagnostic;
use crate::model::{Company, Prior};
use crate::plan::{CHANGE_TEMPLATE, Route};
use crate::query::{Grouped, RECENT_MOVES, Slot, TimelineEntry};

/// How many changes the home page shows.
pub(super) const LATEST: usize = 5;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The anchor of `c.changes[k]` on the changes page: changes of one date
/// are numbered in file order, which `changes` keeps.
pub(super) fn change_anchor(c: &Company, k: usize) -> String {
    Route::change_anchor(&c.slug, c.changes[k].date, c.nth_of_day(k))
}

/// The URL of change `k` of `c` on the changes page at `changes_url`: the
/// site's link, or the published one that data files and the feed give.
pub(super) fn change_url(changes_url: &str, c: &Company, k: usize) -> String {
    anchored(changes_url, &change_anchor(c, k))
}

/// `url#anchor`, for every change and move shown: concatenated, not
/// formatted.
fn anchored(url: &str, anchor: &str) -> String {
    let mut out = String::with_capacity(url.len() + 1 + anchor.len());
    out.push_str(url);
    out.push('#');
    out.push_str(anchor);
    out
}

/// A field as the company page heads it.
fn field_label(prior: &Prior) -> &'static str {
    match prior {
        Prior::Name(_) => "Name",
        Prior::Website(_) => "Website",
        Prior::Category(_) => "Category",
        Prior::Packaging(_) => "AI packaging",
        Prior::Mechanic(_) => "Metering",
        Prior::Unit(_) => "Metering unit",
        Prior::Payg(_) => "Pay as you go",
        Prior::Note(_) => "Metering note",
        Prior::Tiers(_) => "Tiers",
    }
}

impl<'a> Renderer<'a> {
    /// Every change, newest first; the moves each made are the index's.
    pub(super) fn timeline(&self) -> &'a [TimelineEntry] {
        &self.inputs.index.timeline
    }

    fn company_link(&self, c: &'a Company) -> CompanyLink<'a> {
        CompanyLink {
            slug: &c.slug,
            name: &c.name,
            url: self.urls.company(&c.slug),
        }
    }

    fn summary(&self, i: usize, k: usize) -> &'a str {
        self.inputs
            .html
            .summaries
            .get(i)
            .and_then(|list| list.get(k))
            .map_or("", String::as_str)
    }

    /// Change `k` of company `i` (which the caller has from its scope),
    /// without the moves it made.
    fn change_view(&self, i: usize, c: &'a Company, k: usize) -> ChangeView<'a> {
        let change = &c.changes[k];
        let id = change_anchor(c, k);
        let fields = if change.before.is_empty() {
            Vec::new()
        } else {
            change
                .before
                .iter()
                .map(|prior| FieldChange {
                    field: prior.path(),
                    label: field_label(prior),
                    before: prior.display(),
                    after: c.value_after(k, prior).display(),
                })
                .collect()
        };
        ChangeView {
            url: anchored(&self.changes_url, &id),
            id,
            date: change.date.iso_string(),
            company: self.company_link(c),
            summary: self.summary(i, k),
            source: &change.source,
            fields,
            entered: Vec::new(),
            left: Vec::new(),
        }
    }

    /// Trend `t`'s slot as a link to it on the trend page; `ids` are the
    /// trend's group anchors.
    fn group_link(
        &self,
        scope: &Scope<'_, 'a>,
        t: usize,
        slot: Slot,
        ids: &[String],
    ) -> Result<GroupLink<'a>, Vec<Diagnostic>> {
        Ok(self.group_link_of(scope.trend(t)?, t, slot, ids))
    }

    /// [`Renderer::group_link`] for trend `t` grouped as `g`.
    fn group_link_of(
        &self,
        g: &'a Grouped<'a>,
        t: usize,
        slot: Slot,
        ids: &[String],
    ) -> GroupLink<'a> {
        let url = &self.urls.trends[t];
        let (group, url) = match slot {
            Slot::Group(n) => (
                g.groups.get(n).map_or("", |group| group.title),
                anchored(url, ids.get(n).map_or("", String::as_str)),
            ),
            // The trend page heads "Other" only when the trend has groups.
            Slot::Other if g.groups.is_empty() => ("", url.clone()),
            Slot::Other => ("Other", anchored(url, "other")),
        };
        GroupLink {
            trend: &g.trend.title,
            group,
            url,
        }
    }

    /// Company `i`'s changes as `change_item.html` snippets, in file order,
    /// each with the groups it entered and left; `group_ids` are every
    /// trend's group anchors.
    pub(super) fn change_items(
        &self,
        i: usize,
        group_ids: &[Vec<String>],
    ) -> Result<Vec<String>, Vec<Diagnostic>> {
        let c = &self.inputs.dataset.companies[i];
        let index = self.inputs.index;
        let trends = &index.trends;
        let mut items = Vec::with_capacity(c.changes.len());
        let moves = index.history.get(i).map_or(&[][..], |h| &h.moves[..]);
        for k in 0..c.changes.len() {
            let moves = moves.get(k).map_or(&[][..], Vec::as_slice);
            let mut view = self.change_view(i, c, k);
            for m in moves {
                let (Some(g), Some(ids)) = (trends.get(m.trend), group_ids.get(m.trend)) else {
                    continue;
                };
                if let Some(from) = m.from {
                    view.left.push(self.group_link_of(g, m.trend, from, ids));
                }
                if let Some(to) = m.to {
                    view.entered.push(self.group_link_of(g, m.trend, to, ids));
                }
            }
            let mut html = self
                .inputs
                .templates
                .render(CHANGE_TEMPLATE, &FragmentView { c: view })?;
            // Kept for every change; see `Renderer::fragment`.
            html.shrink_to_fit();
            items.push(html);
        }
        Ok(items)
    }

    /// `/changes/`: every change, newest first, by month, as the snippets
    /// of `fragments` spliced in.
    pub(super) fn changes_page<'s>(
        &self,
        scope: &Scope<'_, 'a>,
        fragments: &'s Fragments,
        splices: &Splices<'s>,
    ) -> Result<ChangesPage, Vec<Diagnostic>> {
        // Every change and the moves it made are read.
        scope.companies()?;
        for t in 0..self.inputs.dataset.trends.len() {
            scope.trend(t)?;
        }
        let timeline = self.timeline();
        let mut months: Vec<(MonthView, (u16, u8), Vec<&'s str>)> = Vec::new();
        for e in timeline {
            let Some(item) = fragments
                .changes
                .get(e.company)
                .and_then(|c| c.get(e.change))
            else {
                continue;
            };
            let month = (e.date.year, e.date.month);
            match months.last_mut() {
                Some((_, m, items)) if *m == month => items.push(item),
                _ => months.push((
                    MonthView {
                        label: format!(
                            "{} {}",
                            MONTHS[usize::from(e.date.month.clamp(1, 12)) - 1],
                            e.date.year
                        ),
                        id: format!("month-{:04}-{:02}", e.date.year, e.date.month),
                        changes: String::new(),
                    },
                    month,
                    vec![item.as_str()],
                )),
            }
        }
        Ok(ChangesPage {
            count: timeline.len(),
            months: months
                .into_iter()
                .map(|(mut month, _, items)| {
                    month.changes = splices.mark_each(items);
                    month
                })
                .collect(),
        })
    }

    /// The newest changes, for the home page.
    pub(super) fn latest_changes(
        &self,
        scope: &Scope<'_, 'a>,
    ) -> Result<LatestChanges<'_>, Vec<Diagnostic>> {
        let companies = scope.companies()?;
        let timeline = self.timeline();
        Ok(LatestChanges {
            changes: timeline
                .iter()
                .take(LATEST)
                .map(|e| self.change_view(e.company, &companies[e.company], e.change))
                .collect(),
            count: timeline.len(),
            url: &self.changes_url,
        })
    }

    /// A company's changes, newest first.
    pub(super) fn history(
        &self,
        scope: &Scope<'_, 'a>,
        i: usize,
    ) -> Result<Vec<ChangeView<'a>>, Vec<Diagnostic>> {
        let c = scope.company(i)?;
        Ok((0..c.changes.len())
            .map(|k| self.change_view(i, c, k))
            .collect())
    }

    /// The latest moves into or out of trend `t`'s groups; `ids` are its
    /// group anchors.
    pub(super) fn recent_moves(
        &self,
        scope: &Scope<'_, 'a>,
        t: usize,
        ids: &[String],
    ) -> Result<Vec<MoveView<'a>>, Vec<Diagnostic>> {
        // Which moves are the latest follows from every company's history;
        // the companies shown are read too.
        scope.history()?;
        let mut moves = Vec::new();
        for e in self.timeline() {
            if moves.len() == RECENT_MOVES {
                break;
            }
            let Some(m) = self.inputs.index.moves(e).iter().find(|m| m.trend == t) else {
                continue;
            };
            let c = scope.company(e.company)?;
            let link =
                |slot: Option<Slot>| slot.map(|s| self.group_link(scope, t, s, ids)).transpose();
            moves.push(MoveView {
                date: e.date.to_string(),
                company: self.company_link(c),
                summary: self.summary(e.company, e.change),
                from: link(m.from)?,
                to: link(m.to)?,
                url: change_url(&self.changes_url, c, e.change),
            });
        }
        Ok(moves)
    }
}
