//! Synthetic sites for the benchmarks: N made-up companies and eight trends,
//! written as a trendsite site or as the same data for Hugo.
//!
//! `examples/gen_site/main.rs` is the command line; `benches/preview.rs`
//! and `benches/stages.rs` include this file with `#[path]` and generate
//! their sites in-process. It uses the standard library only, so both can.
//!
//! The same spec (companies, seed) gives the same data in every flavor, byte
//! for byte in every run: the random numbers come from splitmix64 below,
//! and nothing depends on hash order or the clock.
//!
//! - `trendsite`: site.toml, content/companies/<slug>.md, content/trends/*.md
//!   in the content format of docs/content-format.md.
//! - `hugo` (Hugo before 0.146, such as Debian's 0.111) and `hugo-modern`
//!   (0.146 and later): hugo.toml, the same companies and trends with TOML
//!   front matter, and layouts that make the same HTML pages as trendsite's
//!   built-in templates: `/`, `/404.html`, `/trends/` and a page per trend,
//!   a page per company, `/packaging/` and `/metering/` with a page per value
//!   in use. The two Hugo flavors differ only where Hugo renamed things (see
//!   `HUGO_LAYOUTS` and `write_hugo_site`), and give byte-identical pages.
//!
//! Where the Hugo front matter differs from trendsite's, and why:
//! - `title` is the company's name (Hugo sorts and lists by it);
//! - `packaging` and `metering` hold the company's packaging and mechanic
//!   (`none` without `[metering]`, as trendsite files it) as taxonomy terms,
//!   so the `[metering]` table is called `[meter]`: one front matter key
//!   cannot be both;
//! - `[select]` keys are flat (`mechanic`, `payg` for `metering.mechanic`,
//!   `metering.payg`): the layouts know those keys and `ai_packaging`.
//!
//! The trends keep two properties the Hugo layouts rely on: groups only test
//! `ai_packaging`, and no two groups of a trend share a value, so "the first
//! group that matches" (trendsite) is "the group that matches".

use std::fmt::{self, Write as _};
use std::fs;
use std::io;
use std::path::Path;
use std::str::FromStr;

/// Which site to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    Trendsite,
    /// Hugo before 0.146: layouts under `_default/`, `[_build]`, `languageCode`.
    Hugo,
    /// Hugo 0.146 and later: layouts at the root, `[build]`, `locale`.
    HugoModern,
}

impl FromStr for Flavor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "trendsite" => Ok(Flavor::Trendsite),
            "hugo" => Ok(Flavor::Hugo),
            "hugo-modern" => Ok(Flavor::HugoModern),
            _ => Err(format!(
                "unknown flavor `{s}`: expected trendsite, hugo or hugo-modern"
            )),
        }
    }
}

impl fmt::Display for Flavor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Flavor::Trendsite => "trendsite",
            Flavor::Hugo => "hugo",
            Flavor::HugoModern => "hugo-modern",
        })
    }
}

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub companies: usize,
    pub flavor: Flavor,
    pub seed: u64,
    /// Dated changes per company (trendsite flavor only: Hugo has no
    /// history to compare with).
    pub changes: usize,
}

/// What `generate` did.
#[derive(Debug)]
pub enum Outcome {
    Written {
        files: usize,
        bytes: u64,
    },
    /// The folder already holds this spec's site from this generator.
    UpToDate,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Written { files, bytes } => write!(f, "wrote {files} files, {bytes} bytes"),
            Outcome::UpToDate => f.write_str("up to date"),
        }
    }
}

/// Marks a folder as written by this generator, with the spec and a
/// fingerprint of this file and the layouts: a cached benchmark site is
/// reused only when it is exactly what this code would write now.
const STAMP: &str = ".gen_site";

fn stamp(spec: &Spec) -> String {
    // FNV-1a: any change to the generator, even a comment, makes new sites.
    let fingerprint = std::iter::once(include_str!("synthetic.rs"))
        .chain(HUGO_LAYOUTS.iter().map(|l| l.2))
        .flat_map(str::bytes)
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    format!(
        "gen_site {fingerprint:016x} companies={} flavor={} seed={} changes={}\n",
        spec.companies, spec.flavor, spec.seed, spec.changes
    )
}

/// Writes the site of `spec` into `out`, which must be absent, empty or a
/// folder this generator wrote earlier (then it is replaced, unless it
/// already holds this spec's site).
pub fn generate(out: &Path, spec: &Spec) -> io::Result<Outcome> {
    if spec.companies == 0 {
        return Err(io::Error::other("the site needs at least one company"));
    }
    let stamp_text = stamp(spec);
    if out.exists() {
        let context = |e: io::Error| io::Error::other(format!("{}: {e}", out.display()));
        let empty = fs::read_dir(out).map_err(context)?.next().is_none();
        if !empty {
            match fs::read_to_string(out.join(STAMP)) {
                Ok(old) if old == stamp_text => return Ok(Outcome::UpToDate),
                Ok(_) => fs::remove_dir_all(out).map_err(context)?,
                Err(_) => {
                    return Err(io::Error::other(format!(
                        "{} is not empty and was not written by gen_site",
                        out.display()
                    )));
                }
            }
        }
    }
    let mut writer = Writer {
        root: out,
        files: 0,
        bytes: 0,
    };
    // A partial stamp first: an interrupted run leaves a folder that the
    // next run recognises as its own and replaces.
    writer.write(STAMP, "gen_site: incomplete\n")?;
    let site = Site::new(spec);
    site.write(spec.flavor, spec.changes, &mut writer)?;
    writer.write(STAMP, &stamp_text)?;
    Ok(Outcome::Written {
        files: writer.files,
        bytes: writer.bytes,
    })
}

struct Writer<'a> {
    root: &'a Path,
    files: usize,
    bytes: u64,
}

