//! The binary's answers to the command lines that do not run workloads.

use std::process::Command;

fn filch_bench(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_filch-bench"))
        .args(args)
        .output()
        .expect("the filch-bench binary runs")
}

#[test]
fn help_prints_usage_and_succeeds() {
    let out = filch_bench(&["--help"]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("USAGE:") && stdout.contains("--only NAME"),
        "{stdout}"
    );
}

#[test]
fn unknown_flags_and_workloads_exit_with_2_and_say_why() {
    for (args, message) in [
        (&["--fast"][..], "invalid option '--fast'"),
        (&["--only", "nope"][..], "unknown workload `nope`"),
        (
            &["--workers", "0"][..],
            "--workers takes a whole number of at least 1",
        ),
    ] {
        let out = filch_bench(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
    }
}
