//! The typed site: companies and trends as validated values, and the schema
//! of company fields that trend filters are written against.
//!
//! Everything here has passed validation in `content`; later stages never see
//! raw strings where an enum or a date belongs.

mod history;
mod span;
mod unconfirmed;

pub use history::{Change, PRIOR_PATHS, Prior};
pub use span::{Excerpts, Span};
pub use unconfirmed::{UNCONFIRMED_FIELDS, Unconfirmed};

use std::fmt;

use serde::Serialize;

use crate::config::Config;

/// Declares a closed set of values written in content as kebab-case strings,
/// so the allowed values shown in errors and the parser can never drift apart.
macro_rules! value_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

value_enum! {
    /// How AI reaches the customer.
    Packaging {
        Bundled = "bundled",
        Tiered = "tiered",
        AddOn = "add-on",
        SeparateSku = "separate-sku",
        UsageBased = "usage-based",
        None = "none",
    }
}

value_enum! {
    /// The unit that AI consumption is counted in.
    Mechanic {
        Credits = "credits",
        Tokens = "tokens",
        Requests = "requests",
        Characters = "characters",
        MediaMinutes = "media-minutes",
        ComputeTime = "compute-time",
        ComputeUnits = "compute-units",
        Outcomes = "outcomes",
        Seats = "seats",
        None = "none",
    }
}

value_enum! {
    Period { Month = "month", Year = "year", OneTime = "one-time" }
}

value_enum! {
    Per { User = "user", Workspace = "workspace", Account = "account" }
}

impl Packaging {
    /// What the value means, as the format documentation words it.
    pub fn description(self) -> &'static str {
        match self {
            Packaging::Bundled => "AI is included in the regular plans",
            Packaging::Tiered => "AI is included, but how much depends on the tier",
            Packaging::AddOn => "AI is bought on top of a plan",
            Packaging::SeparateSku => "AI is its own plan or product line",
            Packaging::UsageBased => "AI is sold as metered infrastructure",
            Packaging::None => "no AI in the offer",
        }
    }
}

impl Mechanic {
    pub fn description(self) -> &'static str {
        match self {
            Mechanic::Credits => "AI use is counted in credits",
            Mechanic::Tokens => "AI use is counted in tokens",
            Mechanic::Requests => "AI use is counted in requests",
            Mechanic::Characters => "AI use is counted in characters",
            Mechanic::MediaMinutes => "AI use is counted in minutes of audio or video",
            Mechanic::ComputeTime => "AI use is counted in compute time",
            Mechanic::ComputeUnits => "AI use is counted in vendor compute units",
            Mechanic::Outcomes => "AI is charged per outcome delivered",
            Mechanic::Seats => "AI is priced per seat, with no consumption metering",
            Mechanic::None => "AI use is not metered",
        }
    }
}

/// A value companies are filed under, with a page listing them: a
/// packaging value or a metering mechanic. Pages, charts and the sitemap
/// treat the two taxonomies alike through it.
pub trait Term: Copy + Ord + fmt::Display + 'static {
    const ALL: &'static [Self];
    fn as_str(self) -> &'static str;
    fn description(self) -> &'static str;
}

impl Term for Packaging {
    const ALL: &'static [Self] = Packaging::ALL;
    fn as_str(self) -> &'static str {
        Packaging::as_str(self)
    }
    fn description(self) -> &'static str {
        Packaging::description(self)
    }
}

impl Term for Mechanic {
    const ALL: &'static [Self] = Mechanic::ALL;
    fn as_str(self) -> &'static str {
        Mechanic::as_str(self)
    }
    fn description(self) -> &'static str {
        Mechanic::description(self)
    }
}

/// A calendar date, as TOML writes it (`2026-10-01`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// A valid Gregorian date, or `None`.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let leap =
            (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days)
            .contains(&day)
            .then_some(Date { year, month, day })
    }

    /// Days since 1970-01-01 (negative before it).
    pub fn days(self) -> i64 {
        // Howard Hinnant's days-from-civil algorithm.
        let (month, day) = (i64::from(self.month), i64::from(self.day));
        let year = i64::from(self.year) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let yoe = year - era * 400;
        let doy = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01; `None` outside the years 0 to 65535.
    pub fn from_days(days: i64) -> Option<Date> {
        // Howard Hinnant's days-to-civil algorithm.
        let z = days.checked_add(719_468)?;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = u8::try_from(doy - (153 * mp + 2) / 5 + 1).ok()?;
        let month = u8::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).ok()?;
        let year = u16::try_from(yoe + era * 400 + i64::from(month <= 2)).ok()?;
        Date::new(year, month, day)
    }
}

