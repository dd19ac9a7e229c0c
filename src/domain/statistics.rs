//! Small-count suppression for statistics shown outside the owning team.
//!
//! A count from 1 to `threshold - 1` is suppressed (primary suppression). Then,
//! wherever a table line (a row or a column, with its total) has exactly one
//! suppressed entry, that entry could be recovered by subtraction, so the
//! smallest other entry of the line is suppressed too (complementary
//! suppression), until no line has a lone suppressed entry.
//!
//! Outside the team, figures are given only for whole calendar quarters that
//! have ended: such windows never overlap, so no two of them can be subtracted
//! into a suppressed difference, and a figure no longer grows day by day.

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

/// A count, or a suppressed one (`value: null, suppressed: true`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Count {
    /// Null when suppressed.
    #[schema(required = true)]
    pub value: Option<i64>,
    /// True when the value is withheld because it, or a value it would reveal, is small.
    pub suppressed: bool,
}

impl Count {
    pub fn shown(value: i64) -> Self {
        Count {
            value: Some(value),
            suppressed: false,
        }
    }

    pub fn withheld() -> Self {
        Count {
            value: None,
            suppressed: true,
        }
    }
}

/// Who sees the statistics: the area's own team sees exact counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disclosure {
    Exact,
    /// Counts below this threshold (and above zero) are suppressed.
    Suppressed {
        threshold: i64,
    },
}

impl Disclosure {
    fn is_small(self, value: i64) -> bool {
        match self {
            Disclosure::Exact => false,
            Disclosure::Suppressed { threshold } => value > 0 && value < threshold,
        }
    }

    /// A count that no total relates to.
    pub fn single(self, value: i64) -> Count {
        if self.is_small(value) {
            Count::withheld()
        } else {
            Count::shown(value)
        }
    }
}

/// A table of counts with row, column and grand totals, suppressed as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuppressedTable {
    pub cells: Vec<Vec<Count>>,
    pub row_totals: Vec<Count>,
    pub column_totals: Vec<Count>,
    pub total: Count,
}

