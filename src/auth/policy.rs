//! The access policy: which role may use which operation, and which records a
//! caller's scope reaches. It is the only place such rules live; handlers ask it.
//!
//! Deny by default: an operation that has no rule here is denied to every role.
//! A role that may never use an operation gets 403; a caller that may, asking for
//! a record outside its scope, gets 404 exactly as for a record that does not exist.

use uuid::Uuid;

use super::principal::{Actor, Principal, Role};
use crate::domain::agreement::AgreementStatus;
use crate::domain::assessment::{AssessmentStatus, Side};
use crate::domain::catalog::MunicipalUnit;
use crate::domain::changes::ChangeType;
use crate::domain::municipality::MunicipalityCode;
use crate::domain::referral::{visible_to, Direction, ReferralStatus};
use crate::domain::settings::MunicipalitySettings;
use crate::domain::statistics::Disclosure;
use crate::error::ApiError;

/// Declares the operations, and for each a marker type of the same name in [`op`]
/// so that a handler names its operation in its signature: `Allowed<op::WriteAreas>`.
macro_rules! operations {
    ($($name:ident),+ $(,)?) => {
        /// Every operation of the API that needs a decision.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Operation {
            $($name),+
        }

        impl Operation {
            pub const ALL: &'static [Operation] = &[$(Operation::$name),+];
        }

        /// Marker types of the operations, for [`crate::auth::Allowed`].
        pub mod op {
            $(
                pub struct $name;

                impl super::OperationMarker for $name {
                    const OPERATION: super::Operation = super::Operation::$name;
                }
            )+
        }
    };
}

pub trait OperationMarker {
    const OPERATION: Operation;
}

operations! {
    ReadCatalog,
    ReadAreas,
    WriteAreas,
    ReadAssessments,
    WriteAssessments,
    ReadInitiatives,
    WriteInitiatives,
    ManageFamilies,
    Referrals,
    ReportConcerns,
    ReadConcernReports,
    HandleConcernReports,
    ExportFamily,
    EraseFamily,
    ReadAuditTrail,
    ReadStatistics,
    ReadMunicipalitySettings,
    WriteMunicipalitySettings,
    ReadChanges,
    ManageWebhooks,
    ReadAgreements,
    WriteAgreements,
}

use Role::*;

const EVERY_ROLE: &[Role] = &Role::ALL;

/// The two sides of the joint work.
const BOTH_SIDES: &[Role] = &[HousingSocialWorker, MunicipalCaseworker];
/// Readers of aggregate work: both sides and analysts.
const AGGREGATE_READERS: &[Role] = &[HousingSocialWorker, MunicipalCaseworker, Analyst];
const HOUSING_SOCIAL: &[Role] = &[HousingSocialWorker];
const MUNICIPAL: &[Role] = &[MunicipalCaseworker];
const DATA_PROTECTION: &[Role] = &[DataProtectionOfficer];
const FAMILY_GUARDIANS: &[Role] = &[HousingSocialWorker, DataProtectionOfficer];
const ADMIN: &[Role] = &[Admin];

/// Operation → the roles admitted to it.
const RULES: &[(Operation, &[Role])] = &[
    (Operation::ReadCatalog, EVERY_ROLE),
    (Operation::ReadAreas, EVERY_ROLE),
    (Operation::WriteAreas, ADMIN),
    (Operation::ReadAssessments, AGGREGATE_READERS),
    (Operation::WriteAssessments, BOTH_SIDES),
    (Operation::ReadInitiatives, AGGREGATE_READERS),
    (Operation::WriteInitiatives, HOUSING_SOCIAL),
    // Individual data: families, contacts, consents, enrolments, attendance.
    (Operation::ManageFamilies, HOUSING_SOCIAL),
    // Individual data crossing the line: only the two ends of a referral or report.
    (Operation::Referrals, BOTH_SIDES),
    (Operation::ReportConcerns, HOUSING_SOCIAL),
    (Operation::ReadConcernReports, BOTH_SIDES),
    // Receipt, urgency assessment and feedback: the receiving unit (decided per report).
    (Operation::HandleConcernReports, MUNICIPAL),
    // Subject access and erasure: the family's own team, and the data protection officer.
    (Operation::ExportFamily, FAMILY_GUARDIANS),
    (Operation::EraseFamily, FAMILY_GUARDIANS),
    (Operation::ReadAuditTrail, DATA_PROTECTION),
    (Operation::ReadStatistics, AGGREGATE_READERS),
    (Operation::ReadMunicipalitySettings, EVERY_ROLE),
    (Operation::WriteMunicipalitySettings, ADMIN),
    // The change feed and webhooks: the systems of an area team or a municipal unit.
    (Operation::ReadChanges, BOTH_SIDES),
    (Operation::ManageWebhooks, BOTH_SIDES),
    // Cooperation agreements: drafted and signed by both sides, read by analysts once agreed.
    (Operation::ReadAgreements, AGGREGATE_READERS),
    (Operation::WriteAgreements, BOTH_SIDES),
];

