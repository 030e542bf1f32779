//! The spread over several runs of the same selection (`--runs N`): how far each ratio moves
//! from one run to the next, which is what a single run's table cannot say.

use super::{aligned, csv_median, value};
use crate::runner::Comparison;
use crate::stats::Summary;
use std::fmt::Write;

/// The header of `spread.csv`, fixed: the docs and any script reading it rely on it.
pub const SPREAD_CSV_HEADER: &str =
    "workload,run,filch_median_ns,tokio_median_ns,smol_median_ns,speedup,smol_speedup";

/// `spread.csv`: [`SPREAD_CSV_HEADER`], then one row per workload and run (runs counted from
/// 1), a workload's runs together. The medians are written as in `results.csv` (whole
/// nanoseconds, or bytes to one decimal for `bytes_per_task`), the speedups to three decimals.
///
/// # Panics
/// If the runs do not list the same workloads in the same order.
///
/// ```
/// use filch_bench::report::{spread_csv, SPREAD_CSV_HEADER};
/// use filch_bench::runner::{Comparison, Outcome};
/// use filch_bench::stats::Summary;
/// use filch_bench::workloads::Unit;
///
/// let outcome = |ns| Outcome {
///     summary: Summary::of(&[ns]).unwrap(),
///     cpu: ns,
///     allocations: None,
/// };
/// let run = |filch| Comparison {
///     name: "ping_pong",
///     unit: Unit::NanosPerIteration,
///     filch: outcome(filch),
///     tokio: outcome(150.0),
///     smol: outcome(200.0),
///     tokio_aa: None,
///     reference: None,
/// };
/// let rows = "ping_pong,1,100,150,200,1.500,2.000\nping_pong,2,120,150,200,1.250,1.667\n";
/// assert_eq!(
///     spread_csv(&[vec![run(100.0)], vec![run(120.0)]]),
///     format!("{SPREAD_CSV_HEADER}\n{rows}")
/// );
/// ```
pub fn spread_csv(runs: &[Vec<Comparison>]) -> String {
    let mut out = format!("{SPREAD_CSV_HEADER}\n");
    for workload in by_workload(runs) {
        for (run, c) in workload.iter().enumerate() {
            writeln!(
                out,
                "{},{},{},{},{},{:.3},{:.3}",
                c.name,
                run + 1,
                csv_median(c.unit, c.filch),
                csv_median(c.unit, c.tokio),
                csv_median(c.unit, c.smol),
                c.speedup(),
                c.smol_speedup(),
            )
            .expect("writing to a String");
        }
    }
    out
}

/// The spread table: per workload, tokio/filch and smol/filch of each run in run order and
/// their min-max, filch/rayon likewise where the workload has a rayon reference (the column
/// is left out when none has), and filch's median of each run. A row reads
/// `spawn_many_local  1.96 2.05 1.88  (1.88-2.05)  ...`: a ratio whose min-max straddles 1
/// is no clear win or loss.
///
/// # Panics
/// If the runs do not list the same workloads in the same order.
///
/// ```
/// use filch_bench::report::spread_table;
/// use filch_bench::runner::{Comparison, Outcome};
/// use filch_bench::stats::Summary;
/// use filch_bench::workloads::Unit;
///
/// let outcome = |ns| Outcome {
///     summary: Summary::of(&[ns]).unwrap(),
///     cpu: ns,
///     allocations: None,
/// };
/// let run = |tokio| Comparison {
///     name: "spawn_many_local",
///     unit: Unit::NanosPerIteration,
///     filch: outcome(1_000.0),
///     tokio: outcome(tokio),
///     smol: outcome(1_500.0),
///     tokio_aa: None,
///     reference: None,
/// };
/// let runs = [vec![run(1_960.0)], vec![run(2_050.0)], vec![run(1_880.0)]];
/// let table = spread_table(&runs);
/// assert!(table.contains("spawn_many_local  1.96 2.05 1.88  (1.88-2.05)"), "{table}");
/// ```
pub fn spread_table(runs: &[Vec<Comparison>]) -> String {
    let workloads = by_workload(runs);
    let with_reference = workloads
        .iter()
        .any(|w| w.iter().any(|c| c.reference.is_some()));
    let mut header: Vec<String> = ["workload", "tokio/filch", "smol/filch"]
        .map(str::to_owned)
        .into();
    if with_reference {
        header.push("filch/rayon".to_owned());
    }
    header.push("filch median".to_owned());
    let rows: Vec<Vec<String>> = workloads
        .iter()
        .map(|w| {
            let mut row = vec![
                w[0].name.to_owned(),
                ratios(w.iter().map(|c| c.speedup())),
                ratios(w.iter().map(|c| c.smol_speedup())),
            ];
            if with_reference {
                let per_run: Option<Vec<f64>> = w.iter().map(|c| c.reference_ratio()).collect();
                row.push(per_run.map_or_else(|| "-".to_owned(), |r| ratios(r.into_iter())));
            }
            let medians: Vec<String> = w
                .iter()
                .map(|c| value(c.unit, c.filch.summary.median))
                .collect();
            row.push(medians.join(", "));
            row
        })
        .collect();
    format!(
        "spread over {} runs: each run's figure in run order, then (min-max){}\n{}",
        runs.len(),
        if with_reference {
            "; filch/rayon is filch's time over rayon's"
        } else {
            ""
        },
        aligned(&header, &rows)
    )
}