impl Writer<'_> {
    fn write(&mut self, rel: &str, text: &str) -> io::Result<()> {
        let path = self.root.join(rel);
        let context = |e: io::Error| io::Error::other(format!("{}: {e}", path.display()));
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(context)?;
        }
        fs::write(&path, text).map_err(context)?;
        if rel != STAMP {
            self.files += 1;
            self.bytes += text.len() as u64;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Random numbers

/// splitmix64: tiny, fast and good enough to spread made-up data; a crate
/// would be a dependency of the benches for twenty lines.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// 0..n, by multiplying rather than `%`, which favours small numbers.
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }

    /// lo..=hi
    fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn weighted<T: Copy>(&mut self, items: &[(T, usize)]) -> T {
        let total: usize = items.iter().map(|(_, w)| w).sum();
        let mut r = self.below(total);
        for &(item, w) in items {
            if r < w {
                return item;
            }
            r -= w;
        }
        items[items.len() - 1].0
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

// ---------------------------------------------------------------------------
// Vocabulary

/// (value, weight, how it reads in a sentence, its meaning on term pages)
const PACKAGING: &[(&str, usize, &str, &str)] = &[
    (
        "bundled",
        27,
        "included in every plan",
        "AI included in the regular plans",
    ),
    (
        "tiered",
        21,
        "included, with larger allowances on higher plans",
        "AI included, the amount depending on the tier",
    ),
    (
        "add-on",
        17,
        "sold as an add-on to a plan",
        "AI bought on top of a plan",
    ),
    (
        "separate-sku",
        9,
        "sold as a product of its own",
        "AI sold as its own plan or product line",
    ),
    (
        "usage-based",
        13,
        "billed as metered infrastructure",
        "AI sold as metered infrastructure",
    ),
    ("none", 13, "not part of the offer", "no AI in the offer"),
];

/// (mechanic, how it reads, its meaning on term pages)
const MECHANICS: &[(&str, &str, &str)] = &[
    (
        "credits",
        "credits",
        "a pool of credits spent by AI actions",
    ),
    ("tokens", "tokens", "model tokens"),
    ("requests", "requests", "requests or actions"),
    ("characters", "characters", "characters of text or speech"),
    (
        "media-minutes",
        "minutes of audio or video",
        "minutes of audio or video",
    ),
    ("compute-time", "GPU time", "time on GPUs or other compute"),
    (
        "compute-units",
        "compute units",
        "the vendor's own compute units",
    ),
    ("outcomes", "outcomes", "results, such as a resolved ticket"),
    ("seats", "seats", "seats: AI use is not counted"),
    ("none", "nothing", "no metering"),
];

/// The mechanic given the packaging, with weights.
fn mechanics_for(packaging: &str) -> &'static [(&'static str, usize)] {
    match packaging {
        "bundled" => &[
            ("seats", 32),
            ("credits", 22),
            ("requests", 14),
            ("none", 12),
            ("tokens", 7),
            ("outcomes", 6),
            ("characters", 4),
            ("media-minutes", 3),
        ],
        "tiered" => &[
            ("credits", 33),
            ("requests", 19),
            ("tokens", 14),
            ("media-minutes", 9),
            ("characters", 9),
            ("seats", 9),
            ("outcomes", 7),
        ],
        "add-on" => &[
            ("seats", 38),
            ("credits", 27),
            ("outcomes", 11),
            ("requests", 10),
            ("media-minutes", 7),
            ("tokens", 7),
        ],
        "separate-sku" => &[
            ("credits", 31),
            ("seats", 30),
            ("tokens", 11),
            ("outcomes", 11),
            ("requests", 10),
            ("compute-units", 7),
        ],
        "usage-based" => &[
            ("tokens", 34),
            ("compute-time", 19),
            ("compute-units", 16),
            ("characters", 11),
            ("media-minutes", 10),
            ("credits", 10),
        ],
        _ => &[("none", 1)],
    }
}

/// `metering.unit` values per mechanic.
fn units(mechanic: &str) -> &'static [&'static str] {
    match mechanic {
        "credits" => &["credit", "AI credit", "flex credit", "agent credit"],
        "tokens" => &["token", "1M tokens", "1K tokens"],
        "requests" => &["request", "premium request", "fast request", "AI action"],
        "characters" => &["character", "1K characters"],
        "media-minutes" => &["minute of audio", "minute of video", "transcription minute"],
        "compute-time" => &["GPU second", "GPU hour", "vCPU second"],
        "compute-units" => &["DBU", "compute unit", "capacity unit"],
        "outcomes" => &[
            "resolution",
            "qualified lead",
            "completed task",
            "booked meeting",
        ],
        "seats" => &["seat", "AI seat", "agent seat"],
        _ => &[],
    }
}

/// A tier's `ai_allowance`: a number of the mechanic's units, and the
/// number one step of the ladder adds.
fn allowance(mechanic: &str, steps: usize) -> String {
    let (step, text) = match mechanic {
        "credits" => (500, "credits a month"),
        "tokens" => (2, "million tokens"),
        "requests" => (250, "requests a month"),
        "characters" => (50_000, "characters"),
        "media-minutes" => (120, "minutes"),
        "compute-time" => (5, "GPU hours"),
        "compute-units" => (20, "compute units"),
        "outcomes" => (25, "resolutions"),
        "seats" => return format!("AI for up to {} seats", steps * 5),
        _ => return "unlimited".to_string(),
    };
    format!("{} {text}", thousands(step * steps))
}

/// (slug, how it reads, weight)
const CATEGORIES: &[(&str, &str, usize)] = &[
    ("developer-tools", "developer tools", 12),
    ("productivity", "productivity", 10),
    ("crm", "CRM", 6),
    ("customer-support", "customer support", 7),
    ("marketing", "marketing", 7),
    ("design", "design", 6),
    ("video", "video", 5),
    ("audio", "audio and voice", 4),
    ("data-platform", "data platform", 6),
    ("ai-infrastructure", "AI infrastructure", 8),
    ("analytics", "analytics", 5),
    ("hr", "HR", 3),
    ("finance", "finance", 4),
    ("security", "security", 4),
    ("communication", "communication", 5),
    ("ecommerce", "e-commerce", 4),
    ("education", "education", 3),
    ("legal", "legal", 2),
    ("healthcare", "healthcare", 2),
    ("project-management", "project management", 6),
];

const LADDERS: &[&[&str]] = &[
    &["Free", "Starter", "Pro", "Business", "Enterprise"],
    &["Basic", "Plus", "Premium", "Max"],
    &["Hobby", "Team", "Growth", "Enterprise"],
    &["Individual", "Professional", "Organization", "Enterprise"],
    &["Free", "Pro", "Ultra", "Enterprise"],
    &["Essentials", "Standard", "Advanced", "Ultimate"],
    &["Solo", "Studio", "Agency"],
];

/// List prices in whole dollars that a next tier rounds up to.
const PRICES: &[u32] = &[
    6, 8, 10, 12, 15, 19, 20, 24, 25, 29, 30, 39, 45, 49, 59, 69, 79, 99, 119, 149, 199, 249, 299,
    399, 499, 799, 999, 1499, 1999,
];

