//! familiebro: housing-social teams and municipal staff working together on
//! vulnerable families, with individual data kept where the law puts it.
//! See ARCHITECTURE.md for what lives where.

pub mod api;
pub mod auth;
pub mod backup;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod metrics;
pub mod outbox;
pub mod progress;
pub mod rekey;
pub mod retention;
pub mod seed;
pub mod startup;
pub mod strict_json;
pub mod telemetry;
