//! Facts marked unconfirmed: values an entry keeps although its sources did
//! not confirm them on its `verified` date, so readers are told and `check`
//! lists them.

use super::{Company, Field, Span};

/// The fields whose value may be marked unconfirmed: what a vendor states
/// about its AI offer. Tier fields are addressed through the tier's name
/// (`tiers.Pro.ai_allowance`). `name`, `website` and `category` identify
/// and file the entry, `metering.note` is the editor's own words (where an
/// unconfirmed fact is explained), and `verified` and `sources` are the
/// verification itself: none of them is a vendor's claim to confirm.
pub const UNCONFIRMED_FIELDS: &[Field] = &[
    Field::AiPackaging,
    Field::MeteringMechanic,
    Field::MeteringUnit,
    Field::MeteringPayg,
    Field::TiersPriceUsd,
    Field::TiersPeriod,
    Field::TiersPer,
    Field::TiersAiAllowance,
];

/// One fact of a company marked unconfirmed.
#[derive(Debug, Clone, PartialEq)]
pub struct Unconfirmed {
    pub field: Field,
    /// The tier's name, for a field of `[[tiers]]`; the mark is on every
    /// tier of that name.
    pub tier: Option<String>,
    /// Where its path is written in `unconfirmed`, in the company's
    /// [`super::Excerpts`].
    pub at: Span,
}

fn is_tier_field(field: Field) -> bool {
    field.path().starts_with("tiers.")
}

/// The field's name within its table: `mechanic`, `ai_allowance`.
fn leaf(field: Field) -> &'static str {
    let path = field.path();
    path.rsplit_once('.').map_or(path, |(_, leaf)| leaf)
}

impl Unconfirmed {
    /// The field and tier name a path names, or `None` when it names no
    /// field that can be marked. A tier's name may hold dots: the field is
    /// after the last one.
    pub fn parse_path(path: &str) -> Option<(Field, Option<&str>)> {
        let Some(rest) = path.strip_prefix("tiers.") else {
            let field = Field::parse(path)?;
            return (UNCONFIRMED_FIELDS.contains(&field) && !is_tier_field(field))
                .then_some((field, None));
        };
        let (tier, leaf) = rest.rsplit_once('.')?;
        let field = Field::parse(&format!("tiers.{leaf}"))?;
        (!tier.is_empty() && UNCONFIRMED_FIELDS.contains(&field)).then_some((field, Some(tier)))
    }

    /// The paths `unconfirmed` accepts, as an error lists them.
    pub fn allowed_paths() -> String {
        UNCONFIRMED_FIELDS
            .iter()
            .map(|&f| Self::path_of(f, is_tier_field(f).then_some("<tier name>")))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The path of `field`, in tier `tier` for a tier field.
    pub fn path_of(field: Field, tier: Option<&str>) -> String {
        match tier {
            Some(tier) => format!("tiers.{tier}.{}", leaf(field)),
            None => field.path().to_string(),
        }
    }

    /// The path as the editor writes it: `metering.mechanic`,
    /// `tiers.Pro.ai_allowance`.
    pub fn path(&self) -> String {
        Self::path_of(self.field, self.tier.as_deref())
    }

    /// The field's name within its table, such as `ai_allowance`: what a
    /// tier's view lists.
    pub fn leaf(&self) -> &'static str {
        leaf(self.field)
    }

    /// The fact as a reader's page names it: `Metering`, `Pro: AI
    /// allowance`.
    pub fn label(&self) -> String {
        let name = match self.field {
            Field::AiPackaging => "AI packaging",
            Field::MeteringMechanic => "Metering",
            Field::MeteringUnit => "Metering unit",
            Field::MeteringPayg => "Pay as you go",
            Field::TiersPriceUsd => "price",
            Field::TiersPeriod => "billing period",
            Field::TiersPer => "priced per",
            Field::TiersAiAllowance => "AI allowance",
            other => other.path(),
        };
        match &self.tier {
            Some(tier) => format!("{tier}: {name}"),
            None => name.to_string(),
        }
    }

    /// The value marked, as a reader sees it; `None` when the entry does
    /// not hold it (validation rules that out).
    pub fn value(&self, c: &Company) -> Option<String> {
        let m = c.metering.as_ref();
        let tier = || {
            c.tiers
                .iter()
                .find(|t| Some(t.name.as_str()) == self.tier.as_deref())
        };
        match self.field {
            Field::AiPackaging => Some(c.packaging.to_string()),
            Field::MeteringMechanic => m.map(|m| m.mechanic.to_string()),
            Field::MeteringUnit => m.and_then(|m| m.unit.clone()),
            Field::MeteringPayg => m.map(|m| if m.payg { "yes" } else { "no" }.into()),
            Field::TiersPriceUsd => tier()?.price_usd.map(|p| {
                if p.fract() == 0.0 {
                    format!("${p:.0}")
                } else {
                    format!("${p:.2}")
                }
            }),
            Field::TiersPeriod => tier()?.period.map(|p| p.to_string()),
            Field::TiersPer => tier()?.per.map(|p| p.to_string()),
            Field::TiersAiAllowance => tier()?.ai_allowance.clone(),
            _ => None,
        }
    }
}

impl Company {
    /// Whether a value of one of `fields` is marked unconfirmed (in any
    /// tier, for a tier field): whether a list chosen by those fields
    /// rests on an unconfirmed fact to show this company.
    pub fn unconfirmed_in(&self, fields: &[Field]) -> bool {
        self.unconfirmed.iter().any(|u| fields.contains(&u.field))
    }

    /// The fields of the tier named `tier` marked unconfirmed, by their
    /// name within the tier (`price_usd`, `ai_allowance`).
    pub fn tier_unconfirmed(&self, tier: &str) -> Vec<&'static str> {
        self.unconfirmed
            .iter()
            .filter(|u| u.tier.as_deref() == Some(tier))
            .map(Unconfirmed::leaf)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_a_field_and_a_tier() {
        assert_eq!(
            Unconfirmed::parse_path("metering.mechanic"),
            Some((Field::MeteringMechanic, None))
        );
        assert_eq!(
            Unconfirmed::parse_path("tiers.Pro 2.5.ai_allowance"),
            Some((Field::TiersAiAllowance, Some("Pro 2.5")))
        );
        for bad in [
            "tiers.ai_allowance",
            "tiers..price_usd",
            "tiers.Pro.name",
            "metering.note",
            "name",
            "verified",
            "metering.mechanics",
            "",
        ] {
            assert_eq!(Unconfirmed::parse_path(bad), None, "{bad}");
        }
        for &field in UNCONFIRMED_FIELDS {
            let tier = is_tier_field(field).then_some("Team");
            let path = Unconfirmed::path_of(field, tier);
            assert_eq!(
                Unconfirmed::parse_path(&path),
                Some((field, tier)),
                "{path}"
            );
        }
    }
}
