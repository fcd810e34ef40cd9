//! The palette: every component kind, grouped by category in palette
//! order, and the starter designs New can begin from.

use archsim_model::ComponentKind;
use archsim_model::component::{Category, Serverless};
use archsim_model::starters::STARTERS;
use serde::Serialize;

#[cfg(feature = "ts")]
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct PaletteKind {
    pub kind: ComponentKind,
    pub label: String,
    /// A serverless service (no servers to run or patch).
    pub serverless: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct PaletteGroup {
    pub category: Category,
    pub label: String,
    pub kinds: Vec<PaletteKind>,
}

/// Every kind, grouped; empty categories are left out.
pub fn palette() -> Vec<PaletteGroup> {
    Category::ALL
        .into_iter()
        .map(|category| PaletteGroup {
            category,
            label: category.label().to_string(),
            kinds: ComponentKind::ALL
                .iter()
                .filter(|k| k.category() == category)
                .map(|&kind| PaletteKind {
                    kind,
                    label: kind.label().to_string(),
                    serverless: kind.serverless() == Serverless::Yes,
                })
                .collect(),
        })
        .filter(|g| !g.kinds.is_empty())
        .collect()
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct StarterInfo {
    pub name: String,
    pub summary: String,
}

/// The designs New can start from (`blank` among them).
pub fn starters() -> Vec<StarterInfo> {
    STARTERS
        .iter()
        .map(|s| StarterInfo {
            name: s.name.to_string(),
            summary: s.summary.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_in_the_palette_once() {
        let listed: Vec<ComponentKind> = palette()
            .iter()
            .flat_map(|g| g.kinds.iter().map(|k| k.kind))
            .collect();
        assert_eq!(listed.len(), ComponentKind::ALL.len());
        for k in ComponentKind::ALL {
            assert_eq!(listed.iter().filter(|l| *l == k).count(), 1, "{k:?}");
        }
    }

    #[test]
    fn the_brief_categories_are_present() {
        let labels: Vec<String> = palette().into_iter().map(|g| g.label).collect();
        for want in [
            "Event sources",
            "Compute",
            "Containers",
            "Networking",
            "Data",
            "Registries",
            "Security",
        ] {
            assert!(
                labels.iter().any(|l| l == want),
                "{want} missing from {labels:?}"
            );
        }
    }
}