const ONSETS: &[&str] = &[
    "b", "br", "c", "ch", "d", "dr", "f", "fl", "g", "gr", "h", "j", "k", "l", "m", "n", "p", "pl",
    "qu", "r", "s", "sk", "st", "t", "tr", "v", "w", "z",
];
const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ea", "io", "ou", "y"];
const ENDINGS: &[&str] = &[
    "", "", "", "", "", "n", "r", "x", "s", "ly", "a", "o", "io", "ify", "era", "hub",
];
/// A second word for some names, which gives slugs with a `-` and names
/// with a space.
const SECOND_WORDS: &[&str] = &["Labs", "AI", "Cloud", "HQ", "Studio"];
const TLDS: &[&str] = &[".com", ".com", ".com", ".ai", ".io", ".app", ".dev", ".co"];

/// Body sentences. `{name}`, `{category}`, `{per}`, `{pack}`, `{mech}`,
/// `{mechanic}`, `{tier}`, `{pct}` are filled per company.
const SENTENCES: &[&str] = &[
    "{name} sells {category} software on plans priced per {per}, and its AI features are {pack}.",
    "Use of the AI features is counted in {mech}, and the running count is shown on the billing page.",
    "The {tier} plan is the one the sales team steers new customers towards.",
    "Two pricing changes in the past year both moved AI features further up the ladder of plans.",
    "Admins can cap spending per member, a control that larger customers asked for before signing.",
    "When a workspace runs out of allowance, AI features slow down rather than stop.",
    "Paying yearly cuts the price by about {pct} percent, and most teams above twenty people do.",
    "The free plan is meant for evaluation and caps AI use at a few actions a day.",
    "A usage export, broken down by {per}, is available on every paid plan.",
    "The vendor publishes its price list openly, including what extra {mech} cost.",
    "Allowance that is not used by the end of the cycle is lost, so teams buy conservatively.",
    "Enterprise agreements often include a committed pool of {mech} drawn down over the year.",
    "Single sign-on and audit logs are reserved for the highest plans.",
    "Reviewers on software marketplaces mention the AI assistant more than any other feature.",
    "The company describes AI as *part of the product*, not an extra sold on the side.",
    "Most rivals in {category} adopted a similar model within a few months.",
    "Volume discounts start once an account passes a few dozen seats.",
    "Regional prices exist for some markets, but only the US dollar list is public.",
    "The pricing page now opens with the AI features, a change made in the last redesign.",
    "Nonprofit and education discounts cover seats but leave **AI usage at list price**.",
    "Allowances reset on each account's billing date, not at the start of the calendar month.",
    "Fewer than {pct} percent of accounts reach their AI limit in a typical month, the company says.",
    "Below the {tier} plan there is no way to buy more {mech}.",
    "Customers on retired plans keep their old terms until they switch.",
    "The vendor's stated aim is *predictable invoices* rather than the cheapest entry price.",
    "Price rises are announced a quarter in advance, and existing customers keep the old price for a while.",
    "The cheapest paid plan mostly serves to move people off the free one.",
    "Connectors to other {category} tools come with every plan at no extra charge.",
    "How {mech} translate into the vendor's own compute costs is not disclosed.",
    "Agencies and resellers buy from a separate price list with deeper discounts.",
    "Features marked as preview are free to try until they become generally available.",
    "The help centre has a worked example of how a typical task consumes {mech}.",
    "Switching plans in the middle of a cycle is allowed, and the difference is prorated to the day.",
    "A public changelog dates every change to prices and allowances.",
    "Alerts at half and at nine tenths of the allowance cut the number of billing complaints sharply.",
    "Trials start on the top plan for fourteen days before dropping to the free one.",
    "Overage is invoiced at the end of the month at the same rate as prepaid {mech}.",
    "Per-seat prices in {category} keep falling while AI allowances become the real difference.",
    "Invoices list AI usage under the line item `{mechanic}`, next to the seat charges.",
    "Heavy users are offered a larger *pooled* allowance in exchange for a yearly commitment.",
];

const BULLETS: &[&str] = &[
    "**{tier}** is the plan most customers buy.",
    "Yearly billing saves about {pct} percent.",
    "AI use is measured in {mech}.",
    "Unused allowance expires every cycle.",
    "Admins see usage *per member*.",
    "Single sign-on costs extra below the top plan.",
    "Overage is billed after the fact.",
    "Trials include every AI feature.",
    "Discounts for nonprofits apply to seats only.",
    "Volume pricing starts at {k}0 seats.",
];

const PRICING_LINKS: &[&str] = &[
    "The full price list, *with the fine print*, is on [the {name} pricing page]({website}/pricing).",
    "The **current** figures are on [the {name} pricing page]({website}/pricing).",
    "See [the pricing page]({website}/pricing) for the *latest* numbers.",
];

const HEADINGS: &[&str] = &[
    "History",
    "Recent changes",
    "How buyers see it",
    "Fine print",
];

/// `metering.note` for a company whose AI use is counted: inline Markdown.
const NOTES_COUNTED: &[&str] = &[
    "{Pack}; AI use is counted in {mech} and grows with the plan.",
    "Metered in {mech}; the allowance resets every billing cycle.",
    "{Pack}. Extra {mech} are sold in packs from the `Billing` page.",
    "Listed as `{packaging}` with `{mechanic}` metering; most teams buy the {tier} plan.",
    "Plans differ mainly in their {mech} allowance; *{tier}* is the usual choice.",
    "AI is {pack}, counted in {mech}.",
    "Every plan includes some {mech}; overage is billed monthly at list price.",
    "Usage shows up on invoices as `{mechanic}`; admins can set a monthly cap.",
];

/// `metering.note` for AI priced per seat.
const NOTES_SEATS: &[&str] = &[
    "AI is priced per seat and {pack}; use is not counted.",
    "Listed as `{packaging}` with `seats` metering; most teams buy the {tier} plan.",
    "Each AI seat is billed per {per}, whatever the use.",
];

/// `metering.note` when nothing is counted.
const NOTES_NONE: &[&str] = &[
    "AI is {pack}, with no separate meter.",
    "Listed as `{packaging}`; AI use is *not* metered.",
    "No allowance to track: AI is {pack}.",
];

// ---------------------------------------------------------------------------
// The data

struct Meter {
    mechanic: &'static str,
    unit: Option<&'static str>,
    payg: Option<bool>,
    note: Option<String>,
}

