//! The report's charts as inline SVG (plotters), drawn from disclosed figures
//! only: a suppressed figure has no bar, only the suppression mark.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::tables::{unit_label, SUPPRESSED};
use super::types::AreaReport;
use crate::domain::outcomes::{GoalResult, Phase, PhaseResult};
use crate::domain::statistics::Count;

const WIDTH: u32 = 720;
const HEIGHT: u32 = 300;
const COLOURS: [RGBColor; 2] = [RGBColor(31, 90, 160), RGBColor(230, 140, 30)];

/// One bar: a value, a suppressed one (marked, not drawn), or nothing to show.
#[derive(Clone, Copy)]
enum Bar {
    Value(f64),
    Suppressed,
    Empty,
}

/// A series of bars: its name, and one bar per group.
struct Series {
    name: String,
    values: Vec<Bar>,
}

fn bar(count: Count) -> Bar {
    match count.value {
        Some(value) if !count.suppressed => Bar::Value(value as f64),
        _ => Bar::Suppressed,
    }
}

fn highest(values: &[Bar]) -> f64 {
    values
        .iter()
        .filter_map(|bar| match bar {
            Bar::Value(value) => Some(*value),
            _ => None,
        })
        .fold(0.0, f64::max)
}

/// Grouped vertical bars with a label under each group; `None` when there is
/// nothing to draw.
fn bars(caption: &str, groups: &[String], series: &[Series], y_max: f64) -> Option<String> {
    if groups.is_empty() {
        return None;
    }
    let mut svg = String::new();
    let drawn = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let y_max = if y_max > 0.0 { y_max * 1.1 } else { 1.0 };
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(if series.len() > 1 { 44 } else { 28 })
            .y_label_area_size(44)
            .build_cartesian_2d(0f64..groups.len() as f64, 0f64..y_max)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .disable_x_axis()
            .y_labels(6)
            .draw()?;
        let width = 0.8 / series.len() as f64;
        let label_style = TextStyle::from(("sans-serif", 12).into_font())
            .pos(Pos::new(HPos::Center, VPos::Bottom));
        for (index, one) in series.iter().enumerate() {
            let colour = COLOURS[index % COLOURS.len()];
            for (group, value) in one.values.iter().enumerate() {
                let left = group as f64 + 0.1 + width * index as f64;
                match value {
                    Bar::Value(value) => {
                        chart.draw_series([Rectangle::new(
                            [(left, 0.0), (left + width * 0.9, *value)],
                            colour.filled(),
                        )])?;
                    }
                    Bar::Empty => {}
                    Bar::Suppressed => {
                        chart.draw_series([Text::new(
                            SUPPRESSED,
                            (left + width * 0.45, 0.0),
                            label_style.clone(),
                        )])?;
                    }
                }
            }
        }
        let under =
            TextStyle::from(("sans-serif", 12).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
        for (group, label) in groups.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(group as f64 + 0.5, 0.0));
            root.draw(&Text::new(label.clone(), (x, y + 6), under.clone()))?;
        }
        if series.len() > 1 {
            for (index, one) in series.iter().enumerate() {
                let colour = COLOURS[index % COLOURS.len()];
                let x = 60 + 140 * index as i32;
                let y = HEIGHT as i32 - 16;
                root.draw(&Rectangle::new([(x, y), (x + 12, y + 12)], colour.filled()))?;
                root.draw(&Text::new(
                    one.name.clone(),
                    (x + 18, y),
                    ("sans-serif", 12).into_font(),
                ))?;
            }
        }
        root.present()?;
        Ok(())
    })();
    drawn.ok()?;
    Some(svg)
}

/// Attendance per month of the period.
pub fn attendance_per_month(report: &AreaReport) -> Option<String> {
    let months = &report.sessions.by_month;
    let values: Vec<Bar> = months.iter().map(|month| bar(month.attendance)).collect();
    let y_max = highest(&values);
    bars(
        "Fremmøde pr. måned",
        &months
            .iter()
            .map(|month| month.month.clone())
            .collect::<Vec<_>>(),
        &[Series {
            name: "Fremmøde".into(),
            values,
        }],
        y_max,
    )
}

/// Mean answers at start and end per goal (numbered as in the list beside the chart).
pub fn outcomes_before_after(goals: &[&GoalResult]) -> Option<String> {
    let mean = |phase: Phase| -> Vec<Bar> {
        goals
            .iter()
            .map(
                |goal| match goal.phases.iter().find(|result| result.phase == phase) {
                    Some(result) if result.withheld.is_some() => Bar::Suppressed,
                    Some(PhaseResult {
                        mean: Some(mean), ..
                    }) => Bar::Value(*mean),
                    _ => Bar::Empty,
                },
            )
            .collect()
    };
    let y_max = goals
        .iter()
        .map(|goal| f64::from(goal.goal.scale.max))
        .fold(0.0, f64::max);
    bars(
        "Gennemsnitligt svar før og efter, pr. mål",
        &(1..=goals.len())
            .map(|number| format!("Mål {number}"))
            .collect::<Vec<_>>(),
        &[
            Series {
                name: "Start".into(),
                values: mean(Phase::Start),
            },
            Series {
                name: "Slut".into(),
                values: mean(Phase::End),
            },
        ],
        y_max,
    )
}

/// Referrals made in the period per municipal unit (units with none left out).
pub fn referrals_per_unit(report: &AreaReport) -> Option<String> {
    let units: Vec<_> = report
        .referrals
        .by_unit
        .iter()
        .filter(|unit| unit.total.value != Some(0))
        .collect();
    let values: Vec<Bar> = units.iter().map(|unit| bar(unit.total)).collect();
    let y_max = highest(&values);
    bars(
        "Henvisninger pr. enhed",
        &units
            .iter()
            .map(|unit| unit_label(unit.unit).to_owned())
            .collect::<Vec<_>>(),
        &[Series {
            name: "Henvisninger".into(),
            values,
        }],
        y_max,
    )
}
