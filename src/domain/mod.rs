//! Pure rules of the domain: vocabularies, newtypes and validations.
//! Nothing here touches HTTP or the database, so everything is unit tested directly.

pub mod agreement;
pub mod area;
pub mod assessment;
pub mod calendar;
pub mod calendar_link;
pub mod catalog;
pub mod changes;
pub mod concern;
pub mod cpr;
pub mod danish;
pub mod family;
pub mod initiative;
pub mod labels;
pub mod language;
pub mod municipality;
pub mod outcomes;
pub mod prospect;
pub mod recommendations;
pub mod referral;
pub mod session;
pub mod settings;
pub mod sharing;
pub mod statistics;
pub mod validation;
pub mod webhooks;