struct Tier {
    name: &'static str,
    /// In cents; `None` is "contact sales".
    price_cents: Option<u32>,
    period: &'static str,
    per: &'static str,
    allowance: Option<String>,
}

struct Source {
    url: String,
    checked: Date,
}

struct Company {
    slug: String,
    name: String,
    website: String,
    category: &'static str,
    packaging: &'static str,
    verified: Date,
    meter: Option<Meter>,
    tiers: Vec<Tier>,
    sources: Vec<Source>,
    body: String,
}

impl Company {
    fn mechanic(&self) -> &'static str {
        self.meter.as_ref().map_or("none", |m| m.mechanic)
    }
}

/// A trend's filter: packaging values, mechanics, pay as you go.
#[derive(Default)]
struct Select {
    packaging: &'static [&'static str],
    mechanic: &'static [&'static str],
    payg: bool,
}

struct Trend {
    slug: &'static str,
    title: &'static str,
    summary: &'static str,
    heading: &'static str,
    see_also: &'static [&'static str],
    select: Select,
    groups: &'static [(&'static str, &'static [&'static str])],
    intro: &'static str,
    /// Prose after the groups; `{example}` is a link to a company.
    outro: &'static str,
    /// Which company `{example}` links to: the first that matches, from a
    /// random start.
    example: fn(&Company) -> bool,
}

const METERED: &[&str] = &[
    "credits",
    "tokens",
    "requests",
    "characters",
    "media-minutes",
    "compute-time",
    "compute-units",
];

fn trends() -> Vec<Trend> {
    vec![
        Trend {
            slug: "ai-credits",
            title: "AI Credits Trend",
            summary: "Companies that meter AI with credits, tokens or other units of consumption.",
            heading: "Companies Metering AI Use",
            see_also: &["ai-bundling", "ai-add-ons", "no-ai"],
            select: Select {
                mechanic: METERED,
                ..Select::default()
            },
            groups: &[
                ("Credits inside regular plans", &["bundled", "tiered"]),
                ("Credits sold as an add-on", &["add-on"]),
                ("Credits for a separate AI product", &["separate-sku"]),
                ("Metered infrastructure", &["usage-based"]),
            ],
            intro: "Metering cuts across `ai_packaging`: a credit pool appears in bundled, add-on and separate products alike. This page groups companies by how they count AI use rather than by how they sell it.",
            outro: "## The pattern\n\nCredits reconcile two wishes: customers want to use AI freely, vendors pay for every model call. A pool of credits per plan is the compromise.\n\n- **Bundled access, metered depth**: {example} includes AI in every plan but counts its heavier uses.\n- **A second value metric**: seats decide who may use AI, credits decide how much.\n- **Pay as you go as a safety valve**: heavy users buy more without changing plans.\n\nAs model prices fall, pools tend to grow and fold into the base price; see [AI bundling](@/trends/ai-bundling.md).",
            example: |c| c.mechanic() == "credits",
        },
        Trend {
            slug: "ai-bundling",
            title: "AI Bundling Trend",
            summary: "Companies that include AI in their regular plans.",
            heading: "Companies Bundling AI",
            see_also: &["ai-credits", "ai-add-ons", "no-ai"],
            select: Select {
                packaging: &["bundled", "tiered"],
                ..Select::default()
            },
            groups: &[
                ("Included in every plan", &["bundled"]),
                ("More AI on higher plans", &["tiered"]),
            ],
            intro: "Where AI does the product's core job, vendors include it in every plan. The open question is how much of it each plan gets.",
            outro: "## The pattern\n\nBundling trades margin for adoption. {example} absorbs the cost of AI and recovers it through the list price.\n\n- *Everything included* keeps the pricing page short.\n- Larger allowances on higher plans make AI a reason to upgrade.\n- Limits are soft and enforced by a fair use policy.\n\nTiered bundles often count use in credits; see [the pattern of AI credits](@/trends/ai-credits.md#the-pattern).",
            example: |c| c.packaging == "bundled",
        },
        Trend {
            slug: "ai-add-ons",
            title: "AI Add-ons Trend",
            summary: "Companies that sell AI on top of a plan or as a product of its own.",
            heading: "Companies Selling AI Separately",
            see_also: &["ai-bundling", "ai-credits"],
            select: Select {
                packaging: &["add-on", "separate-sku"],
                ..Select::default()
            },
            groups: &[
                ("Add-on to a plan", &["add-on"]),
                ("A product of its own", &["separate-sku"]),
            ],
            intro: "Selling AI separately lets a vendor charge for it without repricing the core product, and makes AI revenue visible on its own.",
            outro: "## The pattern\n\nAn add-on is the quickest way to charge for AI and the easiest to withdraw. {example} is a typical case.\n\n- Per-seat add-ons follow the core pricing.\n- Credit packs separate AI spend from headcount.\n- A separate product gets its own sales team.\n\nMany add-ons later move into the base plan; see [AI bundling](@/trends/ai-bundling.md).",
            example: |c| c.packaging == "add-on",
        },
        Trend {
            slug: "no-ai",
            title: "No AI Trend",
            summary: "Companies that keep AI out of their offer.",
            heading: "Companies Without AI",
            see_also: &["ai-bundling", "ai-add-ons"],
            select: Select {
                packaging: &["none"],
                ..Select::default()
            },
            groups: &[],
            intro: "Some vendors sell no AI at all, by choice or because their product has no natural place for it.",
            outro: "## The pattern\n\nStaying out is a position. {example} presents the absence of AI as a privacy feature.\n\n- Simple pricing without usage surprises.\n- Lower costs.\n- Pressure from competitors that bundle AI.\n\nCompare [AI bundling](@/trends/ai-bundling.md).",
            example: |c| c.packaging == "none",
        },
        Trend {
            slug: "per-seat-ai",
            title: "Per-Seat AI",
            summary: "Companies that price AI per seat and do not count its use.",
            heading: "Companies Pricing AI per Seat",
            see_also: &["ai-add-ons", "ai-credits"],
            select: Select {
                mechanic: &["seats"],
                ..Select::default()
            },
            groups: &[
                ("Seats that include AI", &["bundled", "tiered"]),
                ("An AI seat on top of a plan", &["add-on"]),
                ("AI seats as a product of their own", &["separate-sku"]),
            ],
            intro: "A price per seat is easy to buy and to forecast, which is why procurement teams prefer it.",
            outro: "## The pattern\n\nThe risk stays with the vendor: a few heavy users can eat the margin of a seat. {example} limits use quietly through a fair use policy.\n\n- Predictable invoices.\n- No metering to build.\n- Margin at risk from heavy users.\n\nVendors that outgrow seats usually move to [credits](@/trends/ai-credits.md).",
            example: |c| c.mechanic() == "seats",
        },
        Trend {
            slug: "outcome-pricing",
            title: "Outcome Pricing",
            summary: "Companies that charge for what AI achieves rather than for what it consumes.",
            heading: "Companies Charging per Outcome",
            see_also: &["ai-credits", "per-seat-ai"],
            select: Select {
                mechanic: &["outcomes"],
                ..Select::default()
            },
            groups: &[
                ("Outcomes inside the plan", &["bundled", "tiered"]),
                ("Outcomes sold separately", &["add-on", "separate-sku"]),
            ],
            intro: "Outcome pricing charges for a resolved ticket or a qualified lead instead of for tokens or seats.",
            outro: "## The pattern\n\nThe unit moves from input to result. {example} charges per resolution.\n\n- Price follows value.\n- Hard to audit.\n- Needs an agreed definition of success.\n\nMost outcome vendors sell [credits](@/trends/ai-credits.md) as well.",
            example: |c| c.mechanic() == "outcomes",
        },
        Trend {
            slug: "media-metering",
            title: "Media Metering",
            summary: "Companies that meter AI by characters or minutes of media.",
            heading: "Companies Metering Voice, Audio and Video",
            see_also: &["ai-credits", "pay-as-you-go"],
            select: Select {
                mechanic: &["characters", "media-minutes"],
                ..Select::default()
            },
            // add-on and separate-sku are left out on purpose: those
            // companies land under "Other".
            groups: &[
                ("Voice and audio platforms", &["usage-based"]),
                ("Creative suites with media limits", &["tiered", "bundled"]),
            ],
            intro: "Media AI is counted in the unit customers already think in: minutes of audio, characters of text.",
            outro: "## The pattern\n\nMedia units are easy to explain and close to cost. {example} sells characters in packs.\n\n- Units match the product.\n- Allowances grow with the plan.\n- Overage is common.",
            example: |c| c.mechanic() == "characters",
        },
        Trend {
            slug: "pay-as-you-go",
            title: "Pay as You Go",
            summary: "Companies where customers can buy more AI use beyond their plan.",
            heading: "Companies Selling AI Use Beyond the Plan",
            see_also: &["ai-credits", "media-metering"],
            select: Select {
                payg: true,
                ..Select::default()
            },
            // separate-sku is left out on purpose, as above.
            groups: &[
                (
                    "More use on top of a plan",
                    &["bundled", "tiered", "add-on"],
                ),
                ("Pure consumption", &["usage-based"]),
            ],
            intro: "Pay as you go lets a customer keep working after the allowance runs out, at a price per unit.",
            outro: "## The pattern\n\nOverage turns a hard limit into a bill. {example} charges for each unit beyond the plan.\n\n- No plan change needed.\n- Bills vary month to month.\n- Caps matter more than list prices.\n\nThe units themselves are described under [AI credits](@/trends/ai-credits.md).",
            example: |c| c.meter.as_ref().is_some_and(|m| m.payg == Some(true)),
        },
    ]
}

