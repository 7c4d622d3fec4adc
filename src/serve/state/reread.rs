//! Re-reading one company or trend file after an edit, into the site kept
//! in memory.

use std::collections::HashSet;
use std::path::Path;

use super::{State, same_path};
use crate::content;
use crate::diag::Diagnostic;
use crate::markdown;

/// What re-reading one content file found.
pub(super) enum Update {
    /// The entry is valid and in the dataset; its slug.
    Changed(String),
    /// The entry has errors, now recorded; the dataset keeps its last good
    /// version.
    Invalid,
    /// The file is not one the site knew: read everything again.
    Reload,
}

impl State {
    /// Re-reads one existing company file.
    pub(super) fn update_company(&mut self, path: &Path) -> Update {
        let Some(entry) = self
            .company_files
            .iter()
            .find(|e| same_path(&e.path, path))
            .cloned()
        else {
            return Update::Reload;
        };
        let (company, mut diags) = content::load_company(&entry);
        let Some(company) = company else {
            self.errors.insert(entry.rel.clone(), diags);
            return Update::Invalid;
        };
        let (mut note, body, link_diags) = markdown::render_company(&company, &self.site.links);
        diags.extend(link_diags);
        // Replayed like a full load does (see `crate::prepare_as_of`).
        let shown = self.site.as_of.map(|date| company.as_of(date));
        if let Some(shown) = &shown {
            let text = |c: &crate::model::Company| c.metering.as_ref().and_then(|m| m.note.clone());
            if text(shown) != text(&company) {
                note = markdown::render_note(shown, &self.site.links, &mut diags);
            }
        }
        let mut summaries = markdown::render_summaries(&company, &self.site.links, &mut diags);
        if diags.iter().any(Diagnostic::is_error) {
            self.errors.insert(entry.rel.clone(), diags);
            return Update::Invalid;
        }
        self.errors.remove(&entry.rel);
        let slug = company.slug.clone();
        let (company, written) = match shown {
            Some(shown) => (shown, Some(company)),
            None => (company, None),
        };
        // The replayed company leaves out its newest changes (those after
        // the date), and their summaries go with them.
        if let Some(w) = &written {
            summaries.drain(..w.changes.len() - company.changes.len());
        }
        let html = &mut self.site.html;
        let companies = &mut self.site.dataset.companies;
        match companies.binary_search_by(|c| c.slug.cmp(&company.slug)) {
            Ok(i) => {
                companies[i] = company;
                html.notes[i] = note;
                html.bodies[i] = body;
                if let (Some(all), Some(w)) = (self.written.as_mut(), written) {
                    all.companies[i] = w;
                }
                html.summaries[i] = summaries;
            }
            Err(i) => {
                // Known on disk but invalid at load: it joins the dataset
                // now, and the companies after it move one place.
                companies.insert(i, company);
                html.notes.insert(i, note);
                html.bodies.insert(i, body);
                if let (Some(all), Some(w)) = (self.written.as_mut(), written) {
                    all.companies.insert(i, w);
                }
                html.summaries.insert(i, summaries);
                self.fragments = None;
            }
        }
        Update::Changed(slug)
    }

    /// Re-reads one existing trend file.
    pub(super) fn update_trend(&mut self, path: &Path) -> Update {
        let Some(entry) = self
            .trend_files
            .iter()
            .find(|e| same_path(&e.path, path))
            .cloned()
        else {
            return Update::Reload;
        };
        let slugs: HashSet<String> = self.trend_files.iter().map(|e| e.slug.clone()).collect();
        let (trend, mut diags) = content::load_trend(&entry, &slugs);
        let Some(trend) = trend else {
            self.errors.insert(entry.rel.clone(), diags);
            return Update::Invalid;
        };
        let (intro, outro, link_diags) = markdown::render_trend(&trend, &self.site.links);
        diags.extend(link_diags);
        if diags.iter().any(Diagnostic::is_error) {
            self.errors.insert(entry.rel.clone(), diags);
            return Update::Invalid;
        }
        self.errors.remove(&entry.rel);
        let slug = trend.slug.clone();
        // Trends are not replayed: the written list is the shown one.
        if let Some(all) = self.written.as_mut() {
            match all.trends.binary_search_by(|x| x.slug.cmp(&trend.slug)) {
                Ok(t) => all.trends[t] = trend.clone(),
                Err(t) => all.trends.insert(t, trend.clone()),
            }
        }
        let html = &mut self.site.html;
        let trends = &mut self.site.dataset.trends;
        match trends.binary_search_by(|x| x.slug.cmp(&trend.slug)) {
            Ok(t) => {
                trends[t] = trend;
                html.trend_intros[t] = intro;
                html.trend_outros[t] = outro;
            }
            Err(t) => {
                trends.insert(t, trend);
                html.trend_intros.insert(t, intro);
                html.trend_outros.insert(t, outro);
            }
        }
        Update::Changed(slug)
    }
}
