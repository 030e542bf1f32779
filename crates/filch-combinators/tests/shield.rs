//! `shield` keeps its work running when the waiter is cancelled.

use filch_combinators::shield;
use filch_executor::Runtime;
use filch_futures::Promise;

#[test]
fn a_shielded_future_outlives_its_cancelled_waiter() {
    let rt = Runtime::new();
    rt.block_on(async {
        let gate: Promise<(), ()> = Promise::new();
        let started: Promise<(), ()> = Promise::new();
        let finished: Promise<u32, ()> = Promise::new();
        let waiter = {
            let (gate, started, finished) = (gate.clone(), started.clone(), finished.clone());
            filch_executor::spawn(async move {
                let work = shield(async move {
                    gate.await.unwrap();
                    finished.set_result(7).unwrap();
                });
                started.set_result(()).unwrap();
                work.await
            })
        };
        // Cancel the waiter only once it holds the Shield (before that, nothing was spawned).
        started.await.unwrap();
        waiter.cancel();
        assert!(waiter.await.unwrap_err().is_cancelled());
        gate.set_result(()).unwrap();
        assert_eq!(
            finished.await.unwrap(),
            7,
            "the shielded work ran to its end"
        );
    });
}

#[test]
fn a_shield_reports_the_tasks_panic() {
    let rt = Runtime::new();
    let error = rt
        .block_on(async { shield(async { panic!("inner broke") }).await })
        .unwrap_err();
    assert!(error.is_panic());
}