/// Operations on individual data: every access to them is audited, denied ones too.
pub fn is_individual_data(operation: Operation) -> bool {
    matches!(
        operation,
        Operation::ManageFamilies
            | Operation::Referrals
            | Operation::ReportConcerns
            | Operation::ReadConcernReports
            | Operation::HandleConcernReports
            | Operation::ExportFamily
            | Operation::EraseFamily
    )
}

/// The roles admitted to `operation`; empty when it has no rule.
pub fn admitted_roles(operation: Operation) -> &'static [Role] {
    RULES
        .iter()
        .find(|(rule_operation, _)| *rule_operation == operation)
        .map(|(_, roles)| *roles)
        .unwrap_or(&[])
}

/// 403 unless the caller's role is admitted to `operation`.
pub fn authorize(principal: &Principal, operation: Operation) -> Result<(), ApiError> {
    if admitted_roles(operation).contains(&principal.role()) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Which areas a caller sees. Areas are aggregate data, shared between the sides;
/// municipal staff (and analysts bound to a municipality) see their municipality's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AreaVisibility {
    All,
    Municipality(MunicipalityCode),
}

pub fn area_visibility(principal: &Principal) -> AreaVisibility {
    match &principal.actor {
        Actor::MunicipalCaseworker { municipality, .. } => {
            AreaVisibility::Municipality(*municipality)
        }
        Actor::Analyst {
            municipality: Some(municipality),
        } => AreaVisibility::Municipality(*municipality),
        Actor::HousingSocialWorker { .. }
        | Actor::Analyst { municipality: None }
        | Actor::DataProtectionOfficer { .. }
        | Actor::Admin => AreaVisibility::All,
    }
}

impl AreaVisibility {
    /// The municipality a list of areas is limited to when the caller asks for
    /// `requested` (none: every municipality); `None` when it may see none of them.
    pub fn narrowed(self, requested: Option<MunicipalityCode>) -> Option<Option<MunicipalityCode>> {
        match (self, requested) {
            (AreaVisibility::All, requested) => Some(requested),
            (AreaVisibility::Municipality(own), Some(requested)) if requested != own => None,
            (AreaVisibility::Municipality(own), _) => Some(Some(own)),
        }
    }

    pub fn includes(self, municipality_code: &str) -> bool {
        match self {
            AreaVisibility::All => true,
            AreaVisibility::Municipality(code) => code.as_str() == municipality_code,
        }
    }
}

/// The areas whose joint, aggregate work (assessments, initiative plans) a caller
/// reaches: housing-social workers their areas, municipal staff their
/// municipality's, analysts every area (or their municipality's, when bound to one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AreaWorkScope {
    Every,
    Areas(Vec<Uuid>),
    Municipality(MunicipalityCode),
    Nothing,
}

pub fn area_work_scope(principal: &Principal) -> AreaWorkScope {
    match &principal.actor {
        Actor::HousingSocialWorker { areas } => AreaWorkScope::Areas(areas.clone()),
        Actor::MunicipalCaseworker { municipality, .. }
        | Actor::Analyst {
            municipality: Some(municipality),
        } => AreaWorkScope::Municipality(*municipality),
        Actor::Analyst { municipality: None } => AreaWorkScope::Every,
        Actor::DataProtectionOfficer { .. } | Actor::Admin => AreaWorkScope::Nothing,
    }
}

pub fn reaches_area_work(principal: &Principal, area_id: &str, municipality_code: &str) -> bool {
    match area_work_scope(principal) {
        AreaWorkScope::Every => true,
        AreaWorkScope::Areas(areas) => names_one_of(area_id, &areas),
        AreaWorkScope::Municipality(code) => code.as_str() == municipality_code,
        AreaWorkScope::Nothing => false,
    }
}

