//! What an output reads (companies, trends, templates) and what changed
//! between two states of a site: the two sides `Plan::diff` compares.

use std::collections::BTreeSet;

use super::{CHANGE_TEMPLATE, ITEM_TEMPLATE, PAGE_TEMPLATES, ROW_TEMPLATE};

/// A set of companies or trends an output reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Set {
    All,
    /// Positions in the dataset's list, ascending.
    Only(Vec<u32>),
}

impl Set {
    pub(super) fn none() -> Set {
        Set::Only(Vec::new())
    }

    pub(super) fn of(positions: impl IntoIterator<Item = usize>) -> Set {
        let mut list: Vec<u32> = positions
            .into_iter()
            .filter_map(|i| u32::try_from(i).ok())
            .collect();
        if list.len() > 1024 {
            // A trend page's thousands of members and companies with
            // history: marked in a table, then read back in order, which a
            // sort of each page's list would take several times as long.
            let mut marked = vec![false; list.iter().max().map_or(0, |&m| m as usize + 1)];
            for &i in &list {
                marked[i as usize] = true;
            }
            list.clear();
            list.extend(
                marked
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| **m)
                    .filter_map(|(i, _)| u32::try_from(i).ok()),
            );
        } else {
            list.sort_unstable();
            list.dedup();
        }
        Set::Only(list)
    }

    pub fn contains(&self, i: usize) -> bool {
        match self {
            Set::All => true,
            Set::Only(list) => u32::try_from(i).is_ok_and(|i| list.binary_search(&i).is_ok()),
        }
    }

    pub fn is_all(&self) -> bool {
        matches!(self, Set::All)
    }

    /// Whether any member's slug is in `changed`.
    pub(super) fn touches(&self, slugs: &[String], changed: &BTreeSet<String>) -> bool {
        if changed.is_empty() {
            return false;
        }
        match self {
            Set::All => true,
            Set::Only(list) => list
                .iter()
                .any(|&i| slugs.get(i as usize).is_some_and(|s| changed.contains(s))),
        }
    }

    /// The same members, by slug, in two plans. `moved` holds both plans'
    /// slug tables when positions may differ between them (a company was
    /// added or removed); `None` compares positions.
    pub(super) fn same(&self, other: &Set, moved: Option<(&[String], &[String])>) -> bool {
        match (self, other) {
            (Set::All, Set::All) => true,
            (Set::Only(a), Set::Only(b)) => {
                if a.len() != b.len() {
                    return false;
                }
                let Some((slugs, other_slugs)) = moved else {
                    return a == b;
                };
                let name = |s: &[String], i: u32| s.get(i as usize).cloned();
                let mut x: Vec<_> = a.iter().map(|&i| name(slugs, i)).collect();
                let mut y: Vec<_> = b.iter().map(|&i| name(other_slugs, i)).collect();
                x.sort_unstable();
                y.sort_unstable();
                x == y
            }
            _ => false,
        }
    }
}

/// Which templates an output renders with, besides the shared ones
/// (`base.html`, and any template that is neither a page's nor a snippet's,
/// which every page may include).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemplateReads {
    pub page: Option<&'static str>,
    /// Splices `company_item.html` snippets.
    pub items: bool,
    /// Splices `company_row.html` snippets.
    pub rows: bool,
    /// Splices `change_item.html` snippets.
    pub changes: bool,
}

impl TemplateReads {
    pub(super) fn reads(&self, name: &str) -> bool {
        let Some(page) = self.page else {
            return false;
        };
        if name == ITEM_TEMPLATE {
            self.items
        } else if name == ROW_TEMPLATE {
            self.rows
        } else if name == CHANGE_TEMPLATE {
            self.changes
        } else if PAGE_TEMPLATES.contains(&name) {
            page == name
        } else {
            true
        }
    }
}

/// The inputs an output reads. Every output also reads site.toml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reads {
    pub companies: Set,
    pub trends: Set,
    pub templates: TemplateReads,
    /// For a page that shows history over time: the newest date the
    /// content holds, where its quarters end. Any company's `verified`
    /// may move it, so it is read as a value of its own rather than by
    /// declaring every company.
    pub history_end: Option<crate::model::Date>,
    /// Every company's history, besides the companies declared: what a
    /// trend page's quarters and its choice of recent moves come from.
    pub history: bool,
}

/// What changed between two states of a site, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Slugs of companies whose file changed (the new slug when renamed).
    pub companies: BTreeSet<String>,
    pub trends: BTreeSet<String>,
    /// Template names, as a site's override names them.
    pub templates: BTreeSet<String>,
    /// site.toml, which every output reads.
    pub site: bool,
    /// Whether any company's history (the moves its changes made, the
    /// groups it was in from date to date) changed.
    pub history: bool,
}

impl Changes {
    /// Everything: what a first render, or a render after errors with no
    /// record of what changed, must assume.
    pub fn everything() -> Changes {
        Changes {
            site: true,
            ..Changes::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Changes::default()
    }

    /// Adds the changes of a later batch.
    pub fn merge(&mut self, later: Changes) {
        self.companies.extend(later.companies);
        self.trends.extend(later.trends);
        self.templates.extend(later.templates);
        self.site |= later.site;
        self.history |= later.history;
    }

    /// Whether every company snippet must be rendered again: site.toml or
    /// a template other than a page's (a snippet's own, or one it may
    /// include) changed, or a trend, whose groups the change snippets name
    /// and whose filters place every company's history. Otherwise only the
    /// edited companies' are.
    pub fn touches_every_snippet(&self) -> bool {
        self.site
            || !self.trends.is_empty()
            || self
                .templates
                .iter()
                .any(|t| !PAGE_TEMPLATES.contains(&t.as_str()))
    }
}
