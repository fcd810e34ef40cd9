//! Lambda functions (`AWS::Serverless::Function`, `AWS::Lambda::Function`):
//! the field map of [`LambdaProps`].

use archsim_model::component::{Architecture, LambdaProps, Packaging, Runtime};
use serde_json::{Map, Value, json};

use super::{Field, FieldMap, parse, spelling, u32_of};

const ARCHITECTURES: &[(Architecture, &str)] = &[
    (Architecture::X86_64, "x86_64"),
    (Architecture::Arm64, "arm64"),
];

/// The Lambda spelling of an architecture.
pub(crate) fn architecture(a: Architecture) -> &'static str {
    spelling(ARCHITECTURES, a)
}

pub(crate) const HANDLER: Field<LambdaProps> = Field {
    path: "Handler",
    write: |p| json!(p.handler),
    read: Some(|p, v| {
        if let Some(h) = v.as_str() {
            p.handler = h.into();
        }
    }),
    write_back: true,
    sam_global: true,
};

pub(crate) const RUNTIME: Field<LambdaProps> = Field {
    path: "Runtime",
    write: |p| json!(p.runtime_identifier()),
    // The exact identifier and its family (AWS's list is data in the
    // model); a runtime given as an intrinsic, or one archsim does not
    // know, reads as Node.js, as before.
    read: Some(|p, v| {
        let id = v.as_str().unwrap_or_default();
        match Runtime::of_identifier(id) {
            Some(family) => {
                p.runtime = family;
                p.runtime_id = Some(id.to_string());
            }
            None => p.runtime = Runtime::Nodejs,
        }
    }),
    write_back: false,
    sam_global: true,
};

pub(crate) const PACKAGE_TYPE: Field<LambdaProps> = Field {
    path: "PackageType",
    write: |p| {
        json!(match p.packaging {
            Packaging::Zip => "Zip",
            Packaging::Image => "Image",
        })
    },
    read: Some(|p, v| {
        if v.as_str() == Some("Image") {
            p.packaging = Packaging::Image;
        }
    }),
    write_back: false,
    sam_global: false,
};

pub(crate) const MEMORY: Field<LambdaProps> = Field {
    path: "MemorySize",
    write: |p| json!(p.memory_mb),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.memory_mb = n;
        }
    }),
    write_back: true,
    sam_global: true,
};

pub(crate) const TIMEOUT: Field<LambdaProps> = Field {
    path: "Timeout",
    write: |p| json!(p.timeout_s),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.timeout_s = n;
        }
    }),
    write_back: true,
    sam_global: true,
};

pub(crate) const ARCHITECTURE: Field<LambdaProps> = Field {
    path: "Architectures",
    write: |p| json!([architecture(p.architecture)]),
    // A list of exactly one.
    read: Some(|p, v| {
        if let Some(a) = v.get(0).and_then(|a| parse(ARCHITECTURES, a)) {
            p.architecture = a;
        }
    }),
    write_back: false,
    sam_global: true,
};

pub(crate) const EPHEMERAL_STORAGE: Field<LambdaProps> = Field {
    path: "EphemeralStorage/Size",
    write: |p| json!(p.ephemeral_storage_mb),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.ephemeral_storage_mb = n;
        }
    }),
    write_back: false,
    sam_global: true,
};

pub(crate) const RESERVED_CONCURRENCY: Field<LambdaProps> = Field {
    path: "ReservedConcurrentExecutions",
    write: |p| json!(p.reserved_concurrency),
    read: Some(|p, v| p.reserved_concurrency = u32_of(v)),
    write_back: true,
    sam_global: true,
};

fn tracing_mode(p: &LambdaProps) -> Value {
    json!(if p.tracing { "Active" } else { "PassThrough" })
}

fn read_tracing_mode(p: &mut LambdaProps, v: &Value) {
    if v.as_str() == Some("Active") {
        p.tracing = true;
    }
}

/// X-Ray tracing as SAM spells it.
pub(crate) const TRACING: Field<LambdaProps> = Field {
    path: "Tracing",
    write: tracing_mode,
    read: Some(read_tracing_mode),
    write_back: false,
    sam_global: true,
};

/// X-Ray tracing as CloudFormation spells it.
pub(crate) const TRACING_CONFIG: Field<LambdaProps> = Field {
    path: "TracingConfig/Mode",
    write: tracing_mode,
    read: Some(read_tracing_mode),
    write_back: false,
    sam_global: false,
};

