//! [`Summary`]: median, min and max of a workload's samples.

/// The median, minimum and maximum of a set of samples.
///
/// ```
/// use filch_bench::stats::Summary;
///
/// let s = Summary::of(&[3.0, 1.0, 2.0]).unwrap();
/// assert_eq!(s, Summary { median: 2.0, min: 1.0, max: 3.0 });
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// The middle sample; the mean of the two middle ones for an even count.
    pub median: f64,
    /// The smallest sample.
    pub min: f64,
    /// The largest sample.
    pub max: f64,
}

impl Summary {
    /// Summarises `samples`; `None` when there are none.
    ///
    /// ```
    /// use filch_bench::stats::Summary;
    ///
    /// let s = Summary::of(&[4.0, 1.0, 3.0, 2.0]).unwrap();
    /// assert_eq!((s.median, s.min, s.max), (2.5, 1.0, 4.0));
    /// assert_eq!(Summary::of(&[]), None);
    /// ```
    pub fn of(samples: &[f64]) -> Option<Summary> {
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let (&min, &max) = (sorted.first()?, sorted.last()?);
        let mid = sorted.len() / 2;
        let median = if sorted.len() % 2 == 1 {
            sorted[mid]
        } else {
            (sorted[mid - 1] + sorted[mid]) / 2.0
        };
        Some(Summary { median, min, max })
    }
}

/// How many times faster `ours` is than `theirs` (`theirs / ours`, for costs where less is
/// better); infinite when `ours` is zero and `theirs` is not, 1 when both are zero.
///
/// ```
/// assert_eq!(filch_bench::stats::speedup(2.0, 3.0), 1.5);
/// ```
pub fn speedup(ours: f64, theirs: f64) -> f64 {
    if ours == 0.0 && theirs == 0.0 {
        1.0
    } else {
        theirs / ours
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_count_takes_the_middle_sample() {
        let s = Summary::of(&[5.0, 1.0, 9.0]).unwrap();
        assert_eq!(
            s,
            Summary {
                median: 5.0,
                min: 1.0,
                max: 9.0
            }
        );
    }

    #[test]
    fn even_count_averages_the_two_middle_samples() {
        let s = Summary::of(&[10.0, 2.0, 8.0, 4.0]).unwrap();
        assert_eq!(
            s,
            Summary {
                median: 6.0,
                min: 2.0,
                max: 10.0
            }
        );
    }

    #[test]
    fn single_sample_is_median_min_and_max() {
        let s = Summary::of(&[7.5]).unwrap();
        assert_eq!(
            s,
            Summary {
                median: 7.5,
                min: 7.5,
                max: 7.5
            }
        );
    }

    #[test]
    fn no_samples_have_no_summary() {
        assert_eq!(Summary::of(&[]), None);
    }

    #[test]
    fn speedup_is_theirs_over_ours() {
        assert_eq!(speedup(4.0, 8.0), 2.0);
        assert_eq!(speedup(8.0, 4.0), 0.5);
        assert_eq!(speedup(0.0, 0.0), 1.0);
        assert!(speedup(0.0, 1.0).is_infinite());
    }
}
