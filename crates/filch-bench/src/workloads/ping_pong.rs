//! `ping_pong`: pairs of tasks exchanging one-shot signals (tokio's shape).

use super::countdown::Countdown;
use super::{Sample, Workload};
use crate::rt::{OneshotSender, Rt};
use crate::stopwatch::Stopwatch;

/// tokio's `NUM_PINGS` in `benches/rt_multi_threaded.rs`.
pub const TOKIO_NUM_PINGS: usize = 1_000;

/// One task spawns `pings` tasks; each creates two one-shots, spawns a partner that awaits
/// the first and answers on the second, sends on the first and awaits the answer. The last
/// pair to finish signals the bench thread. Per iteration: 2 × pings + 1 tasks and
/// 2 × pings one-shots (the runtime's own: tokio's `oneshot`, filch's `Promise`).
#[derive(Debug, Clone)]
pub struct PingPong {
    /// Ping-pong pairs per iteration.
    pub pings: usize,
}

impl Workload for PingPong {
    fn name(&self) -> &'static str {
        "ping_pong"
    }

    fn run<R: Rt>(&self, rt: &R) -> Sample {
        let pings = self.pings;
        let (countdown, finished) = Countdown::new(pings);
        let stopwatch = Stopwatch::start();
        drop(rt.spawn_remote(async move {
            for _ in 0..pings {
                let countdown = countdown.clone();
                drop(R::spawn(async move {
                    let (ping_tx, ping_rx) = R::oneshot();
                    let (pong_tx, pong_rx) = R::oneshot();
                    drop(R::spawn(async move {
                        ping_rx.await;
                        pong_tx.send();
                    }));
                    ping_tx.send();
                    pong_rx.await;
                    countdown.count_down();
                }));
            }
        }));
        finished.wait();
        stopwatch.stop()
    }
}
