//! pullcheck: an offline linter that finds, in Kubernetes manifests, the image references, pull
//! policies and pull secrets that would leave a pod in `ErrImagePull` or `ImagePullBackOff`.
//!
//! The data flows one way (see the README's architecture section): [`discover`] lists the inputs,
//! [`yaml`] loads each into spanned documents, [`manifest`] extracts the workloads, [`rules`] judge
//! them with the [`config`], and [`report`] prints the [`diagnostic`]s. [`check`] runs the flow.

pub mod baseline;
pub mod catalog;
pub mod check;
pub mod cluster;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod image;
pub mod init;
pub mod inventory;
pub mod lsp;
pub mod manifest;
pub mod read;
pub mod redact;
pub mod registry;
pub mod report;
pub mod rules;
pub mod settings;
pub mod setup;
pub mod source;
pub mod suppress;
pub mod template;
pub mod uri;
pub mod yaml;