impl Date {
    /// `2025-06-16`: the form every output gives a date in, written without
    /// the formatting machinery, as a large history formats one for every
    /// anchor, row and page that names a change.
    pub fn iso(&self) -> [u8; 10] {
        let digit = |n: u32| b'0' + (n % 10) as u8;
        let y = u32::from(self.year).min(9999);
        let (m, d) = (u32::from(self.month), u32::from(self.day));
        [
            digit(y / 1000),
            digit(y / 100),
            digit(y / 10),
            digit(y),
            b'-',
            digit(m / 10),
            digit(m),
            b'-',
            digit(d / 10),
            digit(d),
        ]
    }

    /// [`Date::iso`] as a string, without the formatting machinery that
    /// `to_string` goes through: a date is written for every change shown.
    pub fn iso_string(&self) -> String {
        self.iso().iter().copied().map(char::from).collect()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let iso = self.iso();
        // ASCII digits and dashes only.
        f.write_str(std::str::from_utf8(&iso).unwrap_or("0000-00-00"))
    }
}

/// `2025-06-16`, as a command-line argument gives it: four digits, two,
/// two, and a day the month has.
impl std::str::FromStr for Date {
    type Err = String;

    fn from_str(text: &str) -> Result<Date, String> {
        let bad = || format!("{text:?} is not a date: write it as YYYY-MM-DD, such as 2025-06-16");
        let parts: Vec<&str> = text.split('-').collect();
        let [y, m, d] = parts[..] else {
            return Err(bad());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if !(digits(y) && digits(m) && digits(d)) {
            return Err(bad());
        }
        let (Ok(year), Ok(month), Ok(day)) = (y.parse(), m.parse(), d.parse()) else {
            return Err(bad());
        };
        Date::new(year, month, day).ok_or_else(|| format!("{text} is not a day of the calendar"))
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metering {
    pub mechanic: Mechanic,
    /// Where `mechanic` stands, for the warning on a company no trend lists.
    #[serde(skip)]
    pub mechanic_at: Span,
    pub unit: Option<String>,
    pub payg: bool,
    pub note: Option<String>,
    /// The file line the note stands on, for problems found rendering it.
    #[serde(skip)]
    pub note_line: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tier {
    pub name: String,
    /// `None` means "contact sales".
    pub price_usd: Option<f64>,
    pub period: Option<Period>,
    pub per: Option<Per>,
    pub ai_allowance: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Source {
    pub url: String,
    pub checked: Date,
    /// Where `checked` stands, in the company's [`Excerpts`].
    #[serde(skip)]
    pub checked_at: Span,
}

/// A Markdown body and the file line it starts on, so that problems found
/// while rendering it can be reported at the right line.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Body {
    pub markdown: String,
    /// 1-based; every body starts at the beginning of a line.
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Company {
    pub slug: String,
    /// Path relative to the site root, for diagnostics.
    pub file: String,
    pub name: String,
    pub website: String,
    pub category: String,
    pub packaging: Packaging,
    pub verified: Date,
    /// Where `website`, `ai_packaging` and `verified` stand, for the
    /// data-quality warnings about them.
    pub website_at: Span,
    pub packaging_at: Span,
    pub verified_at: Span,
    /// The lines those spans, `mechanic_at` and each source's `checked_at`
    /// stand on.
    pub excerpts: Excerpts,
    /// Absent only when `packaging` is `none`.
    pub metering: Option<Metering>,
    pub tiers: Vec<Tier>,
    pub sources: Vec<Source>,
    /// Dated changes of the pricing, newest first; for one date, in file
    /// order.
    pub changes: Vec<Change>,
    /// The facts of the entry its sources did not confirm, in file order:
    /// shown to readers as unconfirmed and listed by `check`.
    pub unconfirmed: Vec<Unconfirmed>,
    pub body: Body,
}

impl Company {
    /// The mechanic a company is filed under; a company without `[metering]`
    /// counts as not metered.
    pub fn mechanic(&self) -> Mechanic {
        self.metering
            .as_ref()
            .map_or(Mechanic::None, |m| m.mechanic)
    }

    pub fn note(&self) -> Option<&str> {
        self.metering.as_ref().and_then(|m| m.note.as_deref())
    }
}

/// The kind of value a company field holds, which decides what a filter on
/// it may list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Url,
    Slug,
    Date,
    Bool,
    Number,
    Enum(&'static [&'static str]),
}

impl FieldKind {
    pub fn describe(self) -> String {
        match self {
            FieldKind::Text => "a string".into(),
            FieldKind::Url => "an http(s) URL string".into(),
            FieldKind::Slug => "a slug string (lower-case letters, digits and `-`)".into(),
            FieldKind::Date => "a TOML date such as 2026-10-01".into(),
            FieldKind::Bool => "true or false".into(),
            FieldKind::Number => "a number".into(),
            FieldKind::Enum(names) => format!("one of: {}", names.join(", ")),
        }
    }
}

macro_rules! fields {
    ($($variant:ident = $path:literal : $kind:expr),+ $(,)?) => {
        /// A field of the company format, addressed by its dotted path.
        /// Fields inside `[[tiers]]` and `[[sources]]` hold one value per entry.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Field { $($variant),+ }

        impl Field {
            pub const ALL: &'static [Field] = &[$(Field::$variant),+];

            pub fn path(self) -> &'static str {
                match self { $(Field::$variant => $path),+ }
            }

            pub fn kind(self) -> FieldKind {
                match self { $(Field::$variant => $kind),+ }
            }

            pub fn parse(path: &str) -> Option<Field> {
                match path { $($path => Some(Field::$variant),)+ _ => None }
            }
        }
    };
}

fields! {
    Name = "name": FieldKind::Text,
    Website = "website": FieldKind::Url,
    Category = "category": FieldKind::Slug,
    AiPackaging = "ai_packaging": FieldKind::Enum(Packaging::NAMES),
    Verified = "verified": FieldKind::Date,
    MeteringMechanic = "metering.mechanic": FieldKind::Enum(Mechanic::NAMES),
    MeteringUnit = "metering.unit": FieldKind::Text,
    MeteringPayg = "metering.payg": FieldKind::Bool,
    MeteringNote = "metering.note": FieldKind::Text,
    TiersName = "tiers.name": FieldKind::Text,
    TiersPriceUsd = "tiers.price_usd": FieldKind::Number,
    TiersPeriod = "tiers.period": FieldKind::Enum(Period::NAMES),
    TiersPer = "tiers.per": FieldKind::Enum(Per::NAMES),
    TiersAiAllowance = "tiers.ai_allowance": FieldKind::Text,
    SourcesUrl = "sources.url": FieldKind::Url,
    SourcesChecked = "sources.checked": FieldKind::Date,
}

/// One value of a company field, as a filter compares it.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Text(String),
    Bool(bool),
    Number(f64),
    Date(Date),
}

/// "For every key, the company's value is one of the list."
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    pub clauses: Vec<Clause>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    pub field: Field,
    pub accepted: Vec<FieldValue>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub title: String,
    pub filter: Filter,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    pub slug: String,
    pub file: String,
    pub title: String,
    pub summary: String,
    pub heading: String,
    /// Slugs of other trends; each exists (checked at load).
    pub see_also: Vec<String>,
    /// When the prose was last checked against the data: `check` warns
    /// about links to companies that changed since.
    pub reviewed: Option<Date>,
    /// `None` selects every company.
    pub select: Option<Filter>,
    pub groups: Vec<Group>,
    /// The prose before `<!-- groups -->`, or all of it when there is no marker.
    pub intro: Body,
    /// The prose after the marker; empty when there is none.
    pub outro: Body,
    /// Where the last `[[groups]]` table starts, for the warning about
    /// companies no group takes; `None` when there are no groups.
    pub last_group_at: Option<Span>,
    /// The line that span stands on.
    pub excerpts: Excerpts,
}

