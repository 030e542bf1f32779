//! Command-line parsing for the runner, on `lexopt` (the same parser as `cpu-service`'s): it
//! handles `--flag value`, `--flag=value` and `-h`, and names what it did not expect.

use std::fmt;

/// The usage text printed by `--help`.
pub const USAGE: &str = "\
Runs every scheduler workload on filch, tokio and smol (one async-executor driven by the
workers), interleaved in one process, and prints median/min/max and the median CPU time for
each runtime and the speedups (tokio median / filch median, smol median / filch median).

USAGE:
    cargo run --release -p filch-bench -- [OPTIONS]

OPTIONS:
    --quick          fewer rounds (2 warm-up, 15 measured): the whole run takes under 3 minutes
    --only NAME      run only these workloads (repeat the flag or give a comma list)
    --workers N      worker threads for every runtime (default: all cores)
    --rounds N       measured rounds per runtime (default: 50, or 15 with --quick)
    --runs N         measure the whole selection N times in this process (default: 1): run 1
                     of every workload, then run 2, ...; the table is the last run's, and
                     with N > 1 a spread table follows it (every run's ratios, their min-max
                     and filch's median per run)
    --aa             add a second, independent tokio column: its distance from the first
                     (the tokio/tokio column) is the noise floor of the run's ratios
    --csv            print the CSV (see below) to stdout
    -h, --help       print this text

Every run also writes target/filch-bench/results.csv (the --csv format, the last run),
target/filch-bench/speedups.svg (a bar chart of the last run's speedups) and
target/filch-bench/spread.csv (one row per workload and run: workload,run,filch_median_ns,
tokio_median_ns,smol_median_ns,speedup,smol_speedup). The results.csv columns are
workload,filch_median_ns,tokio_median_ns,speedup,filch_cpu_ns,tokio_cpu_ns,smol_median_ns,
smol_cpu_ns,smol_speedup,tokio_aa_median_ns,tokio_aa_cpu_ns,aa_ratio (the last three empty
without --aa): a `_cpu_ns` column is the median CPU time of the whole process (user + sys) over a sample, in the same
unit as the sample. For bytes_per_task the two median columns hold bytes per task and its
speedup is tokio bytes / filch bytes.
The rayon::join forms (fork_join_fib, join_fib_*, par_sum_10m, cpu_fanout, merge_sort_1m) also
run on rayon alone; that reference is shown in the printed tables only.
A workload may cap its own rounds (join_all_100k: 11 measured, 2 warm-up, as tokio takes
seconds a round there); its progress line says so.";

// Most iterations take 0.1 to 100 ms, so 50 rounds of every workload on every runtime take
// about a minute on 2 cores, and 15 (with `--quick`) a third of that: enough samples for a
// median that a passing hiccup (another process compiling) does not move.
/// Measured rounds per runtime by default.
const DEFAULT_ROUNDS: usize = 50;
/// Measured rounds per runtime with `--quick`.
const QUICK_ROUNDS: usize = 15;
/// Discarded rounds per runtime before the measured ones, by default.
const DEFAULT_WARM_UP_ROUNDS: usize = 5;
/// Discarded rounds per runtime with `--quick`.
const QUICK_WARM_UP_ROUNDS: usize = 2;
/// Runs of the whole selection by default: one, as the runner always did.
const DEFAULT_RUNS: usize = 1;

/// What the command line asked for.
///
/// ```
/// use filch_bench::args::{parse, Command};
///
/// assert_eq!(parse(["--help".to_owned()], &[], 4).unwrap(), Command::Help);
/// assert!(matches!(parse([], &[], 4).unwrap(), Command::Run(_)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Print [`USAGE`] and exit successfully.
    Help,
    /// Run the workloads.
    Run(Options),
}

/// The options of a run.
///
/// ```
/// use filch_bench::args::{parse, Command};
///
/// let Command::Run(opts) = parse(["--csv".to_owned()], &[], 4).unwrap() else {
///     panic!("expected a run");
/// };
/// assert!(opts.csv && !opts.quick);
/// assert_eq!((opts.workers, opts.rounds, opts.runs), (4, None, 1));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Fewer rounds, for a run under 3 minutes.
    pub quick: bool,
    /// The workloads to run, in the order given; empty means all.
    pub only: Vec<String>,
    /// Worker threads for each runtime.
    pub workers: usize,
    /// Measured rounds per runtime, if given on the command line.
    pub rounds: Option<usize>,
    /// How many times the whole selection is measured, one run after the other; at least 1.
    pub runs: usize,
    /// Print the CSV to stdout instead of the table.
    pub csv: bool,
    /// Add the second tokio column (an A/A comparison: the noise floor).
    pub aa: bool,
}

