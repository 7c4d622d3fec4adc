//! The `query` stage: selects and groups companies for trend pages, and
//! indexes the dataset once for the pages that list companies by value.
//!
//! One generic evaluator serves every trend: a filter is a list of clauses
//! over field paths, so adding a trend never needs code here.

mod history;

use history::ChangeOrder;
pub use history::{
    CompanyHistory, Move, Quarter, RECENT_MOVES, TimelineEntry, as_of, company_history, histories,
    newest_date, over_time, timeline,
};

use std::borrow::Cow;
use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::model::{
    Clause, Company, Dataset, Field, FieldValue, Filter, Mechanic, Packaging, Trend,
};

/// A borrowed company value, so matching allocates nothing.
#[derive(Debug, Clone, Copy)]
enum Val<'a> {
    Text(&'a str),
    Bool(bool),
    Number(f64),
    Date(crate::model::Date),
}

impl FieldValue {
    /// Compares by meaning: `20` and `20.0` are the same price.
    fn accepts(&self, v: Val<'_>) -> bool {
        match (self, v) {
            (FieldValue::Text(a), Val::Text(b)) => a == b,
            (FieldValue::Bool(a), Val::Bool(b)) => *a == b,
            (FieldValue::Number(a), Val::Number(b)) => (a - b).abs() < 1e-9,
            (FieldValue::Date(a), Val::Date(b)) => *a == b,
            _ => false,
        }
    }
}

/// Calls `f` with every value `field` holds for `c` (none for an absent
/// optional field, one per entry for `tiers.*` and `sources.*`) and reports
/// whether any call returned true.
fn any_value(c: &Company, field: Field, f: &mut dyn FnMut(Val<'_>) -> bool) -> bool {
    let m = c.metering.as_ref();
    match field {
        Field::Name => f(Val::Text(&c.name)),
        Field::Website => f(Val::Text(&c.website)),
        Field::Category => f(Val::Text(&c.category)),
        Field::AiPackaging => f(Val::Text(c.packaging.as_str())),
        Field::Verified => f(Val::Date(c.verified)),
        Field::MeteringMechanic => f(Val::Text(c.mechanic().as_str())),
        Field::MeteringUnit => m
            .and_then(|m| m.unit.as_deref())
            .is_some_and(|u| f(Val::Text(u))),
        // `payg` defaults to false, also when there is no [metering] at all.
        Field::MeteringPayg => f(Val::Bool(m.is_some_and(|m| m.payg))),
        Field::MeteringNote => m
            .and_then(|m| m.note.as_deref())
            .is_some_and(|n| f(Val::Text(n))),
        Field::TiersName => c.tiers.iter().any(|t| f(Val::Text(&t.name))),
        Field::TiersPriceUsd => c
            .tiers
            .iter()
            .filter_map(|t| t.price_usd)
            .any(|p| f(Val::Number(p))),
        Field::TiersPeriod => c
            .tiers
            .iter()
            .filter_map(|t| t.period)
            .any(|p| f(Val::Text(p.as_str()))),
        Field::TiersPer => c
            .tiers
            .iter()
            .filter_map(|t| t.per)
            .any(|p| f(Val::Text(p.as_str()))),
        Field::TiersAiAllowance => c
            .tiers
            .iter()
            .filter_map(|t| t.ai_allowance.as_deref())
            .any(|a| f(Val::Text(a))),
        Field::SourcesUrl => c.sources.iter().any(|s| f(Val::Text(&s.url))),
        Field::SourcesChecked => c.sources.iter().any(|s| f(Val::Date(s.checked))),
    }
}

/// True when, for every clause, one of the company's values is accepted.
pub fn matches(c: &Company, filter: &Filter) -> bool {
    filter
        .clauses
        .iter()
        .all(|clause| clause_matches(c, clause))
}

/// True when one of the company's values of the clause's field is accepted.
pub fn clause_matches(c: &Company, clause: &Clause) -> bool {
    any_value(c, clause.field, &mut |v| {
        clause.accepted.iter().any(|a| a.accepts(v))
    })
}

/// Positions of the companies in reading order: by name, case-insensitively,
/// then by slug. Every list on the site follows it, so lists are built in
/// this order once rather than each sorted on its own.
pub fn name_order(ds: &Dataset) -> Vec<usize> {
    let mut order: Vec<usize> = (0..ds.companies.len()).collect();
    order.sort_unstable_by(|&a, &b| reading_cmp(ds, a, b));
    order
}

/// The reading order of the companies at positions `a` and `b`.
fn reading_cmp(ds: &Dataset, a: usize, b: usize) -> std::cmp::Ordering {
    let (a, b) = (&ds.companies[a], &ds.companies[b]);
    cmp_caseless(&a.name, &b.name).then_with(|| a.slug.cmp(&b.slug))
}

/// Compares two names as their lower-case forms would, without making them:
/// sorting ten thousand names runs on every rebuild in `serve`.
fn cmp_caseless(a: &str, b: &str) -> std::cmp::Ordering {
    if a.is_ascii() && b.is_ascii() {
        a.bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
    } else {
        a.chars()
            .flat_map(char::to_lowercase)
            .cmp(b.chars().flat_map(char::to_lowercase))
    }
}

/// One `[[groups]]` table's companies, as positions in `Dataset::companies`.
#[derive(Debug)]
pub struct GroupResult<'a> {
    pub title: &'a str,
    pub companies: Vec<usize>,
}

