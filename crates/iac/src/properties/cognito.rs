//! Cognito user pools: the field map of [`CognitoProps`].

use archsim_model::component::{CognitoProps, MfaMode};
use serde_json::{Value, json};

use super::{Field, FieldMap, spelling};

const MFA_MODES: &[(MfaMode, &str)] = &[
    (MfaMode::Off, "OFF"),
    (MfaMode::Optional, "OPTIONAL"),
    (MfaMode::On, "ON"),
];

pub(crate) const MFA: Field<CognitoProps> = Field {
    path: "MfaConfiguration",
    write: |p| json!(spelling(MFA_MODES, p.mfa)),
    read: None,
    write_back: false,
    sam_global: false,
};

pub(crate) const SELF_SIGN_UP: Field<CognitoProps> = Field {
    path: "AdminCreateUserConfig/AllowAdminCreateUserOnly",
    write: |p| json!(!p.self_sign_up),
    read: None,
    write_back: false,
    sam_global: false,
};

/// With MFA on or optional: authenticator apps.
pub(crate) const ENABLED_MFAS: Field<CognitoProps> = Field {
    path: "EnabledMfas",
    write: |p| match p.mfa {
        MfaMode::Off => Value::Null,
        MfaMode::Optional | MfaMode::On => json!(["SOFTWARE_TOKEN_MFA"]),
    },
    read: None,
    write_back: false,
    sam_global: false,
};

/// Import draws a user pool with the model's defaults: none of these is
/// read back yet.
pub(crate) const USER_POOL: FieldMap<CognitoProps> = FieldMap {
    unset: CognitoProps::default,
    fields: &[&MFA, &SELF_SIGN_UP, &ENABLED_MFAS],
};
