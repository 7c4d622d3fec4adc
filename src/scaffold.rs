//! `trendsite new`: writes a new company or trend entry with every field
//! present, the optional ones commented out and the allowed values listed, so
//! an editor fills in blanks instead of looking up the format.

use std::path::{Path, PathBuf};

use crate::content::{self, COMPANIES_DIR, TRENDS_DIR};
use crate::diag::Diagnostics;
use crate::model::{Date, Field, Mechanic, Packaging, Per, Period, is_slug};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Company,
    Trend,
}

#[derive(Debug, thiserror::Error)]
pub enum NewError {
    #[error(
        "{0:?} is not a valid slug: use lower-case ASCII letters, digits and `-`, such as \"acme-cloud\""
    )]
    BadSlug(String),
    #[error("{0} already exists; edit it, or choose another slug")]
    Exists(String),
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Today's date in UTC, from the system clock.
pub fn today() -> Date {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    Date::from_days(days).unwrap_or(Date {
        year: 1970,
        month: 1,
        day: 1,
    })
}

fn display_name(slug: &str) -> String {
    slug.split('-')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn company_template(slug: &str, today: Date) -> String {
    let name = display_name(slug);
    let packaging = Packaging::NAMES.join(" | ");
    let mechanic = Mechanic::NAMES.join(" | ");
    let period = Period::NAMES.join(" | ");
    let per = Per::NAMES.join(" | ");
    let prior_paths = crate::model::PRIOR_PATHS.join(", ");
    let unconfirmed_paths = crate::model::Unconfirmed::allowed_paths();
    format!(
        r#"+++
name = "{name}"                # required: display name
website = "https://"           # required: the company's site, http(s)
category = ""                  # required: a slug, such as "developer-tools"
ai_packaging = ""              # required: {packaging}
verified = {today}          # required: the date you checked every fact against the sources
# unconfirmed = ["metering.mechanic"]  # optional: facts kept although no source confirmed them,
                               # shown as unconfirmed; paths: {unconfirmed_paths}

[metering]                     # required unless ai_packaging = "none"
mechanic = ""                  # required: {mechanic}
# unit = ""                    # optional: the unit counted, such as "fast request"
# payg = false                 # optional: true when usage can be bought beyond the plan
# note = ""                    # optional: one line for trend pages (inline Markdown)

# [[tiers]]                    # optional: one table per tier, in the vendor's order
# name = "Pro"                 # required in a tier
# price_usd = 20               # optional: leave out for "contact sales"
# period = "month"             # optional: {period}
# per = "user"                 # optional: {per}
# ai_allowance = ""            # optional: what AI the tier includes

[[sources]]                    # at least one: where the facts come from
url = "https://"               # required: the vendor's pricing page
checked = {today}           # required: when you read it

# History: the fields above are the pricing now; each dated change says what
# some of them were just before its date. One table per change, any order.
# [[changes]]
# date = {today}            # required: the day the change took effect, not after today
# summary = ""                 # required: what changed, one line of inline Markdown
# source = "https://"          # required: the vendor's page that dates the change
# [changes.before]             # optional: the fields as they were just before `date`
# ai_packaging = ""            # a field path (quoted when dotted) = its earlier value: {prior_paths}
# [[changes.before.tiers]]     # optional: the whole tier list as it was, one table per tier
# name = "Pro"
# price_usd = 15
+++
Notes on {name}'s pricing, in Markdown. Link other entries with
[a company](@/companies/slug.md) or [a trend](@/trends/slug.md).
"#
    )
}

pub fn trend_template(slug: &str, existing_trends: &[String], today: Date) -> String {
    let title = display_name(slug);
    let paths: Vec<&str> = Field::ALL.iter().map(|f| f.path()).collect();
    let see_also = if existing_trends.is_empty() {
        "none yet".to_string()
    } else {
        existing_trends.join(", ")
    };
    format!(
        r#"+++
title = "{title}"              # required
summary = ""                   # required: one sentence; the index and search engines show it
# heading = "Companies"        # optional: the heading over the groups
# see_also = []                # optional: other trends' slugs ({see_also})
# reviewed = {today}        # optional: the day the prose was last checked against the data;
                               # `check` then warns at links to companies changed since

# Which companies the page covers: every key is a field path, every value the
# list of accepted values. Field paths: {paths}.
[select]
ai_packaging = ["bundled", "tiered"]

# Groups, in page order; a company goes to the first group it matches.
[[groups]]
title = "Bundled in every plan"
ai_packaging = ["bundled"]

[[groups]]
title = "More AI in higher tiers"
ai_packaging = ["tiered"]
+++
Intro prose in Markdown.

<!-- groups -->

## The Pattern

More prose after the groups.
"#,
        paths = paths.join(", ")
    )
}

/// Writes the new entry and returns its path.
pub fn new_entry(root: &Path, kind: Kind, slug: &str) -> Result<PathBuf, NewError> {
    if !is_slug(slug) {
        return Err(NewError::BadSlug(slug.to_string()));
    }
    let dir = match kind {
        Kind::Company => COMPANIES_DIR,
        Kind::Trend => TRENDS_DIR,
    };
    // Any file with this stem, in any subfolder, already owns the slug.
    let mut ignored = Diagnostics::new();
    let existing = content::discover(root, dir, &mut ignored);
    if let Some(e) = existing.iter().find(|e| e.slug == slug) {
        return Err(NewError::Exists(e.rel.clone()));
    }
    let text = match kind {
        Kind::Company => company_template(slug, today()),
        Kind::Trend => {
            let mut ignored = Diagnostics::new();
            let trends: Vec<String> = content::discover(root, TRENDS_DIR, &mut ignored)
                .into_iter()
                .map(|e| e.slug)
                .collect();
            trend_template(slug, &trends, today())
        }
    };
    let path = root.join(dir).join(format!("{slug}.md"));
    let io = |source| NewError::Io {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(root.join(dir)).map_err(io)?;
    // create_new: never overwrite, even if a file appeared since the check.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                NewError::Exists(format!("{dir}/{slug}.md"))
            } else {
                io(e)
            }
        })?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(io)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_a_plausible_date() {
        let d = today();
        assert!(d.year >= 2024, "{d}");
    }

    #[test]
    fn names_from_slugs() {
        assert_eq!(display_name("acme-cloud"), "Acme Cloud");
        assert_eq!(display_name("x2"), "X2");
    }
}