/// The variables the user set; export adds those naming what the
/// function talks to, import keeps only plain strings.
pub(crate) const ENVIRONMENT: Field<LambdaProps> = Field {
    path: "Environment/Variables",
    write: |p| json!(p.environment),
    read: Some(|p, v| {
        if let Value::Object(vars) = v {
            for (k, v) in vars {
                if let Value::String(s) = v {
                    p.environment.insert(k.clone(), s.clone());
                }
            }
        }
    }),
    write_back: false,
    sam_global: true,
};

pub(crate) const SNAP_START: Field<LambdaProps> = Field {
    path: "SnapStart/ApplyOn",
    write: |p| {
        json!(if p.snap_start {
            "PublishedVersions"
        } else {
            "None"
        })
    },
    read: Some(|p, v| p.snap_start = v.as_str() == Some("PublishedVersions")),
    write_back: false,
    sam_global: true,
};

/// On a SAM function, and on the `live` alias of a CloudFormation one.
pub(crate) const PROVISIONED_CONCURRENCY: Field<LambdaProps> = Field {
    path: "ProvisionedConcurrencyConfig/ProvisionedConcurrentExecutions",
    write: |p| json!(p.provisioned_concurrency),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.provisioned_concurrency = n;
        }
    }),
    write_back: false,
    sam_global: true,
};

/// SAM's asynchronous invocation settings (CloudFormation has an
/// `AWS::Lambda::EventInvokeConfig` resource for them).
pub(crate) const MAX_EVENT_AGE: Field<LambdaProps> = Field {
    path: "EventInvokeConfig/MaximumEventAgeInSeconds",
    write: |p| json!(p.max_event_age_s),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.max_event_age_s = n;
        }
    }),
    write_back: false,
    sam_global: true,
};

pub(crate) const MAX_RETRY_ATTEMPTS: Field<LambdaProps> = Field {
    path: "EventInvokeConfig/MaximumRetryAttempts",
    write: |p| json!(p.max_retry_attempts),
    read: Some(|p, v| {
        if let Some(n) = u32_of(v) {
            p.max_retry_attempts = n;
        }
    }),
    write_back: false,
    sam_global: true,
};

pub(crate) const FUNCTION: FieldMap<LambdaProps> = FieldMap {
    unset: LambdaProps::default,
    // An edit writes a field the kept resource lacks at its end, in this
    // order.
    fields: &[
        &MEMORY,
        &TIMEOUT,
        &HANDLER,
        &RUNTIME,
        &PACKAGE_TYPE,
        &ARCHITECTURE,
        &EPHEMERAL_STORAGE,
        &RESERVED_CONCURRENCY,
        &TRACING,
        &TRACING_CONFIG,
        &ENVIRONMENT,
        &SNAP_START,
        &PROVISIONED_CONCURRENCY,
        &MAX_EVENT_AGE,
        &MAX_RETRY_ATTEMPTS,
    ],
};

/// SAM merges `Globals.Function`'s variables with a function's own (the
/// function's win); [`ENVIRONMENT`] read the function's, or the globals'
/// when the function has none.
pub(crate) fn merge_global_environment(
    f: &mut LambdaProps,
    props: &Map<String, Value>,
    globals: &Map<String, Value>,
) {
    if ENVIRONMENT.get(props).is_none() {
        return;
    }
    let mut from_globals = LambdaProps::default();
    if let (Some(read), Some(v)) = (ENVIRONMENT.read, ENVIRONMENT.get(globals)) {
        read(&mut from_globals, v);
    }
    for (k, v) in from_globals.environment {
        f.environment.entry(k).or_insert(v);
    }
}

/// Whether SAM's `Globals.Function` (export's `globals`) sets `field`.
pub(crate) fn in_globals(globals: &Map<String, Value>, field: &Field<LambdaProps>) -> bool {
    globals
        .get("Function")
        .and_then(Value::as_object)
        .is_some_and(|f| field.get(f).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::properties::parse;

    #[test]
    fn fields_round_trip() {
        let sample = LambdaProps {
            runtime: Runtime::Python,
            packaging: Packaging::Image,
            architecture: Architecture::Arm64,
            handler: "app.main".into(),
            memory_mb: 1024,
            timeout_s: 30,
            reserved_concurrency: Some(5),
            provisioned_concurrency: 2,
            ephemeral_storage_mb: 1024,
            snap_start: true,
            tracing: true,
            max_event_age_s: 600,
            max_retry_attempts: 1,
            environment: [("STAGE".to_string(), "prod".to_string())].into(),
            ..Default::default()
        };
        super::super::check::round_trips(&FUNCTION, &sample);
        assert_eq!(
            parse(ARCHITECTURES, &json!("arm64")),
            Some(Architecture::Arm64)
        );
    }
}
