//! The Danish and English label of every code of the API's vocabularies (the
//! string enums of the OpenAPI document), for clients to show instead of codes.
//! The catalogue's own vocabularies (problem areas, initiative types, municipal
//! units) keep their labels with their entries.

use super::catalog::{Label, INITIATIVE_TYPES, MUNICIPAL_UNITS, PROBLEM_AREAS};

/// A vocabulary: the schema whose codes it labels, and (code, Danish, English).
pub struct Vocabulary {
    pub schema: &'static str,
    pub labels: Vec<(&'static str, Label)>,
}

type Entries = &'static [(&'static str, &'static str, &'static str)];

const VOCABULARIES: &[(&str, Entries)] = &[
    (
        "AgreementStatus",
        &[
            ("draft", "Udkast", "Draft"),
            ("in_review", "Til underskrift", "In review"),
            ("agreed", "Indgået", "Agreed"),
            ("withdrawn", "Trukket tilbage", "Withdrawn"),
        ],
    ),
    (
        "AssessmentStatus",
        &[
            ("draft", "Udkast", "Draft"),
            ("in_review", "Til godkendelse", "In review"),
            ("agreed", "Godkendt", "Agreed"),
            ("withdrawn", "Trukket tilbage", "Withdrawn"),
        ],
    ),
    (
        "ChangeType",
        &[
            (
                "referral.created",
                "Henvisning oprettet",
                "Referral created",
            ),
            (
                "referral.transitioned",
                "Henvisning skiftet status",
                "Referral changed status",
            ),
            (
                "referral.redacted",
                "Henvisningens delte oplysninger fjernet",
                "Referral's shared data redacted",
            ),
            (
                "concern_report.received",
                "Underretning modtaget",
                "Concern report received",
            ),
            (
                "concern_report.urgency_assessed",
                "Underretningens hastegrad vurderet",
                "Concern report's urgency assessed",
            ),
            (
                "concern_report.acknowledged",
                "Underretning kvitteret",
                "Concern report acknowledged",
            ),
            (
                "concern_report.feedback_given",
                "Tilbagemelding på underretning givet",
                "Feedback on concern report given",
            ),
            (
                "assessment.created",
                "Kortlægning oprettet",
                "Assessment created",
            ),
            (
                "assessment.changed",
                "Kortlægning ændret",
                "Assessment changed",
            ),
            (
                "assessment.approved",
                "Kortlægning godkendt af den ene side",
                "Assessment approved by one side",
            ),
            (
                "assessment.agreed",
                "Kortlægning godkendt af begge sider",
                "Assessment agreed by both sides",
            ),
            (
                "initiative.created",
                "Indsats oprettet",
                "Initiative created",
            ),
            ("initiative.changed", "Indsats ændret", "Initiative changed"),
            ("session.added", "Gang tilføjet", "Session added"),
            ("session.changed", "Gang ændret", "Session changed"),
            ("area.created", "Område oprettet", "Area created"),
            ("area.changed", "Område ændret", "Area changed"),
            ("family.created", "Familie oprettet", "Family created"),
            ("family.changed", "Familie ændret", "Family changed"),
            ("family.erased", "Familie slettet", "Family erased"),
        ],
    ),
    (
        "ConcernStatus",
        &[
            ("received", "Modtaget", "Received"),
            ("acknowledged", "Kvitteret", "Acknowledged"),
        ],
    ),
    (
        "ConsentForm",
        &[
            ("written", "Skriftligt", "Written"),
            ("oral", "Mundtligt", "Oral"),
        ],
    ),
    (
        "ConsentPurpose",
        &[
            (
                "bridge_building",
                "Brobygning (tovholder)",
                "Bridge building",
            ),
            (
                "application_help",
                "Hjælp til ansøgning",
                "Help with an application",
            ),
            (
                "job_centre_internship",
                "Praktik eller frivilligt arbejde via jobcentret",
                "Internship or volunteering with the job centre",
            ),
            (
                "family_counselling",
                "Familierådgivning",
                "Family counselling",
            ),
            (
                "initiative_participation",
                "Deltagelse i en indsats",
                "Taking part in an initiative",
            ),
        ],
    ),
    (
        "ConsentState",
        &[
            ("pending", "Gælder endnu ikke", "Not valid yet"),
            ("active", "Gældende", "Active"),
            ("expired", "Udløbet", "Expired"),
            ("withdrawn", "Trukket tilbage", "Withdrawn"),
        ],
    ),
    (
        "ContactKind",
        &[
            ("outreach", "Opsøgende kontakt", "Outreach"),
            ("home_visit", "Hjemmebesøg", "Home visit"),
            ("letter_help", "Brevhjælp", "Help with letters"),
            (
                "accompanied_meeting",
                "Følgeskab til møde",
                "Accompanied to a meeting",
            ),
            ("activity", "Aktivitet", "Activity"),
            ("phone", "Telefon", "Phone"),
        ],
    ),
    (
        "DataCategory",
        &[
            ("contact_details", "Kontaktoplysninger", "Contact details"),
            (
                "household_composition",
                "Husstandens sammensætning",
                "Household composition",
            ),
            (
                "contact_log_summary",
                "Opsummering af kontakter",
                "Summary of contacts",
            ),
            (
                "initiative_participation",
                "Deltagelse i indsatser",
                "Participation in initiatives",
            ),
            (
                "family_statement",
                "Familiens egen fortælling",
                "The family's own statement",
            ),
        ],
    ),
    (
        "DeliveryStatus",
        &[
            ("pending", "Afventer", "Pending"),
            ("succeeded", "Leveret", "Delivered"),
            ("failed", "Mislykkedes", "Failed"),
        ],
    ),
    (
        "Direction",
        &[
            ("to_municipality", "Til kommunen", "To the municipality"),
            (
                "to_initiative",
                "Til en boligsocial indsats",
                "To a housing-social initiative",
            ),
        ],
    ),
    (
        "EventKind",
        &[
            ("status_changed", "Status ændret", "Status changed"),
            (
                "shared_data_redacted",
                "Delte oplysninger fjernet",
                "Shared data redacted",
            ),
        ],
    ),
    (
        "FeedbackOutcome",
        &[
            ("investigation", "Børnefaglig undersøgelse", "Investigation"),
            ("measures", "Foranstaltninger", "Measures"),
            (
                "no_action",
                "Ingen yderligere handling",
                "No further action",
            ),
        ],
    ),
    (
        "GiverRelation",
        &[
            ("mother", "Mor", "Mother"),
            ("father", "Far", "Father"),
            ("guardian", "Værge", "Guardian"),
            ("young_person", "Den unge selv", "The young person"),
        ],
    ),
    (
        "InitiativeFormat",
        &[
            ("open", "Åben", "Open"),
            ("closed", "Lukket hold", "Closed group"),
        ],
    ),
    (
        "InitiativeStatus",
        &[
            ("planned", "Planlagt", "Planned"),
            ("active", "I gang", "Active"),
            ("completed", "Afsluttet", "Completed"),
            ("cancelled", "Aflyst", "Cancelled"),
        ],
    ),
    (
        "Outcome",
        &[
            ("help_provided", "Hjælp givet", "Help provided"),
            (
                "contact_established",
                "Kontakt etableret",
                "Contact established",
            ),
            ("referred_onward", "Henvist videre", "Referred onward"),
            (
                "family_declined",
                "Familien takkede nej",
                "The family declined",
            ),
            ("other", "Andet", "Other"),
        ],
    ),
    (
        "ParentRelation",
        &[
            ("mother", "Mor", "Mother"),
            ("father", "Far", "Father"),
            ("guardian", "Værge", "Guardian"),
            ("other", "Anden", "Other"),
        ],
    ),
    (
        "PartnerKind",
        &[
            ("school", "Skole", "School"),
            ("club", "Klub", "Club"),
            ("kindergarten", "Daginstitution", "Kindergarten"),
            (
                "family_counselling",
                "Familierådgivning",
                "Family counselling",
            ),
            ("social_services", "Socialforvaltning", "Social services"),
            ("job_centre", "Jobcenter", "Job centre"),
            ("health_visitor", "Sundhedspleje", "Health visitor"),
            ("ssp", "SSP", "SSP"),
            ("association", "Forening", "Association"),
            ("ngo", "Frivillig organisation", "NGO"),
            ("other", "Andet", "Other"),
        ],
    ),
    (
        "Phase",
        &[
            ("start", "Start", "Start"),
            ("end", "Slut", "End"),
            ("follow_up", "Opfølgning", "Follow-up"),
        ],
    ),
    (
        "ProspectStatus",
        &[
            ("identified", "Fundet", "Identified"),
            ("first_contact", "Første kontakt", "First contact"),
            ("trust_building", "Tillid opbygges", "Building trust"),
            ("engaged", "Med i indsatsen", "Engaged"),
            ("declined", "Takkede nej", "Declined"),
            ("lost", "Mistet kontakten", "Lost"),
        ],
    ),
    (
        "RedactionReason",
        &[
            (
                "consent_withdrawn",
                "Samtykket er trukket tilbage",
                "Consent withdrawn",
            ),
            ("consent_expired", "Samtykket er udløbet", "Consent expired"),
            ("family_erased", "Familien er slettet", "Family erased"),
        ],
    ),
    (
        "ReferralStatus",
        &[
            ("draft", "Kladde", "Draft"),
            ("requested", "Sendt", "Requested"),
            ("accepted", "Accepteret", "Accepted"),
            ("rejected", "Afvist", "Rejected"),
            ("in_progress", "I gang", "In progress"),
            ("on_hold", "Sat i bero", "On hold"),
            ("completed", "Afsluttet", "Completed"),
            ("failed", "Mislykkedes", "Failed"),
            ("cancelled", "Annulleret", "Cancelled"),
        ],
    ),
    (
        "SessionStatus",
        &[
            ("planned", "Planlagt", "Planned"),
            ("held", "Afholdt", "Held"),
            ("cancelled", "Aflyst", "Cancelled"),
        ],
    ),
    (
        "Side",
        &[
            ("housing_social", "Boligsocial side", "Housing-social side"),
            ("municipal", "Kommunal side", "Municipal side"),
        ],
    ),
    (
        "SourceKind",
        &[
            ("school", "Skole", "School"),
            ("club", "Klub", "Club"),
            ("kindergarten", "Daginstitution", "Kindergarten"),
            (
                "family_counselling",
                "Familierådgivning",
                "Family counselling",
            ),
            ("health_visitor", "Sundhedspleje", "Health visitor"),
            ("association", "Forening", "Association"),
            ("own_outreach", "Eget opsøgende arbejde", "Own outreach"),
            ("self", "Kom selv", "Came by themselves"),
            ("other", "Andet", "Other"),
        ],
    ),
    (
        "StepKind",
        &[
            ("letter_help", "Brevhjælp", "Help with letters"),
            ("exercise", "Motion", "Exercise"),
            ("home_visit", "Hjemmebesøg", "Home visit"),
            ("event", "Arrangement", "Event"),
            ("phone_call", "Telefonopkald", "Phone call"),
            ("meeting", "Møde", "Meeting"),
            (
                "via_partner",
                "Via en samarbejdspartner",
                "Through a partner",
            ),
            ("other", "Andet", "Other"),
        ],
    ),
];

/// Every vocabulary with its labels, the catalogue's own ones included.
pub fn vocabularies() -> Vec<Vocabulary> {
    let catalogue = [
        Vocabulary {
            schema: "InitiativeType",
            labels: INITIATIVE_TYPES
                .iter()
                .map(|entry| (entry.code.code(), entry.label))
                .collect(),
        },
        Vocabulary {
            schema: "MunicipalUnit",
            labels: MUNICIPAL_UNITS
                .iter()
                .map(|entry| (entry.code.code(), entry.label))
                .collect(),
        },
        Vocabulary {
            schema: "ProblemArea",
            labels: PROBLEM_AREAS
                .iter()
                .map(|entry| (entry.code.code(), entry.label))
                .collect(),
        },
    ];
    let mut all: Vec<Vocabulary> = VOCABULARIES
        .iter()
        .map(|(schema, entries)| Vocabulary {
            schema,
            labels: entries
                .iter()
                .map(|(code, da, en)| (*code, Label { da, en }))
                .collect(),
        })
        .chain(catalogue)
        .collect();
    all.sort_by_key(|vocabulary| vocabulary.schema);
    all
}