/// The whole validated site. Companies are sorted by slug and trends by slug,
/// so every later stage is deterministic.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    pub config: Config,
    pub companies: Vec<Company>,
    pub trends: Vec<Trend>,
}

impl Dataset {
    pub fn company(&self, slug: &str) -> Option<&Company> {
        self.companies
            .binary_search_by(|c| c.slug.as_str().cmp(slug))
            .ok()
            .map(|i| &self.companies[i])
    }

    pub fn trend(&self, slug: &str) -> Option<&Trend> {
        self.trends
            .binary_search_by(|t| t.slug.as_str().cmp(slug))
            .ok()
            .map(|i| &self.trends[i])
    }
}

/// Slugs are lower-case ASCII letters, digits and `-`, not starting or
/// ending with `-`.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `$20 / month per user`, `$9.99 one-time`, `contact sales`.
pub fn price_label(t: &Tier) -> String {
    let Some(p) = t.price_usd else {
        return "contact sales".into();
    };
    let mut s = if p.fract() == 0.0 {
        format!("${p:.0}")
    } else {
        format!("${p:.2}")
    };
    if let Some(period) = t.period {
        s.push_str(match period {
            Period::Month => " / month",
            Period::Year => " / year",
            Period::OneTime => " one-time",
        });
    }
    if let Some(per) = t.per {
        s.push_str(" per ");
        s.push_str(per.as_str());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_names_round_trip() {
        for p in Packaging::ALL {
            assert_eq!(Packaging::parse(p.as_str()), Some(*p));
        }
        for m in Mechanic::ALL {
            assert_eq!(Mechanic::parse(m.as_str()), Some(*m));
        }
        assert_eq!(Packaging::parse("bundle"), None);
    }

    #[test]
    fn dates_parse_from_yyyy_mm_dd_only() {
        assert_eq!("2024-02-29".parse(), Ok(Date::new(2024, 2, 29).unwrap()));
        assert_eq!(
            "2025-02-29".parse::<Date>(),
            Err("2025-02-29 is not a day of the calendar".into())
        );
        for bad in [
            "2025-6-16",
            "16-06-2025",
            "2025-06-16T00:00",
            "+025-06-16",
            "",
        ] {
            assert_eq!(
                bad.parse::<Date>(),
                Err(format!(
                    "{bad:?} is not a date: write it as YYYY-MM-DD, such as 2025-06-16"
                )),
                "{bad}"
            );
        }
    }

    #[test]
    fn dates_are_checked_against_the_calendar() {
        assert!(Date::new(2024, 2, 29).is_some());
        assert!(Date::new(2026, 2, 29).is_none());
        assert!(Date::new(2026, 13, 1).is_none());
        assert_eq!(
            Date::new(2026, 1, 5).map(|d| d.to_string()).as_deref(),
            Some("2026-01-05")
        );
    }

    #[test]
    fn dates_convert_to_and_from_day_numbers() {
        let epoch = Date::new(1970, 1, 1).unwrap();
        assert_eq!(epoch.days(), 0);
        assert_eq!(Date::from_days(0), Some(epoch));
        let d = Date::new(2026, 11, 26).unwrap();
        assert_eq!(d.days(), 20_783);
        assert_eq!(
            Date::new(2024, 3, 1).unwrap().days() - Date::new(2024, 2, 28).unwrap().days(),
            2
        );
        for n in [-719_528, -1, 1, 11_016, 20_783, 100_000, 2_932_896] {
            let date = Date::from_days(n).unwrap();
            assert_eq!(date.days(), n, "{date}");
        }
        assert_eq!(Date::from_days(-719_529), None);
        assert_eq!(Date::from_days(i64::MAX), None);
    }

    #[test]
    fn field_paths_parse() {
        for f in Field::ALL {
            assert_eq!(Field::parse(f.path()), Some(*f));
        }
        assert_eq!(Field::parse("metering.mechanics"), None);
    }

    #[test]
    fn slugs() {
        assert!(is_slug("ai-credits"));
        assert!(is_slug("x2"));
        assert!(!is_slug("AI"));
        assert!(!is_slug("a_b"));
        assert!(!is_slug("-a"));
        assert!(!is_slug(""));
    }

    #[test]
    fn prices_read_naturally() {
        let mut t = Tier {
            name: "Pro".into(),
            price_usd: Some(20.0),
            period: Some(Period::Month),
            per: Some(Per::User),
            ai_allowance: None,
        };
        assert_eq!(price_label(&t), "$20 / month per user");
        t.price_usd = Some(9.99);
        t.per = None;
        assert_eq!(price_label(&t), "$9.99 / month");
        t.price_usd = None;
        assert_eq!(price_label(&t), "contact sales");
    }
}
