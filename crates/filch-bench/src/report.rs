//! The printed table, the CSV, what identifies a run ([`RunInfo`]), and the spread over
//! several runs ([`spread_table`], [`spread_csv`]).

use crate::runner::{Comparison, Outcome};
use crate::workloads::Unit;
use std::fmt::{self, Write};
use std::path::Path;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

mod spread;
pub use spread::{spread_csv, spread_table, SPREAD_CSV_HEADER};

/// The CSV header, fixed: the docs and any script reading `results.csv` rely on it.
pub const CSV_HEADER: &str = "workload,filch_median_ns,tokio_median_ns,speedup,filch_cpu_ns,\
                              tokio_cpu_ns,smol_median_ns,smol_cpu_ns,smol_speedup,\
                              tokio_aa_median_ns,tokio_aa_cpu_ns,aa_ratio";

/// The CSV: [`CSV_HEADER`], then one row per comparison.
///
/// Times are whole nanoseconds; for `bytes_per_task` the two median columns hold bytes per
/// task (one decimal) and the speedup is tokio bytes / filch bytes. The `_cpu_ns` columns are
/// the median CPU time of the process (user + sys) over a sample, in the sample's unit (per
/// iteration, operation or task), whole nanoseconds; `smol_speedup` is smol's median over
/// filch's; the `tokio_aa` columns and `aa_ratio` (second tokio / first) are empty unless the
/// run had `--aa`. The new columns come after the first four, so a script reading those by position
/// still reads them. The reference column of
/// `fork_join_fib` (rayon) is not in the CSV, which keeps one format for every row.
///
/// ```
/// use filch_bench::report::{csv, CSV_HEADER};
/// use filch_bench::runner::{Comparison, Outcome};
/// use filch_bench::stats::Summary;
/// use filch_bench::workloads::Unit;
///
/// let outcome = |ns| Outcome {
///     summary: Summary::of(&[ns]).unwrap(),
///     cpu: ns,
///     allocations: None,
/// };
/// let c = Comparison {
///     name: "ping_pong",
///     unit: Unit::NanosPerIteration,
///     filch: outcome(100.0),
///     tokio: outcome(150.0),
///     smol: outcome(200.0),
///     tokio_aa: None,
///     reference: None,
/// };
/// let row = "ping_pong,100,150,1.500,100,150,200,200,2.000,,,";
/// assert_eq!(csv(&[c]), format!("{CSV_HEADER}\n{row}\n"));
/// ```
pub fn csv(comparisons: &[Comparison]) -> String {
    let mut out = format!("{CSV_HEADER}\n");
    for c in comparisons {
        let median = |o: Outcome| csv_median(c.unit, o);
        writeln!(
            out,
            "{},{},{},{:.3},{:.0},{:.0},{},{:.0},{:.3},{}",
            c.name,
            median(c.filch),
            median(c.tokio),
            c.speedup(),
            c.filch.cpu,
            c.tokio.cpu,
            median(c.smol),
            c.smol.cpu,
            c.smol_speedup(),
            match (c.tokio_aa, c.aa_ratio()) {
                (Some(aa), Some(ratio)) => format!("{},{:.0},{ratio:.3}", median(aa), aa.cpu),
                _ => ",,".to_owned(),
            },
        )
        .expect("writing to a String");
    }
    out
}

/// `o`'s median as the CSVs write it: whole nanoseconds, or bytes to one decimal.
fn csv_median(unit: Unit, o: Outcome) -> String {
    match unit {
        Unit::BytesPerTask => format!("{:.1}", o.summary.median),
        Unit::NanosPerIteration | Unit::NanosPerOp => format!("{:.0}", o.summary.median),
    }
}

