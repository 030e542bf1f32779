//! `wake_roundtrip_p50`, `_mean`, `_p90`: a plain thread wakes a task and waits for its answer,
//! in one neutral `block_on` for every runtime.

use super::latency_under_load::nearest_rank;
use super::{Sample, Unit, Workload};
use crate::rt::Rt;
use crate::stopwatch::Stopwatch;
use futures::channel::mpsc;
use futures::StreamExt;
use std::time::{Duration, Instant};

/// Round trips per sample.
pub const FULL_TRIPS: usize = 10_000;

/// Which statistic of a sample's round trips the row reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TripStat {
    /// The median round trip.
    Median,
    /// The mean round trip: what the tail costs on average.
    Mean,
    /// The 90th percentile round trip.
    P90,
}

/// A task on the runtime waits for requests from the bench thread and answers each; the
/// bench thread sends a request (waking the task) and waits for the answer, `trips` times
/// in a row, timing each round trip.
///
/// Both channels are `futures`' unbounded channels and the bench thread waits in
/// `futures::executor::block_on`, the same for every runtime, so the rows measure the
/// runtime's side alone: waking its idle worker, running the task, and the task's wake of a
/// thread outside it. (`wake_latency` waits in each runtime's own `block_on` instead.)
#[derive(Debug, Clone)]
pub struct WakeRoundTrip {
    /// The statistic reported.
    pub stat: TripStat,
    /// Round trips per sample.
    pub trips: usize,
}

impl Workload for WakeRoundTrip {
    fn name(&self) -> &'static str {
        match self.stat {
            TripStat::Median => "wake_roundtrip_p50",
            TripStat::Mean => "wake_roundtrip_mean",
            TripStat::P90 => "wake_roundtrip_p90",
        }
    }

    fn unit(&self) -> Unit {
        Unit::NanosPerOp
    }

    fn run<R: Rt>(&self, rt: &R) -> Sample {
        let (requests, mut incoming) = mpsc::unbounded::<usize>();
        let (answer, mut answers) = mpsc::unbounded::<usize>();
        let server = rt.spawn_remote(async move {
            let mut served = 0;
            while let Some(request) = incoming.next().await {
                answer
                    .unbounded_send(request)
                    .expect("the bench thread waits for every answer");
                served += 1;
            }
            served
        });
        let mut trip = |request: usize| {
            requests
                .unbounded_send(request)
                .expect("the answering task ended early");
            futures::executor::block_on(answers.next())
        };
        // One untimed trip first: the task is running and waiting when the timing starts.
        assert_eq!(
            trip(usize::MAX),
            Some(usize::MAX),
            "the first answer was wrong"
        );

        let mut times = Vec::with_capacity(self.trips);
        let mut wrong = 0;
        let stopwatch = Stopwatch::start();
        for request in 0..self.trips {
            let sent = Instant::now();
            let answered = trip(request);
            times.push(sent.elapsed());
            wrong += usize::from(answered != Some(request));
        }
        let cpu = stopwatch.stop_per_op(self.trips);

        drop(requests);
        let served = rt.block_on(server);
        assert_eq!(
            (served, wrong),
            (self.trips + 1, 0),
            "{} on {}: (requests served, wrong answers)",
            self.name(),
            R::NAME
        );
        times.sort_unstable();
        let value = match self.stat {
            TripStat::Median => nearest_rank(&times, 50),
            TripStat::P90 => nearest_rank(&times, 90),
            TripStat::Mean => times.iter().sum::<Duration>() / self.trips as u32,
        };
        Sample {
            value: value.as_nanos() as f64,
            ..cpu
        }
    }
}
