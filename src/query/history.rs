//! History: the dataset as it stood on any date, the moves each change
//! made between trend groups, and each group's size at the end of every
//! quarter. All of it goes through [`super::slot`], the rule trend pages
//! use, so a page and its history cannot disagree.

use super::{Slot, slot};
use crate::model::{Company, Dataset, Date};

/// The site as it stood on `date`: every company replayed to it, and the
/// changes after it left out.
pub fn as_of(ds: &Dataset, date: Date) -> Dataset {
    Dataset {
        config: ds.config.clone(),
        companies: ds.companies.iter().map(|c| c.as_of(date)).collect(),
        trends: ds.trends.clone(),
    }
}

/// The newest date the content holds: a change or a `verified`. Charts end
/// there rather than at the build's clock, so two builds of the same
/// content give the same bytes.
pub fn newest_date(ds: &Dataset) -> Option<Date> {
    ds.companies
        .iter()
        .flat_map(|c| c.changes.iter().map(|ch| ch.date).chain([c.verified]))
        .max()
}

/// Where one change moved its company in one trend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    /// By position in `Dataset::trends`.
    pub trend: usize,
    pub from: Option<Slot>,
    pub to: Option<Slot>,
}

/// One change in the timeline; the moves it made are its company's
/// history's (`Index::moves`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelineEntry {
    /// By position in `Dataset::companies`.
    pub company: usize,
    /// By position in that company's `changes`.
    pub change: usize,
    pub date: Date,
}

/// One company's part in the history of the trends: the moves each of its
/// changes made, and its states with the slot each takes in every trend.
/// It depends on the company and the trends alone, so it is replayed once
/// per company, in parallel, and `serve` keeps it for the companies an
/// edit leaves alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompanyHistory {
    /// By change, in file order.
    pub moves: Vec<Vec<Move>>,
    /// Empty for a company without changes, whose one state is the entry.
    states: States,
}

/// Replays `c` through its changes once, on one copy of its facts: the
/// slots after a day's changes are those before the next newer day's, so
/// each state is placed in the trends once, and only a day with several
/// changes copies the state to place each change's own "before".
pub fn company_history(ds: &Dataset, c: &Company) -> CompanyHistory {
    if c.changes.is_empty() {
        return CompanyHistory::default();
    }
    let slots = |c: &Company| ds.trends.iter().map(|t| slot(t, c)).collect::<Vec<_>>();
    let moves_between = |before: &[Option<Slot>], after: &[Option<Slot>]| -> Vec<Move> {
        before
            .iter()
            .zip(after)
            .enumerate()
            .filter(|(_, (from, to))| from != to)
            .map(|(trend, (&from, &to))| Move { trend, from, to })
            .collect()
    };
    let mut moves = vec![Vec::new(); c.changes.len()];
    // The states, newest first, each with the date from which it holds:
    // the state after a day's changes, once per day, then the oldest.
    let mut states: States = Vec::new();
    let mut state = c.facts();
    let mut after = slots(&state);
    let mut k = 0;
    while k < c.changes.len() {
        let day = c.changes[k].date;
        let same_day = c.changes[k..]
            .iter()
            .take_while(|ch| ch.date == day)
            .count();
        // Each change of the day is judged against the state after all of
        // them, with only its own fields as they were before.
        if same_day > 1 {
            let day_changes = &c.changes[k..k + same_day];
            for (moved, change) in moves[k..k + same_day].iter_mut().zip(day_changes) {
                let mut before = state.clone();
                for prior in &change.before {
                    prior.apply(&mut before);
                }
                *moved = moves_between(&slots(&before), &after);
            }
        }
        for change in &c.changes[k..k + same_day] {
            for prior in &change.before {
                prior.apply(&mut state);
            }
        }
        let before = slots(&state);
        if same_day == 1 {
            moves[k] = moves_between(&before, &after);
        }
        states.push((Some(day), std::mem::replace(&mut after, before)));
        k += same_day;
    }
    states.push((None, after));
    CompanyHistory { moves, states }
}

/// [`company_history`] of every company, by position.
pub fn histories(ds: &Dataset) -> Vec<CompanyHistory> {
    use rayon::prelude::*;
    ds.companies
        .par_iter()
        .map(|c| company_history(ds, c))
        .collect()
}

/// Every change in [`timeline`]'s order, with the dates it was sorted by,
/// so that `serve` sorts thirty thousand changes again only when a date or
/// a change or the companies' reading order changed, not when a summary is
/// reworded. The reading order is `query::Kept`'s, which says when it
/// changed.
#[derive(Debug, Default)]
pub(super) struct ChangeOrder {
    /// Each company's number of changes, by position.
    counts: Vec<usize>,
    /// Every change's date, by company position, then file order.
    dates: Vec<Date>,
    pub(super) entries: Vec<TimelineEntry>,
}