/// Whether the caller reaches the individual records (families, their contacts,
/// consents, enrolments and attendance) of an area: only its housing-social workers.
pub fn reaches_families_of(principal: &Principal, area_id: &str) -> bool {
    match &principal.actor {
        Actor::HousingSocialWorker { areas } => names_one_of(area_id, areas),
        _ => false,
    }
}

/// Whether the stored id `area_id` is one of `areas`; compared as UUIDs, since
/// formatting every area of a token to compare text was a measurable share of
/// each request.
fn names_one_of(area_id: &str, areas: &[Uuid]) -> bool {
    Uuid::try_parse(area_id).is_ok_and(|area_id| areas.contains(&area_id))
}

/// Whether the caller may export or erase a family of `area_id` (whose housing
/// organisation is `organisation_code`): the area's housing-social workers, and
/// the data protection officer of that housing organisation.
pub fn guards_family_of(principal: &Principal, area_id: &str, organisation_code: &str) -> bool {
    guarded_organisation(principal).is_some_and(|org| org == organisation_code)
        || reaches_families_of(principal, area_id)
}

/// The housing organisation whose individual data a data protection officer
/// guards (claim `org`); none for every other role.
pub fn guarded_organisation(principal: &Principal) -> Option<String> {
    match &principal.actor {
        Actor::DataProtectionOfficer { org } => Some(org.clone()),
        _ => None,
    }
}

/// How counts about an area are shown to the caller: exactly to the area's own
/// housing-social team, with small counts suppressed to everyone else.
pub fn disclosure_for(principal: &Principal, area_id: &str, threshold: i64) -> Disclosure {
    if reaches_families_of(principal, area_id) {
        Disclosure::Exact
    } else {
        Disclosure::Suppressed { threshold }
    }
}

/// The areas whose families the caller may list.
pub fn family_areas(principal: &Principal) -> Vec<String> {
    match &principal.actor {
        Actor::HousingSocialWorker { areas } => areas.iter().map(Uuid::to_string).collect(),
        _ => Vec::new(),
    }
}

/// The ends of referrals a caller can hold: a municipal unit, or the areas it works in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferralEnds {
    Municipal {
        municipality: MunicipalityCode,
        unit: MunicipalUnit,
    },
    Areas(Vec<Uuid>),
    Nothing,
}

pub fn referral_ends(principal: &Principal) -> ReferralEnds {
    match &principal.actor {
        Actor::HousingSocialWorker { areas } => ReferralEnds::Areas(areas.clone()),
        Actor::MunicipalCaseworker { municipality, unit } => ReferralEnds::Municipal {
            municipality: *municipality,
            unit: *unit,
        },
        _ => ReferralEnds::Nothing,
    }
}

/// The two ends of a referral and where it stands, as the policy sees it.
#[derive(Debug, Clone, Copy)]
pub struct ReferralParties<'a> {
    pub area_id: &'a str,
    pub municipality_code: &'a str,
    pub unit: &'a str,
    pub direction: Direction,
    pub status: ReferralStatus,
}

/// The side of a referral the caller holds and may see it from, if any: the
/// sender always, the receiver once it is requested (a draft exists only for
/// its sender). Everyone else gets 404 for it.
pub fn referral_side(principal: &Principal, referral: ReferralParties<'_>) -> Option<Side> {
    end_held(
        principal,
        referral.area_id,
        referral.municipality_code,
        referral.unit,
    )
    .filter(|side| visible_to(referral.direction.role_of(*side), referral.status))
}

/// The side of a referral (between `area_id` and a municipality's `unit`) that
/// the caller holds, if any.
fn end_held(
    principal: &Principal,
    area_id: &str,
    municipality_code: &str,
    unit: &str,
) -> Option<Side> {
    match referral_ends(principal) {
        ReferralEnds::Areas(areas) => areas
            .iter()
            .any(|area| area.to_string() == area_id)
            .then_some(Side::HousingSocial),
        ReferralEnds::Municipal {
            municipality,
            unit: own_unit,
        } => (municipality.as_str() == municipality_code && own_unit.code() == unit)
            .then_some(Side::Municipal),
        ReferralEnds::Nothing => None,
    }
}

/// The end of a concern report a caller holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConcernEnd {
    /// The housing-social team of the area it was reported from: sees its status.
    Reporter,
    /// The municipal unit that received it: sees all of it.
    Receiver,
}

/// Where a concern report came from and which unit received it.
#[derive(Debug, Clone, Copy)]
pub struct ConcernParties<'a> {
    pub area_id: &'a str,
    pub municipality_code: &'a str,
    pub receiving_unit: MunicipalUnit,
}

