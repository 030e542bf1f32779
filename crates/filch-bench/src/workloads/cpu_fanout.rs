//! `cpu_fanout`: 256 independent chunks of pure arithmetic, in parallel, summed.

use super::Problem;
use crate::rt::Join;
use std::hint::black_box;

/// Chunks per run.
pub const FULL_CHUNKS: usize = 256;

/// Steps of [`spin`] per chunk: about 35 µs on one core of the project's 2-vCPU VM (a
/// request handler's worth of CPU), so a run is about 9 ms of work on one core.
pub const FULL_ITERATIONS: u32 = 14_000;

/// `(0..chunks).into_par_iter().map(spin).sum()`: no memory traffic and no imbalance, so the
/// figure is the pool's spreading of equal pieces.
#[derive(Debug, Clone)]
pub struct CpuFanout {
    /// Independent chunks.
    pub chunks: usize,
    /// xorshift steps per chunk.
    pub iterations: u32,
}

impl Problem for CpuFanout {
    type Input = CpuFanout;
    type Output = u64;

    fn name(&self) -> &'static str {
        "cpu_fanout"
    }

    fn input(&self) -> CpuFanout {
        black_box(self.clone())
    }

    fn solve<J: Join>(input: CpuFanout) -> u64 {
        J::par_map_sum(0..input.chunks, &|i| spin(i as u64, input.iterations))
    }

    fn expected(&self) -> u64 {
        (0..self.chunks)
            .map(|i| spin(i as u64, self.iterations))
            .sum()
    }
}

/// `iterations` dependent xorshift steps from a seed made of `chunk`; the top 32 bits, so
/// 256 of them sum without overflow.
fn spin(chunk: u64, iterations: u32) -> u64 {
    let mut x = chunk.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    for _ in 0..iterations {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    x >> 32
}
