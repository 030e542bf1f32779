//! `spawn-cost [--shape SHAPE] <filch|tokio|smol> <N>`: one of the runner's workloads at size N
//! on a one-worker runtime, for callgrind (`scripts/spawn-instructions`).
//!
//! It runs the workload itself, once, and prints nothing: its timings would mean nothing under
//! valgrind, and the instruction count of the whole process is the output. Two runs at
//! different N cancel the setup (building the runtime, its threads, the exit) out of the
//! difference. The shapes: `spawn_join` (the default; `spawn_join_1w`, N trivial spawn + run +
//! join round trips from one task), `gather` (`gather_100k` at N children) and `promise`
//! (`promise_roundtrip` at N one-shots, set from a second thread).

use filch_bench::alloc_counter::CountingAlloc;
use filch_bench::rt::{FilchRt, Rt, SmolRt, TokioRt};
use filch_bench::workloads::{Gather, PromiseRoundtrip, SpawnJoin1w, Workload};
use std::process::ExitCode;

// The runner's allocator, so the instructions counted here are those its figures pay for.
#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const USAGE: &str = "\
Runs one of the runner's workloads at size N on a runtime of one worker and prints nothing: run
it under callgrind to count its instructions.

USAGE:
    spawn-cost [--shape SHAPE] <filch|tokio|smol> <N>

SHAPE:
    spawn_join  N trivial spawn + run + join round trips from one task (spawn_join_1w; default)
    gather      one task gathers N trivial spawned tasks (gather_100k)
    promise     N one-shots created, set from a second thread, awaited (promise_roundtrip)

N is at least 1.";

/// The runtime to run on.
#[derive(Debug, Clone, Copy)]
enum Runtime {
    Filch,
    Tokio,
    Smol,
}

/// The workload to run.
#[derive(Debug, Clone, Copy)]
enum Shape {
    SpawnJoin,
    Gather,
    Promise,
}

impl Shape {
    fn parse(name: &str) -> Result<Self, String> {
        match name {
            "spawn_join" => Ok(Self::SpawnJoin),
            "gather" => Ok(Self::Gather),
            "promise" => Ok(Self::Promise),
            other => Err(format!(
                "unknown shape `{other}`: give spawn_join, gather or promise"
            )),
        }
    }
}

/// What the command line asked for: `None` for `--help`.
fn parse(
    args: impl IntoIterator<Item = String>,
) -> Result<Option<(Shape, Runtime, usize)>, String> {
    use lexopt::Arg::{Long, Short, Value};

    let mut parser = lexopt::Parser::from_args(args);
    let mut positional = Vec::new();
    let mut shape = Shape::SpawnJoin;
    while let Some(arg) = parser.next().map_err(|err| err.to_string())? {
        match arg {
            Short('h') | Long("help") => return Ok(None),
            Long("shape") => {
                let value = parser.value().map_err(|err| err.to_string())?;
                shape = Shape::parse(&value.to_string_lossy())?;
            }
            Value(value) => positional.push(
                value
                    .into_string()
                    .map_err(|value| format!("{value:?} is not valid UTF-8"))?,
            ),
            _ => return Err(arg.unexpected().to_string()),
        }
    }
    let [runtime, spawns] = positional.as_slice() else {
        return Err(format!(
            "expected two arguments, a runtime and N, got {}",
            positional.len()
        ));
    };
    let runtime = match runtime.as_str() {
        "filch" => Runtime::Filch,
        "tokio" => Runtime::Tokio,
        "smol" => Runtime::Smol,
        other => {
            return Err(format!(
                "unknown runtime `{other}`: give filch, tokio or smol"
            ))
        }
    };
    match spawns.parse::<usize>() {
        Ok(spawns) if spawns >= 1 => Ok(Some((shape, runtime, spawns))),
        _ => Err(format!(
            "N takes a whole number of at least 1, got `{spawns}`"
        )),
    }
}

/// Runs `shape` once at size `n` on `R`.
fn run<R: Rt>(shape: Shape, n: usize) {
    match shape {
        Shape::SpawnJoin => run_once::<R>(&SpawnJoin1w { spawns: n }),
        Shape::Gather => run_once::<R>(&Gather { tasks: n }),
        Shape::Promise => run_once::<R>(&PromiseRoundtrip { ops: n }),
    }
}

/// Builds `R` with one worker (`spawn_join_1w` asks for it; the others get it here too, so
/// that one worker doing one thing at a time runs the same instructions each time) and runs
/// `workload` once.
fn run_once<R: Rt>(workload: &impl Workload) {
    let rt = R::build(workload.workers(1));
    // The workload checks its own result; its timings are of no use under valgrind.
    let _sample = workload.run(&rt);
}

fn main() -> ExitCode {
    match parse(std::env::args().skip(1)) {
        Ok(Some((shape, runtime, n))) => {
            match runtime {
                Runtime::Filch => run::<FilchRt>(shape, n),
                Runtime::Tokio => run::<TokioRt>(shape, n),
                Runtime::Smol => run::<SmolRt>(shape, n),
            }
            ExitCode::SUCCESS
        }
        Ok(None) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("spawn-cost: {err}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
