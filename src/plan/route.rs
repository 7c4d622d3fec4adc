//! Routes: where each output lives, and the URLs pages link to it with.
//! Every path and URL of the site is made here.

use std::borrow::Cow;

use crate::config::BaseUrl;
use crate::model::{Dataset, Mechanic, Packaging};

/// Where an output lives, below the base URL: `companies/cursor/`,
/// `data/companies.json`, `` (the home page).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Route(String);

impl Route {
    pub fn home() -> Route {
        Route(String::new())
    }

    pub fn trends() -> Route {
        Route("trends/".into())
    }

    pub fn trend(slug: &str) -> Route {
        Route(format!("trends/{slug}/"))
    }

    pub fn company(slug: &str) -> Route {
        Route(company_path("", slug))
    }

    pub fn packaging_list() -> Route {
        Route("packaging/".into())
    }

    pub fn packaging(p: Packaging) -> Route {
        Route(format!("packaging/{p}/"))
    }

    pub fn mechanic_list() -> Route {
        Route("metering/".into())
    }

    pub fn mechanic(m: Mechanic) -> Route {
        Route(format!("metering/{m}/"))
    }

    /// `/changes/`: every dated change, newest first.
    pub fn changes() -> Route {
        Route("changes/".into())
    }

    pub fn not_found() -> Route {
        Route(NOT_FOUND.into())
    }

    /// A file at the top of the site or under `data/`, by its path.
    pub(super) fn file(path: &str) -> Route {
        Route(path.into())
    }

    /// Part `k` of the sitemap; 0 is `sitemap.xml` itself.
    pub fn sitemap(k: usize) -> Route {
        if k == 0 {
            Route::file("sitemap.xml")
        } else {
            Route(format!("sitemap-{k}.xml"))
        }
    }

    pub fn feed() -> Route {
        Route::file("atom.xml")
    }

    /// The anchor of one change on the changes page: the company's slug and
    /// the date, numbered from 2 for a second change of the same date
    /// (`cursor-2025-06-16`, `cursor-2025-06-16-2`). Feeds and pages link
    /// to a change by it, so it stays stable as other changes are added.
    pub fn change_anchor(slug: &str, date: crate::model::Date, nth_of_day: usize) -> String {
        let mut id = String::with_capacity(slug.len() + 14);
        id.push_str(slug);
        id.push('-');
        id.extend(date.iso().map(char::from));
        if nth_of_day > 1 {
            id.push('-');
            id.push_str(&nth_of_day.to_string());
        }
        id
    }

    /// The route below the base URL, as `path` in templates.
    pub fn rel(&self) -> &str {
        &self.0
    }

    /// The file under the output folder: a page's route gets `index.html`.
    pub fn file_path(&self) -> Cow<'_, str> {
        if self.0.is_empty() || self.0.ends_with('/') {
            Cow::Owned(format!("{}index.html", self.0))
        } else {
            Cow::Borrowed(&self.0)
        }
    }

    /// The URL a page of the site links to it with: `/sub/companies/cursor/`.
    pub fn url(&self, base: &BaseUrl) -> String {
        format!("{}{}", base.path(), self.0)
    }

    /// The URL published data and feeds give it: absolute when the base URL
    /// has a host, else the same as [`Route::url`].
    pub fn published_url(&self, base: &BaseUrl) -> String {
        format!("{}{}", base.absolute().unwrap_or(base.path()), self.0)
    }
}

/// The 404 page's file, which `serve` answers unknown paths with.
pub const NOT_FOUND: &str = "404.html";

/// `prefix` then `companies/{slug}/`: every company route and link, made
/// for each company on every edit in `serve` and for every change shown,
/// so concatenated rather than formatted.
fn company_path(prefix: &str, slug: &str) -> String {
    let mut path = String::with_capacity(prefix.len() + "companies//".len() + slug.len());
    path.push_str(prefix);
    path.push_str("companies/");
    path.push_str(slug);
    path.push('/');
    path
}

/// The URLs of the pages many pages link to, made once per render.
/// Company URLs are made where needed: each is used by one snippet and one
/// page, and making ten thousand of them up front would cost an edit in
/// `serve` more than everything else it renders.
pub struct Urls {
    pub base: String,
    pub trends: Vec<String>,
    pub packaging: Vec<String>,
    pub mechanic: Vec<String>,
    pub packaging_list: String,
    pub mechanic_list: String,
}

impl Urls {
    pub fn new(ds: &Dataset, base: &BaseUrl) -> Urls {
        Urls {
            base: base.path().to_string(),
            trends: ds
                .trends
                .iter()
                .map(|t| Route::trend(&t.slug).url(base))
                .collect(),
            packaging: Packaging::ALL
                .iter()
                .map(|p| Route::packaging(*p).url(base))
                .collect(),
            mechanic: Mechanic::ALL
                .iter()
                .map(|m| Route::mechanic(*m).url(base))
                .collect(),
            packaging_list: Route::packaging_list().url(base),
            mechanic_list: Route::mechanic_list().url(base),
        }
    }

    /// The base, then [`Route::company`].
    pub fn company(&self, slug: &str) -> String {
        company_path(&self.base, slug)
    }

    // `ALL` lists the variants in declaration order, so a value's position
    // is its discriminant.
    pub fn packaging(&self, p: Packaging) -> &str {
        &self.packaging[p as usize]
    }

    pub fn mechanic(&self, m: Mechanic) -> &str {
        &self.mechanic[m as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_give_files_and_urls_under_the_base() {
        let base = BaseUrl::parse("https://example.org/sub/").expect("valid");
        let c = Route::company("acme");
        assert_eq!(c.file_path(), "companies/acme/index.html");
        assert_eq!(c.url(&base), "/sub/companies/acme/");
        assert_eq!(
            c.published_url(&base),
            "https://example.org/sub/companies/acme/"
        );
        assert_eq!(Route::home().file_path(), "index.html");
        assert_eq!(Route::feed().file_path(), "atom.xml");
        assert_eq!(Route::sitemap(2).file_path(), "sitemap-2.xml");
        let local = BaseUrl::default();
        assert_eq!(c.published_url(&local), "/companies/acme/");
    }
}