impl ChangeOrder {
    pub(super) fn new(ds: &Dataset, order: &[usize]) -> ChangeOrder {
        ChangeOrder {
            counts: ds.companies.iter().map(|c| c.changes.len()).collect(),
            dates: every_date(ds).collect(),
            entries: timeline(ds, order),
        }
    }

    /// Whether `ds` has the changes, by company and date, this order was
    /// sorted from.
    pub(super) fn holds_for(&self, ds: &Dataset) -> bool {
        self.counts.len() == ds.companies.len()
            && self
                .counts
                .iter()
                .zip(&ds.companies)
                .all(|(&n, c)| n == c.changes.len())
            && self.dates.iter().copied().eq(every_date(ds))
    }
}

fn every_date(ds: &Dataset) -> impl Iterator<Item = Date> + '_ {
    ds.companies
        .iter()
        .flat_map(|c| c.changes.iter().map(|ch| ch.date))
}

/// Every change of every company, newest first; changes of one date in
/// `order` (reading order of companies), then file order.
pub fn timeline(ds: &Dataset, order: &[usize]) -> Vec<TimelineEntry> {
    let mut list: Vec<(u64, TimelineEntry)> = Vec::new();
    let mut position = 0;
    for &i in order {
        for (k, ch) in ds.companies[i].changes.iter().enumerate() {
            let entry = TimelineEntry {
                company: i,
                change: k,
                date: ch.date,
            };
            list.push((newest_first(ch.date, position), entry));
            position += 1;
        }
    }
    list.sort_unstable_by_key(|&(key, _)| key);
    list.into_iter().map(|(_, e)| e).collect()
}

/// How many moves a trend page's "Recent moves" shows.
pub const RECENT_MOVES: usize = 10;

/// A key that sorts newest first, then by `position`: the order of
/// [`timeline`] as one number, which a large history sorts several times
/// faster than by looking its dates up.
fn newest_first(date: Date, position: usize) -> u64 {
    let day = u64::from(date.year) << 9 | u64::from(date.month) << 5 | u64::from(date.day);
    (u64::from(u32::MAX) - day) << 32 | u64::try_from(position).unwrap_or(u64::MAX) & 0xFFFF_FFFF
}

/// The end of one quarter and each trend's group sizes then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarter {
    pub end: Date,
    /// `2025 Q2`.
    pub label: String,
    /// By trend: each group's size in page order, then "Other".
    pub counts: Vec<Vec<usize>>,
}

/// The last day of the quarter `date` falls in.
fn quarter_end(date: Date) -> Date {
    let month = (date.month - 1) / 3 * 3 + 3;
    let day = if month == 3 || month == 12 { 31 } else { 30 };
    Date::new(date.year, month, day).unwrap_or(date)
}

/// The quarter after the one ending on `end`.
fn next_quarter_end(end: Date) -> Date {
    let (year, month) = if end.month == 12 {
        (end.year + 1, 3)
    } else {
        (end.year, end.month + 3)
    };
    let day = if month == 3 || month == 12 { 31 } else { 30 };
    Date::new(year, month, day).unwrap_or(end)
}

