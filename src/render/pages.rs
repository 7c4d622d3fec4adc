//! The pages: one function per kind of page, each building its typed view
//! from its [`Scope`] and rendering it with its template.

use std::borrow::Cow;

use serde::Serialize;

use super::splice::Splices;
use super::views::*;
use super::{Fragments, Renderer, Scope, group_ids};
use crate::diag::Diagnostic;
use crate::model::{Field, Mechanic, Packaging, Term, Trend};
use crate::plan::{Entry, Output};
use crate::query::{Grouped, Index};

type Rendered = Result<String, Vec<Diagnostic>>;

/// The values in use of one taxonomy (packaging or metering mechanic):
/// each value, its description, its URL and its companies.
pub(super) struct Terms<'r> {
    pub label: &'static str,
    pub terms: Vec<(&'static str, &'static str, &'r str, &'r [usize])>,
}

impl<'a> Renderer<'a> {
    pub(super) fn site(&self) -> SiteView<'_> {
        let config = &self.inputs.dataset.config;
        SiteView {
            title: &config.title,
            description: config.description.as_deref().unwrap_or(""),
            language: &config.language,
            base_path: &self.urls.base,
            canonical_base: self.canonical_base,
            feed_url: &self.feed_url,
            sitemap_url: &self.sitemap_url,
            as_of: &self.as_of,
        }
    }

    /// Renders a view with the page's template inside the site's frame.
    fn view(&self, entry: &Entry, view: &impl Serialize) -> Rendered {
        let template = entry.output.template().unwrap_or_default();
        let site = self.site();
        self.inputs.templates.render(
            template,
            &PageView {
                site: &site,
                path: entry.route.rel(),
                section: entry.output.section(),
                page: view,
            },
        )
    }

    /// A page of the plan.
    pub(super) fn page(
        &self,
        entry: &Entry,
        fragments: &Fragments,
    ) -> Result<Vec<u8>, Vec<Diagnostic>> {
        let scope = self.scope(entry);
        let splices = Splices::default();
        let html = match entry.output {
            Output::Home => {
                let index = scope.whole_index()?;
                let view = IndexPage {
                    trends: self.trend_links(index),
                    company_count: index.order.len(),
                    company_rows: splices.mark(&index.order, &fragments.rows),
                    charts: self.index_charts(scope.companies()?, index),
                    latest_changes: self.latest_changes(&scope)?,
                };
                self.view(entry, &view)?
            }
            Output::Trends => {
                let view = TrendsPage {
                    trends: self.trend_links(scope.whole_index()?),
                };
                self.view(entry, &view)?
            }
            Output::NotFound | Output::Robots => self.view(entry, &())?,
            Output::Changes => {
                self.view(entry, &self.changes_page(&scope, fragments, &splices)?)?
            }
            Output::Trend(t) => {
                let view = TrendPage {
                    trend: self.trend_view(&scope, t, fragments, &splices)?,
                };
                self.view(entry, &view)?
            }
            Output::Company(i) => {
                let view = self.company_page(&scope, i)?;
                self.view(entry, &view)?
            }
            Output::Packaging(p) => {
                let list = (scope.packaging(p)?, &[Field::AiPackaging][..]);
                let term = (
                    self.packaging(p),
                    "AI packaging",
                    &*self.urls.packaging_list,
                );
                self.term_page(entry, term, list, fragments, &splices)?
            }
            Output::Mechanic(m) => {
                let list = (scope.mechanic(m)?, &[Field::MeteringMechanic][..]);
                let term = (self.mechanic(m), "Metering", &*self.urls.mechanic_list);
                self.term_page(entry, term, list, fragments, &splices)?
            }
            Output::PackagingList => {
                self.term_list(entry, &self.packaging_terms(scope.terms()?))?
            }
            Output::MechanicList => self.term_list(entry, &self.mechanic_terms(scope.terms()?))?,
            Output::CompaniesJson
            | Output::CompaniesCsv
            | Output::FindJson
            | Output::TrendsJson
            | Output::ChangesJson
            | Output::ChangesCsv
            | Output::Sitemap(_)
            | Output::Feed => return self.data_file(entry, fragments),
        };
        Ok(splices.apply(html))
    }

    pub(super) fn packaging_terms(&self, index: &'a Index<'a>) -> Terms<'_> {
        terms("AI packaging", &index.by_packaging, |p: &Packaging| {
            self.urls.packaging(*p)
        })
    }

    pub(super) fn mechanic_terms(&self, index: &'a Index<'a>) -> Terms<'_> {
        terms("Metering", &index.by_mechanic, |m: &Mechanic| {
            self.urls.mechanic(*m)
        })
    }

    /// One value's page: its description and companies. `term` is the
    /// value, its taxonomy's label and the URL of the taxonomy's list.
    fn term_page<'s>(
        &'s self,
        entry: &Entry,
        (term, label, list_url): (TermRef<'s>, &'static str, &'s str),
        (list, fields): (&'s [usize], &[Field]),
        fragments: &'s Fragments,
        splices: &Splices<'s>,
    ) -> Rendered {
        if list.is_empty() {
            // The plan comes from the same index, so this would be a bug:
            // say so rather than render an empty page.
            return Err(vec![Diagnostic::file_error(
                &entry.route.file_path(),
                format!(
                    "no company has the value {:?}; its page was not rendered",
                    term.value
                ),
            )]);
        }
        let view = TermPage {
            term: TermView {
                label,
                value: term.value,
                description: term.description,
                count: list.len(),
                list_url,
                items: self.splice_items(list, fields, fragments, splices),
            },
        };
        self.view(entry, &view)
    }

    /// The list of values in use, with counts.
    fn term_list(&self, entry: &Entry, terms: &Terms<'_>) -> Rendered {
        let view = TermListPage {
            label: terms.label,
            terms: terms
                .terms
                .iter()
                .map(|&(value, description, url, list)| TermRow {
                    value,
                    url,
                    description,
                    count: list.len(),
                })
                .collect(),
        };
        self.view(entry, &view)
    }

    fn packaging(&self, p: Packaging) -> TermRef<'_> {
        TermRef {
            value: p.as_str(),
            url: self.urls.packaging(p),
            description: p.description(),
        }
    }

    fn mechanic(&self, m: Mechanic) -> TermRef<'_> {
        TermRef {
            value: m.as_str(),
            url: self.urls.mechanic(m),
            description: m.description(),
        }
    }

    fn trend_links(&self, index: &'a Index<'a>) -> Vec<TrendLink<'_>> {
        index
            .trends
            .iter()
            .enumerate()
            .map(|(t, g)| TrendLink {
                slug: &g.trend.slug,
                title: &g.trend.title,
                url: &self.urls.trends[t],
                summary: &g.trend.summary,
                count: g.total,
            })
            .collect()
    }

    fn trend_ref(&self, scope: &Scope<'_, 'a>, t: usize) -> Result<TrendRef<'_>, Vec<Diagnostic>> {
        let trend = scope.trend(t)?.trend;
        Ok(TrendRef {
            slug: &trend.slug,
            title: &trend.title,
            url: &self.urls.trends[t],
        })
    }

    fn trend_view<'s>(
        &'s self,
        scope: &Scope<'s, 'a>,
        t: usize,
        fragments: &'s Fragments,
        splices: &Splices<'s>,
    ) -> Result<TrendView<'s>, Vec<Diagnostic>> {
        let g: &'a Grouped<'a> = scope.trend(t)?;
        let fields = deciding_fields(g.trend);
        let ids = group_ids(g);
        let recent_moves = self.recent_moves(scope, t, &ids)?;
        let mut groups = Vec::with_capacity(g.groups.len());
        for (group, id) in g.groups.iter().zip(ids) {
            groups.push(GroupView {
                title: group.title,
                id,
                count: group.companies.len(),
                items: self.splice_items(
                    scope.listed(&group.companies)?,
                    &fields,
                    fragments,
                    splices,
                ),
            });
        }
        let chart = self.trend_chart(t, g, &groups);
        let over_time = self.trend_over_time(t, g, &groups, scope.over_time()?);
        let mut see_also = Vec::with_capacity(g.trend.see_also.len());
        for slug in &g.trend.see_also {
            if let Some(j) = self
                .inputs
                .dataset
                .trends
                .iter()
                .position(|x| &x.slug == slug)
            {
                see_also.push(self.trend_ref(scope, j)?);
            }
        }
        Ok(TrendView {
            slug: &g.trend.slug,
            title: &g.trend.title,
            summary: &g.trend.summary,
            heading: &g.trend.heading,
            intro: &self.inputs.html.trend_intros[t],
            outro: &self.inputs.html.trend_outros[t],
            total: g.total,
            groups,
            other: ItemList {
                count: g.other.len(),
                items: self.splice_items(scope.listed(&g.other)?, &fields, fragments, splices),
            },
            see_also,
            chart,
            recent_moves,
            over_time,
        })
    }

    /// The marker of a list of company snippets: each company whose place
    /// in it rests on a fact of `fields` marked unconfirmed gets its marked
    /// snippet. `list` has been checked against the page's reads.
    fn splice_items<'s>(
        &'s self,
        list: &'s [usize],
        fields: &[Field],
        fragments: &'s Fragments,
        splices: &Splices<'s>,
    ) -> String {
        let companies = &self.inputs.dataset.companies;
        let marked = |i: usize| companies.get(i).is_some_and(|c| c.unconfirmed_in(fields));
        let positions = if list.iter().any(|&i| marked(i)) {
            let n = fragments.items.len();
            Cow::Owned(
                list.iter()
                    .map(|&i| if marked(i) { n + i } else { i })
                    .collect(),
            )
        } else {
            Cow::Borrowed(list)
        };
        splices.mark_with(positions, &fragments.items, &fragments.marked)
    }

    fn company_page(
        &self,
        scope: &Scope<'_, 'a>,
        i: usize,
    ) -> Result<CompanyPage<'_>, Vec<Diagnostic>> {
        let c = scope.company(i)?;
        let mut diags = Vec::new();
        let trends = match &scope.entry.reads.trends {
            crate::plan::Set::Only(list) => list
                .iter()
                .map(|&t| self.trend_ref(scope, t as usize))
                .collect::<Result<_, _>>()?,
            crate::plan::Set::All => Vec::new(),
        };
        let m = c.metering.as_ref();
        let body = match self.inputs.html.bodies.get(i) {
            Some(kept) => Cow::Borrowed(kept.as_str()),
            None => Cow::Owned(crate::markdown::render_body(
                &c.body,
                &c.file,
                self.inputs.links,
                &mut diags,
            )),
        };
        if !diags.is_empty() {
            return Err(diags);
        }
        Ok(CompanyPage {
            company: CompanyView {
                slug: &c.slug,
                name: &c.name,
                website: &c.website,
                category: &c.category,
                packaging: self.packaging(c.packaging),
                mechanic: self.mechanic(c.mechanic()),
                unit: m.and_then(|m| m.unit.as_deref()),
                payg: m.is_some_and(|m| m.payg),
                note: &self.inputs.html.notes[i],
                note_text: c.note().unwrap_or(""),
                verified: c.verified.to_string(),
                tiers: c
                    .tiers
                    .iter()
                    .map(|t| TierView {
                        name: &t.name,
                        price: crate::model::price_label(t),
                        ai_allowance: t.ai_allowance.as_deref(),
                        unconfirmed: c.tier_unconfirmed(&t.name),
                    })
                    .collect(),
                sources: c
                    .sources
                    .iter()
                    .map(|s| SourceView {
                        url: &s.url,
                        checked: s.checked.to_string(),
                    })
                    .collect(),
                body,
                unconfirmed: c.unconfirmed.iter().map(|u| u.path()).collect(),
                unconfirmed_facts: c
                    .unconfirmed
                    .iter()
                    .map(|u| UnconfirmedView {
                        path: u.path(),
                        label: u.label(),
                        value: u.value(c).unwrap_or_default(),
                    })
                    .collect(),
            },
            trends,
            history: self.history(scope, i)?,
        })
    }

    /// A company's list item and table row, and its data lines when
    /// `data_width` asks for them.
    pub(super) fn fragment(
        &self,
        i: usize,
        data_width: Option<super::data::CsvWidth>,
        group_ids: &[Vec<String>],
    ) -> Result<super::Fragment, Vec<Diagnostic>> {
        let c = &self.inputs.dataset.companies[i];
        let t = self.inputs.templates;
        let url = self.urls.company(&c.slug);
        let item_view = |unconfirmed_listing| FragmentView {
            c: CompanyItem {
                slug: &c.slug,
                name: &c.name,
                url: &url,
                note: &self.inputs.html.notes[i],
                unconfirmed_listing,
            },
        };
        let mut item = t.render(crate::plan::ITEM_TEMPLATE, &item_view(false))?;
        let mut marked = if c.unconfirmed.is_empty() {
            String::new()
        } else {
            t.render(crate::plan::ITEM_TEMPLATE, &item_view(true))?
        };
        let mut row = t.render(
            crate::plan::ROW_TEMPLATE,
            &FragmentView {
                c: CompanyRow {
                    slug: &c.slug,
                    name: &c.name,
                    url: &url,
                    category: &c.category,
                    packaging: self.packaging(c.packaging),
                    mechanic: self.mechanic(c.mechanic()),
                    unconfirmed: c.unconfirmed.iter().map(|u| u.path()).collect(),
                },
            },
        )?;
        // Tera renders into a buffer of at least 1 KB; kept for every
        // company, the unused room would be most of a large build's memory.
        item.shrink_to_fit();
        marked.shrink_to_fit();
        row.shrink_to_fit();
        let data = data_width.map(|width| {
            let url = self.published_company_url(i);
            let record = self.record(i, &url);
            (record.json(), record.csv(width))
        });
        let changes = self.change_items(i, group_ids)?;
        Ok(super::Fragment {
            item,
            marked,
            row,
            changes,
            data,
        })
    }
}

/// The fields a trend's lists are decided by: those its `[select]` and
/// its groups filter on.
fn deciding_fields(trend: &Trend) -> Vec<Field> {
    let mut fields: Vec<Field> = Vec::new();
    let filters = trend
        .select
        .iter()
        .chain(trend.groups.iter().map(|g| &g.filter));
    for clause in filters.flat_map(|f| &f.clauses) {
        if !fields.contains(&clause.field) {
            fields.push(clause.field);
        }
    }
    fields
}

fn terms<'r, T: Term>(
    label: &'static str,
    by: &'r std::collections::BTreeMap<T, Vec<usize>>,
    url: impl Fn(&T) -> &'r str,
) -> Terms<'r> {
    Terms {
        label,
        terms: by
            .iter()
            .map(|(t, list)| (t.as_str(), t.description(), url(t), list.as_slice()))
            .collect(),
    }
}
