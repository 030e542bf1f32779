// Every bad attribute argument is an error at the offending tokens; the functions are still
// generated (with default settings), so `main` below compiles and nothing else is reported.

#[filch::main(flavor = "current_thread")]
async fn unknown_key() {}

#[filch::main(worker_threads)]
async fn missing_value() {}

#[filch::main(worker_threads(4))]
async fn call_syntax() {}

#[filch::main(worker_threads = "4")]
async fn string_value() {}

#[filch::main(worker_threads = 0)]
async fn zero_workers() {}

#[filch::main(worker_threads = -1)]
async fn negative_workers() {}

#[filch::test(worker_threads = 1, worker_threads = 2)]
async fn given_twice() {}

fn main() {
    unknown_key();
    missing_value();
    call_syntax();
    string_value();
    zero_workers();
    negative_workers();
}
