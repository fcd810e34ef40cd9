//! # archsim-model
//!
//! The design document of archsim: an AWS architecture as a typed graph.
//! Components (event sources, Lambda functions, load balancers, ECS
//! services and task definitions, capacity, EKS, registries, data stores)
//! are nodes with typed properties and AWS defaults; connections are edges
//! typed by what they mean (invoke sync/async, poll, route, runs on, pulls
//! image, uses, publishes, ...). One table says which connections AWS
//! allows; validation rules judge a design against AWS limits and good
//! practice; the file format is strict and versioned; every edit goes
//! through one function that records undo.
//!
//! Architecture invariant: this crate knows nothing of simulation, pricing,
//! templates or user interfaces. It is plain data plus rules.
//!
//! ```
//! use archsim_model::{Component, ComponentKind, Connection, Editor, Meaning, Op, validate};
//!
//! let mut editor = Editor::default();
//! editor.apply(Op::AddComponent { component: Component::new("uploads", "Uploads", ComponentKind::S3Bucket) })?;
//! editor.apply(Op::AddComponent { component: Component::new("resize", "Resize", ComponentKind::LambdaFunction) })?;
//! editor.apply(Op::Connect {
//!     connection: Connection::new("uploads-resize", "uploads", "resize", Meaning::InvokeAsync.default_kind()),
//! })?;
//! // S3 invokes Lambda asynchronously; it cannot poll it.
//! assert!(editor.apply(Op::Connect {
//!     connection: Connection::new("bad", "uploads", "resize", Meaning::Poll.default_kind()),
//! }).is_err());
//! let problems = validate(editor.design());
//! assert!(problems.iter().any(|p| p.code == "LAMBDA_ASYNC_NO_FAILURE_DESTINATION"));
//! editor.undo();
//! assert_eq!(editor.design().connection_count(), 0);
//! # Ok::<(), archsim_model::EditError>(())
//! ```

pub mod catalog;
pub mod civil;
pub mod component;
pub mod connection;
pub mod coverage;
pub mod design;
pub mod edit;
pub mod file;
pub mod filter_policy;
pub mod listener_rule;
pub mod region;
pub mod scenario;
pub mod schedule;
pub mod schema;
pub mod starters;
pub mod validate;

pub use component::{Component, ComponentKind, Position, Props};
pub use connection::{Connection, ConnectionKind, Meaning};
pub use coverage::Coverage;
pub use design::{Design, ExportProfile, Group, GroupKind};
pub use edit::{EditError, Editor, Op};
pub use file::{LoadError, SaveError, load, save};
pub use region::{REGIONS, is_known_region};
pub use scenario::Scenario;
pub use validate::{Problem, Severity, validate};
