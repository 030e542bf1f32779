//! The binary's answers to the command lines that do not start a server.

use std::process::{Command, Output};

fn cpu_service(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cpu-service"))
        .args(args)
        .output()
        .expect("the cpu-service binary runs")
}

#[test]
fn help_prints_usage_and_succeeds() {
    for flag in ["--help", "-h"] {
        let out = cpu_service(&[flag]);
        assert!(out.status.success(), "{flag}: {out:?}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("USAGE:") && stdout.contains("--backend NAME"),
            "{flag}: {stdout}"
        );
    }
}

#[test]
fn bad_command_lines_exit_with_2_and_say_why() {
    for (args, message) in [
        (&["--fast"][..], "invalid option '--fast'"),
        (
            &["--backend"][..],
            "missing argument for option '--backend'",
        ),
        (&["--backend", "tokio"][..], "unknown backend \"tokio\""),
        (
            &["--requests", "0"][..],
            "--requests takes a whole number of at least 1",
        ),
        (&["--threads", "x"][..], "cannot parse argument \"x\""),
        (&["--n", "1000"][..], "--n must be at most"),
    ] {
        let out = cpu_service(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(message) && stderr.contains("run with --help"),
            "{args:?}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
    }
}