/// The end of a concern report the caller holds, if any: the receiving unit of
/// its municipality, or the workers of the area it came from.
pub fn concern_report_end(principal: &Principal, report: ConcernParties<'_>) -> Option<ConcernEnd> {
    match &principal.actor {
        Actor::MunicipalCaseworker { municipality, unit } => {
            (municipality.as_str() == report.municipality_code && *unit == report.receiving_unit)
                .then_some(ConcernEnd::Receiver)
        }
        Actor::HousingSocialWorker { .. } => {
            reaches_families_of(principal, report.area_id).then_some(ConcernEnd::Reporter)
        }
        _ => None,
    }
}

/// Which concern reports a caller's lists show: those its unit received in its
/// municipality, those of the areas it works in, or none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConcernReportScope {
    Received {
        municipality: MunicipalityCode,
        unit: MunicipalUnit,
    },
    Reported(Vec<String>),
    Nothing,
}

pub fn concern_report_scope(principal: &Principal) -> ConcernReportScope {
    match &principal.actor {
        Actor::MunicipalCaseworker { municipality, unit } => ConcernReportScope::Received {
            municipality: *municipality,
            unit: *unit,
        },
        Actor::HousingSocialWorker { .. } => ConcernReportScope::Reported(family_areas(principal)),
        _ => ConcernReportScope::Nothing,
    }
}

/// Whether the caller's approval counts for its side: every housing-social
/// worker of the area for theirs; for the municipality, a caseworker of one of
/// its signatory units only.
pub fn signs_for_its_side(principal: &Principal, settings: &MunicipalitySettings) -> bool {
    match &principal.actor {
        Actor::HousingSocialWorker { .. } => true,
        Actor::MunicipalCaseworker { unit, .. } => settings.signs(*unit),
        _ => false,
    }
}

/// Whose entries of the change feed (and webhook deliveries) a caller gets:
/// a housing-social worker those of its areas' teams, a caseworker those of
/// its municipality and unit; entries name no person, only what changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeFeedScope {
    Areas(Vec<String>),
    Unit {
        municipality: MunicipalityCode,
        unit: MunicipalUnit,
    },
    Nothing,
}

pub fn change_feed_scope(principal: &Principal) -> ChangeFeedScope {
    match &principal.actor {
        Actor::HousingSocialWorker { .. } => ChangeFeedScope::Areas(family_areas(principal)),
        Actor::MunicipalCaseworker { municipality, unit } => ChangeFeedScope::Unit {
            municipality: *municipality,
            unit: *unit,
        },
        _ => ChangeFeedScope::Nothing,
    }
}

/// The change types a caller's side can be told of: the municipal side never
/// of families, the housing-social side never of the unit's urgency assessments.
pub fn change_types_for(scope: &ChangeFeedScope) -> Vec<ChangeType> {
    ChangeType::ALL
        .iter()
        .copied()
        .filter(|change| match scope {
            ChangeFeedScope::Areas(_) => *change != ChangeType::ConcernReportUrgencyAssessed,
            ChangeFeedScope::Unit { .. } => change.resource_type() != "family",
            ChangeFeedScope::Nothing => false,
        })
        .collect()
}

/// Whether a caller may manage a webhook subscription made for `scope`: a
/// caseworker of the same unit, or a worker who reaches every area of it.
pub fn manages_subscription(principal: &Principal, scope: &ChangeFeedScope) -> bool {
    match (change_feed_scope(principal), scope) {
        (ChangeFeedScope::Areas(own), ChangeFeedScope::Areas(areas)) => {
            !areas.is_empty() && areas.iter().all(|area| own.contains(area))
        }
        (ChangeFeedScope::Unit { .. }, ChangeFeedScope::Unit { .. }) => {
            change_feed_scope(principal) == *scope
        }
        _ => false,
    }
}

/// Whether a family export may carry the content of its concern reports: only
/// for the data protection officer, who weighs the child's interest case by case.
pub fn may_include_concern_report_content(principal: &Principal) -> bool {
    matches!(principal.actor, Actor::DataProtectionOfficer { .. })
}

/// The municipal unit the caller works in, if a caseworker.
pub fn unit_of(principal: &Principal) -> Option<MunicipalUnit> {
    match principal.actor {
        Actor::MunicipalCaseworker { unit, .. } => Some(unit),
        _ => None,
    }
}

