//! The pages' share of history: the changes page, the latest changes on
//! the home page, a company's history and a trend's recent moves. Moves
//! come from one timeline per render (`query::timeline`), which the
//! renderer computes the first time a page asks for it.

use super::views::{
    ChangeView, ChangesPage, CompanyLink, FieldChange, GroupLink, LatestChanges, MonthView,
    MoveView,
};
use super::{Renderer, Scope, group_ids};
use crate::diag::Diagnostic;
use crate::model::{Company, Prior};
use crate::plan::Route;
use crate::query::{Slot, TimelineEntry};

/// How many changes the home page shows.
pub(super) const LATEST: usize = 5;
/// How many moves a trend page shows.
pub(super) const RECENT_MOVES: usize = 10;

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
    /// Every change with the moves it made, newest first; computed once
    /// per render, by the first page that needs it.
    pub(super) fn timeline(&self) -> &[TimelineEntry] {
        self.timeline
            .get_or_init(|| crate::query::timeline(self.inputs.dataset, &self.inputs.index.order))
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
            url: format!("{}#{id}", self.changes_url),
            id,
            date: change.date.to_string(),
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
        let g = scope.trend(t)?;
        let url = &self.urls.trends[t];
        let (group, url) = match slot {
            Slot::Group(n) => (
                g.groups.get(n).map_or("", |group| group.title),
                format!("{url}#{}", ids.get(n).map_or("", String::as_str)),
            ),
            // The trend page heads "Other" only when the trend has groups.
            Slot::Other if g.groups.is_empty() => ("", url.clone()),
            Slot::Other => ("Other", format!("{url}#other")),
        };
        Ok(GroupLink {
            trend: &g.trend.title,
            group,
            url,
        })
    }

    /// `/changes/`: every change, newest first, by month, with the groups
    /// its company entered and left.
    pub(super) fn changes_page(
        &self,
        scope: &Scope<'_, 'a>,
    ) -> Result<ChangesPage<'a>, Vec<Diagnostic>> {
        let companies = scope.companies()?;
        let ids = (0..self.inputs.dataset.trends.len())
            .map(|t| scope.trend(t).map(group_ids))
            .collect::<Result<Vec<_>, _>>()?;
        let timeline = self.timeline();
        let mut months: Vec<MonthView<'a>> = Vec::new();
        for e in timeline {
            let c = &companies[e.company];
            let mut view = self.change_view(e.company, c, e.change);
            for m in &e.moves {
                if let Some(from) = m.from {
                    view.left
                        .push(self.group_link(scope, m.trend, from, &ids[m.trend])?);
                }
                if let Some(to) = m.to {
                    view.entered
                        .push(self.group_link(scope, m.trend, to, &ids[m.trend])?);
                }
            }
            let id = format!("month-{:04}-{:02}", e.date.year, e.date.month);
            match months.last_mut() {
                Some(month) if month.id == id => month.changes.push(view),
                _ => months.push(MonthView {
                    label: format!(
                        "{} {}",
                        MONTHS[usize::from(e.date.month.clamp(1, 12)) - 1],
                        e.date.year
                    ),
                    id,
                    changes: vec![view],
                }),
            }
        }
        Ok(ChangesPage {
            count: timeline.len(),
            months,
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
        let mut moves = Vec::new();
        // Every entry is looked at, so every company with a change must be
        // declared, not only those shown.
        for e in self.timeline() {
            let c = scope.company(e.company)?;
            if moves.len() == RECENT_MOVES {
                continue;
            }
            let Some(m) = e.moves.iter().find(|m| m.trend == t) else {
                continue;
            };
            let link =
                |slot: Option<Slot>| slot.map(|s| self.group_link(scope, t, s, ids)).transpose();
            moves.push(MoveView {
                date: e.date.to_string(),
                company: self.company_link(c),
                summary: self.summary(e.company, e.change),
                from: link(m.from)?,
                to: link(m.to)?,
                url: format!("{}#{}", self.changes_url, change_anchor(c, e.change)),
            });
        }
        Ok(moves)
    }
}
