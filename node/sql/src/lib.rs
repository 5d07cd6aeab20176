//! keel-sql: PostgreSQL-compatible SQL over Keel's vshards.
//!
//! Pipeline: [`parse`] (split + hand parser + sqlparser) -> [`bind`] (names, types, casts, key
//! lookups) -> [`plan`] -> [`exec`] (session side: routing, transactions, sorting, grouping) and
//! [`fragment`] (owner side: the part of a statement that runs on the worker owning the rows).

pub mod arith;
pub mod array;
pub mod auth;
pub mod bind;
pub mod catalog;
pub mod colocate;
pub mod datetime;
pub mod deparse;
pub mod eager;
pub mod enums;
pub mod error;
pub mod exec;
pub mod explain;
pub mod expr;
pub mod filter;
pub mod fragment;
pub mod functions;
pub mod join_order;
pub mod json;
pub mod locks;
pub mod numeric;
pub mod numfmt;
pub mod parse;
pub mod pgstat;
pub mod plan;
pub mod planner;
pub mod prune;
pub mod query;
pub mod sequence;
pub mod spill;
pub mod stats;
pub mod system;
pub mod types;
pub mod tz;
