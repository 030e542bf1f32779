//! `cargo run --release -p filch-bench -- [--quick] [--aa] [--only NAME] [--workers N]
//! [--rounds N] [--runs N] [--csv]`
//!
//! Runs the workloads on filch, tokio and smol (`--runs` times), prints the last run's
//! comparison and the spread over the runs, and writes `target/filch-bench/results.csv`,
//! `spread.csv` and `speedups.svg`.

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
    let (runs, failed) = run(&opts);
    // The table and results.csv are the last run's, as it came out; the spread of every run
    // follows it.
    let last = runs.last().map_or(&[][..], Vec::as_slice);
    let mut table = format!("{info}\n\n{}", report::table(last));
    if opts.runs > 1 {
        table = format!("{table}\n{}", report::spread_table(&runs));
    }
    let csv = report::csv(last);
    if opts.csv {
        // stdout carries only the CSV, so it can be piped; the tables go to stderr.
        eprint!("\n{table}");
        print!("{csv}");
    } else {
        print!("\n{table}");
    }
    match write_outputs(last, &csv, &report::spread_csv(&runs), &info) {
        Ok(dir) => eprintln!(
            "\nwrote {0}/results.csv, {0}/spread.csv and {0}/speedups.svg",
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

/// Measures the selected workloads `opts.runs` times (run 1 of every workload, then run 2,
/// ..., so a slow phase of the machine hits one run rather than one workload), reporting
/// progress on stderr; returns each run's comparisons. A workload that panics (a wrong
/// result, a runtime bug) is reported and left out of every run, so the runs list the same
/// workloads, and the others still run; the names of the failed ones come back beside them.
fn run(opts: &Options) -> (Vec<Vec<Comparison>>, Vec<&'static str>) {
    let plan = Plan {
        workers: opts.workers,
        warm_up_rounds: opts.warm_up_rounds(),
        rounds: opts.rounds(),
        aa: opts.aa,
    };
    let mut selected: Vec<_> = workloads::all(Scale::Full, opts.workers)
        .into_iter()
        .filter(|w| opts.selects(w.name()))
        .collect();
    eprintln!(
        "filch-bench: {} workloads, {} workers, {} warm-up + {} measured rounds each, \
         filch, tokio and smol{} interleaved{}",
        selected.len(),
        plan.workers,
        plan.warm_up_rounds,
        plan.rounds,
        if plan.aa {
            " and a second tokio (--aa)"
        } else {
            ""
        },
        if opts.runs > 1 {
            format!("; {} runs of them all", opts.runs)
        } else {
            String::new()
        },
    );
    let started = Instant::now();
    let mut runs: Vec<Vec<Comparison>> = Vec::with_capacity(opts.runs);
    let mut failed = Vec::new();
    for run in 1..=opts.runs {
        let run_started = Instant::now();
        let mut comparisons = Vec::with_capacity(selected.len());
        for (i, workload) in selected.iter().enumerate() {
            let at = position(run, opts.runs, i + 1, selected.len());
            eprint!("{at} {:<24}", workload.name());
            let capped = plan.capped(workload.max_rounds());
            if capped != plan {
                eprint!(
                    " (capped: {} warm-up + {} measured rounds)",
                    capped.warm_up_rounds, capped.rounds
                );
            }
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
                        "{at} {} FAILED: left out of the results of every run",
                        workload.name()
                    );
                    failed.push(workload.name());
                }
            }
        }
        selected.retain(|w| !failed.contains(&w.name()));
        for earlier in &mut runs {
            earlier.retain(|c| !failed.contains(&c.name));
        }
        runs.push(comparisons);
        if opts.runs > 1 {
            eprintln!(
                "run {run} of {} done in {:.1} s",
                opts.runs,
                run_started.elapsed().as_secs_f64()
            );
        }
    }
    eprintln!("done in {:.1} s", started.elapsed().as_secs_f64());
    (runs, failed)
}

/// Where a progress line is: `[ 3/12]`, or `[run 2/3,  3/12]` when there are several runs.
fn position(run: usize, runs: usize, workload: usize, workloads: usize) -> String {
    let width = workloads.to_string().len();
    let at = format!("{workload:>width$}/{workloads}");
    if runs > 1 {
        format!("[run {run}/{runs}, {at}]")
    } else {
        format!("[{at}]")
    }
}

/// Writes `results.csv`, `spread.csv` and `speedups.svg` (naming `run`) under the target
/// directory; returns the folder. `spread.csv` is written even for one run, so it never
/// holds an older run's figures.
fn write_outputs(
    comparisons: &[Comparison],
    csv: &str,
    spread_csv: &str,
    run: &report::RunInfo,
) -> io::Result<PathBuf> {
    let target = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("filch-bench");
    fs::create_dir_all(&dir)?;
    fs::write(dir.join("results.csv"), csv)?;
    fs::write(dir.join("spread.csv"), spread_csv)?;
    let bars: Vec<(&str, f64)> = comparisons.iter().map(|c| (c.name, c.speedup())).collect();
    fs::write(dir.join("speedups.svg"), svg::speedups(&bars, run))?;
    fs::canonicalize(dir)
}
