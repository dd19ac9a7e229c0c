//! The report as tables with Danish headings: the one shape CSV and HTML are
//! written from, so both show the same figures as the JSON they come from.

use super::types::AreaReport;
use crate::domain::catalog::{InitiativeType, MunicipalUnit, ProblemArea};
use crate::domain::catalog::{INITIATIVE_TYPES, MUNICIPAL_UNITS, PROBLEM_AREAS};
use crate::domain::initiative::{InitiativeFormat, InitiativeStatus};
use crate::domain::outcomes::Phase;
use crate::domain::referral::{Outcome, ReferralStatus};
use crate::domain::statistics::Count;

/// The mark of a suppressed figure (as Statistics Denmark marks "diskretioneret").
pub const SUPPRESSED: &str = "x";

pub struct Table {
    pub title: &'static str,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

pub fn count(count: Count) -> String {
    match count.value {
        Some(value) if !count.suppressed => value.to_string(),
        _ => SUPPRESSED.into(),
    }
}

/// A decimal the Danish way (`3,25`); a dash when there is none.
pub fn decimal(value: Option<f64>) -> String {
    value.map_or_else(|| "–".into(), |value| format!("{value}").replace('.', ","))
}

pub fn type_label(code: InitiativeType) -> &'static str {
    INITIATIVE_TYPES
        .iter()
        .find(|entry| entry.code == code)
        .map_or(code.code(), |entry| entry.label.da)
}

pub fn unit_label(code: MunicipalUnit) -> &'static str {
    MUNICIPAL_UNITS
        .iter()
        .find(|entry| entry.code == code)
        .map_or(code.code(), |entry| entry.label.da)
}

fn problem_area_label(code: ProblemArea) -> &'static str {
    PROBLEM_AREAS
        .iter()
        .find(|entry| entry.code == code)
        .map_or(code.code(), |entry| entry.label.da)
}

fn status_label(status: InitiativeStatus) -> &'static str {
    match status {
        InitiativeStatus::Planned => "planlagt",
        InitiativeStatus::Active => "i gang",
        InitiativeStatus::Completed => "afsluttet",
        InitiativeStatus::Cancelled => "aflyst",
    }
}

fn referral_status_label(status: ReferralStatus) -> &'static str {
    match status {
        ReferralStatus::Draft => "kladde",
        ReferralStatus::Requested => "anmodet",
        ReferralStatus::Accepted => "modtaget",
        ReferralStatus::Rejected => "afvist",
        ReferralStatus::InProgress => "i gang",
        ReferralStatus::OnHold => "sat i bero",
        ReferralStatus::Completed => "afsluttet",
        ReferralStatus::Failed => "mislykket",
        ReferralStatus::Cancelled => "annulleret",
    }
}

fn outcome_label(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::HelpProvided => "hjælp givet",
        Outcome::ContactEstablished => "kontakt etableret",
        Outcome::ReferredOnward => "henvist videre",
        Outcome::FamilyDeclined => "familien takkede nej",
        Outcome::Other => "andet",
    }
}

fn phase_change(to: Phase) -> String {
    format!("start → {}", to.danish())
}

fn row<const N: usize>(cells: [String; N]) -> Vec<String> {
    cells.to_vec()
}

fn columns(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| (*name).to_owned()).collect()
}

pub fn tables(report: &AreaReport) -> Vec<Table> {
    let mut tables = vec![
        Table {
            title: "Område og periode",
            columns: columns(&["Felt", "Værdi"]),
            rows: vec![
                row(["Område".into(), report.area.name.clone()]),
                row(["Kommunekode".into(), report.area.municipality_code.clone()]),
                row(["Fra".into(), report.from.to_string()]),
                row(["Til".into(), report.to.to_string()]),
                row([
                    "Små tal undertrykt".into(),
                    if report.suppression_applied {
                        format!(
                            "ja, 1–{} vises som {SUPPRESSED}",
                            report.suppression_threshold - 1
                        )
                    } else {
                        "nej (områdets team)".into()
                    },
                ]),
            ],
        },
        assessment(report),
        Table {
            title: "Indsatser",
            columns: columns(&[
                "Titel",
                "Type",
                "Status",
                "Form",
                "Start",
                "Slut",
                "Samarbejdspartnere",
            ]),
            rows: report
                .initiatives
                .iter()
                .map(|initiative| {
                    row([
                        initiative.title.clone(),
                        type_label(initiative.initiative_type).into(),
                        status_label(initiative.status).into(),
                        match initiative.format {
                            InitiativeFormat::Open => "åben".into(),
                            InitiativeFormat::Closed => "lukket".into(),
                        },
                        initiative.starts_on.to_string(),
                        initiative
                            .ends_on
                            .map(|day| day.to_string())
                            .unwrap_or_default(),
                        initiative.partners.join(", "),
                    ])
                })
                .collect(),
        },
        reach(report),
        Table {
            title: "Fremmøde pr. måned",
            columns: columns(&["Måned", "Aktiviteter", "Fremmøde"]),
            rows: report
                .sessions
                .by_month
                .iter()
                .map(|month| {
                    row([
                        month.month.clone(),
                        count(month.sessions),
                        count(month.attendance),
                    ])
                })
                .chain([row([
                    "I alt".into(),
                    count(report.sessions.sessions_held),
                    count(report.sessions.attendance),
                ])])
                .collect(),
        },
    ];
    tables.extend(outcomes(report));
    tables.extend(referrals(report));
    tables.push(Table {
        title: "Underretninger",
        columns: columns(&["Mål", "Antal"]),
        rows: vec![row([
            "Modtaget i perioden".into(),
            count(report.concern_reports),
        ])],
    });
    let consents = &report.consents;
    tables.push(Table {
        title: "Samtykker",
        columns: columns(&["Mål", "Antal"]),
        rows: vec![
            row(["Givet".into(), count(consents.given)]),
            row(["Heraf fornyet".into(), count(consents.renewed)]),
            row(["Udløbet".into(), count(consents.expired)]),
            row(["Tilbagekaldt".into(), count(consents.withdrawn)]),
        ],
    });
    tables
}

