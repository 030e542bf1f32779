//! `use filch::prelude::*;`: the traits that give slices, `Vec`s and ranges their parallel
//! iterator methods.
//!
//! # Examples
//! ```
//! use filch::prelude::*;
//!
//! let rt = filch::Runtime::new();
//! let mut v = vec![3, 1, 2];
//! rt.block_on(async { v.par_iter_mut().for_each(|x| *x *= 10) });
//! assert_eq!(v, [30, 10, 20]);
//! ```

pub use super::{
    FromParallelIterator, IndexedParallelIterator, IntoParallelIterator, ParallelIterator,
    ParallelSlice, ParallelSliceMut,
};