/// The human-readable table: median, min, max and median CPU time per runtime, and the
/// speedups over filch of tokio and smol; with an A/A run, the second tokio's median and CPU
/// and its ratio to the first (the noise floor); below it, the allocations per task and any
/// reference implementation.
///
/// ```
/// use filch_bench::report::table;
/// use filch_bench::runner::{Comparison, Outcome};
/// use filch_bench::stats::Summary;
/// use filch_bench::workloads::Unit;
///
/// let outcome = |ns| Outcome {
///     summary: Summary::of(&[ns]).unwrap(),
///     cpu: ns,
///     allocations: None,
/// };
/// let c = Comparison {
///     name: "ping_pong",
///     unit: Unit::NanosPerIteration,
///     filch: outcome(100.0),
///     tokio: outcome(200.0),
///     smol: outcome(300.0),
///     tokio_aa: None,
///     reference: None,
/// };
/// let printed = table(&[c]);
/// assert!(printed.contains("ping_pong") && printed.contains("2.00x") && printed.contains("3.00x"));
/// ```
pub fn table(comparisons: &[Comparison]) -> String {
    let mut header = vec!["workload".to_owned(), "per".to_owned()];
    for name in ["filch", "tokio", "smol"] {
        header.extend([
            format!("{name} median"),
            "min".into(),
            "max".into(),
            "cpu".into(),
        ]);
    }
    header.extend(["tokio/filch".to_owned(), "smol/filch".to_owned()]);
    let aa = comparisons.iter().any(|c| c.tokio_aa.is_some());
    if aa {
        header.extend(["tokio A/A median", "cpu", "A/A"].map(str::to_owned));
    }
    let rows: Vec<Vec<String>> = comparisons
        .iter()
        .map(|c| {
            let v = |x: f64| value(c.unit, x);
            let mut row = vec![c.name.to_owned(), per(c.unit).to_owned()];
            for o in [c.filch, c.tokio, c.smol] {
                let s = o.summary;
                row.extend([v(s.median), v(s.min), v(s.max), duration(o.cpu)]);
            }
            row.push(format!("{:.2}x", c.speedup()));
            row.push(format!("{:.2}x", c.smol_speedup()));
            if aa {
                match (c.tokio_aa, c.aa_ratio()) {
                    (Some(o), Some(ratio)) => {
                        row.extend([v(o.summary.median), duration(o.cpu), format!("{ratio:.2}x")])
                    }
                    _ => row.extend(["-", "-", "-"].map(str::to_owned)),
                }
            }
            row
        })
        .collect();

    let mut out = aligned(&header, &rows);
    for c in comparisons {
        if let (Some(f), Some(t)) = (c.filch.allocations, c.tokio.allocations) {
            writeln!(
                out,
                "\n{}: allocations per task: filch {f:.2}, tokio {t:.2}",
                c.name
            )
            .expect("writing to a String");
        }
        if let (Some(r), Some(ratio)) = (c.reference, c.reference_ratio()) {
            let s = r.summary;
            writeln!(
                out,
                "\n{} on {}: median {}, min {}, max {}; filch takes {:.2}x its time",
                c.name,
                r.name,
                value(c.unit, s.median),
                value(c.unit, s.min),
                value(c.unit, s.max),
                ratio,
            )
            .expect("writing to a String");
        }
    }
    out
}

/// `header` and `rows` as columns, two spaces apart, each as wide as its widest cell: the
/// first (the workload's name) left-aligned, the figures right-aligned.
fn aligned(header: &[String], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for cells in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        for (i, (cell, &width)) in cells.iter().zip(&widths).enumerate() {
            if i == 0 {
                write!(out, "{cell:<width$}")
            } else {
                write!(out, "  {cell:>width$}")
            }
            .expect("writing to a String");
        }
        out.push('\n');
    }
    out
}

/// What a run was: the commit measured, the day, the machine, the worker count and the
/// versions of the runtimes beside filch. The table's header and the chart carry it, so two
/// runs side by side say what they compare.
///
/// ```
/// use filch_bench::report::RunInfo;
///
/// let run = RunInfo {
///     commit: "23152b0".into(),
///     date: "2026-12-01".into(),
///     machine: "Intel Xeon, 2 cores".into(),
///     workers: 2,
///     versions: "tokio 1.54.1, async-executor 1.14.1, rayon 1.12.0".into(),
/// };
/// assert_eq!(
///     run.to_string(),
///     "filch 23152b0, 2026-12-01, Intel Xeon, 2 cores, 2 workers; \
///      tokio 1.54.1, async-executor 1.14.1, rayon 1.12.0"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunInfo {
    /// The commit measured, as `git describe --always --dirty` prints it (`-dirty`: the
    /// working tree had changes), or `unknown` outside a git checkout.
    pub commit: String,
    /// The day of the run, `YYYY-MM-DD` in UTC.
    pub date: String,
    /// The CPU model and core count.
    pub machine: String,
    /// The workers each runtime had.
    pub workers: usize,
    /// The peers' versions, `tokio X, async-executor Y, rayon Z`, as the lock file pins them.
    pub versions: String,
}

impl RunInfo {
    /// This run on this machine: the checkout's commit, today's date, the CPU model (from
    /// `/proc/cpuinfo` where there is one, else the OS and architecture), the core count, and
    /// the peers' versions from the workspace's `Cargo.lock` (built into the binary, so they
    /// are the versions it was built with). Nothing here fails: what cannot be found reads
    /// `unknown`.
    pub fn detect(workers: usize) -> RunInfo {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        RunInfo {
            commit: git_commit(Path::new(env!("CARGO_MANIFEST_DIR")))
                .unwrap_or_else(|| "unknown".to_owned()),
            date: utc_date(since_epoch),
            machine: format!("{}, {} cores", cpu_model(), num_cpus::get()),
            workers,
            versions: peer_versions(include_str!("../../../Cargo.lock")),
        }
    }
}

