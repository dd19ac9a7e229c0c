//! The change feed's vocabulary: what changed, who may learn that it did, and
//! the position of an entry in the feed. Entries hold no personal data: a type,
//! a resource and a time; clients fetch the resource through the API.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::catalog::MunicipalUnit;
use super::initiative::codes;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum ChangeType {
    #[serde(rename = "referral.created")]
    ReferralCreated,
    #[serde(rename = "referral.transitioned")]
    ReferralTransitioned,
    #[serde(rename = "referral.redacted")]
    ReferralRedacted,
    #[serde(rename = "concern_report.received")]
    ConcernReportReceived,
    #[serde(rename = "concern_report.urgency_assessed")]
    ConcernReportUrgencyAssessed,
    #[serde(rename = "concern_report.acknowledged")]
    ConcernReportAcknowledged,
    #[serde(rename = "concern_report.feedback_given")]
    ConcernReportFeedbackGiven,
    #[serde(rename = "assessment.created")]
    AssessmentCreated,
    #[serde(rename = "assessment.changed")]
    AssessmentChanged,
    #[serde(rename = "assessment.approved")]
    AssessmentApproved,
    #[serde(rename = "assessment.agreed")]
    AssessmentAgreed,
    #[serde(rename = "initiative.created")]
    InitiativeCreated,
    #[serde(rename = "initiative.changed")]
    InitiativeChanged,
    #[serde(rename = "session.added")]
    SessionAdded,
    #[serde(rename = "session.changed")]
    SessionChanged,
    #[serde(rename = "area.created")]
    AreaCreated,
    #[serde(rename = "area.changed")]
    AreaChanged,
    #[serde(rename = "family.created")]
    FamilyCreated,
    #[serde(rename = "family.changed")]
    FamilyChanged,
    #[serde(rename = "family.erased")]
    FamilyErased,
}

codes!(ChangeType {
    ReferralCreated => "referral.created",
    ReferralTransitioned => "referral.transitioned",
    ReferralRedacted => "referral.redacted",
    ConcernReportReceived => "concern_report.received",
    ConcernReportUrgencyAssessed => "concern_report.urgency_assessed",
    ConcernReportAcknowledged => "concern_report.acknowledged",
    ConcernReportFeedbackGiven => "concern_report.feedback_given",
    AssessmentCreated => "assessment.created",
    AssessmentChanged => "assessment.changed",
    AssessmentApproved => "assessment.approved",
    AssessmentAgreed => "assessment.agreed",
    InitiativeCreated => "initiative.created",
    InitiativeChanged => "initiative.changed",
    SessionAdded => "session.added",
    SessionChanged => "session.changed",
    AreaCreated => "area.created",
    AreaChanged => "area.changed",
    FamilyCreated => "family.created",
    FamilyChanged => "family.changed",
    FamilyErased => "family.erased",
});

impl ChangeType {
    /// The resource an entry of this type names; fetch it at its API path. A
    /// session names its initiative (`/initiatives/{id}/sessions`).
    pub fn resource_type(self) -> &'static str {
        use ChangeType::*;
        match self {
            ReferralCreated | ReferralTransitioned | ReferralRedacted => "referral",
            ConcernReportReceived
            | ConcernReportUrgencyAssessed
            | ConcernReportAcknowledged
            | ConcernReportFeedbackGiven => "concern_report",
            AssessmentCreated | AssessmentChanged | AssessmentApproved | AssessmentAgreed => {
                "assessment"
            }
            InitiativeCreated | InitiativeChanged | SessionAdded | SessionChanged => "initiative",
            AreaCreated | AreaChanged => "area",
            FamilyCreated | FamilyChanged | FamilyErased => "family",
        }
    }
}

/// An entry of the change feed, as clients read it and webhooks deliver it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Entry {
    /// The position after this entry: keep it to continue from here.
    pub cursor: String,
    #[serde(rename = "type")]
    pub change_type: ChangeType,
    /// `referral`, `concern_report`, `assessment`, `initiative`, `area` or `family`.
    pub resource_type: String,
    pub resource_id: uuid::Uuid,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// Who may learn of a change: the housing-social workers of an area, and/or
/// the municipal side (every caseworker of a municipality, or one unit).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Audience {
    pub area_id: Option<String>,
    pub housing_side: bool,
    pub municipality_code: Option<String>,
    pub unit: Option<MunicipalUnit>,
    pub municipal_side: bool,
}

impl Audience {
    /// The area's workers only (individual data on the housing-social side).
    pub fn housing(area_id: &str) -> Self {
        Self {
            area_id: Some(area_id.to_owned()),
            housing_side: true,
            ..Self::default()
        }
    }

    /// Both sides of an area's joint work: its workers and its municipality.
    pub fn area_work(area_id: &str, municipality_code: &str) -> Self {
        Self {
            area_id: Some(area_id.to_owned()),
            housing_side: true,
            municipality_code: Some(municipality_code.to_owned()),
            municipal_side: true,
            unit: None,
        }
    }

    /// The two ends of a referral or a concern report: the area's workers and
    /// one municipal unit; either end may be left out.
    pub fn ends(
        area_id: &str,
        housing_side: bool,
        municipality_code: &str,
        unit: MunicipalUnit,
        municipal_side: bool,
    ) -> Self {
        Self {
            area_id: Some(area_id.to_owned()),
            housing_side,
            municipality_code: Some(municipality_code.to_owned()),
            unit: Some(unit),
            municipal_side,
        }
    }
}

/// A position in the feed: the writing transaction and the entry's sequence
/// number. Entries are ordered by it, and none ever appears before a position
/// a reader was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Position {
    pub txid: i64,
    pub seq: i64,
}

impl Position {
    /// The opaque cursor clients keep.
    pub fn cursor(self) -> String {
        URL_SAFE_NO_PAD.encode(format!("c1.{}.{}", self.txid, self.seq))
    }

    pub fn parse(cursor: &str) -> Result<Self, String> {
        let invalid = || "is not a cursor this feed gave out".to_owned();
        let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let mut parts = text.split('.');
        let (Some("c1"), Some(txid), Some(seq), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid());
        };
        let number = |part: &str| part.parse::<i64>().ok().filter(|value| *value >= 0);
        match (number(txid), number(seq)) {
            (Some(txid), Some(seq)) => Ok(Self { txid, seq }),
            _ => Err(invalid()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_nothing_else_parses() {
        let position = Position { txid: 812, seq: 77 };
        assert_eq!(Position::parse(&position.cursor()), Ok(position));
        assert!(Position::parse("77").is_err());
        assert!(Position::parse(&URL_SAFE_NO_PAD.encode("c1.-1.5")).is_err());
        assert!(Position::parse(&URL_SAFE_NO_PAD.encode("c1.1.5.6")).is_err());
    }

    #[test]
    fn positions_order_by_transaction_then_sequence() {
        let older_transaction = Position { txid: 10, seq: 90 };
        let newer_transaction = Position { txid: 11, seq: 5 };
        assert!(older_transaction < newer_transaction);
    }

    #[test]
    fn every_change_type_has_a_code_serde_agrees_with() {
        for change_type in ChangeType::ALL {
            assert_eq!(
                serde_json::to_value(change_type).unwrap(),
                change_type.code()
            );
        }
    }
}