/// A trend with its companies placed into groups, each list in reading order.
#[derive(Debug)]
pub struct Grouped<'a> {
    pub trend: &'a Trend,
    /// One entry per `[[groups]]` table, in page order, empty ones included.
    pub groups: Vec<GroupResult<'a>>,
    /// Selected companies that match no group; with no `[[groups]]` at all,
    /// every selected company is here and it is not a warning.
    pub other: Vec<usize>,
    pub total: usize,
}

/// Whether `trend` lists `company` (in a group or under "Other").
pub fn lists(trend: &Trend, company: &Company) -> bool {
    trend.select.as_ref().is_none_or(|s| matches(company, s))
}

/// Where a trend puts a company: in a group (by position), under "Other",
/// or not at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Slot {
    Group(usize),
    Other,
}

/// The slot `trend` gives `company`; `None` when it does not select it.
/// The one rule trend pages, their charts over time and the moves of the
/// changes page all follow.
pub fn slot(trend: &Trend, company: &Company) -> Option<Slot> {
    if !lists(trend, company) {
        return None;
    }
    Some(
        trend
            .groups
            .iter()
            .position(|g| matches(company, &g.filter))
            .map_or(Slot::Other, Slot::Group),
    )
}

/// Selects a trend's companies and puts each into the first group it
/// matches, visiting companies in `order`.
pub fn group<'a>(ds: &'a Dataset, trend: &'a Trend, order: &[usize]) -> Grouped<'a> {
    let mut groups: Vec<GroupResult<'a>> = trend
        .groups
        .iter()
        .map(|g| GroupResult {
            title: &g.title,
            companies: Vec::new(),
        })
        .collect();
    let mut other = Vec::new();
    let mut total = 0;
    for &i in order {
        match slot(trend, &ds.companies[i]) {
            None => continue,
            Some(Slot::Group(g)) => groups[g].companies.push(i),
            Some(Slot::Other) => other.push(i),
        }
        total += 1;
    }
    Grouped {
        trend,
        groups,
        other,
        total,
    }
}

/// Everything the pages need, computed once per build. Lists hold positions
/// in `Dataset::companies`, in reading order.
#[derive(Debug)]
pub struct Index<'a> {
    /// Every company, in reading order.
    pub order: Vec<usize>,
    /// In trend slug order.
    pub trends: Vec<Grouped<'a>>,
    pub by_packaging: BTreeMap<Packaging, Vec<usize>>,
    pub by_mechanic: BTreeMap<Mechanic, Vec<usize>>,
    /// Each company's history, by position ([`histories`]); empty where
    /// only the groups are asked for (checks of the files as written).
    pub history: &'a [CompanyHistory],
    /// Every change, newest first ([`timeline`]).
    pub timeline: Cow<'a, [TimelineEntry]>,
}

impl<'a> Index<'a> {
    /// The moves the change `e` of the timeline made.
    pub fn moves(&self, e: &TimelineEntry) -> &'a [Move] {
        self.history
            .get(e.company)
            .and_then(|h| h.moves.get(e.change))
            .map_or(&[][..], Vec::as_slice)
    }

    /// The companies named by each trend's latest `n` moves (by position in
    /// `Dataset::trends`), in the timeline's order: who a trend page's
    /// "Recent moves" shows, which the site plan declares it reads.
    pub fn recent_movers(&self, n: usize) -> Vec<Vec<usize>> {
        let mut movers = vec![Vec::new(); self.trends.len()];
        for e in self.timeline.iter() {
            for m in self.moves(e) {
                if let Some(list) = movers.get_mut(m.trend).filter(|l| l.len() < n) {
                    list.push(e.company);
                }
            }
            if movers.iter().all(|l| l.len() == n) {
                break;
            }
        }
        movers
    }

    /// Positions in `Dataset::trends` of the trends that list `company`.
    pub fn trends_of<'t>(&'t self, company: &'t Company) -> impl Iterator<Item = usize> + 't {
        self.trends
            .iter()
            .enumerate()
            .filter(move |(_, g)| lists(g.trend, company))
            .map(|(t, _)| t)
    }
}

