//! The semantics table of asyncio's Future, ported from CPython's
//! `Lib/test/test_asyncio/test_futures.py` (the behaviours that apply to a Rust promise).

use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Mutex};

use filch_futures::{
    CallbackId, Completion, ExceptionError, InvalidStateError, Promise, ResultError,
};

type P = Promise<u32, String>;

/// A log that callbacks append to, and a callback that appends `label` with the state it saw.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u32>>>);

impl Log {
    fn callback(&self, label: u32) -> impl FnOnce(&P) + Send + 'static {
        let log = self.clone();
        move |p| {
            assert!(p.done(), "a callback runs only once the promise is done");
            log.0.lock().unwrap().push(label);
        }
    }

    fn entries(&self) -> Vec<u32> {
        self.0.lock().unwrap().clone()
    }
}

fn invalid_state(e: ResultError<'_, String>) -> InvalidStateError {
    match e {
        ResultError::InvalidState(e) => e,
        other => panic!("expected InvalidState, got {other:?}"),
    }
}

#[test]
fn initial_state() {
    let p = P::new();
    assert!(!p.done());
    assert!(!p.cancelled());
    assert!(!p.failed());
    assert!(invalid_state(p.result().unwrap_err()).is_pending());
    assert!(matches!(p.exception(), Err(ExceptionError::InvalidState(e)) if e.is_pending()));
    assert!(p.cancel());
    assert!(p.cancelled());
}

#[test]
fn cancel() {
    let p = P::new();
    assert!(p.cancel());
    assert!(p.cancelled() && p.done() && !p.failed());
    assert!(matches!(p.result(), Err(ResultError::Cancelled(c)) if c.message().is_none()));
    assert!(matches!(p.exception(), Err(ExceptionError::Cancelled(_))));
    let err = p.set_result(1).unwrap_err();
    assert!(!err.is_pending());
    assert_eq!(
        err.to_string(),
        "invalid state: the promise is already done (cancelled); a promise completes once: \
         check done() first, or treat this as losing the race to complete it"
    );
    assert_eq!(p.set_exception("e".into()), Err(err));
    assert!(!p.cancel());
    assert!(!p.cancel_with("again"));
    assert!(matches!(p.result(), Err(ResultError::Cancelled(c)) if c.message().is_none()));
}

#[test]
fn result() {
    let p = P::new();
    let pending = invalid_state(p.result().unwrap_err());
    assert_eq!(
        pending.to_string(),
        "invalid state: the result is not ready (the promise is still pending); \
         await the promise, or check done() before calling result()"
    );
    p.set_result(42).unwrap();
    assert!(!p.cancelled() && p.done() && !p.failed());
    assert_eq!(p.result(), Ok(&42));
    assert_eq!(p.exception(), Ok(None));
    let err = p.set_result(1).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid state: the promise is already done (finished); a promise completes once: \
         check done() first, or treat this as losing the race to complete it"
    );
    assert_eq!(p.set_exception("e".into()), Err(err));
    assert!(!p.cancel());
    assert_eq!(p.result(), Ok(&42), "a failed completion changes nothing");
}

#[test]
fn exception() {
    let p = P::new();
    match p.exception() {
        Err(ExceptionError::InvalidState(e)) => assert_eq!(
            e.to_string(),
            "invalid state: the exception is not set (the promise is still pending); \
             await the promise, or check done() before calling exception()"
        ),
        other => panic!("expected InvalidState, got {other:?}"),
    }
    p.set_exception("boom".into()).unwrap();
    assert!(!p.cancelled() && p.done() && p.failed());
    assert_eq!(p.result(), Err(ResultError::Exception(&"boom".to_string())));
    assert_eq!(p.exception(), Ok(Some(&"boom".to_string())));
    assert!(p.set_result(1).is_err());
    assert!(p.set_exception("again".into()).is_err());
    assert!(!p.cancel());
    assert_eq!(p.exception(), Ok(Some(&"boom".to_string())));
}

