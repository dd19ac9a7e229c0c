//! HTTP-level tests of the API, each against a freshly served app and database.

mod helpers;

mod access_matrix;
mod areas;
mod assessments;
mod auth;
mod boundary;
mod calendar;
mod changes;
mod cli;
mod concern_reports;
mod contract;
mod errors;
mod families;
mod initiatives;
mod instances;
mod openapi;
mod operating;
mod operations;
mod outcomes;
mod practice;
mod privacy;
mod referrals;
mod webhooks;
