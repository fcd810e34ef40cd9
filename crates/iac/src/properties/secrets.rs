//! Secrets Manager secrets: the field map of [`SecretProps`].

use archsim_model::component::SecretProps;
use serde_json::{Value, json};

use super::{Field, FieldMap};

pub(crate) const DESCRIPTION: Field<SecretProps> = Field {
    path: "Description",
    write: |p| {
        if p.description.is_empty() {
            Value::Null
        } else {
            json!(p.description)
        }
    },
    read: Some(|p, v| {
        if let Some(d) = v.as_str() {
            p.description = d.into();
        }
    }),
    write_back: true,
    sam_global: false,
};

/// Secrets Manager makes the value. Export writes no options (a 32
/// character password); a template's own options are kept as written.
pub(crate) const GENERATE: Field<SecretProps> = Field {
    path: "GenerateSecretString",
    write: |p| {
        if p.generated { json!({}) } else { Value::Null }
    },
    read: Some(|p, v| p.generated = v.is_object()),
    write_back: false,
    sam_global: false,
};

pub(crate) const SECRET: FieldMap<SecretProps> = FieldMap {
    // A secret that says neither holds what is put in it later.
    unset: || SecretProps {
        generated: false,
        ..SecretProps::default()
    },
    fields: &[&DESCRIPTION, &GENERATE],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::properties::check::round_trips;

    #[test]
    fn every_field_round_trips() {
        round_trips(
            &SECRET,
            &SecretProps {
                description: "Database password".into(),
                generated: true,
                ..SecretProps::default()
            },
        );
        round_trips(&SECRET, &SecretProps::default());
    }
}