#[test]
fn result_and_exception_lend_the_same_value_every_time() {
    let p: Promise<String, String> = Promise::new();
    p.set_result("shared".into()).unwrap();
    assert!(std::ptr::eq(
        p.result().unwrap(),
        p.clone().result().unwrap()
    ));

    let q: Promise<String, String> = Promise::new();
    q.set_exception("shared".into()).unwrap();
    let first = q.exception().unwrap().unwrap();
    assert!(std::ptr::eq(first, q.exception().unwrap().unwrap()));
}

#[test]
fn cancel_message_is_carried() {
    let p = P::new();
    assert!(p.cancel_with("my message"));
    let Err(ResultError::Cancelled(from_result)) = p.result() else {
        panic!("expected Cancelled")
    };
    let Err(ExceptionError::Cancelled(from_exception)) = p.exception() else {
        panic!("expected Cancelled")
    };
    assert_eq!(from_result.message(), Some("my message"));
    assert_eq!(from_result, from_exception);
    assert_eq!(
        from_result.to_string(),
        "cancelled: the promise was cancelled before it finished, so it has no result \
         (message: my message)"
    );
}

#[test]
fn every_handle_sees_the_same_state() {
    let p = P::new();
    let q = p.clone();
    q.set_exception("from q".into()).unwrap();
    assert!(p.done() && p.failed());
    assert!(p.set_result(1).is_err());
    drop(q);
    assert_eq!(p.exception(), Ok(Some(&"from q".to_string())));
}

#[test]
fn debug_decodes_the_state() {
    let p = P::new();
    assert_eq!(
        format!("{p:?}"),
        "Promise { state: PENDING, outcome: None }"
    );
    let waiter = p.add_done_callback(|_| {});
    assert_eq!(
        format!("{p:?}"),
        "Promise { state: PENDING | HAS_CALLBACKS, outcome: None }"
    );
    assert!(p.remove_done_callback(waiter));
    p.set_exception("e".into()).unwrap();
    assert_eq!(
        format!("{p:?}"),
        "Promise { state: FINISHED | HAS_CALLBACKS, outcome: Some(Exception(\"e\")) }"
    );
    let _ = p.exception();
    assert!(format!("{p:?}").contains("FINISHED | HAS_CALLBACKS | RETRIEVED"));
    let c = P::default();
    c.cancel_with("m");
    assert!(format!("{c:?}").starts_with("Promise { state: CANCELLED, outcome: Some(Cancelled("));
}

#[test]
fn callbacks_run_once_in_registration_order_on_set_result() {
    let p = P::new();
    let log = Log::default();
    for label in 1..=3 {
        p.add_done_callback(log.callback(label));
    }
    assert_eq!(
        log.entries(),
        [] as [u32; 0],
        "nothing runs before completion"
    );
    p.set_result(7).unwrap();
    assert_eq!(log.entries(), [1, 2, 3]);
    assert!(p.set_result(8).is_err());
    assert!(!p.cancel());
    assert_eq!(
        log.entries(),
        [1, 2, 3],
        "a failed completion runs nothing again"
    );
}

#[test]
fn callbacks_run_on_set_exception_and_on_cancel() {
    for complete in [
        (|p: &P| p.set_exception("e".into()).unwrap()) as fn(&P),
        |p| assert!(p.cancel()),
    ] {
        let p = P::new();
        let log = Log::default();
        p.add_done_callback(log.callback(1));
        p.add_done_callback(log.callback(2));
        complete(&p);
        assert_eq!(log.entries(), [1, 2]);
    }
}

#[test]
fn callback_added_after_done_runs_at_once() {
    let p = P::new();
    let log = Log::default();
    p.set_result(1).unwrap();
    p.add_done_callback(log.callback(1));
    assert_eq!(log.entries(), [1]);
    p.add_done_callback(log.callback(2));
    assert_eq!(log.entries(), [1, 2]);
}

