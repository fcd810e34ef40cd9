//! Automatic layout: components in layers, left to right along their
//! connections (longest path from the sources), a cluster above its
//! members. Connections in a cycle are laid out in the order met.

use std::collections::{BTreeMap, BTreeSet};

use archsim_model::{Design, Position};

const COLUMN: f64 = 288.0;
const ROW: f64 = 112.0;

/// A position for every component.
pub(crate) fn layered(design: &Design) -> BTreeMap<String, Position> {
    let owners: BTreeSet<String> = design.groups().filter_map(|g| g.owner.clone()).collect();
    let ids: Vec<String> = design
        .components()
        .map(|c| c.id.clone())
        .filter(|id| !owners.contains(id))
        .collect();
    let mut preds: BTreeMap<&str, Vec<&str>> =
        ids.iter().map(|id| (id.as_str(), Vec::new())).collect();
    for c in design.connections() {
        if c.from != c.to
            && preds.contains_key(c.from.as_str())
            && let Some(p) = preds.get_mut(c.to.as_str())
        {
            p.push(c.from.as_str());
        }
    }
    // Kahn's order; what a cycle leaves behind goes in id order.
    let mut layer: BTreeMap<&str, usize> = BTreeMap::new();
    let mut remaining: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
    while !remaining.is_empty() {
        let ready: Vec<&str> = remaining
            .iter()
            .copied()
            .filter(|id| {
                preds[id]
                    .iter()
                    .all(|p| layer.contains_key(p) || !remaining.contains(p))
            })
            .collect();
        let batch = if ready.is_empty() {
            vec![*remaining.iter().next().unwrap_or(&"")]
        } else {
            ready
        };
        for id in batch {
            let l = preds[id]
                .iter()
                .filter_map(|p| layer.get(p))
                .map(|l| l + 1)
                .max()
                .unwrap_or(0);
            layer.insert(id, l);
            remaining.remove(id);
        }
    }
    let mut rows: BTreeMap<usize, usize> = BTreeMap::new();
    let mut out = BTreeMap::new();
    // Members of a cluster sit together: order each layer by cluster, then id.
    let cluster_of = |id: &str| {
        design
            .cluster_of(id)
            .map(|c| c.id.clone())
            .unwrap_or_default()
    };
    let mut ordered: Vec<&str> = layer.keys().copied().collect();
    ordered.sort_by_key(|id| (layer[id], cluster_of(id), id.to_string()));
    for id in ordered {
        let l = layer[id];
        let row = rows.entry(l).or_insert(0);
        out.insert(
            id.to_string(),
            Position::new(l as f64 * COLUMN, *row as f64 * ROW + ROW),
        );
        *row += 1;
    }
    for owner in &owners {
        let members: Vec<Position> = design
            .group_owned_by(owner)
            .map(|g| {
                g.members
                    .iter()
                    .filter_map(|m| out.get(m).copied())
                    .collect()
            })
            .unwrap_or_default();
        let at = match members
            .iter()
            .map(|p| (p.x, p.y))
            .reduce(|a, b| (a.0.min(b.0), a.1.min(b.1)))
        {
            Some((x, y)) => Position::new(x, y - ROW),
            None => Position::new(0.0, 0.0),
        };
        out.insert(owner.clone(), at);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_follow_connections_and_every_component_is_placed() {
        let design = archsim_model::starters::starter("serverless-api")
            .unwrap()
            .build()
            .unwrap();
        let at = layered(&design);
        assert_eq!(at.len(), design.component_count());
        for c in design.connections() {
            // Sources stand left of their targets unless a cycle forbids it.
            if let (Some(a), Some(b)) = (at.get(&c.from), at.get(&c.to)) {
                assert!(
                    a.x < b.x || design.outgoing(&c.to).iter().any(|(_, t)| t.id == c.from),
                    "{} -> {}",
                    c.from,
                    c.to
                );
            }
        }
        let distinct: BTreeSet<(i64, i64)> =
            at.values().map(|p| (p.x as i64, p.y as i64)).collect();
        assert_eq!(
            distinct.len(),
            at.len(),
            "no two components on the same spot"
        );
    }
}
