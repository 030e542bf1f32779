//! `par_sum_10m`: a parallel iterator's `map().sum()` over ten million `u64` in memory.

use super::Problem;
use std::sync::{Arc, OnceLock};

/// Ten million values, 80 MB: well beyond the caches, so the sum streams from memory.
pub const FULL_LEN: usize = 10_000_000;

/// `data.par_iter().map(mix).sum()` over `len` pseudo-random `u64` below 2^38 (so even the
/// sum of ten million cannot overflow, which a parallel iterator's `sum` would panic on in a
/// debug build). The data is made on first use and shared by every run.
#[derive(Debug)]
pub struct ParSum {
    /// Values summed.
    pub len: usize,
    data: OnceLock<Arc<Vec<u64>>>,
}

impl ParSum {
    /// A sum over `len` values (not made until the first run).
    ///
    /// ```
    /// use filch_bench::workloads::{ParSum, Problem};
    ///
    /// assert_eq!(ParSum::new(3).input().len(), 3);
    /// ```
    pub fn new(len: usize) -> Self {
        ParSum {
            len,
            data: OnceLock::new(),
        }
    }
}

/// The `map` step: cheap, so the workload measures the split and the memory bandwidth.
fn mix(x: u64) -> u64 {
    x ^ (x >> 7)
}

impl Problem for ParSum {
    type Input = Arc<Vec<u64>>;
    type Output = u64;

    fn name(&self) -> &'static str {
        "par_sum_10m"
    }

    fn input(&self) -> Arc<Vec<u64>> {
        let data = self
            .data
            .get_or_init(|| Arc::new((0..self.len as u64).map(|i| splitmix(i) >> 26).collect()));
        Arc::clone(data)
    }

    fn solve<J: crate::rt::Join>(data: Arc<Vec<u64>>) -> u64 {
        J::par_slice_sum(&data, &mix)
    }

    fn expected(&self) -> u64 {
        self.input().iter().map(|&x| mix(x)).sum()
    }
}

/// SplitMix64's output function: a well-mixed value for each index, with no state to share.
pub(super) fn splitmix(i: u64) -> u64 {
    let mut z = i.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
