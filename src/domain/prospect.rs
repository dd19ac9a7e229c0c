//! Reaching families: a family the team wants to reach, who pointed it out
//! (the kind of source, never the person), and the slow way to trust.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::initiative::codes;

/// The kind of source that pointed the family out. Never the person, never
/// what they said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    School,
    Club,
    Kindergarten,
    FamilyCounselling,
    HealthVisitor,
    Association,
    OwnOutreach,
    /// The family came by itself.
    #[serde(rename = "self")]
    SelfReferred,
    Other,
}

codes!(SourceKind {
    School => "school",
    Club => "club",
    Kindergarten => "kindergarten",
    FamilyCounselling => "family_counselling",
    HealthVisitor => "health_visitor",
    Association => "association",
    OwnOutreach => "own_outreach",
    SelfReferred => "self",
    Other => "other",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProspectStatus {
    Identified,
    FirstContact,
    TrustBuilding,
    /// Took part: the prospect became a family record.
    Engaged,
    Declined,
    Lost,
}

codes!(ProspectStatus {
    Identified => "identified",
    FirstContact => "first_contact",
    TrustBuilding => "trust_building",
    Engaged => "engaged",
    Declined => "declined",
    Lost => "lost",
});

/// A kind of contact on the way, as the handbook describes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    LetterHelp,
    Exercise,
    HomeVisit,
    Event,
    PhoneCall,
    Meeting,
    ViaPartner,
    Other,
}

codes!(StepKind {
    LetterHelp => "letter_help",
    Exercise => "exercise",
    HomeVisit => "home_visit",
    Event => "event",
    PhoneCall => "phone_call",
    Meeting => "meeting",
    ViaPartner => "via_partner",
    Other => "other",
});

impl ProspectStatus {
    fn rank(self) -> u8 {
        match self {
            Self::Identified => 0,
            Self::FirstContact => 1,
            Self::TrustBuilding => 2,
            Self::Engaged | Self::Declined | Self::Lost => 3,
        }
    }

    pub fn is_final(self) -> bool {
        self.rank() == 3
    }

    /// Where a prospect may go from here.
    pub fn next(self) -> Vec<ProspectStatus> {
        if self.is_final() {
            return Vec::new();
        }
        ProspectStatus::ALL
            .iter()
            .copied()
            .filter(|to| to.rank() >= self.rank())
            .collect()
    }
}

/// A step may keep the status or move it forward (contact takes time, and a
/// step may be skipped); engaged, declined and lost are final.
pub fn ensure_step(from: ProspectStatus, to: ProspectStatus) -> Result<(), String> {
    if from.next().contains(&to) {
        return Ok(());
    }
    let allowed: Vec<&str> = from.next().iter().map(|status| status.code()).collect();
    Err(if allowed.is_empty() {
        format!("a prospect that is {} does not change", from.code())
    } else {
        format!(
            "from {} a prospect moves to {}",
            from.code(),
            allowed.join(", ")
        )
    })
}

/// Days from identified to engaged.
pub fn days_to_engage(identified_on: NaiveDate, engaged_on: NaiveDate) -> i64 {
    (engaged_on - identified_on).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProspectStatus::*;

    #[test]
    fn contact_moves_forward_and_may_skip_a_step() {
        assert!(ensure_step(Identified, FirstContact).is_ok());
        assert!(ensure_step(Identified, TrustBuilding).is_ok());
        assert!(ensure_step(TrustBuilding, TrustBuilding).is_ok());
        assert!(ensure_step(FirstContact, Declined).is_ok());
        assert!(ensure_step(TrustBuilding, Identified).is_err());
    }

    #[test]
    fn engaged_declined_and_lost_are_final() {
        for status in [Engaged, Declined, Lost] {
            assert!(status.next().is_empty());
            assert!(ensure_step(status, Lost)
                .unwrap_err()
                .contains("does not change"));
        }
    }

    #[test]
    fn the_self_referred_source_is_spelled_self() {
        assert_eq!(
            serde_json::to_string(&SourceKind::SelfReferred).unwrap(),
            "\"self\""
        );
        assert_eq!(SourceKind::parse("self"), Some(SourceKind::SelfReferred));
    }
}
