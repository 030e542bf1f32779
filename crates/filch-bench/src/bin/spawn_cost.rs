//! `spawn-cost <filch|tokio|smol> <N>`: N trivial spawn + run + join round trips from one task
//! on a one-worker runtime, for callgrind (`scripts/spawn-instructions`).
//!
//! It runs the runner's `spawn_join_1w` workload itself, once, at N round trips, and prints
//! nothing: its timings would mean nothing under valgrind, and the instruction count of the
//! whole process is the output. Two runs at different N cancel the setup (building the
//! runtime, its threads, the exit) out of the difference.

use filch_bench::alloc_counter::CountingAlloc;
use filch_bench::rt::{FilchRt, Rt, SmolRt, TokioRt};
use filch_bench::workloads::{SpawnJoin1w, Workload};
use std::process::ExitCode;

// The runner's allocator, so the instructions counted here are those its figures pay for.
#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const USAGE: &str = "\
Runs N trivial spawn + run + join round trips from one task on a runtime of one worker (the
runner's spawn_join_1w) and prints nothing: run it under callgrind to count its instructions.

USAGE:
    spawn-cost <filch|tokio|smol> <N>

N is the number of round trips, at least 1.";

/// The runtime to run on.
#[derive(Debug, Clone, Copy)]
enum Runtime {
    Filch,
    Tokio,
    Smol,
}

/// What the command line asked for: `None` for `--help`.
fn parse(args: impl IntoIterator<Item = String>) -> Result<Option<(Runtime, usize)>, String> {
    use lexopt::Arg::{Long, Short, Value};

    let mut parser = lexopt::Parser::from_args(args);
    let mut positional = Vec::new();
    while let Some(arg) = parser.next().map_err(|err| err.to_string())? {
        match arg {
            Short('h') | Long("help") => return Ok(None),
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
        Ok(spawns) if spawns >= 1 => Ok(Some((runtime, spawns))),
        _ => Err(format!(
            "N takes a whole number of at least 1, got `{spawns}`"
        )),
    }
}

/// Builds `R` as the workload asks (one worker) and runs the workload once.
fn run<R: Rt>(spawns: usize) {
    let workload = SpawnJoin1w { spawns };
    // `workers` ignores the planned count for this shape; 1 is only a placeholder.
    let rt = R::build(workload.workers(1));
    // The workload checks its own result; its timings are of no use under valgrind.
    let _sample = workload.run(&rt);
}

fn main() -> ExitCode {
    match parse(std::env::args().skip(1)) {
        Ok(Some((runtime, spawns))) => {
            match runtime {
                Runtime::Filch => run::<FilchRt>(spawns),
                Runtime::Tokio => run::<TokioRt>(spawns),
                Runtime::Smol => run::<SmolRt>(spawns),
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