/// Each workload's comparisons, one per run in run order.
fn by_workload(runs: &[Vec<Comparison>]) -> Vec<Vec<&Comparison>> {
    let Some(first) = runs.first() else {
        return Vec::new();
    };
    let names = |run: &[Comparison]| run.iter().map(|c| c.name).collect::<Vec<_>>();
    for (i, run) in runs.iter().enumerate() {
        assert_eq!(
            names(run),
            names(first),
            "run {} lists other workloads than run 1: leave a workload that fails in one run \
             out of every run",
            i + 1
        );
    }
    (0..first.len())
        .map(|w| runs.iter().map(|run| &run[w]).collect())
        .collect()
}

/// `1.96 2.05 1.88  (1.88-2.05)`: each ratio in run order, then their min and max.
fn ratios(per_run: impl Iterator<Item = f64>) -> String {
    let per_run: Vec<f64> = per_run.collect();
    let each: Vec<String> = per_run.iter().map(|r| format!("{r:.2}")).collect();
    let Summary { min, max, .. } = Summary::of(&per_run).expect("every workload has a run");
    format!("{}  ({min:.2}-{max:.2})", each.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::{Outcome, ReferenceOutcome};
    use crate::workloads::Unit;

    fn outcome(median: f64) -> Outcome {
        Outcome {
            summary: Summary {
                median,
                min: median / 2.0,
                max: median * 2.0,
            },
            cpu: median,
            allocations: None,
        }
    }

    /// Three runs of ping_pong (no reference), fork_join_fib (rayon) and bytes_per_task.
    fn runs() -> Vec<Vec<Comparison>> {
        let run = |filch_ns: f64, tokio_ns: f64, smol_ns: f64, rayon_ns: f64| {
            vec![
                Comparison {
                    name: "ping_pong",
                    unit: Unit::NanosPerIteration,
                    filch: outcome(filch_ns),
                    tokio: outcome(tokio_ns),
                    smol: outcome(smol_ns),
                    tokio_aa: None,
                    reference: None,
                },
                Comparison {
                    name: "fork_join_fib",
                    unit: Unit::NanosPerIteration,
                    filch: outcome(filch_ns * 10.0),
                    tokio: outcome(tokio_ns * 10.0),
                    smol: outcome(smol_ns * 10.0),
                    tokio_aa: None,
                    reference: Some(ReferenceOutcome {
                        name: "rayon::join",
                        summary: Summary {
                            median: rayon_ns,
                            min: rayon_ns,
                            max: rayon_ns,
                        },
                    }),
                },
                Comparison {
                    name: "bytes_per_task",
                    unit: Unit::BytesPerTask,
                    filch: outcome(64.0),
                    tokio: outcome(128.0),
                    smol: outcome(96.0),
                    tokio_aa: None,
                    reference: None,
                },
            ]
        };
        vec![
            run(100e3, 196e3, 50e3, 500e3),
            run(100e3, 205e3, 60e3, 1_000e3),
            run(125e3, 235e3, 50e3, 625e3),
        ]
    }

    #[test]
    fn the_table_gives_every_run_and_the_min_max_of_each_ratio() {
        let table = spread_table(&runs());
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 5, "{table}");
        assert!(lines[0].starts_with("spread over 3 runs: "), "{table}");
        let cells = |line: &str| -> Vec<String> {
            line.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect()
        };
        assert_eq!(
            cells(lines[1]),
            [
                "workload",
                "tokio/filch",
                "smol/filch",
                "filch/rayon",
                "filch median"
            ]
        );
        assert_eq!(
            cells(lines[2]),
            [
                "ping_pong",
                "1.96 2.05 1.88",
                "(1.88-2.05)",
                "0.50 0.60 0.40",
                "(0.40-0.60)",
                "-",
                "100.00 µs, 100.00 µs, 125.00 µs"
            ]
        );
        assert_eq!(
            cells(lines[3]),
            [
                "fork_join_fib",
                "1.96 2.05 1.88",
                "(1.88-2.05)",
                "0.50 0.60 0.40",
                "(0.40-0.60)",
                "2.00 1.00 2.00",
                "(1.00-2.00)",
                "1.00 ms, 1.00 ms, 1.25 ms"
            ]
        );
        assert_eq!(
            cells(lines[4]),
            [
                "bytes_per_task",
                "2.00 2.00 2.00",
                "(2.00-2.00)",
                "1.50 1.50 1.50",
                "(1.50-1.50)",
                "-",
                "64.0 B, 64.0 B, 64.0 B"
            ]
        );
        // Every row is as wide as the header: the columns line up.
        let width = lines[1].chars().count();
        assert!(
            lines[2..].iter().all(|l| l.chars().count() == width),
            "{table}"
        );
    }

    #[test]
    fn the_rayon_column_is_left_out_when_no_workload_has_one() {
        let runs: Vec<Vec<Comparison>> = runs()
            .into_iter()
            .map(|run| run.into_iter().filter(|c| c.reference.is_none()).collect())
            .collect();
        let table = spread_table(&runs);
        assert!(!table.contains("filch/rayon"), "{table}");
        assert!(table.lines().nth(1).unwrap().ends_with("filch median"));
    }

    #[test]
    fn the_csv_has_a_row_per_workload_and_run() {
        let csv = spread_csv(&runs());
        let rows: Vec<&str> = csv.lines().collect();
        assert_eq!(rows[0], SPREAD_CSV_HEADER);
        assert_eq!(
            rows[1..],
            [
                "ping_pong,1,100000,196000,50000,1.960,0.500",
                "ping_pong,2,100000,205000,60000,2.050,0.600",
                "ping_pong,3,125000,235000,50000,1.880,0.400",
                "fork_join_fib,1,1000000,1960000,500000,1.960,0.500",
                "fork_join_fib,2,1000000,2050000,600000,2.050,0.600",
                "fork_join_fib,3,1250000,2350000,500000,1.880,0.400",
                "bytes_per_task,1,64.0,128.0,96.0,2.000,1.500",
                "bytes_per_task,2,64.0,128.0,96.0,2.000,1.500",
                "bytes_per_task,3,64.0,128.0,96.0,2.000,1.500",
            ]
        );
    }

    #[test]
    fn no_runs_give_just_the_headers() {
        assert_eq!(spread_csv(&[]), format!("{SPREAD_CSV_HEADER}\n"));
        assert!(spread_table(&[]).ends_with("filch median\n"));
    }

    #[test]
    #[should_panic(expected = "run 2 lists other workloads than run 1")]
    fn runs_of_other_workloads_are_refused() {
        let mut runs = runs();
        runs[1].pop();
        spread_table(&runs);
    }
}
