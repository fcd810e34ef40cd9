//! Logical ids from component names: CamelCase, alphanumeric, unique, and
//! stable (a component keeps its id as long as its name does not change).

use std::collections::{BTreeMap, HashSet};

use archsim_model::Design;

/// `"Orders table (v2)"` -> `"OrdersTableV2"`. Never empty, never starts
/// with a digit.
pub fn camel(name: &str) -> String {
    let mut out = String::new();
    for word in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'R');
    }
    // CloudFormation logical ids are at most 255 characters; leave room
    // for the suffixes of generated resources.
    out.truncate(200);
    out
}

/// Assigns every component a logical id, in component id order, skipping
/// `reserved` ids (the generated VPC's, parameters).
pub fn logical_ids(design: &Design, reserved: &HashSet<String>) -> BTreeMap<String, String> {
    let mut used: HashSet<String> = reserved.clone();
    let mut out = BTreeMap::new();
    for c in design.components() {
        let base = camel(&c.name);
        let mut id = base.clone();
        let mut n = 2;
        while used.contains(&id) {
            id = format!("{base}{n}");
            n += 1;
        }
        used.insert(id.clone());
        out.insert(c.id.clone(), id);
    }
    out
}

/// `"Orders table"` -> `"orders-table"`: for file names, keys and
/// Kubernetes object names.
pub fn kebab(name: &str) -> String {
    let mut out = String::new();
    for word in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word.to_ascii_lowercase());
    }
    if out.is_empty() {
        out.push_str("app");
    }
    out.truncate(50);
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_ids() {
        assert_eq!(camel("Orders table (v2)"), "OrdersTableV2");
        assert_eq!(camel("3 workers"), "R3Workers");
        assert_eq!(camel("---"), "R");
        assert_eq!(kebab("Resize image!"), "resize-image");
    }
}