/// Every trend's group sizes at the end of each quarter, from the quarter
/// of the first change to the quarter of [`newest_date`], or of `until`
/// when that is earlier (a site replayed to a date, whose `verified` dates
/// may be later); empty when no company has a change. `history` is
/// [`histories`] of `ds`.
pub fn over_time(ds: &Dataset, until: Option<Date>, history: &[CompanyHistory]) -> Vec<Quarter> {
    let first = ds
        .companies
        .iter()
        .filter_map(|c| c.changes.last().map(|ch| ch.date))
        .min();
    let newest = newest_date(ds).map(|n| until.map_or(n, |u| n.min(u)));
    let (Some(first), Some(newest)) = (first, newest) else {
        return Vec::new();
    };
    let last = quarter_end(newest);
    let mut ends = vec![quarter_end(first)];
    while let Some(&end) = ends.last().filter(|&&e| e < last) {
        ends.push(next_quarter_end(end));
    }
    // Each trend's columns side by side: its groups, then "Other".
    let mut offsets = Vec::with_capacity(ds.trends.len());
    let mut width = 0;
    for t in &ds.trends {
        offsets.push(width);
        width += t.groups.len() + 1;
    }
    let column = |t: usize, s: Slot| {
        offsets[t]
            + match s {
                Slot::Group(g) => g,
                Slot::Other => ds.trends[t].groups.len(),
            }
    };
    // A state holds over a run of quarters: it is counted where the run
    // starts and uncounted where it ends, and the running sum over the
    // quarters gives the counts, whatever the number of quarters.
    let mut diff = vec![0i64; (ends.len() + 1) * width];
    let mut add = |from: usize, to: usize, slots: &[Option<Slot>]| {
        if from >= to {
            return;
        }
        for (t, s) in slots.iter().enumerate() {
            if let Some(s) = *s {
                let col = column(t, s);
                diff[from * width + col] += 1;
                diff[to * width + col] -= 1;
            }
        }
    };
    let first_end_from = |date: Option<Date>| date.map_or(0, |d| ends.partition_point(|e| *e < d));
    for (i, c) in ds.companies.iter().enumerate() {
        match history.get(i).filter(|h| !h.states.is_empty()) {
            Some(h) => {
                // Newest first: each state holds until the next newer one.
                let mut to = ends.len();
                for (from, slots) in &h.states {
                    let start = first_end_from(*from);
                    add(start, to, slots);
                    to = to.min(start);
                }
            }
            // Most companies: one state, the entry as written, no copy.
            None => {
                let slots: Vec<Option<Slot>> = ds.trends.iter().map(|t| slot(t, c)).collect();
                add(0, ends.len(), &slots);
            }
        }
    }
    let mut running = vec![0i64; width];
    let counts: Vec<Vec<Vec<usize>>> = (0..ends.len())
        .map(|q| {
            for (col, n) in running.iter_mut().enumerate() {
                *n += diff[q * width + col];
            }
            ds.trends
                .iter()
                .enumerate()
                .map(|(t, trend)| {
                    running[offsets[t]..offsets[t] + trend.groups.len() + 1]
                        .iter()
                        .map(|&n| usize::try_from(n).unwrap_or(0))
                        .collect()
                })
                .collect()
        })
        .collect();
    ends.into_iter()
        .zip(counts)
        .map(|(end, counts)| Quarter {
            label: format!("{} Q{}", end.year, end.month / 3),
            end,
            counts,
        })
        .collect()
}