struct Site {
    companies: Vec<Company>,
    trends: Vec<Trend>,
    /// `[Name](@/companies/slug.md)` for each trend's `{example}`.
    examples: Vec<String>,
}

impl Site {
    fn new(spec: &Spec) -> Site {
        let mut rng = Rng(spec.seed);
        let names = names(&mut rng, spec.companies);
        let companies: Vec<Company> = (0..names.len())
            .map(|i| company(&mut rng, i, &names))
            .collect();
        let trends = trends();
        let examples = trends
            .iter()
            .map(|t| {
                let start = rng.below(companies.len());
                let c = companies[start..]
                    .iter()
                    .chain(&companies[..start])
                    .find(|c| (t.example)(c))
                    .unwrap_or(&companies[start]);
                format!("[{}](@/companies/{}.md)", c.name, c.slug)
            })
            .collect();
        Site {
            companies,
            trends,
            examples,
        }
    }

    fn write(&self, flavor: Flavor, changes: usize, w: &mut Writer) -> io::Result<()> {
        match flavor {
            Flavor::Trendsite => w.write(
                "site.toml",
                &format!(
                    "title = {}\ndescription = {}\nbase_url = {}\n",
                    toml_str(TITLE),
                    toml_str(DESCRIPTION),
                    toml_str(BASE_URL)
                ),
            )?,
            Flavor::Hugo | Flavor::HugoModern => write_hugo_site(flavor, w)?,
        }
        for c in &self.companies {
            let text = match flavor {
                Flavor::Trendsite => company_trendsite(c, changes),
                _ => company_hugo(c),
            };
            w.write(&format!("content/companies/{}.md", c.slug), &text)?;
        }
        for (t, example) in self.trends.iter().zip(&self.examples) {
            let text = format!(
                "{}{}\n\n<!-- groups -->\n\n{}\n",
                trend_front_matter(t, flavor),
                t.intro,
                t.outro.replace("{example}", example)
            );
            w.write(&format!("content/trends/{}.md", t.slug), &text)?;
        }
        Ok(())
    }
}

const TITLE: &str = "AI Pricing Trends";
const DESCRIPTION: &str = "How software companies package and meter AI in their pricing.";
const BASE_URL: &str = "https://example.com/";

/// Distinct made-up names, such as "Brioxly" or "Quaseta Labs".
fn names(rng: &mut Rng, n: usize) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut names = Vec::with_capacity(n);
    while names.len() < n {
        let mut word = String::new();
        for _ in 0..if rng.percent(30) { 3 } else { 2 } {
            word.push_str(rng.pick(ONSETS));
            word.push_str(rng.pick(VOWELS));
        }
        word.push_str(rng.pick(ENDINGS));
        let mut name = capitalise(&word);
        if rng.percent(6) {
            name.push(' ');
            name.push_str(rng.pick(SECOND_WORDS));
        }
        if name.len() >= 4 && seen.insert(slug_of(&name)) {
            names.push(name);
        }
    }
    names
}

fn slug_of(name: &str) -> String {
    name.to_ascii_lowercase().replace(' ', "-")
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// 1,234,567
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// The words a company's sentences are filled with.
struct Fill<'a> {
    name: &'a str,
    website: &'a str,
    category: &'static str,
    per: &'static str,
    packaging: &'static str,
    pack: &'static str,
    mechanic: &'static str,
    mech: &'static str,
    tier: &'static str,
    pct: usize,
    k: usize,
}

