//! `promise_roundtrip`: create a one-shot, set it from another thread, await it.

use super::{Sample, Workload};
use crate::rt::{OneshotSender, Rt};
use crate::stopwatch::Stopwatch;
use std::sync::mpsc;
use std::thread;

/// One-shots per iteration (the sample is the time per one-shot).
pub const FULL_OPS: usize = 1_000;

/// The bench thread creates `ops` one-shots (a filch `Promise` and its clone; a tokio
/// `oneshot` pair), hands every sender to a setter thread in one message, and awaits the
/// receivers in order in `block_on` while the setter sets them in the same order. The
/// sample is nanoseconds per one-shot: create + cross-thread set + await, where the
/// awaiter parks and is woken whenever it catches up with the setter.
#[derive(Debug, Clone)]
pub struct PromiseRoundtrip {
    /// One-shots per iteration.
    pub ops: usize,
}

impl Workload for PromiseRoundtrip {
    fn name(&self) -> &'static str {
        "promise_roundtrip"
    }

    fn unit(&self) -> super::Unit {
        super::Unit::NanosPerOp
    }

    fn run<R: Rt>(&self, rt: &R) -> Sample {
        let (to_setter, from_bench) = mpsc::channel::<Vec<R::Sender>>();
        thread::scope(|scope| {
            let setter = scope.spawn(move || {
                let senders = from_bench
                    .recv()
                    .expect("the bench thread sends the senders");
                let set = senders.len();
                senders.into_iter().for_each(OneshotSender::send);
                set
            });
            let stopwatch = Stopwatch::start();
            let (senders, receivers): (Vec<_>, Vec<_>) =
                (0..self.ops).map(|_| R::oneshot()).unzip();
            to_setter
                .send(senders)
                .expect("the setter thread waits for the senders");
            let awaited = rt.block_on(async {
                let mut awaited = 0;
                for receiver in receivers {
                    receiver.await;
                    awaited += 1;
                }
                awaited
            });
            let sample = stopwatch.stop_per_op(self.ops);
            let set = setter.join().expect("the setter thread panicked");
            assert_eq!((set, awaited), (self.ops, self.ops), "a one-shot was lost");
            sample
        })
    }
}
