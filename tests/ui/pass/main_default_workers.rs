// `#[filch::main]` with no arguments: one worker per core, tasks spawned from the body run on
// them, and `main` returns once the body's future is done.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[filch::main]
async fn main() {
    let ran = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let ran = Arc::clone(&ran);
            filch::spawn(async move { ran.fetch_add(1, Ordering::Relaxed) })
        })
        .collect();
    for task in tasks {
        task.await.expect("no task panics");
    }
    assert_eq!(ran.load(Ordering::Relaxed), 100);
}