/// CPython's `test_callbacks_remove_first_callback`, `..._first_and_second_callback` and
/// `..._third_callback`: the rest keep their order.
#[test]
fn removing_callbacks_keeps_the_others_in_order() {
    for (removed, kept) in [
        (&[1][..], &[2, 3][..]),
        (&[1, 2][..], &[3][..]),
        (&[3][..], &[1, 2][..]),
        (&[2][..], &[1, 3][..]),
        (&[1, 2, 3][..], &[][..]),
    ] {
        let p = P::new();
        let log = Log::default();
        let ids: Vec<CallbackId> = (1..=3)
            .map(|l| p.add_done_callback(log.callback(l)))
            .collect();
        for &label in removed {
            assert!(p.remove_done_callback(ids[label as usize - 1]));
        }
        p.set_result(1).unwrap();
        assert_eq!(log.entries(), kept, "removed {removed:?}");
    }
}

/// An id names one registration on one promise: the id of another promise's callback (which,
/// with per-promise counters, had the same number as one of this promise's) removes nothing
/// here and leaves both callbacks to run; any clone of a promise removes by its ids.
#[test]
fn remove_done_callback_with_a_foreign_id_removes_nothing() {
    let (mine, other) = (P::new(), P::new());
    let log = Log::default();
    let kept = mine.add_done_callback(log.callback(1));
    let foreign = other.add_done_callback(log.callback(2));
    assert!(
        !mine.remove_done_callback(foreign),
        "a foreign id removes nothing"
    );
    assert!(!other.remove_done_callback(kept), "in either direction");

    let clone = mine.clone();
    let removable = clone.add_done_callback(log.callback(3));
    assert!(mine.remove_done_callback(removable), "clones share ids");
    mine.set_result(1).unwrap();
    other.set_result(2).unwrap();
    assert_eq!(
        log.entries(),
        [1, 2],
        "both first callbacks ran, the removed one did not"
    );
    assert!(!clone.remove_done_callback(kept), "false once it ran");
}

/// CPython's `test_remove_done_callback` counts removals; ids make each removal count once.
#[test]
fn remove_done_callback_counts() {
    let p = P::new();
    let log = Log::default();
    let a = p.add_done_callback(log.callback(1));
    let b = p.add_done_callback(log.callback(2));
    assert!(p.remove_done_callback(a));
    assert!(!p.remove_done_callback(a), "removed once only");
    p.set_result(1).unwrap();
    assert!(
        !p.remove_done_callback(b),
        "false once done: it already ran"
    );
    let late = p.add_done_callback(log.callback(3));
    assert!(
        !p.remove_done_callback(late),
        "a callback added after done already ran"
    );
    assert_eq!(log.entries(), [2, 3]);
}

/// CPython's `test_schedule_callbacks_list_mutation_*`: a running callback that removes or
/// adds callbacks. Removal is too late (everything registered is already due); an added
/// callback runs after the ones registered before it.
#[test]
fn callbacks_that_add_and_remove_callbacks_while_running() {
    let p = P::new();
    let log = Log::default();
    let later: Arc<Mutex<Option<CallbackId>>> = Arc::default();
    p.add_done_callback({
        let later = Arc::clone(&later);
        let log = log.clone();
        move |p| {
            let id = later.lock().unwrap().unwrap();
            assert!(!p.remove_done_callback(id));
            p.add_done_callback(log.callback(4));
            log.0.lock().unwrap().push(1);
        }
    });
    *later.lock().unwrap() = Some(p.add_done_callback(log.callback(2)));
    p.add_done_callback(log.callback(3));
    p.set_result(1).unwrap();
    assert_eq!(log.entries(), [1, 2, 3, 4]);
}

