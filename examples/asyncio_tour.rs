//! The asyncio lecture, replayed on filch: every Future method and every wait / gather mode,
//! in the order the lecture introduces them, printing what happens.
//!
//! ```text
//! cargo run --example asyncio_tour
//! ```
//!
//! asyncio's `Future` is filch's [`Promise`]; `loop.create_future()` is
//! [`Handle::create_future`](filch::Handle::create_future); `run_until_complete` is
//! [`Runtime::block_on`](filch::Runtime::block_on). `docs/asyncio-guide.md` has the full table
//! and the differences. The delays below only make the printed order easy to follow; the
//! results never depend on them.

use std::fmt::Debug;
use std::task::{Context, Poll};
use std::time::Duration;

use filch::futures::{Completion, Error, Promise};
use filch::{gather, try_gather, wait, ReturnWhen};

type Text = Promise<&'static str, &'static str>;

fn section(title: &str) {
    println!("\n=== {title}");
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// What a promise holds, the way asyncio's repr would say it.
fn describe<T: Debug, E: Debug>(promise: &Promise<T, E>) -> String {
    match (promise.done(), promise.cancelled(), promise.result()) {
        (false, ..) => "pending".to_string(),
        (_, true, _) => "cancelled".to_string(),
        (_, _, Ok(value)) => format!("result {value:?}"),
        (_, _, Err(err)) => format!("exception ({err:?})"),
    }
}

/// A promise that a task completes after `delay`, with `outcome`.
fn completed_later(delay: Duration, outcome: Result<&'static str, &'static str>) -> Text {
    let promise = Text::new();
    let completer = promise.clone();
    // The task is detached: the promise is how we hear from it.
    drop(filch::spawn(async move {
        filch::sleep(delay).await;
        let _ = match outcome {
            Ok(value) => completer.set_result(value),
            Err(exception) => completer.set_exception(exception),
        };
    }));
    promise
}

/// A promise with a name, so `wait`'s two halves can be printed. `wait` takes any
/// [`Completion`], so wrapping a handle is all it takes.
struct Named(&'static str, Text);

impl Completion for Named {
    fn done(&self) -> bool {
        self.1.done()
    }
    fn cancelled(&self) -> bool {
        self.1.cancelled()
    }
    fn failed(&self) -> bool {
        Completion::failed(&self.1)
    }
    fn cancel(&self) -> bool {
        self.1.cancel()
    }
    fn poll_done(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        self.1.poll_done(cx)
    }
}

fn names(handles: &[Named]) -> Vec<String> {
    handles
        .iter()
        .map(|Named(name, promise)| format!("{name}: {}", describe(promise)))
        .collect()
}

/// "If you want to return a value there's a couple ways": return it, or set it on a future
/// that was passed in. Either way `run_until_complete` drives the coroutine.
fn two_ways_to_return_a_value(runtime: &filch::Runtime) {
    section("1. returning a value: return it, or future.set_result(); run_until_complete");
    async fn compute() -> u32 {
        6 * 7
    }
    let returned = runtime.block_on(compute());
    println!("run_until_complete(compute()) returned {returned}");

    let future: Promise<u32, String> = runtime.handle().create_future();
    let passed_in = future.clone();
    runtime
        .block_on(async move { passed_in.set_result(42) })
        .unwrap();
    println!(
        "the coroutine called future.set_result(42); future.result() = {:?}",
        future.result()
    );
}

/// "To put them into the event loop we can say asyncio wait or asyncio gather, or just pass
/// a coroutine directly into run_until_complete."
async fn into_the_loop() {
    section("2. many coroutines, one future: gather and wait");
    let squares = gather((1..=4u64).map(|n| async move { n * n })).await;
    println!("gather(square(1..=4)) = {:?}", squares.unwrap());

    let tasks: Vec<_> = (1..=3u64)
        .map(|n| filch::spawn(async move { n * 10 }))
        .collect();
    let (done, pending) = wait(tasks, ReturnWhen::AllCompleted, None).await.unwrap();
    println!(
        "wait(tasks) -> {} done, {} pending",
        done.len(),
        pending.len()
    );
    for task in done {
        println!("  a done task's result: {:?}", task.await);
    }
}

/// "Let's look at the interface for future and what we can do with the future."
async fn the_future_interface(handle: &filch::Handle) {
    section("3. the Future interface");
    // "Rather I would call loop.create_future": the runtime makes the future.
    let future: Promise<String, String> = handle.create_future();
    println!(
        "loop.create_future(): done() = {}, cancelled() = {}",
        future.done(),
        future.cancelled()
    );

    // "If the future does not yet have a result, this will raise an invalid state error."
    println!("result() while pending: {}", future.result().unwrap_err());
    println!(
        "exception() while pending: {}",
        future.exception().unwrap_err()
    );

    // "We can pass in a function and that function will be called with the future."
    future.add_done_callback(|f| println!("  [callback] called with the future: {}", describe(f)));
    let unwanted = future.add_done_callback(|_| println!("  [callback] never printed"));
    println!(
        "remove_done_callback(id) = {}",
        future.remove_done_callback(unwanted)
    );

    // "Result = yield from f": another task awaits it instead of polling result() in a loop.
    // A handle is itself a future: spawning a clone makes a task that awaits the promise.
    let awaiter = filch::spawn(future.clone());
    filch::sleep(ms(10)).await;
    println!("set_result(\"hello\") (the callback runs inline, on this thread):");
    future.set_result("hello".to_string()).unwrap();
    println!("the awaiting task got {:?}", awaiter.await.unwrap());
    println!(
        "a second set_result: {}",
        future.set_result("again".to_string()).unwrap_err()
    );
    println!(
        "result() = {:?}, exception() = {:?}",
        future.result(),
        future.exception()
    );

    // "We can call set exception on it... exception to get the returned exception."
    let failing: Promise<String, String> = handle.create_future();
    failing.set_exception("disk full".to_string()).unwrap();
    println!(
        "after set_exception: exception() = {:?}",
        failing.exception()
    );
    println!("result() = {:?}", failing.result());
    println!("await = {:?}", failing.clone().await);

    // "If we want to cancel our future we can say cancel, and we can get the status of
    // whether it's done or cancelled."
    let cancelled: Promise<String, String> = handle.create_future();
    println!(
        "cancel_with(\"no longer needed\") = {}",
        cancelled.cancel_with("no longer needed")
    );
    println!("cancel() again = {}", cancelled.cancel());
    println!(
        "done() = {}, cancelled() = {}",
        cancelled.done(),
        cancelled.cancelled()
    );
    println!("result() = {}", cancelled.result().unwrap_err());
    match cancelled.clone().await {
        Err(Error::Cancelled(err)) => {
            println!("await -> CancelledError, message {:?}", err.message())
        }
        other => println!("await -> {other:?}"),
    }

    // A Task's cancel() interrupts the coroutine: the task's future is dropped.
    let never = Text::new();
    let task = filch::spawn(never.clone());
    println!("Task.cancel() = {}", task.cancel());
    let outcome = task.await.unwrap_err();
    println!(
        "awaiting the cancelled task: {outcome} (is_cancelled = {})",
        outcome.is_cancelled()
    );
}

/// `wait(aws, timeout, return_when)`: the three modes, and a timeout that cancels nothing.
async fn wait_modes() {
    for (mode, title) in [
        (ReturnWhen::FirstCompleted, "4a. wait(FIRST_COMPLETED)"),
        (ReturnWhen::FirstException, "4b. wait(FIRST_EXCEPTION)"),
        (ReturnWhen::AllCompleted, "4c. wait(ALL_COMPLETED)"),
    ] {
        section(title);
        let handles = [
            Named("fast", completed_later(ms(10), Ok("fast"))),
            Named("failing", completed_later(ms(40), Err("failing"))),
            Named("slow", completed_later(ms(80), Ok("slow"))),
        ];
        let (done, pending) = wait(handles, mode, None).await.unwrap();
        println!("done:    {:?}", names(&done));
        println!("pending: {:?}", names(&pending));
        if !pending.is_empty() {
            // wait cancelled nothing: the pending ones go on and finish by themselves. (Left
            // alone, a failed one would be reported as "exception was never retrieved".)
            let (later, _) = wait(pending, ReturnWhen::AllCompleted, None).await.unwrap();
            println!("later:   {:?}", names(&later));
        }
    }

    section("4d. wait(ALL_COMPLETED, timeout=30 ms): returns what is done, cancels nothing");
    let handles = [
        Named("fast", completed_later(ms(5), Ok("fast"))),
        Named("slow", completed_later(ms(300), Ok("slow"))),
    ];
    let (done, pending) = wait(handles, ReturnWhen::AllCompleted, Some(ms(30)))
        .await
        .unwrap();
    println!("done:    {:?}", names(&done));
    println!("pending: {:?}", names(&pending));
    println!(
        "we decide about pending: cancel() = {}",
        pending[0].cancel()
    );

    let empty: Vec<Text> = Vec::new();
    println!(
        "wait([]) = {:?}",
        wait(empty, ReturnWhen::AllCompleted, None)
            .await
            .map(|_| ())
    );
}

/// `gather(*aws, return_exceptions=False|True)`.
async fn gather_modes() {
    section("5a. gather: results in input order, not completion order");
    let children = [30, 10, 20].map(|delay| async move {
        filch::sleep(ms(delay)).await;
        println!("  child sleeping {delay} ms finished");
        delay
    });
    println!("gather = {:?}", gather(children).await);

    section("5b. gather(return_exceptions=False): the first exception, the others keep running");
    let survivor = Text::new();
    let survivor_done = survivor.clone();
    let children: Vec<std::pin::Pin<Box<dyn std::future::Future<Output = _> + Send>>> = vec![
        Box::pin(async {
            filch::sleep(ms(10)).await;
            Err("child 0 failed")
        }),
        Box::pin(async move {
            filch::sleep(ms(40)).await;
            let _ = survivor_done.set_result("child 1 finished anyway");
            Ok("child 1")
        }),
    ];
    match try_gather(children).await {
        Ok(values) => println!("gather = {values:?}"),
        Err(err) => println!("gather raised: {err}"),
    }
    println!("the other child was not cancelled: {:?}", survivor.await);

    section("5c. gather(return_exceptions=True): every outcome in its place");
    let children = [Ok(1), Err("two failed"), Ok(3)].map(|outcome| async move { outcome });
    for (i, outcome) in try_gather(children)
        .return_exceptions()
        .await
        .into_iter()
        .enumerate()
    {
        match outcome {
            Ok(value) => println!("  child {i}: {value}"),
            Err(err) => println!("  child {i}: {err}"),
        }
    }
    let nothing: Vec<std::future::Ready<u8>> = Vec::new();
    println!("gather() of nothing = {:?}", gather(nothing).await);
}

/// The relatives: wait_for, as_completed, shield, TaskGroup.
async fn relatives() {
    section("6a. wait_for: a deadline that cancels what it waited for");
    let quick = filch::wait_for(ms(500), async { "in time" }).await;
    println!("wait_for(500 ms, quick) = {quick:?}");
    let late = filch::wait_for(ms(10), filch::sleep(ms(1_000))).await;
    println!("wait_for(10 ms, sleep(1 s)) = {late:?}");

    section("6b. as_completed: results in completion order");
    let all = [
        completed_later(ms(30), Ok("third")),
        completed_later(ms(10), Ok("first")),
        completed_later(ms(20), Ok("second")),
    ];
    let mut in_order = filch::as_completed(all);
    while let Some(done) = in_order.next().await {
        println!("  {}", describe(&done));
    }

    section("6c. shield: the waiter gives up, the work goes on");
    let finished = Text::new();
    let signal = finished.clone();
    let shielded = filch::shield(async move {
        filch::sleep(ms(50)).await;
        let _ = signal.set_result("shielded work finished");
    });
    println!(
        "wait_for(5 ms, shield(work)) = {:?}",
        filch::wait_for(ms(5), shielded).await.map(|_| ())
    );
    println!("and later: {:?}", finished.await);

    section("6d. TaskGroup: the first failure cancels the siblings; errors come together");
    let group = filch::TaskGroup::new();
    group.spawn(async { Ok(1) });
    group.spawn(async {
        filch::sleep(ms(10)).await;
        Err("child 1 failed")
    });
    group.spawn(async {
        filch::sleep(ms(1_000)).await;
        println!("  never printed: the failure cancelled this child");
        Ok(3)
    });
    match group.join().await {
        Ok(values) => println!("TaskGroup = {values:?}"),
        Err(errors) => println!("TaskGroup failed: {errors}"),
    }
}

fn main() {
    let runtime = filch::Runtime::new();
    two_ways_to_return_a_value(&runtime);
    let handle = runtime.handle().clone();
    runtime.block_on(async move {
        into_the_loop().await;
        the_future_interface(&handle).await;
        wait_modes().await;
        gather_modes().await;
        relatives().await;
    });
}
