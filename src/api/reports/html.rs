//! The report as a printable Danish page: its tables, with charts as inline
//! SVG drawn on the server. No script and no external asset.

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::charts;
use super::tables::{tables, Table, SUPPRESSED};
use super::types::AreaReport;
use crate::domain::outcomes::GoalResult;

/// The page's only policy: its own inline styles and nothing else.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

const STYLE: &str = "
body { font-family: sans-serif; margin: 2rem auto; max-width: 60rem; color: #1d1d1d; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #bbb; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.5rem; text-align: left; vertical-align: top; }
td.figure { text-align: right; }
caption { text-align: left; font-weight: bold; padding: 0.3rem 0; }
figure { margin: 0.5rem 0; }
.note { color: #555; font-size: 0.9rem; }
@media print { body { margin: 0; max-width: none; } section { break-inside: avoid; } }
";

fn is_figure(cell: &str) -> bool {
    cell == SUPPRESSED
        || cell
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '-' || c == '–')
}

fn table(table: &Table) -> Markup {
    html! {
        table data-section=(table.title) {
            thead { tr { @for column in &table.columns { th scope="col" { (column) } } } }
            tbody {
                @for row in &table.rows {
                    tr {
                        @for cell in row {
                            @if is_figure(cell) && !cell.is_empty() { td.figure { (cell) } } @else { td { (cell) } }
                        }
                    }
                }
            }
        }
    }
}

fn chart(svg: Option<String>) -> Markup {
    html! {
        @if let Some(svg) = svg {
            // plotters escapes every text it writes into the SVG.
            figure { (PreEscaped(svg)) }
        }
    }
}

pub fn page(report: &AreaReport) -> String {
    let tables = tables(report);
    let goals: Vec<(&str, &GoalResult)> = report
        .outcomes
        .iter()
        .flat_map(|initiative| {
            initiative
                .goals
                .iter()
                .map(|goal| (initiative.title.as_str(), goal))
        })
        .collect();
    let charted: Vec<&GoalResult> = goals.iter().map(|(_, goal)| *goal).collect();
    html! {
        (DOCTYPE)
        html lang="da" {
            head {
                meta charset="utf-8";
                title { "Rapport: " (report.area.name) ", " (report.from) " – " (report.to) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { "Rapport til styregruppen: " (report.area.name) }
                p.note {
                    "Periode " (report.from) " – " (report.to) ". Dannet " (report.generated_at.format("%Y-%m-%d %H:%M")) " UTC."
                    @if report.suppression_applied {
                        " Tal fra 1 til " (report.suppression_threshold - 1) " og de tal, de kunne regnes ud af, vises som " (SUPPRESSED) "."
                    }
                }
                @for section in &tables {
                    section {
                        h2 { (section.title) }
                        @if section.title == "Fremmøde pr. måned" { (chart(charts::attendance_per_month(report))) }
                        @if section.title == "Effekt: svar pr. fase" {
                            (chart(charts::outcomes_before_after(&charted)))
                            @if !goals.is_empty() {
                                ol.note { @for (initiative, goal) in &goals { li { (goal.goal.question.da) " (" (initiative) ")" } } }
                            }
                        }
                        @if section.title == "Henvisninger pr. enhed og status" { (chart(charts::referrals_per_unit(report))) }
                        (table(section))
                    }
                }
            }
        }
    }
    .into_string()
}