impl Fill<'_> {
    fn fill(&self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}').map(|i| open + i) else {
                break;
            };
            let key = &rest[open + 1..close];
            match key {
                "name" => out.push_str(self.name),
                "website" => out.push_str(self.website),
                "category" => out.push_str(self.category),
                "per" => out.push_str(self.per),
                "packaging" => out.push_str(self.packaging),
                "pack" => out.push_str(self.pack),
                "Pack" => out.push_str(&capitalise(self.pack)),
                "mechanic" => out.push_str(self.mechanic),
                "mech" => out.push_str(self.mech),
                "tier" => out.push_str(self.tier),
                "pct" => {
                    let _ = write!(out, "{}", self.pct);
                }
                "k" => {
                    let _ = write!(out, "{}", self.k);
                }
                other => {
                    out.push('{');
                    out.push_str(other);
                    out.push('}');
                }
            }
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        out
    }
}

fn company(rng: &mut Rng, i: usize, names: &[String]) -> Company {
    let name = names[i].clone();
    let slug = slug_of(&name);
    let website = format!("https://{slug}{}", rng.pick(TLDS));
    let (category, category_words) = {
        let weighted: Vec<(usize, usize)> = CATEGORIES
            .iter()
            .enumerate()
            .map(|(i, c)| (i, c.2))
            .collect();
        let c = CATEGORIES[rng.weighted(&weighted)];
        (c.0, c.1)
    };
    let packaging_row = {
        let weighted: Vec<(usize, usize)> = PACKAGING
            .iter()
            .enumerate()
            .map(|(i, p)| (i, p.1))
            .collect();
        PACKAGING[rng.weighted(&weighted)]
    };
    let packaging = packaging_row.0;
    let verified = Date::from_ymd(2025, 1, 6).plus(rng.below(695));

    let mechanic = rng.weighted(mechanics_for(packaging));
    // A company without AI mostly leaves [metering] out.
    let metered_table = packaging != "none" || rng.percent(25);
    let mech_words = MECHANICS
        .iter()
        .find(|m| m.0 == mechanic)
        .map_or("nothing", |m| m.1);

    let ladder = rng.pick(LADDERS);
    let count = rng
        .weighted(&[(0, 8), (1, 14), (2, 24), (3, 30), (4, 18), (5, 6)])
        .min(ladder.len());
    let start = rng.below(ladder.len() - count + 1);
    let period = rng.weighted(&[("month", 78), ("year", 16), ("one-time", 6)]);
    let per = rng.weighted(&[("user", 58), ("workspace", 27), ("account", 15)]);
    let mut price = rng.pick(&PRICES[..8]);
    let mut tiers = Vec::new();
    for (step, &tier_name) in ladder[start..start + count].iter().enumerate() {
        let price_cents = if tier_name == "Free" {
            Some(0)
        } else if tier_name == "Enterprise" && rng.percent(50) {
            None
        } else {
            let cents = price * 100 - if rng.percent(15) { 1 } else { 0 };
            let next = price * (16 + rng.below(15) as u32) / 10;
            price = PRICES
                .iter()
                .copied()
                .find(|&p| p >= next)
                .unwrap_or(next / 1000 * 1000);
            Some(cents)
        };
        let allowance = rng
            .percent(60)
            .then(|| allowance(mechanic, (step + 1) * rng.between(1, 4)));
        tiers.push(Tier {
            name: tier_name,
            price_cents,
            period,
            per,
            allowance,
        });
    }
    // The plan the prose calls the usual one: the second listed, or any.
    let tier = match count {
        0 => ladder[ladder.len() / 2],
        n => ladder[start + n.min(2) - 1],
    };

    let fill = Fill {
        name: &name,
        website: &website,
        category: category_words,
        per,
        packaging,
        pack: packaging_row.2,
        mechanic,
        mech: mech_words,
        tier,
        pct: rng.pick(&[10, 12, 15, 17, 20, 25]),
        k: rng.between(2, 9),
    };

    let meter = metered_table.then(|| {
        let unit = if rng.percent(70) {
            let choices = units(mechanic);
            (!choices.is_empty()).then(|| rng.pick(choices))
        } else {
            None
        };
        let payg = rng.percent(60).then(|| rng.percent(35));
        let notes = match mechanic {
            "none" => NOTES_NONE,
            "seats" => NOTES_SEATS,
            _ => NOTES_COUNTED,
        };
        let note = (mechanic != "none" || rng.percent(50)).then(|| fill.fill(rng.pick(notes)));
        Meter {
            mechanic,
            unit,
            payg,
            note,
        }
    });

    let mut sources = vec![Source {
        url: format!("{website}/pricing"),
        checked: verified,
    }];
    for (p, path) in [(35, "/docs/billing"), (8, "/changelog")] {
        if rng.percent(p) {
            sources.push(Source {
                url: format!("{website}{path}"),
                checked: verified.minus(rng.below(120)),
            });
        }
    }

    let mut company = Company {
        slug,
        name: name.clone(),
        website: website.clone(),
        category,
        packaging,
        verified,
        meter,
        tiers,
        sources,
        body: String::new(),
    };
    company.body = body(rng, &fill, &company, i, names);
    company
}