/// The side of the line the caller works on; contributions and approvals are
/// attributed to it, never to what a request body claims.
pub fn side_of(principal: &Principal) -> Option<Side> {
    match principal.actor {
        Actor::HousingSocialWorker { .. } => Some(Side::HousingSocial),
        Actor::MunicipalCaseworker { .. } => Some(Side::Municipal),
        Actor::Analyst { .. } | Actor::DataProtectionOfficer { .. } | Actor::Admin => None,
    }
}

/// Analysts see only agreed assessments: drafts are the two sides' working material.
pub fn sees_assessment(principal: &Principal, status: AssessmentStatus) -> bool {
    match principal.actor {
        Actor::Analyst { .. } => status == AssessmentStatus::Agreed,
        _ => true,
    }
}

/// Analysts see only agreed cooperation agreements, as with assessments.
pub fn sees_agreement(principal: &Principal, status: AgreementStatus) -> bool {
    match principal.actor {
        Actor::Analyst { .. } => status == AgreementStatus::Agreed,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(actor: Actor) -> Principal {
        Principal {
            subject: "someone".into(),
            actor,
        }
    }

    fn copenhagen() -> MunicipalityCode {
        MunicipalityCode::parse("101").unwrap()
    }

    #[test]
    fn only_admins_write_areas() {
        assert!(authorize(&principal(Actor::Admin), Operation::WriteAreas).is_ok());
        let worker = principal(Actor::HousingSocialWorker { areas: vec![] });
        assert!(matches!(
            authorize(&worker, Operation::WriteAreas),
            Err(ApiError::Forbidden)
        ));
    }

    #[test]
    fn every_operation_has_a_rule() {
        for operation in Operation::ALL {
            assert!(
                !admitted_roles(*operation).is_empty(),
                "{operation:?} has no rule"
            );
        }
    }

    #[test]
    fn every_role_reads_the_catalogue() {
        assert_eq!(admitted_roles(Operation::ReadCatalog), &Role::ALL);
    }

    #[test]
    fn a_caseworker_sees_only_areas_of_its_municipality() {
        let caseworker = principal(Actor::MunicipalCaseworker {
            municipality: copenhagen(),
            unit: MunicipalUnit::SocialServices,
        });
        let visibility = area_visibility(&caseworker);
        assert!(visibility.includes("101"));
        assert!(!visibility.includes("751"));
    }

    #[test]
    fn assessments_are_reached_by_the_areas_workers_and_its_municipality() {
        let area = uuid::Uuid::now_v7();
        let worker = principal(Actor::HousingSocialWorker { areas: vec![area] });
        assert!(reaches_area_work(&worker, &area.to_string(), "101"));
        assert!(!reaches_area_work(
            &worker,
            &uuid::Uuid::now_v7().to_string(),
            "101"
        ));
        let caseworker = principal(Actor::MunicipalCaseworker {
            municipality: copenhagen(),
            unit: MunicipalUnit::FamilyCounselling,
        });
        assert!(reaches_area_work(&caseworker, &area.to_string(), "101"));
        assert!(!reaches_area_work(&caseworker, &area.to_string(), "751"));
        assert!(!reaches_area_work(
            &principal(Actor::Admin),
            &area.to_string(),
            "101"
        ));
    }

    #[test]
    fn only_housing_social_workers_of_the_area_reach_its_families() {
        let area = uuid::Uuid::now_v7();
        let worker = principal(Actor::HousingSocialWorker { areas: vec![area] });
        assert!(reaches_families_of(&worker, &area.to_string()));
        assert!(!reaches_families_of(
            &worker,
            &uuid::Uuid::now_v7().to_string()
        ));
        let caseworker = principal(Actor::MunicipalCaseworker {
            municipality: copenhagen(),
            unit: MunicipalUnit::SocialServices,
        });
        assert!(!reaches_families_of(&caseworker, &area.to_string()));
        assert!(family_areas(&principal(Actor::Admin)).is_empty());
        assert_eq!(
            admitted_roles(Operation::ManageFamilies),
            &[Role::HousingSocialWorker]
        );
    }

    #[test]
    fn a_referral_is_reached_from_its_area_or_its_unit_only() {
        let area = uuid::Uuid::now_v7();
        let worker = principal(Actor::HousingSocialWorker { areas: vec![area] });
        assert_eq!(
            end_held(&worker, &area.to_string(), "101", "job_centre"),
            Some(Side::HousingSocial)
        );
        let job_centre = principal(Actor::MunicipalCaseworker {
            municipality: copenhagen(),
            unit: MunicipalUnit::JobCentre,
        });
        assert_eq!(
            end_held(&job_centre, "x", "101", "job_centre"),
            Some(Side::Municipal)
        );
        assert_eq!(end_held(&job_centre, "x", "101", "school"), None);
        assert_eq!(end_held(&job_centre, "x", "751", "job_centre"), None);
        let report = |municipality_code, receiving_unit| ConcernParties {
            area_id: "x",
            municipality_code,
            receiving_unit,
        };
        let counselling = report("101", MunicipalUnit::FamilyCounselling);
        assert_eq!(concern_report_end(&job_centre, counselling), None);
        let receiver = principal(Actor::MunicipalCaseworker {
            municipality: copenhagen(),
            unit: MunicipalUnit::FamilyCounselling,
        });
        assert_eq!(
            concern_report_end(&receiver, counselling),
            Some(ConcernEnd::Receiver)
        );
        assert_eq!(
            concern_report_end(&receiver, report("751", MunicipalUnit::FamilyCounselling)),
            None
        );
    }

    #[test]
    fn a_draft_referral_is_seen_by_its_sender_only() {
        let area = uuid::Uuid::now_v7();
        let area_id = area.to_string();
        let parties = ReferralParties {
            area_id: &area_id,
            municipality_code: "101",
            unit: "job_centre",
            direction: Direction::ToMunicipality,
            status: ReferralStatus::Draft,
        };
        let worker = principal(Actor::HousingSocialWorker { areas: vec![area] });
        let job_centre = principal(Actor::MunicipalCaseworker {
            municipality: copenhagen(),
            unit: MunicipalUnit::JobCentre,
        });
        assert_eq!(referral_side(&worker, parties), Some(Side::HousingSocial));
        assert_eq!(referral_side(&job_centre, parties), None);
        let requested = ReferralParties {
            status: ReferralStatus::Requested,
            ..parties
        };
        assert_eq!(referral_side(&job_centre, requested), Some(Side::Municipal));
    }

    #[test]
    fn only_the_configured_units_sign_for_the_municipality() {
        let school = principal(Actor::MunicipalCaseworker {
            municipality: copenhagen(),
            unit: MunicipalUnit::School,
        });
        let social = principal(Actor::MunicipalCaseworker {
            municipality: copenhagen(),
            unit: MunicipalUnit::SocialServices,
        });
        let defaults = MunicipalitySettings::default();
        assert!(!signs_for_its_side(&school, &defaults));
        assert!(signs_for_its_side(&social, &defaults));
        let schools_sign = MunicipalitySettings {
            signatory_units: vec![MunicipalUnit::School],
            ..defaults
        };
        assert!(signs_for_its_side(&school, &schools_sign));
    }

    #[test]
    fn a_data_protection_officer_guards_its_own_organisation_only() {
        let officer = principal(Actor::DataProtectionOfficer {
            org: "org-a".into(),
        });
        let area = uuid::Uuid::now_v7().to_string();
        assert!(guards_family_of(&officer, &area, "org-a"));
        assert!(!guards_family_of(&officer, &area, "org-b"));
    }

    #[test]
    fn counts_are_exact_only_for_the_areas_own_team() {
        let area = uuid::Uuid::now_v7();
        let worker = principal(Actor::HousingSocialWorker { areas: vec![area] });
        assert_eq!(
            disclosure_for(&worker, &area.to_string(), 5),
            Disclosure::Exact
        );
        let analyst = principal(Actor::Analyst { municipality: None });
        assert_eq!(
            disclosure_for(&analyst, &area.to_string(), 5),
            Disclosure::Suppressed { threshold: 5 }
        );
    }

    #[test]
    fn only_the_two_sides_contribute_and_analysts_see_only_agreed_work() {
        assert_eq!(side_of(&principal(Actor::Admin)), None);
        let analyst = principal(Actor::Analyst { municipality: None });
        assert_eq!(side_of(&analyst), None);
        assert!(!sees_assessment(&analyst, AssessmentStatus::Draft));
        assert!(sees_assessment(&analyst, AssessmentStatus::Agreed));
    }

    #[test]
    fn an_analyst_without_municipality_sees_every_area() {
        let analyst = principal(Actor::Analyst { municipality: None });
        assert!(area_visibility(&analyst).includes("751"));
    }
}
