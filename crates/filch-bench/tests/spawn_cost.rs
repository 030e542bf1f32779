//! `spawn-cost`'s answers: a run on each runtime succeeds silently, bad arguments say why.

use std::process::{Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// A run of a few round trips takes milliseconds; this much means it hangs.
const HANG_LIMIT: Duration = Duration::from_secs(60);

/// Runs `spawn-cost` with `args`, killing it and failing if it outlives [`HANG_LIMIT`].
fn spawn_cost(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_spawn-cost"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the spawn-cost binary starts");
    let deadline = Instant::now() + HANG_LIMIT;
    // Its output is a few lines at most, well under a pipe's buffer, so waiting before
    // reading cannot block the child on a full pipe.
    while child.try_wait().expect("waiting for spawn-cost").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("spawn-cost {args:?} hung: not done in {HANG_LIMIT:?}");
        }
        thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().expect("spawn-cost's output")
}

#[test]
fn runs_on_every_runtime_and_prints_nothing() {
    for runtime in ["filch", "tokio", "smol"] {
        let out = spawn_cost(&[runtime, "100"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{runtime}: {stderr}");
        assert!(
            out.stdout.is_empty() && stderr.is_empty(),
            "{runtime}: {out:?}"
        );
    }
}

#[test]
fn the_other_shapes_run_on_every_runtime_and_print_nothing() {
    for shape in ["gather", "promise"] {
        for runtime in ["filch", "tokio", "smol"] {
            let out = spawn_cost(&["--shape", shape, runtime, "50"]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{shape} on {runtime}: {stderr}");
            assert!(
                out.stdout.is_empty() && stderr.is_empty(),
                "{shape} on {runtime}: {out:?}"
            );
        }
    }
}

#[test]
fn help_prints_usage_and_succeeds() {
    let out = spawn_cost(&["--help"]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("spawn-cost [--shape SHAPE] <filch|tokio|smol> <N>"),
        "{stdout}"
    );
}

#[test]
fn bad_arguments_exit_with_2_and_say_why() {
    for (args, message) in [
        (&[][..], "expected two arguments, a runtime and N, got 0"),
        (
            &["filch"][..],
            "expected two arguments, a runtime and N, got 1",
        ),
        (&["filch", "1", "2"][..], "got 3"),
        (
            &["rayon", "10"][..],
            "unknown runtime `rayon`: give filch, tokio or smol",
        ),
        (
            &["tokio", "0"][..],
            "N takes a whole number of at least 1, got `0`",
        ),
        (
            &["smol", "ten"][..],
            "N takes a whole number of at least 1, got `ten`",
        ),
        (&["--fast"][..], "invalid option '--fast'"),
        (
            &["--shape", "fib", "filch", "10"][..],
            "unknown shape `fib`: give spawn_join, gather or promise",
        ),
        (&["filch", "10", "--shape"][..], "missing argument"),
    ] {
        let out = spawn_cost(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(stderr.contains("USAGE:"), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
    }
}
