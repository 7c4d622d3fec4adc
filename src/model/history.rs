//! A company's history: its dated changes and the values fields had
//! before them, and the company replayed to any date.

use super::{Company, Date, Mechanic, Metering, Packaging, Span, Tier, price_label};

/// One dated change of a company's pricing. The front matter is the state
/// now; a change says what some fields were just before its date.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub date: Date,
    /// Inline Markdown.
    pub summary: String,
    /// The line `summary` is written on, for its broken `@/` links.
    pub summary_line: usize,
    /// Where the change is dated: an http(s) URL.
    pub source: String,
    /// The fields as they were just before `date`; empty for a dated note.
    pub before: Vec<Prior>,
    /// The line of its `[[changes]]` header, for reports about it.
    pub line: usize,
}

/// One field's value just before a change.
#[derive(Debug, Clone, PartialEq)]
pub enum Prior {
    Name(String),
    Website(String),
    Category(String),
    Packaging(Packaging),
    Mechanic(Mechanic),
    Unit(String),
    Payg(bool),
    Note(String),
    /// The whole tier list.
    Tiers(Vec<Tier>),
}

/// The field paths a change's `before` may name, in the order they are
/// shown and published.
pub const PRIOR_PATHS: &[&str] = &[
    "name",
    "website",
    "category",
    "ai_packaging",
    "metering.mechanic",
    "metering.unit",
    "metering.payg",
    "metering.note",
    "tiers",
];

