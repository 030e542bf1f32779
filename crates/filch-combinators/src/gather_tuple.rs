//! [`gather!`](crate::gather!) and [`try_gather!`](crate::try_gather!): asyncio's `gather`
//! over futures of *different* types, returning a tuple.
//!
//! Each child's output is boxed as `dyn Any`, so that the children are one type and the
//! macros reuse [`try_gather`](fn@crate::try_gather) whole (its error rule, its cancellation and
//! its O(n) polls); a [`Slot`] made from each child's own type unboxes the value again. The
//! cost over `gather` is one allocation per child for its output, fine for the handful of
//! children a tuple holds.

use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

/// A child of a tuple gather: its output boxed, its error kept.
pub type Erased<E> = Pin<Box<dyn Future<Output = Result<Box<dyn Any + Send>, E>> + Send>>;

/// Remembers a child's output type, to unbox its value from the gathered `Vec`.
pub struct Slot<T>(PhantomData<fn() -> T>);

impl<T: 'static> Slot<T> {
    /// Unboxes the next value; the macros pass them in the order the slots were made.
    pub fn take(self, value: Option<Box<dyn Any + Send>>) -> T {
        let value = value.expect("gather! yields one value per child");
        *value
            .downcast::<T>()
            .unwrap_or_else(|_| unreachable!("each slot unboxes its own child's type"))
    }
}

/// A `gather!` child: its value is the output, whatever its type.
pub fn erase<F>(future: F) -> (Slot<F::Output>, Erased<std::convert::Infallible>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let child = async move { Ok(Box::new(future.await) as Box<dyn Any + Send>) };
    (Slot(PhantomData), Box::pin(child))
}

/// A `try_gather!` child: `Ok(v)` is its value, `Err(e)` its failure.
pub fn erase_try<F, T, E>(future: F) -> (Slot<T>, Erased<E>)
where
    F: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + 'static,
{
    let child = async move { future.await.map(|v| Box::new(v) as Box<dyn Any + Send>) };
    (Slot(PhantomData), Box::pin(child))
}

/// Runs futures of different types as tasks, like [`gather`](fn@crate::gather): `Ok((a, b, ..))`
/// in argument order, or the first panic or cancellation as a
/// [`GatherError`](crate::GatherError) at once (the others run on). Dropping the returned
/// future before it completes cancels the children not done yet; every child is spawned at
/// the call, on the current filch runtime. Up to 12 futures.
///
/// ```
/// filch::Runtime::new().block_on(async {
///     let (n, s, unit) = filch::gather!(async { 1 }, async { "two" }, async {}).await.unwrap();
///     assert_eq!((n, s, unit), (1, "two", ()));
/// });
/// ```
#[macro_export]
macro_rules! gather {
    ($($future:expr),+ $(,)?) => {
        $crate::__tuple_gather!(erase [] [$($future,)+] [c0 c1 c2 c3 c4 c5 c6 c7 c8 c9 c10 c11])
    };
}

/// [`gather!`](crate::gather!) for futures of `Result<_, E>` with different value types and one error type,
/// like [`try_gather`](fn@crate::try_gather): `Ok((a, b, ..))`, or the first `Err(e)` as
/// [`GatherError::Failed(e)`](crate::GatherError::Failed) (or a panic or cancellation) at once.
///
/// ```
/// use filch::GatherError;
///
/// filch::Runtime::new().block_on(async {
///     let ok = filch::try_gather!(async { Ok::<_, &str>(1) }, async { Ok("two") });
///     assert_eq!(ok.await.unwrap(), (1, "two"));
///     let failed = filch::try_gather!(async { Ok(1) }, async { Err::<(), _>("no") });
///     assert!(matches!(failed.await, Err(GatherError::Failed("no"))));
/// });
/// ```
#[macro_export]
macro_rules! try_gather {
    ($($future:expr),+ $(,)?) => {
        $crate::__tuple_gather!(erase_try [] [$($future,)+] [c0 c1 c2 c3 c4 c5 c6 c7 c8 c9 c10 c11])
    };
}

/// Pairs each future with a name from the list, then gathers them (`gather!`'s engine).
#[doc(hidden)]
#[macro_export]
macro_rules! __tuple_gather {
    ($erase:ident [$($done:tt)*] [$head:expr, $($rest:expr,)*] [$name:ident $($names:ident)*]) => {
        $crate::__tuple_gather!($erase [$($done)* ($name $head)] [$($rest,)*] [$($names)*])
    };
    ($erase:ident [$($done:tt)*] [$head:expr, $($rest:expr,)*] []) => {
        compile_error!("gather! and try_gather! take at most 12 futures; use gather for more")
    };
    ($erase:ident [$(($name:ident $future:expr))+] [] [$($unused:ident)*]) => {{
        $( let $name = $crate::__private::$erase($future); )+
        let children = $crate::try_gather([$( $name.1 ),+]);
        $( let $name = $name.0; )+
        async move {
            children.await.map(|values| {
                let mut values = values.into_iter();
                ($( $name.take(values.next()), )+)
            })
        }
    }};
}