fn assessment(report: &AreaReport) -> Table {
    let rows = match &report.assessment {
        None => vec![row([
            "ingen aftalt behovsvurdering".into(),
            String::new(),
            String::new(),
        ])],
        Some(assessment) => assessment
            .findings
            .iter()
            .map(|finding| {
                row([
                    problem_area_label(finding.problem_area).into(),
                    finding.severity.to_string(),
                    finding
                        .households
                        .map(|households| households.to_string())
                        .unwrap_or_default(),
                ])
            })
            .collect(),
    };
    Table {
        title: "Behovsvurdering",
        columns: columns(&["Problemområde", "Alvor (1–5)", "Husstande"]),
        rows,
    }
}

fn reach(report: &AreaReport) -> Table {
    let reach = &report.reach;
    let mut rows = vec![row(["Familier nået".into(), count(reach.families_reached)])];
    rows.extend(reach.participants_by_initiative_type.iter().map(|entry| {
        row([
            format!("Deltagende familier: {}", type_label(entry.initiative_type)),
            count(entry.participants),
        ])
    }));
    rows.push(row([
        "Deltagende familier i alt".into(),
        count(reach.participants_total),
    ]));
    rows.push(row([
        "Anonyme deltagere ved åbne arrangementer".into(),
        count(reach.open_event_headcount),
    ]));
    Table {
        title: "Rækkevidde",
        columns: columns(&["Mål", "Antal"]),
        rows,
    }
}

fn outcomes(report: &AreaReport) -> [Table; 2] {
    let mut phases = Vec::new();
    let mut changes = Vec::new();
    for initiative in &report.outcomes {
        for result in &initiative.goals {
            for phase in &result.phases {
                phases.push(row([
                    initiative.title.clone(),
                    result.goal.question.da.clone(),
                    phase.phase.danish().into(),
                    count(phase.families),
                    decimal(phase.mean),
                    phase.withheld.clone().unwrap_or_default(),
                ]));
            }
            for change in &result.changes {
                changes.push(row([
                    initiative.title.clone(),
                    result.goal.question.da.clone(),
                    phase_change(change.to),
                    count(change.families),
                    count(change.improved),
                    count(change.unchanged),
                    count(change.worse),
                    decimal(change.median_change),
                ]));
            }
        }
    }
    [
        Table {
            title: "Effekt: svar pr. fase",
            columns: columns(&[
                "Indsats",
                "Spørgsmål",
                "Fase",
                "Familier",
                "Gennemsnit",
                "Bemærkning",
            ]),
            rows: phases,
        },
        Table {
            title: "Effekt: ændring fra start",
            columns: columns(&[
                "Indsats",
                "Spørgsmål",
                "Sammenligning",
                "Familier",
                "Forbedret",
                "Uændret",
                "Forværret",
                "Median ændring",
            ]),
            rows: changes,
        },
    ]
}

fn referrals(report: &AreaReport) -> [Table; 2] {
    let referrals = &report.referrals;
    let mut status_columns = vec!["Enhed".to_owned()];
    status_columns.extend(
        ReferralStatus::ALL
            .iter()
            .map(|status| referral_status_label(*status).to_owned()),
    );
    status_columns.push("I alt".into());
    let mut by_status: Vec<Vec<String>> = referrals
        .by_unit
        .iter()
        .map(|unit| {
            let mut cells = vec![unit_label(unit.unit).to_owned()];
            cells.extend(unit.by_status.iter().map(|entry| count(entry.referrals)));
            cells.push(count(unit.total));
            cells
        })
        .collect();
    let mut totals = vec!["I alt".to_owned()];
    totals.extend(
        referrals
            .by_status
            .iter()
            .map(|entry| count(entry.referrals)),
    );
    totals.push(count(referrals.total));
    by_status.push(totals);
    let mut outcome_columns = vec!["Enhed".to_owned()];
    outcome_columns.extend(
        Outcome::ALL
            .iter()
            .map(|outcome| outcome_label(*outcome).to_owned()),
    );
    outcome_columns.push("I alt".into());
    [
        Table {
            title: "Henvisninger pr. enhed og status",
            columns: status_columns,
            rows: by_status,
        },
        Table {
            title: "Afsluttede henvisninger pr. enhed og udfald",
            columns: outcome_columns,
            rows: referrals
                .outcomes_by_unit
                .iter()
                .map(|unit| {
                    let mut cells = vec![unit_label(unit.unit).to_owned()];
                    cells.extend(unit.by_outcome.iter().map(|entry| count(entry.referrals)));
                    cells.push(count(unit.total));
                    cells
                })
                .collect(),
        },
    ]
}