/// The query results over `ds`, whose companies' histories are `history`
/// (computed once, or kept by `serve` for the companies an edit leaves).
pub fn index<'a>(ds: &'a Dataset, history: &'a [CompanyHistory]) -> Index<'a> {
    let order = name_order(ds);
    let timeline = Cow::Owned(timeline(ds, &order));
    index_of(ds, history, order, timeline)
}

/// What `serve` keeps of one index for the next edit: the companies'
/// reading order and the order of their changes, each checked against the
/// edited dataset and sorted again only when it no longer holds. Sorting
/// ten thousand names and thirty thousand changes was a third of an edit's
/// rebuild.
#[derive(Debug, Default)]
pub struct Kept {
    order: Vec<usize>,
    changes: ChangeOrder,
}

impl Kept {
    /// Brings the orders up to date with `ds`.
    pub fn update(&mut self, ds: &Dataset) {
        // The reading order is a total order (slugs are unique), so a
        // permutation of every position that is still sorted is the one a
        // sort would give: checking it takes one comparison per company.
        let still_sorted = self.order.len() == ds.companies.len()
            && self
                .order
                .windows(2)
                .all(|w| reading_cmp(ds, w[0], w[1]).is_lt());
        if !still_sorted {
            self.order = name_order(ds);
        }
        if !still_sorted || !self.changes.holds_for(ds) {
            self.changes = ChangeOrder::new(ds, &self.order);
        }
    }
}

/// [`index`] from the orders `kept`, which [`Kept::update`] brought up to
/// date with `ds`.
pub fn index_kept<'a>(ds: &'a Dataset, history: &'a [CompanyHistory], kept: &'a Kept) -> Index<'a> {
    let timeline = Cow::Borrowed(&kept.changes.entries[..]);
    index_of(ds, history, kept.order.clone(), timeline)
}

