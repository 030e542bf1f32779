//! The unretrieved-exception hook, ported from CPython's `test_tb_logger_*` cases: an
//! exception nobody retrieved is reported once, when the last handle drops.
//!
//! The hook is process-wide, but it runs on the thread that drops the last handle, so each
//! test counts reports in a thread-local and the tests can run in parallel.

use std::cell::RefCell;

use filch_futures::{set_unretrieved_exception_hook, IntoValueError, Promise};

type P = Promise<u32, String>;

thread_local! {
    static REPORTS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Installs the recording hook and returns what this thread reported while running `f`.
fn reports_during(f: impl FnOnce()) -> Vec<String> {
    set_unretrieved_exception_hook(|e| REPORTS.with(|r| r.borrow_mut().push(format!("{e:?}"))));
    REPORTS.with(|r| r.borrow_mut().clear());
    f();
    REPORTS.with(|r| r.take())
}

#[test]
fn unretrieved_exception_is_reported_when_the_last_handle_drops() {
    let reports = reports_during(|| {
        let p = P::new();
        let q = p.clone();
        p.set_exception("lost".into()).unwrap();
        assert!(p.done() && !p.cancelled());
        drop(p);
        REPORTS.with(|r| assert!(r.borrow().is_empty(), "not before the last handle"));
        drop(q);
    });
    assert_eq!(reports, ["\"lost\""]);
}

#[test]
fn retrieved_exceptions_are_not_reported() {
    let retrieve: [fn(&P); 4] = [
        |p| assert!(p.exception().unwrap().is_some()),
        |p| assert!(p.result().is_err()),
        |p| assert!(futures::executor::block_on(p.clone()).is_err()),
        |p| assert!(p.clone().result().is_err()),
    ];
    for (case, retrieve) in retrieve.into_iter().enumerate() {
        let reports = reports_during(|| {
            let p = P::new();
            p.set_exception("seen".into()).unwrap();
            retrieve(&p);
        });
        assert!(reports.is_empty(), "case {case}: {reports:?}");
    }
}

#[test]
fn results_cancellations_and_abandoned_promises_are_not_reported() {
    let reports = reports_during(|| {
        let finished = P::new();
        finished.set_result(1).unwrap();
        let cancelled = P::new();
        cancelled.cancel();
        let _abandoned = P::new();
        let inspected = P::new();
        inspected.set_result(2).unwrap();
        assert_eq!(inspected.exception(), Ok(None));
    });
    assert!(reports.is_empty(), "{reports:?}");
}

#[test]
fn inspecting_without_retrieving_still_reports() {
    let reports = reports_during(|| {
        let p = P::new();
        p.set_exception("only looked at".into()).unwrap();
        assert!(p.done());
        let _ = format!("{p:?}");
        assert!(filch_futures::Completion::failed(&p));
    });
    assert_eq!(reports, ["\"only looked at\""]);
}

/// An exception moved out by `into_value` is retrieved; one whose taker gave up before the
/// last handle dropped stays with the promise and is reported.
#[test]
fn into_value_retrieves_the_exception_unless_its_future_was_dropped() {
    let reports = reports_during(|| {
        let p = P::new();
        p.set_exception("taken".into()).unwrap();
        let taken = futures::executor::block_on(p.into_value());
        assert_eq!(taken, Err(IntoValueError::Exception("taken".to_string())));

        let p = P::new();
        let completer = p.clone();
        drop(p.into_value());
        completer.set_exception("abandoned".into()).unwrap();
        drop(completer);
    });
    assert_eq!(reports, ["\"abandoned\""]);
}