impl Options {
    /// Measured rounds per runtime.
    ///
    /// ```
    /// use filch_bench::args::Options;
    ///
    /// let opts = Options { quick: true, only: vec![], workers: 2, rounds: None, runs: 1, csv: false, aa: false };
    /// assert_eq!(opts.rounds(), 15);
    /// assert_eq!(Options { rounds: Some(7), ..opts }.rounds(), 7);
    /// ```
    pub fn rounds(&self) -> usize {
        match (self.rounds, self.quick) {
            (Some(n), _) => n,
            (None, true) => QUICK_ROUNDS,
            (None, false) => DEFAULT_ROUNDS,
        }
    }

    /// Unmeasured warm-up rounds per runtime before the measured ones.
    ///
    /// ```
    /// use filch_bench::args::Options;
    ///
    /// let opts = Options { quick: false, only: vec![], workers: 2, rounds: None, runs: 1, csv: false, aa: false };
    /// assert_eq!(opts.warm_up_rounds(), 5);
    /// assert_eq!(Options { quick: true, ..opts }.warm_up_rounds(), 2);
    /// ```
    pub fn warm_up_rounds(&self) -> usize {
        if self.quick {
            QUICK_WARM_UP_ROUNDS
        } else {
            DEFAULT_WARM_UP_ROUNDS
        }
    }

    /// Whether the workload called `name` is selected.
    ///
    /// ```
    /// use filch_bench::args::Options;
    ///
    /// let all = Options { quick: false, only: vec![], workers: 2, rounds: None, runs: 1, csv: false, aa: false };
    /// assert!(all.selects("timers"));
    /// let one = Options { only: vec!["ping_pong".to_owned()], ..all };
    /// assert!(one.selects("ping_pong") && !one.selects("timers"));
    /// ```
    pub fn selects(&self, name: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|n| n == name)
    }
}

/// A command line the runner cannot act on; the message says what to change.
///
/// ```
/// use filch_bench::args::parse;
///
/// let err = parse(["--workers".to_owned(), "0".to_owned()], &[], 4).unwrap_err();
/// assert_eq!(err.to_string(), "--workers takes a whole number of at least 1, not `0`");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgError(String);

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ArgError {}

/// Parses the arguments after the program name.
///
/// `known` lists the workload names `--only` accepts; `default_workers` is used when
/// `--workers` is absent.
///
/// ```
/// use filch_bench::args::{parse, Command};
///
/// let args = ["--quick", "--only", "ping_pong,yield_many", "--workers=2"].map(String::from);
/// let Command::Run(opts) = parse(args, &["ping_pong", "yield_many"], 8).unwrap() else {
///     panic!("expected a run");
/// };
/// assert!(opts.quick);
/// assert_eq!(opts.only, ["ping_pong", "yield_many"]);
/// assert_eq!((opts.workers, opts.rounds()), (2, 15));
/// ```
pub fn parse<I>(args: I, known: &[&str], default_workers: usize) -> Result<Command, ArgError>
where
    I: IntoIterator<Item = String>,
{
    use lexopt::prelude::*;

    let mut opts = Options {
        quick: false,
        only: Vec::new(),
        workers: default_workers,
        rounds: None,
        runs: DEFAULT_RUNS,
        csv: false,
        aa: false,
    };
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next()? {
        match arg {
            Short('h') | Long("help") => return Ok(Command::Help),
            Long("quick") => opts.quick = true,
            Long("csv") => opts.csv = true,
            Long("aa") => opts.aa = true,
            Long("workers") => opts.workers = positive("--workers", parser.value()?)?,
            Long("rounds") => opts.rounds = Some(positive("--rounds", parser.value()?)?),
            Long("runs") => opts.runs = positive("--runs", parser.value()?)?,
            Long("only") => {
                for name in parser
                    .value()?
                    .string()?
                    .split(',')
                    .filter(|n| !n.is_empty())
                {
                    if !known.contains(&name) {
                        return Err(ArgError(format!(
                            "unknown workload `{name}` for --only; the workloads are: {}",
                            known.join(", ")
                        )));
                    }
                    if !opts.only.iter().any(|n| n == name) {
                        opts.only.push(name.to_owned());
                    }
                }
            }
            _ => return Err(arg.unexpected().into()),
        }
    }
    Ok(Command::Run(opts))
}