fn index_of<'a>(
    ds: &'a Dataset,
    history: &'a [CompanyHistory],
    order: Vec<usize>,
    timeline: Cow<'a, [TimelineEntry]>,
) -> Index<'a> {
    let trends: Vec<Grouped<'_>> = ds.trends.par_iter().map(|t| group(ds, t, &order)).collect();
    let mut by_packaging: BTreeMap<Packaging, Vec<usize>> = BTreeMap::new();
    let mut by_mechanic: BTreeMap<Mechanic, Vec<usize>> = BTreeMap::new();
    for &i in &order {
        let c = &ds.companies[i];
        by_packaging.entry(c.packaging).or_default().push(i);
        by_mechanic.entry(c.mechanic()).or_default().push(i);
    }
    Index {
        order,
        trends,
        by_packaging,
        by_mechanic,
        history,
        timeline,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    fn company(slug: &str, name: &str, p: Packaging, m: Option<Mechanic>) -> Company {
        Company {
            slug: slug.into(),
            file: format!("content/companies/{slug}.md"),
            name: name.into(),
            website: "https://x.org".into(),
            category: "tools".into(),
            packaging: p,
            verified: Date::new(2026, 1, 1).unwrap(),
            website_at: Span::default(),
            packaging_at: Span::default(),
            verified_at: Span::default(),
            excerpts: Excerpts::default(),
            metering: m.map(|mechanic| Metering {
                mechanic,
                mechanic_at: Span::default(),
                unit: None,
                payg: false,
                note: None,
                note_line: 0,
            }),
            tiers: vec![Tier {
                name: "Pro".into(),
                price_usd: Some(20.0),
                period: Some(Period::Month),
                per: Some(Per::User),
                ai_allowance: None,
            }],
            changes: Vec::new(),
            sources: vec![],
            unconfirmed: Vec::new(),
            body: Body::default(),
        }
    }

    fn clause(field: Field, values: &[&str]) -> Clause {
        Clause {
            field,
            accepted: values
                .iter()
                .map(|v| FieldValue::Text(v.to_string()))
                .collect(),
        }
    }

    fn dataset() -> Dataset {
        Dataset {
            companies: vec![
                company("a", "beta", Packaging::Bundled, Some(Mechanic::Credits)),
                company("b", "Alpha", Packaging::AddOn, Some(Mechanic::Tokens)),
                company("c", "gamma", Packaging::Bundled, Some(Mechanic::Seats)),
                company("d", "Delta", Packaging::None, None),
                company(
                    "e",
                    "epsilon",
                    Packaging::UsageBased,
                    Some(Mechanic::Tokens),
                ),
            ],
            ..Dataset::default()
        }
    }

    fn trend(select: Option<Filter>, groups: Vec<Group>) -> Trend {
        Trend {
            slug: "t".into(),
            file: "content/trends/t.md".into(),
            title: "T".into(),
            summary: "S".into(),
            heading: "Companies".into(),
            see_also: vec![],
            reviewed: None,
            select,
            groups,
            intro: Body::default(),
            outro: Body::default(),
            last_group_at: None,
            excerpts: Excerpts::default(),
        }
    }

    fn slugs(ds: &Dataset, list: &[usize]) -> Vec<String> {
        list.iter().map(|&i| ds.companies[i].slug.clone()).collect()
    }

    #[test]
    fn caseless_order() {
        use std::cmp::Ordering::*;
        assert_eq!(cmp_caseless("alpha", "Beta"), Less);
        assert_eq!(cmp_caseless("Zeta", "alpha"), Greater);
        assert_eq!(cmp_caseless("ÉCOLE", "école"), Equal);
        assert_eq!(cmp_caseless("Ab", "abc"), Less);
    }

    #[test]
    fn every_clause_must_match() {
        let c = company("a", "A", Packaging::Bundled, Some(Mechanic::Credits));
        let f = Filter {
            clauses: vec![
                clause(Field::AiPackaging, &["bundled", "tiered"]),
                clause(Field::MeteringMechanic, &["credits"]),
            ],
        };
        assert!(matches(&c, &f));
        let f = Filter {
            clauses: vec![
                clause(Field::AiPackaging, &["bundled"]),
                clause(Field::MeteringMechanic, &["tokens"]),
            ],
        };
        assert!(!matches(&c, &f));
    }

    #[test]
    fn missing_metering_counts_as_mechanic_none_and_payg_false() {
        let c = company("d", "D", Packaging::None, None);
        assert!(matches(
            &c,
            &Filter {
                clauses: vec![clause(Field::MeteringMechanic, &["none"])]
            }
        ));
        let payg = Filter {
            clauses: vec![Clause {
                field: Field::MeteringPayg,
                accepted: vec![FieldValue::Bool(false)],
            }],
        };
        assert!(matches(&c, &payg));
        assert!(!matches(
            &c,
            &Filter {
                clauses: vec![clause(Field::MeteringUnit, &["x"])]
            }
        ));
    }

    #[test]
    fn list_fields_match_when_any_entry_does() {
        let c = company("a", "A", Packaging::Bundled, None);
        let price = |p: f64| Filter {
            clauses: vec![Clause {
                field: Field::TiersPriceUsd,
                accepted: vec![FieldValue::Number(p)],
            }],
        };
        assert!(matches(&c, &price(20.0)));
        assert!(!matches(&c, &price(21.0)));
        assert!(matches(
            &c,
            &Filter {
                clauses: vec![clause(Field::TiersPeriod, &["month"])]
            }
        ));
    }

    #[test]
    fn first_matching_group_wins_and_groups_sort_by_name() {
        let ds = dataset();
        let t = trend(
            Some(Filter {
                clauses: vec![clause(
                    Field::MeteringMechanic,
                    &["credits", "tokens", "seats"],
                )],
            }),
            vec![
                Group {
                    title: "Bundled".into(),
                    filter: Filter {
                        clauses: vec![clause(Field::AiPackaging, &["bundled"])],
                    },
                },
                Group {
                    title: "Anything bundled or add-on".into(),
                    filter: Filter {
                        clauses: vec![clause(Field::AiPackaging, &["bundled", "add-on"])],
                    },
                },
            ],
        );
        let g = group(&ds, &t, &name_order(&ds));
        assert_eq!(slugs(&ds, &g.groups[0].companies), ["a", "c"]);
        assert_eq!(slugs(&ds, &g.groups[1].companies), ["b"]);
        assert_eq!(slugs(&ds, &g.other), ["e"]);
        assert_eq!(g.total, 4);
    }

    #[test]
    fn without_groups_everything_selected_is_listed() {
        let ds = dataset();
        let t = trend(None, vec![]);
        let g = group(&ds, &t, &name_order(&ds));
        assert_eq!(slugs(&ds, &g.other), ["b", "a", "d", "e", "c"]);
    }

    #[test]
    fn index_lists_trends_of_each_company() {
        let mut ds = dataset();
        ds.trends = vec![trend(
            Some(Filter {
                clauses: vec![clause(Field::AiPackaging, &["none"])],
            }),
            vec![],
        )];
        let idx = index(&ds, &[]);
        assert_eq!(idx.trends_of(&ds.companies[3]).collect::<Vec<_>>(), [0]);
        assert_eq!(idx.trends_of(&ds.companies[0]).count(), 0);
        assert_eq!(
            slugs(&ds, &idx.by_packaging[&Packaging::Bundled]),
            ["a", "c"]
        );
        assert_eq!(slugs(&ds, &idx.by_mechanic[&Mechanic::None]), ["d"]);
        assert_eq!(slugs(&ds, &idx.order), ["b", "a", "d", "e", "c"]);
    }
}