/// Suppresses `cells` (rows × columns) with their margins.
pub fn suppress_table(cells: &[Vec<i64>], disclosure: Disclosure) -> SuppressedTable {
    let rows = cells.len();
    let columns = cells.first().map_or(0, Vec::len);
    // The grid with margins: row totals in the last column, column totals in the last row.
    let mut grid = vec![vec![0i64; columns + 1]; rows + 1];
    for (i, row) in cells.iter().enumerate() {
        for (j, value) in row.iter().enumerate().take(columns) {
            grid[i][j] = *value;
            grid[i][columns] += value;
            grid[rows][j] += value;
            grid[rows][columns] += value;
        }
    }
    let mut hidden: Vec<Vec<bool>> = grid
        .iter()
        .map(|line| {
            line.iter()
                .map(|value| disclosure.is_small(*value))
                .collect()
        })
        .collect();
    loop {
        let mut changed = false;
        let mut lines: Vec<Vec<(usize, usize)>> = (0..=rows)
            .map(|i| (0..=columns).map(|j| (i, j)).collect())
            .collect();
        lines.extend((0..=columns).map(|j| (0..=rows).map(|i| (i, j)).collect::<Vec<_>>()));
        for line in lines {
            if line.iter().filter(|(i, j)| hidden[*i][*j]).count() != 1 {
                continue;
            }
            // Prefer hiding the smallest inner cell; a total only when no cell is left.
            // Never a zero: it adds nothing to subtract, so it would protect nothing.
            let is_total = |(i, j): (usize, usize)| i == rows || j == columns;
            if let Some(&(i, j)) = line
                .iter()
                .filter(|(i, j)| !hidden[*i][*j] && grid[*i][*j] != 0)
                .min_by_key(|&&(i, j)| (is_total((i, j)), grid[i][j], i, j))
            {
                hidden[i][j] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let count = |i: usize, j: usize| {
        if hidden[i][j] {
            Count::withheld()
        } else {
            Count::shown(grid[i][j])
        }
    };
    SuppressedTable {
        cells: (0..rows)
            .map(|i| (0..columns).map(|j| count(i, j)).collect())
            .collect(),
        row_totals: (0..rows).map(|i| count(i, columns)).collect(),
        column_totals: (0..columns).map(|j| count(rows, j)).collect(),
        total: count(rows, columns),
    }
}

/// The calendar quarter that `day` falls in: its first and last day.
pub fn quarter_of(day: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let first_month = (day.month0() / 3) * 3 + 1;
    let first = NaiveDate::from_ymd_opt(day.year(), first_month, 1)?;
    let last = first.checked_add_months(Months::new(3))?.pred_opt()?;
    Some((first, last))
}

/// The last calendar quarter that has ended before `today`.
pub fn last_completed_quarter(today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let (current_first, _) = quarter_of(today)?;
    quarter_of(current_first.pred_opt()?)
}

/// Whether `from`–`to` is a window shown outside the team: exactly one
/// calendar quarter, ended before `today`.
pub fn check_outside_window(
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> Result<(), String> {
    if quarter_of(from) != Some((from, to)) {
        return Err("outside the area's team, figures are given for one whole calendar quarter (from its first to its last day)".into());
    }
    if to >= today {
        return Err("the quarter has not ended yet; outside the area's team, figures are given for ended quarters only".into());
    }
    Ok(())
}

/// The median of `values` (unsorted), if any.
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    Some(if values.len() % 2 == 0 {
        (values[middle - 1] + values[middle]) / 2.0
    } else {
        values[middle]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIVE: Disclosure = Disclosure::Suppressed { threshold: 5 };

    fn values(counts: &[Count]) -> Vec<Option<i64>> {
        counts.iter().map(|count| count.value).collect()
    }

    /// Every line with a total: no hidden entry may be the only hidden one.
    fn assert_unrecoverable(table: &SuppressedTable) {
        for (row, total) in table.cells.iter().zip(&table.row_totals) {
            let hidden = row
                .iter()
                .chain(std::iter::once(total))
                .filter(|c| c.suppressed)
                .count();
            assert_ne!(hidden, 1, "a row reveals its hidden cell: {table:?}");
        }
        for (j, total) in table.column_totals.iter().enumerate() {
            let hidden = table
                .cells
                .iter()
                .map(|row| row[j])
                .chain(std::iter::once(*total))
                .filter(|c| c.suppressed)
                .count();
            assert_ne!(hidden, 1, "a column reveals its hidden cell: {table:?}");
        }
        let margins = table
            .row_totals
            .iter()
            .chain(std::iter::once(&table.total))
            .filter(|c| c.suppressed)
            .count();
        assert_ne!(
            margins, 1,
            "the row totals reveal a hidden total: {table:?}"
        );
    }

    #[test]
    fn counts_from_one_to_four_are_suppressed_and_zero_is_not() {
        assert_eq!(FIVE.single(0), Count::shown(0));
        assert_eq!(FIVE.single(1), Count::withheld());
        assert_eq!(FIVE.single(4), Count::withheld());
        assert_eq!(FIVE.single(5), Count::shown(5));
        assert_eq!(Disclosure::Exact.single(2), Count::shown(2));
    }

    #[test]
    fn a_lone_small_cell_takes_a_complementary_cell_with_it() {
        let table = suppress_table(&[vec![3, 10, 20]], FIVE);
        assert_eq!(values(&table.cells[0]), [None, None, Some(20)]);
        assert_eq!(table.total, Count::shown(33));
        assert_unrecoverable(&table);
    }

    #[test]
    fn suppression_propagates_through_rows_and_columns() {
        let cells = vec![vec![2, 12, 30], vec![9, 14, 8], vec![11, 3, 25]];
        let table = suppress_table(&cells, FIVE);
        assert!(table.cells[0][0].suppressed && table.cells[2][1].suppressed);
        assert_unrecoverable(&table);
        let shown: i64 = table.cells.iter().flatten().filter_map(|c| c.value).sum();
        assert!(shown > 0, "not everything is hidden");
    }

    #[test]
    fn a_single_column_hides_its_total_with_its_only_cell() {
        let table = suppress_table(&[vec![3], vec![40]], FIVE);
        assert!(table.cells[0][0].suppressed && table.row_totals[0].suppressed);
        assert_unrecoverable(&table);
    }

    #[test]
    fn exact_disclosure_hides_nothing() {
        let table = suppress_table(&[vec![1, 2], vec![3, 4]], Disclosure::Exact);
        assert_eq!(table.total, Count::shown(10));
        assert!(table.cells.iter().flatten().all(|c| !c.suppressed));
    }

    #[test]
    fn a_complementary_cell_is_never_a_zero() {
        let table = suppress_table(&[vec![3, 0, 40]], FIVE);
        assert_eq!(values(&table.cells[0]), [None, Some(0), None]);
        assert_unrecoverable(&table);
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn outside_the_team_only_whole_ended_quarters_are_windows() {
        let today = day("2026-11-26");
        assert!(check_outside_window(day("2026-07-01"), day("2026-09-30"), today).is_ok());
        assert!(check_outside_window(day("2026-10-01"), day("2026-12-31"), today).is_err());
        assert!(check_outside_window(day("2026-07-01"), day("2026-08-31"), today).is_err());
        assert!(check_outside_window(day("2026-01-01"), day("2026-09-30"), today).is_err());
        assert!(check_outside_window(day("2026-10-01"), day("2026-10-11"), today).is_err());
        assert_eq!(
            last_completed_quarter(today),
            Some((day("2026-07-01"), day("2026-09-30")))
        );
        assert_eq!(
            last_completed_quarter(day("2026-02-01")),
            Some((day("2025-10-01"), day("2025-12-31")))
        );
    }

    #[test]
    fn no_two_allowed_windows_overlap() {
        // Every allowed window is a calendar quarter, and distinct quarters are
        // disjoint: no window is contained in or overlaps another, so no
        // difference of two allowed figures is a figure of a smaller window.
        let today = day("2030-01-01");
        let mut windows = Vec::new();
        let mut from = day("2020-01-01");
        while from < today {
            let to = day_before_next_quarter(from);
            for end in [to, to.pred_opt().unwrap(), to.succ_opt().unwrap()] {
                if check_outside_window(from, end, today).is_ok() {
                    windows.push((from, end));
                }
            }
            from = from.succ_opt().unwrap();
        }
        for (i, a) in windows.iter().enumerate() {
            for b in &windows[i + 1..] {
                assert!(a.1 < b.0 || b.1 < a.0, "{a:?} and {b:?} overlap");
            }
        }
        assert_eq!(windows.len(), 40, "every quarter of ten years, once");
    }

    fn day_before_next_quarter(day: NaiveDate) -> NaiveDate {
        quarter_of(day).unwrap().1
    }

    #[test]
    fn medians_of_odd_and_even_lists() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }
}
