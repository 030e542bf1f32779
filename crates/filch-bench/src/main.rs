//! `cargo run --release -p filch-bench -- [--quick] [--aa] [--only NAME] [--workers N] [--csv]`
//!
//! Runs the workloads on filch, tokio and smol, prints the comparison and writes
//! `target/filch-bench/results.csv` and `target/filch-bench/speedups.svg`.

use filch_bench::alloc_counter::CountingAlloc;
use filch_bench::args::{self, Command, Options};
use filch_bench::runner::{Comparison, Plan};
use filch_bench::workloads::{self, Scale};
use filch_bench::{report, svg};
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;
use std::{env, fs, io};

// `bytes_per_task` reads this allocator's per-thread counters; it costs every allocation a
// thread-local increment, on every runtime alike.
#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

fn main() -> ExitCode {
    let all_cores = num_cpus::get();
    let names: Vec<&str> = workloads::all(Scale::Full, all_cores)
        .iter()
        .map(|w| w.name())
        .collect();
    let opts = match args::parse(env::args().skip(1), &names, all_cores) {
        Ok(Command::Run(opts)) => opts,
        Ok(Command::Help) => {
            println!("{}", args::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(err) => {
            eprintln!("filch-bench: {err}");
            return ExitCode::from(2);
        }
    };

    let info = report::RunInfo::detect(opts.workers);
    let (comparisons, failed) = run(&opts);
    // The header names what was measured: commit, date, machine, workers and versions.
    let table = format!("{info}\n\n{}", report::table(&comparisons));
    let csv = report::csv(&comparisons);
    if opts.csv {
        // stdout carries only the CSV, so it can be piped; the table goes to stderr.
        eprint!("\n{table}");
        print!("{csv}");
    } else {
        print!("\n{table}");
    }
    match write_outputs(&comparisons, &csv, &info) {
        Ok(dir) => eprintln!(
            "\nwrote {0}/results.csv and {0}/speedups.svg",
            dir.display()
        ),
        Err(err) => {
            eprintln!("filch-bench: could not write the results: {err}");
            return ExitCode::FAILURE;
        }
    }
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("filch-bench: these workloads failed: {}", failed.join(", "));
        ExitCode::FAILURE
    }
}

/// Runs the selected workloads, reporting progress on stderr. A workload that panics (a
/// wrong result, a runtime bug) is reported and left out, and the others still run; the
/// names of the failed ones come back beside the results.
fn run(opts: &Options) -> (Vec<Comparison>, Vec<&'static str>) {
    let plan = Plan {
        workers: opts.workers,
        warm_up_rounds: opts.warm_up_rounds(),
        rounds: opts.rounds(),
        aa: opts.aa,
    };
    let selected: Vec<_> = workloads::all(Scale::Full, opts.workers)
        .into_iter()
        .filter(|w| opts.selects(w.name()))
        .collect();
    eprintln!(
        "filch-bench: {} workloads, {} workers, {} warm-up + {} measured rounds each, \
         filch, tokio and smol{} interleaved",
        selected.len(),
        plan.workers,
        plan.warm_up_rounds,
        plan.rounds,
        if plan.aa {
            " and a second tokio (--aa)"
        } else {
            ""
        },
    );
    let started = Instant::now();
    let mut comparisons = Vec::with_capacity(selected.len());
    let mut failed = Vec::new();
    for (i, workload) in selected.iter().enumerate() {
        eprint!("[{:>2}/{}] {:<24}", i + 1, selected.len(), workload.name());
        let began = Instant::now();
        // The panic message itself is printed by the default hook as it happens.
        match panic::catch_unwind(AssertUnwindSafe(|| workload.compare(&plan))) {
            Ok(c) => {
                eprintln!(
                    " tokio/filch {:>6.2}x  smol/filch {:>6.2}x  ({:.1} s)",
                    c.speedup(),
                    c.smol_speedup(),
                    began.elapsed().as_secs_f64()
                );
                comparisons.push(c);
            }
            Err(_) => {
                eprintln!(
                    "[{:>2}/{}] {} FAILED: left out of the results",
                    i + 1,
                    selected.len(),
                    workload.name()
                );
                failed.push(workload.name());
            }
        }
    }
    eprintln!("done in {:.1} s", started.elapsed().as_secs_f64());
    (comparisons, failed)
}

/// Writes `results.csv` and `speedups.svg` (naming `run`) under the target directory; returns
/// the folder.
fn write_outputs(
    comparisons: &[Comparison],
    csv: &str,
    run: &report::RunInfo,
) -> io::Result<PathBuf> {
    let target = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("filch-bench");
    fs::create_dir_all(&dir)?;
    fs::write(dir.join("results.csv"), csv)?;
    let bars: Vec<(&str, f64)> = comparisons.iter().map(|c| (c.name, c.speedup())).collect();
    fs::write(dir.join("speedups.svg"), svg::speedups(&bars, run))?;
    fs::canonicalize(dir)
}