/// The runtimes filch is compared with, by their crates' names.
const PEERS: [&str; 3] = ["tokio", "async-executor", "rayon"];

/// `tokio X, async-executor Y, rayon Z` as `lock` (a `Cargo.lock`) pins them.
fn peer_versions(lock: &str) -> String {
    let version = |name: &str| {
        let entry = format!("name = \"{name}\"\nversion = \"");
        let start = lock.find(&entry)? + entry.len();
        lock[start..].split('"').next()
    };
    PEERS
        .map(|name| format!("{name} {}", version(name).unwrap_or("unknown")))
        .join(", ")
}

impl fmt::Display for RunInfo {
    /// One line: `filch COMMIT, DATE, MACHINE, N workers; VERSIONS`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let RunInfo {
            commit,
            date,
            machine,
            workers,
            versions,
        } = self;
        let plural = if *workers == 1 { "" } else { "s" };
        write!(
            f,
            "filch {commit}, {date}, {machine}, {workers} worker{plural}; {versions}"
        )
    }
}

/// The checkout's commit (`-dirty` when the tree has changes; tags are ignored so the hash
/// always shows), or `None` without git or outside a checkout.
fn git_commit(dir: &Path) -> Option<String> {
    let out = Command::new("git")
        .args(["describe", "--always", "--dirty", "--exclude=*"])
        .current_dir(dir)
        .output()
        .ok()?;
    let commit = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (out.status.success() && !commit.is_empty()).then_some(commit)
}

/// The CPU's model name as Linux reports it, else the OS and architecture.
fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("model name")?.split_once(':'))
                .map(|(_, name)| name.split_whitespace().collect::<Vec<_>>().join(" "))
        })
        .unwrap_or_else(|| format!("{} {}", std::env::consts::OS, std::env::consts::ARCH))
}

/// `YYYY-MM-DD` of a Unix time in UTC, by Howard Hinnant's `civil_from_days` ("chrono-Compatible
/// Low-Level Date Algorithms"): a dozen lines instead of a date dependency.
fn utc_date(secs_since_epoch: u64) -> String {
    // Days counted from 0000-03-01, so each leap day ends its year.
    let days = (secs_since_epoch / 86_400) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// What one sample of `unit` is, for the table's "per" column.
fn per(unit: Unit) -> &'static str {
    match unit {
        Unit::NanosPerIteration => "iter",
        Unit::NanosPerOp => "op",
        Unit::BytesPerTask => "task",
    }
}

/// A sample in the unit's natural scale: `541.20 µs`, `128.0 B`.
fn value(unit: Unit, x: f64) -> String {
    match unit {
        Unit::BytesPerTask => format!("{x:.1} B"),
        Unit::NanosPerIteration | Unit::NanosPerOp => duration(x),
    }
}