#[test]
fn callbacks_may_call_any_method_and_complete_other_promises() {
    let p = P::new();
    let next = P::new();
    let log = Log::default();
    next.add_done_callback(log.callback(2));
    p.add_done_callback({
        let next = next.clone();
        move |p| {
            assert_eq!(p.result(), Ok(&5));
            assert!(!p.cancel());
            assert!(p.set_result(6).is_err());
            let _ = format!("{p:?}");
            next.set_result(p.result().unwrap() + 1).unwrap();
        }
    });
    p.set_result(5).unwrap();
    assert_eq!(next.result(), Ok(&6));
    assert_eq!(log.entries(), [2]);
}

#[test]
fn a_panicking_callback_does_not_stop_the_others() {
    let p = P::new();
    let log = Log::default();
    p.add_done_callback(log.callback(1));
    p.add_done_callback(|_| panic!("first panic"));
    p.add_done_callback(|_| panic!("second panic"));
    p.add_done_callback(log.callback(2));
    let caught = panic::catch_unwind(AssertUnwindSafe(|| p.set_result(3))).unwrap_err();
    assert_eq!(caught.downcast_ref::<&str>(), Some(&"first panic"));
    assert_eq!(log.entries(), [1, 2]);
    assert_eq!(
        p.result(),
        Ok(&3),
        "the promise is done and usable after the panic"
    );
    p.add_done_callback(log.callback(3));
    assert_eq!(log.entries(), [1, 2, 3]);
}

/// The one rule for a callback added to a done future (`JoinHandle` follows it too): it runs
/// inside `add_done_callback`, and its panic comes out of `add_done_callback`.
#[test]
fn a_callback_added_after_done_panics_out_of_add_done_callback() {
    let p = P::new();
    let log = Log::default();
    p.set_result(1).unwrap();
    let caught = panic::catch_unwind(AssertUnwindSafe(|| {
        p.add_done_callback(|_| panic!("late callback"));
    }))
    .unwrap_err();
    assert_eq!(caught.downcast_ref::<&str>(), Some(&"late callback"));
    p.add_done_callback(log.callback(1));
    assert_eq!(log.entries(), [1], "the promise still runs late callbacks");
}

#[test]
fn callbacks_of_a_promise_never_completed_are_dropped_not_run() {
    let p = P::new();
    let token = Arc::new(());
    p.add_done_callback({
        let token = Arc::clone(&token);
        move |_| panic!("ran with {token:?}")
    });
    assert_eq!(Arc::strong_count(&token), 2);
    drop(p);
    assert_eq!(Arc::strong_count(&token), 1);
}

#[test]
fn a_removed_callback_is_dropped() {
    let p = P::new();
    let token = Arc::new(());
    let id = p.add_done_callback({
        let token = Arc::clone(&token);
        move |_| drop(token)
    });
    assert!(p.remove_done_callback(id));
    assert_eq!(Arc::strong_count(&token), 1);
}

#[test]
fn completion_trait_reports_the_state() {
    fn state(c: &dyn Completion) -> (bool, bool, bool) {
        (c.done(), c.cancelled(), c.failed())
    }
    let p = P::new();
    assert_eq!(state(&p), (false, false, false));
    assert!(Completion::cancel(&p));
    assert_eq!(state(&p), (true, true, false));
    let q = P::new();
    q.set_exception("e".into()).unwrap();
    assert_eq!(state(&q), (true, false, true));
    let r = P::new();
    r.set_result(1).unwrap();
    assert_eq!(state(&r), (true, false, false));
}

#[test]
fn errors_display_what_happened() {
    use filch_futures::Error;
    let e: Error<String> = Error::Exception("disk full".into());
    assert_eq!(e.to_string(), "disk full");
    let p = P::new();
    p.cancel();
    let Err(ResultError::Cancelled(c)) = p.result() else {
        panic!()
    };
    let e: Error<String> = Error::Cancelled(c.clone());
    assert_eq!(e.to_string(), c.to_string());
    assert_eq!(
        ResultError::<String>::Exception(&"x".into()).to_string(),
        "x"
    );
}