/// lexopt's own message (an unknown or misplaced argument, a missing value), with the way on.
impl From<lexopt::Error> for ArgError {
    fn from(err: lexopt::Error) -> Self {
        ArgError(format!("{err}; run with --help to see the options"))
    }
}

fn positive(flag: &str, value: std::ffi::OsString) -> Result<usize, ArgError> {
    let value = value.to_string_lossy();
    match value.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(ArgError(format!(
            "{flag} takes a whole number of at least 1, not `{value}`"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[&str] = &["a", "b", "c"];

    fn run(args: &[&str]) -> Result<Options, ArgError> {
        match parse(args.iter().map(|s| s.to_string()), KNOWN, 4)? {
            Command::Run(opts) => Ok(opts),
            Command::Help => panic!("unexpected help for {args:?}"),
        }
    }

    #[test]
    fn defaults_run_everything_with_all_workers() {
        let opts = run(&[]).unwrap();
        assert_eq!(
            opts,
            Options {
                quick: false,
                only: vec![],
                workers: 4,
                rounds: None,
                runs: DEFAULT_RUNS,
                csv: false,
                aa: false
            }
        );
        assert_eq!(
            (opts.rounds(), opts.warm_up_rounds()),
            (DEFAULT_ROUNDS, DEFAULT_WARM_UP_ROUNDS)
        );
        assert!(opts.selects("a") && opts.selects("c"));
    }

    #[test]
    fn quick_lowers_rounds_unless_rounds_is_given() {
        assert_eq!(run(&["--quick"]).unwrap().rounds(), QUICK_ROUNDS);
        assert_eq!(
            run(&["--quick"]).unwrap().warm_up_rounds(),
            QUICK_WARM_UP_ROUNDS
        );
        assert_eq!(run(&["--quick", "--rounds", "9"]).unwrap().rounds(), 9);
    }

    #[test]
    fn only_accepts_repeats_and_comma_lists_without_duplicates() {
        let opts = run(&["--only", "b,a", "--only=c", "--only", "a"]).unwrap();
        assert_eq!(opts.only, ["b", "a", "c"]);
        let opts = run(&["--only", "b"]).unwrap();
        assert!(opts.selects("b") && !opts.selects("a"));
    }

    #[test]
    fn values_may_be_inline_or_separate() {
        let opts = run(&["--workers=3", "--rounds", "7", "--csv", "--aa"]).unwrap();
        assert_eq!((opts.workers, opts.rounds, opts.csv), (3, Some(7), true));
        assert!(opts.aa);
    }

    #[test]
    fn runs_takes_a_count_of_at_least_one() {
        assert_eq!(run(&["--runs", "3"]).unwrap().runs, 3);
        assert_eq!(run(&["--runs=2", "--quick"]).unwrap().runs, 2);
        assert_eq!(
            run(&["--runs", "0"]).unwrap_err().to_string(),
            "--runs takes a whole number of at least 1, not `0`"
        );
        assert!(run(&["--runs", "three"])
            .unwrap_err()
            .to_string()
            .contains("not `three`"));
        assert!(run(&["--runs"])
            .unwrap_err()
            .to_string()
            .contains("missing argument for option '--runs'"));
    }

    #[test]
    fn help_wins_wherever_it_appears() {
        let args = ["--quick", "-h"].map(String::from);
        assert_eq!(parse(args, KNOWN, 1), Ok(Command::Help));
        let args = ["--help"].map(String::from);
        assert_eq!(parse(args, KNOWN, 1), Ok(Command::Help));
    }

    #[test]
    fn bad_input_gets_a_message_that_says_what_to_change() {
        let err = |args: &[&str]| run(args).unwrap_err().to_string();
        assert!(err(&["--fast"]).contains("invalid option '--fast'"));
        assert!(err(&["--only", "zzz"]).contains("unknown workload `zzz`"));
        assert!(err(&["--only", "zzz"]).contains("a, b, c"));
        assert!(err(&["--workers", "0"]).contains("at least 1, not `0`"));
        assert!(err(&["--rounds", "x"]).contains("not `x`"));
        assert!(err(&["--workers"]).contains("missing argument for option '--workers'"));
        assert!(err(&["stray"]).contains("unexpected argument \"stray\""));
        assert!(err(&["--quick=yes"]).contains("'--quick'"));
        assert!(err(&["--fast"]).ends_with("run with --help to see the options"));
    }
}