/// Nanoseconds with the largest unit that keeps the number at least 1.
fn duration(nanos: f64) -> String {
    match nanos {
        n if n < 1e3 => format!("{n:.0} ns"),
        n if n < 1e6 => format!("{:.2} µs", n / 1e3),
        n if n < 1e9 => format!("{:.2} ms", n / 1e6),
        n => format!("{:.2} s", n / 1e9),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::{Outcome, ReferenceOutcome};
    use crate::stats::Summary;

    fn outcome(median: f64, allocations: Option<f64>) -> Outcome {
        Outcome {
            summary: Summary {
                median,
                min: median / 2.0,
                max: median * 2.0,
            },
            cpu: median * 1.5,
            allocations,
        }
    }

    fn comparisons() -> Vec<Comparison> {
        vec![
            Comparison {
                name: "ping_pong",
                unit: Unit::NanosPerIteration,
                filch: outcome(400_000.4, None),
                tokio: outcome(600_000.6, None),
                smol: outcome(200_000.2, None),
                tokio_aa: None,
                reference: None,
            },
            Comparison {
                name: "fork_join_fib",
                unit: Unit::NanosPerIteration,
                filch: outcome(30e6, None),
                tokio: outcome(60e6, None),
                smol: outcome(45e6, None),
                tokio_aa: None,
                reference: Some(ReferenceOutcome {
                    name: "rayon::join",
                    summary: Summary {
                        median: 10e6,
                        min: 9e6,
                        max: 11e6,
                    },
                }),
            },
            Comparison {
                name: "bytes_per_task",
                unit: Unit::BytesPerTask,
                filch: outcome(64.0, Some(1.0)),
                tokio: outcome(128.0, Some(1.0)),
                smol: outcome(32.0, Some(1.0)),
                tokio_aa: None,
                reference: None,
            },
        ]
    }

    #[test]
    fn csv_has_the_fixed_header_and_one_row_per_workload() {
        assert_eq!(
            csv(&comparisons()),
            "workload,filch_median_ns,tokio_median_ns,speedup,filch_cpu_ns,tokio_cpu_ns,\
             smol_median_ns,smol_cpu_ns,smol_speedup,tokio_aa_median_ns,tokio_aa_cpu_ns,aa_ratio\n\
             ping_pong,400000,600001,1.500,600001,900001,200000,300000,0.500,,,\n\
             fork_join_fib,30000000,60000000,2.000,45000000,90000000,45000000,67500000,1.500,,,\n\
             bytes_per_task,64.0,128.0,2.000,96,192,32.0,48,0.500,,,\n"
        );
    }

    #[test]
    fn an_aa_run_adds_the_second_tokio_to_the_csv_and_the_table() {
        let mut runs = comparisons();
        runs[0].tokio_aa = Some(outcome(660_000.0, None));
        let csv = csv(&runs);
        let rows: Vec<&str> = csv.lines().collect();
        assert!(
            rows[1].ends_with(",0.500,660000,990000,1.100"),
            "{}",
            rows[1]
        );
        assert!(rows[2].ends_with(",1.500,,,"), "{}", rows[2]);
        let table = table(&runs);
        let lines: Vec<&str> = table.lines().collect();
        assert!(
            lines[0].ends_with("tokio A/A median        cpu    A/A"),
            "{table}"
        );
        assert!(lines[1].ends_with("660.00 µs  990.00 µs  1.10x"), "{table}");
        assert!(lines[2].ends_with("-          -      -"), "{table}");
        let width = lines[0].chars().count();
        assert!(lines[1..4].iter().all(|l| l.chars().count() == width));
    }

    #[test]
    fn csv_of_nothing_is_just_the_header() {
        assert_eq!(csv(&[]), format!("{CSV_HEADER}\n"));
    }

    #[test]
    fn table_shows_every_figure_aligned() {
        let table = table(&comparisons());
        let lines: Vec<&str> = table.lines().collect();
        assert!(
            lines[0].starts_with("workload") && lines[0].ends_with("smol/filch"),
            "{table}"
        );
        assert!(lines[1].starts_with("ping_pong "));
        let figures = [
            "400.00 µs",
            "200.00 µs",
            "800.00 µs",
            "600.00 µs",
            "900.00 µs",
            "1.50x",
        ];
        for figure in figures {
            assert!(
                lines[1].contains(figure),
                "{figure} missing from {:?}",
                lines[1]
            );
        }
        assert!(lines[3].contains("64.0 B") && lines[3].contains("128.0 B"));
        assert!(lines[3].contains("32.0 B"));
        // Every table row is as wide as the header: the columns line up.
        let width = lines[0].chars().count();
        assert!(lines[1..4].iter().all(|l| l.chars().count() == width));
    }

    #[test]
    fn table_adds_allocations_and_the_reference() {
        let table = table(&comparisons());
        assert!(table.contains("bytes_per_task: allocations per task: filch 1.00, tokio 1.00"));
        assert!(table.contains(
            "fork_join_fib on rayon::join: median 10.00 ms, min 9.00 ms, max 11.00 ms; \
             filch takes 3.00x its time"
        ));
    }

    #[test]
    fn durations_pick_a_readable_unit() {
        assert_eq!(duration(999.0), "999 ns");
        assert_eq!(duration(1_500.0), "1.50 µs");
        assert_eq!(duration(2_500_000.0), "2.50 ms");
        assert_eq!(duration(3e9), "3.00 s");
    }

    #[test]
    fn dates_are_utc_calendar_days() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(951_782_400), "2000-02-29"); // a leap day of a century year
        assert_eq!(utc_date(1_709_251_199), "2024-02-29"); // its last second
        assert_eq!(utc_date(1_709_251_200), "2024-03-01");
        assert_eq!(utc_date(1_798_675_200), "2026-12-31");
    }

    #[test]
    fn a_detected_run_names_every_part() {
        let run = RunInfo::detect(3);
        assert_eq!(run.workers, 3);
        assert!(!run.commit.is_empty() && !run.machine.is_empty());
        let date = run.date.as_bytes();
        assert!(
            date.len() == 10 && date[4] == b'-' && date[7] == b'-',
            "{}",
            run.date
        );
        assert!(run.to_string().contains(", 3 workers; tokio 1."));
        assert!(!run.versions.contains("unknown"), "{}", run.versions);
    }

    #[test]
    fn peer_versions_come_from_the_lock_file() {
        let lock = "[[package]]\nname = \"rayon\"\nversion = \"1.12.0\"\n\n\
                    [[package]]\nname = \"tokio\"\nversion = \"1.54.1\"\n";
        assert_eq!(
            peer_versions(lock),
            "tokio 1.54.1, async-executor unknown, rayon 1.12.0"
        );
    }
}