/// A Markdown body of 92 to 333 words: paragraphs, a bullet list, emphasis,
/// a link to the pricing page, sometimes a heading, a table of the tiers'
/// allowances, and `@/` links to another company or a trend.
fn body(rng: &mut Rng, fill: &Fill, c: &Company, i: usize, names: &[String]) -> String {
    let target = rng.between(92, 333);
    let mut words = 0;
    // "{mech}" reads wrongly when nothing is counted.
    let counted = !matches!(c.mechanic(), "none" | "seats");
    let fitting = |texts: &[&'static str]| -> Vec<&'static str> {
        texts
            .iter()
            .copied()
            .filter(|t| counted || !t.contains("{mech}"))
            .collect()
    };
    let mut deck = Deck::new(fitting(SENTENCES));
    let mut next_sentence = |rng: &mut Rng, words: &mut usize| {
        let s = fill.fill(deck.draw(rng));
        *words += s.split_whitespace().count();
        s
    };

    let mut blocks = Vec::new();
    let mut first: Vec<String> = (0..rng.between(2, 3))
        .map(|_| next_sentence(rng, &mut words))
        .collect();
    first.push(fill.fill(rng.pick(PRICING_LINKS)));
    blocks.push(first.join(" "));

    let mut bullets = Deck::new(fitting(BULLETS));
    let list: Vec<String> = (0..rng.between(3, 5))
        .map(|_| format!("- {}", fill.fill(bullets.draw(rng))))
        .collect();
    words += list
        .iter()
        .map(|l| l.split_whitespace().count())
        .sum::<usize>();
    blocks.push(list.join("\n"));

    let allowances: Vec<&Tier> = c.tiers.iter().filter(|t| t.allowance.is_some()).collect();
    if allowances.len() >= 2 && rng.percent(25) {
        let mut table = String::from("| Plan | AI allowance |\n|---|---|");
        for t in allowances {
            let _ = write!(
                table,
                "\n| {} | {} |",
                t.name,
                t.allowance.as_deref().unwrap_or("")
            );
        }
        blocks.push(table);
    }
    if rng.percent(30) {
        blocks.push(format!("### {}", rng.pick(HEADINGS)));
    }

    let mut other = (names.len() > 1 && rng.percent(30)).then(|| {
        let j = (i + 1 + rng.below(names.len() - 1)) % names.len();
        (names[j].clone(), slug_of(&names[j]))
    });
    while words < target {
        let mut para: Vec<String> = Vec::new();
        for _ in 0..rng.between(2, 4) {
            if words >= target {
                break;
            }
            para.push(next_sentence(rng, &mut words));
        }
        if rng.percent(50)
            && let Some((name, slug)) = other.take()
        {
            para.push(format!(
                "Its model is close to [{name}](@/companies/{slug}.md), which meters AI the same way."
            ));
            words += 12;
        }
        blocks.push(para.join(" "));
    }
    if let Some((name, slug)) = other {
        blocks.push(format!("Compare [{name}](@/companies/{slug}.md)."));
    }
    if rng.percent(15) {
        let trend = match c.packaging {
            "bundled" | "tiered" => "[AI bundling](@/trends/ai-bundling.md)",
            "add-on" | "separate-sku" => "[AI add-ons](@/trends/ai-add-ons.md)",
            "none" => "[companies without AI](@/trends/no-ai.md)",
            _ => "[the pattern of AI credits](@/trends/ai-credits.md#the-pattern)",
        };
        blocks.push(format!("It is a typical case of {trend}."));
    }
    blocks.join("\n\n") + "\n"
}

/// Texts drawn without repeats until all have been drawn, so one body does
/// not say the same thing twice.
struct Deck {
    texts: Vec<&'static str>,
    left: Vec<&'static str>,
}

impl Deck {
    fn new(texts: Vec<&'static str>) -> Deck {
        Deck {
            texts,
            left: Vec::new(),
        }
    }

    fn draw(&mut self, rng: &mut Rng) -> &'static str {
        if self.left.is_empty() {
            self.left = self.texts.clone();
            rng.shuffle(&mut self.left);
        }
        self.left.pop().unwrap_or("")
    }
}

// ---------------------------------------------------------------------------
// Dates: days since 1970-01-01, enough for TOML dates.

#[derive(Clone, Copy)]
struct Date(i64);

impl Date {
    /// Howard Hinnant's days_from_civil.
    fn from_ymd(y: i64, m: i64, d: i64) -> Date {
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Date(era * 146_097 + doe - 719_468)
    }

    fn plus(self, days: usize) -> Date {
        Date(self.0 + days as i64)
    }

    fn minus(self, days: usize) -> Date {
        Date(self.0 - days as i64)
    }
}