/// A company's states, newest first, each with the date from which it
/// holds (`None`: since ever).
type States = Vec<(Option<Date>, Vec<Option<Slot>>)>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{parse_company_text, parse_trend_text};

    fn dataset() -> Dataset {
        let company = |slug: &str, text: &str| {
            let (c, d) = parse_company_text(&format!("content/companies/{slug}.md"), slug, text);
            c.unwrap_or_else(|| panic!("{slug}: {d:?}"))
        };
        let acme = company(
            "acme",
            r#"+++
name = "Acme"
website = "https://acme.example"
category = "tools"
ai_packaging = "bundled"
verified = 2025-11-20

[metering]
mechanic = "credits"

[[sources]]
url = "https://acme.example/pricing"
checked = 2025-11-20

[[changes]]
date = 2025-06-16
summary = "Credits replace seats."
source = "https://acme.example/june"
before = { "metering.mechanic" = "seats" }

[[changes]]
date = 2025-02-01
summary = "AI comes with every plan."
source = "https://acme.example/feb"
before = { ai_packaging = "add-on" }
+++
"#,
        );
        let beta = company(
            "beta",
            r#"+++
name = "Beta"
website = "https://beta.example"
category = "tools"
ai_packaging = "add-on"
verified = 2025-05-01

[metering]
mechanic = "credits"

[[sources]]
url = "https://beta.example/pricing"
checked = 2025-05-01
+++
"#,
        );
        let slugs = std::collections::HashSet::from(["credits".to_string()]);
        let (trend, d) = parse_trend_text(
            "content/trends/credits.md",
            "credits",
            r#"+++
title = "Credits"
summary = "Credit metering."

[select]
"metering.mechanic" = ["credits"]

[[groups]]
title = "Bundled"
ai_packaging = ["bundled"]
+++
"#,
            &slugs,
        );
        Dataset {
            config: Default::default(),
            companies: vec![acme, beta],
            trends: vec![trend.unwrap_or_else(|| panic!("{d:?}"))],
        }
    }

    #[test]
    fn membership_is_replayed_before_between_and_after_changes() {
        let ds = dataset();
        let d = |y, m, day| Date::new(y, m, day).expect("date");
        let members = |date| {
            let then = as_of(&ds, date);
            let trend = &then.trends[0];
            then.companies
                .iter()
                .map(|c| (c.slug.clone(), slot(trend, c)))
                .collect::<Vec<_>>()
        };
        // Before every change: Acme is an add-on metered by seats.
        assert_eq!(
            members(d(2025, 1, 1)),
            [("acme".into(), None), ("beta".into(), Some(Slot::Other))]
        );
        // Between: bundled, still by seats, so not selected.
        assert_eq!(members(d(2025, 3, 1))[0], ("acme".into(), None));
        // After: credits, in the "Bundled" group.
        assert_eq!(
            members(d(2025, 7, 1))[0],
            ("acme".into(), Some(Slot::Group(0)))
        );
    }

    #[test]
    fn the_timeline_says_who_moved_where() {
        let ds = dataset();
        let history = histories(&ds);
        let index = crate::query::index(&ds, &history);
        let t = &index.timeline;
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].date.to_string(), "2025-06-16");
        assert_eq!(
            index.moves(&t[0]),
            [Move {
                trend: 0,
                from: None,
                to: Some(Slot::Group(0))
            }]
        );
        // Bundled instead of add-on, but still metered by seats: no move.
        assert!(index.moves(&t[1]).is_empty());
    }

    #[test]
    fn the_timeline_is_newest_first_then_reading_order_then_file_order() {
        let ds = dataset();
        for order in [[0, 1], [1, 0]] {
            let t: Vec<(usize, usize)> = timeline(&ds, &order)
                .iter()
                .map(|e| (e.company, e.change))
                .collect();
            // The order by its definition: a stable sort by date, newest
            // first, of the changes in reading order, then file order.
            let mut reference: Vec<(usize, usize)> = order
                .iter()
                .flat_map(|&i| (0..ds.companies[i].changes.len()).map(move |k| (i, k)))
                .collect();
            reference.sort_by_key(|&(i, k)| std::cmp::Reverse(ds.companies[i].changes[k].date));
            assert_eq!(reference, t);
        }
        assert_eq!(ds.companies[0].nth_of_day(1), 1);
    }

    #[test]
    fn each_change_of_one_day_is_judged_with_only_its_own_fields_before() {
        let mut ds = dataset();
        // Both of Acme's changes on one day: credits replace seats, and AI
        // comes with every plan.
        ds.companies[0].changes[1].date = ds.companies[0].changes[0].date;
        let h = company_history(&ds, &ds.companies[0]);
        let moved = |from, to| vec![Move { trend: 0, from, to }];
        // Bundled but metered by seats: not selected before the first.
        assert_eq!(h.moves[0], moved(None, Some(Slot::Group(0))));
        // Credits but an add-on: under "Other" before the second.
        assert_eq!(h.moves[1], moved(Some(Slot::Other), Some(Slot::Group(0))));
        // One state for the day, then the state before both.
        let day = Some(ds.companies[0].changes[0].date);
        assert_eq!(
            h.states,
            [(day, vec![Some(Slot::Group(0))]), (None, vec![None])]
        );
    }

    #[test]
    fn kept_orders_follow_edits_as_a_fresh_index_would() {
        use crate::query::{Kept, index, index_kept};
        let mut ds = dataset();
        let mut kept = Kept::default();
        let same_as_fresh = |ds: &Dataset, kept: &Kept| {
            let (fresh, kept) = (index(ds, &[]), index_kept(ds, &[], kept));
            assert_eq!(fresh.order, kept.order);
            assert_eq!(fresh.timeline, kept.timeline);
        };
        kept.update(&ds);
        same_as_fresh(&ds, &kept);
        assert_eq!(index_kept(&ds, &[], &kept).order, [0, 1]);
        // A rename that moves Acme after Beta.
        ds.companies[0].name = "Zeta".into();
        kept.update(&ds);
        same_as_fresh(&ds, &kept);
        assert_eq!(index_kept(&ds, &[], &kept).order, [1, 0]);
        // A change moved to another date, then one removed.
        ds.companies[0].changes[1].date = Date::new(2025, 12, 1).expect("date");
        ds.companies[0].changes.swap(0, 1);
        kept.update(&ds);
        same_as_fresh(&ds, &kept);
        assert_eq!(
            index_kept(&ds, &[], &kept).timeline[0].date.to_string(),
            "2025-12-01"
        );
        ds.companies[0].changes.pop();
        kept.update(&ds);
        same_as_fresh(&ds, &kept);
        // A company removed: the kept order is not a permutation any more.
        ds.companies.remove(1);
        kept.update(&ds);
        same_as_fresh(&ds, &kept);
    }

    #[test]
    fn group_sizes_at_each_quarter_end() {
        let ds = dataset();
        let q = over_time(&ds, None, &histories(&ds));
        let labels: Vec<&str> = q.iter().map(|q| q.label.as_str()).collect();
        assert_eq!(labels, ["2025 Q1", "2025 Q2", "2025 Q3", "2025 Q4"]);
        let sizes: Vec<&Vec<usize>> = q.iter().map(|q| &q.counts[0]).collect();
        // [Bundled, Other]: Beta is always there; Acme joins in June.
        assert_eq!(sizes, [&vec![0, 1], &vec![1, 1], &vec![1, 1], &vec![1, 1]]);
    }
}