impl Prior {
    pub fn path(&self) -> &'static str {
        match self {
            Prior::Name(_) => "name",
            Prior::Website(_) => "website",
            Prior::Category(_) => "category",
            Prior::Packaging(_) => "ai_packaging",
            Prior::Mechanic(_) => "metering.mechanic",
            Prior::Unit(_) => "metering.unit",
            Prior::Payg(_) => "metering.payg",
            Prior::Note(_) => "metering.note",
            Prior::Tiers(_) => "tiers",
        }
    }

    /// The same field's value in `c`, as a prior would hold it.
    pub fn of(&self, c: &Company) -> Prior {
        let m = c.metering.as_ref();
        match self {
            Prior::Name(_) => Prior::Name(c.name.clone()),
            Prior::Website(_) => Prior::Website(c.website.clone()),
            Prior::Category(_) => Prior::Category(c.category.clone()),
            Prior::Packaging(_) => Prior::Packaging(c.packaging),
            Prior::Mechanic(_) => Prior::Mechanic(c.mechanic()),
            Prior::Unit(_) => Prior::Unit(m.and_then(|m| m.unit.clone()).unwrap_or_default()),
            Prior::Payg(_) => Prior::Payg(m.is_some_and(|m| m.payg)),
            Prior::Note(_) => Prior::Note(m.and_then(|m| m.note.clone()).unwrap_or_default()),
            Prior::Tiers(_) => Prior::Tiers(c.tiers.clone()),
        }
    }

    /// Whether this value replaces `field`: its own, or any tier field for
    /// the tier list.
    pub fn sets(&self, field: super::Field) -> bool {
        match self {
            Prior::Tiers(_) => field.path().starts_with("tiers."),
            _ => self.path() == field.path(),
        }
    }

    /// Sets the field in `c` to this value.
    pub fn apply(&self, c: &mut Company) {
        fn metering(c: &mut Company) -> &mut Metering {
            // A company without [metering] before: the change adds it.
            c.metering.get_or_insert_with(|| Metering {
                mechanic: Mechanic::None,
                mechanic_at: Span::default(),
                unit: None,
                payg: false,
                note: None,
                note_line: 0,
            })
        }
        match self {
            Prior::Name(v) => c.name.clone_from(v),
            Prior::Website(v) => c.website.clone_from(v),
            Prior::Category(v) => c.category.clone_from(v),
            Prior::Packaging(v) => c.packaging = *v,
            Prior::Mechanic(v) => metering(c).mechanic = *v,
            Prior::Unit(v) => metering(c).unit = Some(v.clone()),
            Prior::Payg(v) => metering(c).payg = *v,
            Prior::Note(v) => metering(c).note = Some(v.clone()),
            Prior::Tiers(v) => c.tiers.clone_from(v),
        }
    }

    /// The value as a reader sees it on a page or in a table.
    pub fn display(&self) -> String {
        match self {
            Prior::Name(v) | Prior::Website(v) | Prior::Category(v) => v.clone(),
            Prior::Unit(v) | Prior::Note(v) => {
                if v.is_empty() {
                    "(none)".into()
                } else {
                    v.clone()
                }
            }
            Prior::Packaging(v) => v.to_string(),
            Prior::Mechanic(v) => v.to_string(),
            Prior::Payg(v) => if *v { "yes" } else { "no" }.into(),
            Prior::Tiers(tiers) => {
                if tiers.is_empty() {
                    return "(no tiers)".into();
                }
                tiers
                    .iter()
                    .map(|t| {
                        let mut s = format!("{}: {}", t.name, price_label(t));
                        if let Some(a) = &t.ai_allowance {
                            s.push_str(&format!(" ({a})"));
                        }
                        s
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            }
        }
    }
}

impl Company {
    /// The company as it stood on `date`: the `before` of every change
    /// dated after it applied, newest first, and those changes left out.
    pub fn as_of(&self, date: Date) -> Company {
        let mut c = self.clone();
        let later = c.changes.iter().take_while(|ch| ch.date > date).count();
        for change in &self.changes[..later] {
            for prior in &change.before {
                prior.apply(&mut c);
                // The value before a change is the change's source's; a
                // mark on the value now says nothing about it.
                c.unconfirmed.retain(|u| !prior.sets(u.field));
            }
        }
        c.changes.drain(..later);
        c
    }

    /// The company just after `changes[k]`: every later change undone.
    /// What [`Company::value_after`] gives field by field, kept as its
    /// reference in tests.
    #[cfg(test)]
    pub(crate) fn after(&self, k: usize) -> Company {
        match self.changes.get(k) {
            Some(change) => self.as_of(change.date),
            None => self.clone(),
        }
    }

    /// Which of its date's changes `changes[k]` is, from 1, in file order:
    /// what tells two changes of one day apart in their anchor (see
    /// `plan::Route::change_anchor`).
    pub fn nth_of_day(&self, k: usize) -> usize {
        let Some(date) = self.changes.get(k).map(|c| c.date) else {
            return 1;
        };
        1 + self.changes[..k].iter().filter(|c| c.date == date).count()
    }

    /// The value `prior`'s field had just after `changes[k]`: the `before`
    /// of the nearest later change that names the field, else its value
    /// now. What `prior.of(&self.after(k))` gives, without replaying a copy
    /// of the company for every change of a large history.
    pub fn value_after(&self, k: usize, prior: &Prior) -> std::borrow::Cow<'_, Prior> {
        use std::borrow::Cow;
        let Some(date) = self.changes.get(k).map(|c| c.date) else {
            return Cow::Owned(prior.of(self));
        };
        let later = self.changes.iter().take_while(|c| c.date > date).count();
        // Borrowed when a later change holds it: the data files ask for
        // every changed field's value, tier lists included.
        self.changes[..later]
            .iter()
            .rev()
            .find_map(|c| c.before.iter().find(|p| p.path() == prior.path()))
            .map_or_else(|| Cow::Owned(prior.of(self)), Cow::Borrowed)
    }

    /// A copy of the fields trend filters read, without the body, changes,
    /// unconfirmed marks and kept lines: what replaying history clones,
    /// state after state.
    pub fn facts(&self) -> Company {
        Company {
            slug: self.slug.clone(),
            file: String::new(),
            name: self.name.clone(),
            website: self.website.clone(),
            category: self.category.clone(),
            packaging: self.packaging,
            verified: self.verified,
            website_at: self.website_at,
            packaging_at: self.packaging_at,
            verified_at: self.verified_at,
            excerpts: Default::default(),
            metering: self.metering.clone(),
            tiers: self.tiers.clone(),
            sources: self.sources.clone(),
            changes: Vec::new(),
            unconfirmed: Vec::new(),
            body: Default::default(),
        }
    }
}