impl fmt::Display for Date {
    /// civil_from_days
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

// ---------------------------------------------------------------------------
// Writing the trendsite and Hugo front matter

fn toml_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn toml_list(values: &[&str]) -> String {
    let items: Vec<String> = values.iter().map(|v| toml_str(v)).collect();
    format!("[{}]", items.join(", "))
}

fn price(cents: u32) -> String {
    if cents.is_multiple_of(100) {
        (cents / 100).to_string()
    } else {
        format!("{}.{:02}", cents / 100, cents % 100)
    }
}

/// The tables after a company's scalar fields; `meter` names the metering
/// table (see the module comment).
fn company_tables(out: &mut String, c: &Company, meter: &str) {
    if let Some(m) = &c.meter {
        let _ = write!(out, "\n[{meter}]\nmechanic = {}\n", toml_str(m.mechanic));
        if let Some(unit) = m.unit {
            let _ = writeln!(out, "unit = {}", toml_str(unit));
        }
        if let Some(payg) = m.payg {
            let _ = writeln!(out, "payg = {payg}");
        }
        if let Some(note) = &m.note {
            let _ = writeln!(out, "note = {}", toml_str(note));
        }
    }
    for t in &c.tiers {
        let _ = write!(out, "\n[[tiers]]\nname = {}\n", toml_str(t.name));
        if let Some(cents) = t.price_cents {
            let _ = writeln!(out, "price_usd = {}", price(cents));
        }
        let _ = writeln!(out, "period = {}", toml_str(t.period));
        let _ = writeln!(out, "per = {}", toml_str(t.per));
        if let Some(a) = &t.allowance {
            let _ = writeln!(out, "ai_allowance = {}", toml_str(a));
        }
    }
    for s in &c.sources {
        let _ = write!(
            out,
            "\n[[sources]]\nurl = {}\nchecked = {}\n",
            toml_str(&s.url),
            s.checked
        );
    }
}

fn company_trendsite(c: &Company, changes: usize) -> String {
    let mut out = format!(
        "+++\nname = {}\nwebsite = {}\ncategory = {}\nai_packaging = {}\nverified = {}\n",
        toml_str(&c.name),
        toml_str(&c.website),
        toml_str(c.category),
        toml_str(c.packaging),
        c.verified
    );
    company_tables(&mut out, c, "metering");
    company_changes(&mut out, c, changes);
    out.push_str("+++\n");
    out.push_str(&c.body);
    out
}

/// `n` dated changes, newest first, each 45 days before the next. Every
/// `before` differs from the value after it, as trendsite requires: the
/// unit steps through "unit vK" (always new), and every third change also
/// moves the packaging to a value unlike the one after it.
fn company_changes(out: &mut String, c: &Company, n: usize) {
    const OTHER: [&str; 3] = ["add-on", "bundled", "separate-sku"];
    let mut after = c.packaging;
    for k in 0..n {
        let date = c.verified.minus(45 * (k + 1));
        let _ = write!(
            out,
            "\n[[changes]]\ndate = {date}\nsummary = {}\nsource = {}\n\n[changes.before]\n\
             \"metering.unit\" = {}\n",
            toml_str(&format!(
                "{} changed its AI pricing (step {}).",
                c.name,
                n - k
            )),
            toml_str(&format!("{}/changelog#{}", c.website, n - k)),
            toml_str(&format!("unit v{}", n - k))
        );
        if k % 3 == 0 {
            let before = OTHER
                .iter()
                .copied()
                .find(|p| *p != after)
                .unwrap_or("add-on");
            let _ = writeln!(out, "ai_packaging = {}", toml_str(before));
            after = before;
        }
    }
}

fn company_hugo(c: &Company) -> String {
    let mut out = format!(
        "+++\ntitle = {}\npackaging = {}\nmetering = {}\nwebsite = {}\ncategory = {}\nai_packaging = {}\nverified = {}\n",
        toml_str(&c.name),
        toml_list(&[c.packaging]),
        toml_list(&[c.mechanic()]),
        toml_str(&c.website),
        toml_str(c.category),
        toml_str(c.packaging),
        c.verified
    );
    company_tables(&mut out, c, "meter");
    out.push_str("+++\n");
    out.push_str(&c.body);
    out
}

fn trend_front_matter(t: &Trend, flavor: Flavor) -> String {
    let trendsite = flavor == Flavor::Trendsite;
    let mut out = format!(
        "+++\ntitle = {}\nsummary = {}\nheading = {}\nsee_also = {}\n",
        toml_str(t.title),
        toml_str(t.summary),
        toml_str(t.heading),
        toml_list(t.see_also)
    );
    out.push_str("\n[select]\n");
    let (mechanic_key, payg_key) = if trendsite {
        ("\"metering.mechanic\"", "\"metering.payg\"")
    } else {
        ("mechanic", "payg")
    };
    if !t.select.packaging.is_empty() {
        let _ = writeln!(out, "ai_packaging = {}", toml_list(t.select.packaging));
    }
    if !t.select.mechanic.is_empty() {
        let _ = writeln!(out, "{mechanic_key} = {}", toml_list(t.select.mechanic));
    }
    if t.select.payg {
        let _ = writeln!(out, "{payg_key} = [true]");
    }
    for (title, packaging) in t.groups {
        let _ = write!(
            out,
            "\n[[groups]]\ntitle = {}\nai_packaging = {}\n",
            toml_str(title),
            toml_list(packaging)
        );
    }
    out.push_str("+++\n");
    out
}

// ---------------------------------------------------------------------------
// The Hugo site

macro_rules! layout {
    ($modern:literal, $old:literal) => {
        (
            $modern,
            Some($old),
            include_str!(concat!("layouts/", $modern)),
        )
    };
}

fn write_hugo_site(flavor: Flavor, w: &mut Writer) -> io::Result<()> {
    let modern = flavor == Flavor::HugoModern;
    // 0.158 renamed languageCode to locale; 0.145 renamed _build to build.
    let (language_key, build_key) = if modern {
        ("locale", "build")
    } else {
        ("languageCode", "_build")
    };
    let mut config = format!(
        "baseURL = {}\ntitle = {}\n{language_key} = \"en\"\n{HUGO_CONFIG}",
        toml_str(BASE_URL),
        toml_str(TITLE)
    );
    let _ = writeln!(config, "description = {}", toml_str(DESCRIPTION));
    config.push_str("\n[params.meaning.packaging]\n");
    for p in PACKAGING {
        let _ = writeln!(config, "{} = {}", p.0, toml_str(p.3));
    }
    config.push_str("\n[params.meaning.metering]\n");
    for m in MECHANICS {
        let _ = writeln!(config, "{} = {}", m.0, toml_str(m.2));
    }
    w.write("hugo.toml", &config)?;
    w.write(
        "content/_index.md",
        &format!("+++\ntitle = {}\n+++\n", toml_str(TITLE)),
    )?;
    // trendsite has no /companies/ page; its companies are listed on the home page.
    w.write(
        "content/companies/_index.md",
        &format!("+++\ntitle = \"Companies\"\n[{build_key}]\nrender = \"never\"\nlist = \"always\"\n+++\n"),
    )?;
    w.write("content/trends/_index.md", "+++\ntitle = \"Trends\"\n+++\n")?;
    for &(modern_path, old_path, text) in HUGO_LAYOUTS {
        let path = if modern { Some(modern_path) } else { old_path };
        if let Some(path) = path {
            w.write(&format!("layouts/{path}"), text)?;
        }
    }
    Ok(())
}

/// hugo.toml after baseURL, title and the language, up to the description.
const HUGO_CONFIG: &str = r#"disableHugoGeneratorInject = true
timeout = "600s"
# trendsite writes a sitemap, a feed and data files beside the pages; Hugo
# makes the pages only.
disableKinds = ["RSS", "sitemap", "robotsTXT"]

[taxonomies]
packaging = "packaging"
mechanic = "metering"

[markup.goldmark.renderer]
unsafe = true  # raw HTML in bodies is kept, as trendsite keeps it

[markup.goldmark.extensions]
typographer = false
linkify = false

[params]
"#;

/// The layouts, stored as Hugo 0.146 and later look them up:
/// (path from 0.146, path before 0.146 or None where older Hugo needs no
/// file, text).
const HUGO_LAYOUTS: &[(&str, Option<&str>, &str)] = &[
    layout!("baseof.html", "_default/baseof.html"),
    layout!("home.html", "index.html"),
    layout!("page.html", "_default/single.html"),
    layout!("trends/page.html", "trends/single.html"),
    layout!("section.html", "_default/list.html"),
    layout!("taxonomy.html", "_default/taxonomy.html"),
    layout!("term.html", "_default/term.html"),
    layout!("404.html", "404.html"),
    layout!("_partials/selected.html", "partials/selected.html"),
    layout!("_partials/trend-card.html", "partials/trend-card.html"),
    layout!("_partials/company-item.html", "partials/company-item.html"),
    layout!(
        "_markup/render-link.html",
        "_default/_markup/render-link.html"
    ),
    // Hugo 0.134 and later render Markdown tables through a built-in hook
    // that indents rows with tabs; this one writes what Goldmark writes
    // without a hook, as Hugo 0.111 does. Older Hugo has no table hooks.
    (
        "_markup/render-table.html",
        None,
        include_str!("layouts/_markup/render-table.html"),
    ),
];
