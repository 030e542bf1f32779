//! `wait_for` drops its future on timeout, and when it is dropped itself.

mod support;

use std::time::Duration;

use filch_combinators::{wait_for, TimeoutError};
use filch_executor::Runtime;
use support::DropSignal;

#[test]
fn wait_for_returns_the_output_in_time() {
    let rt = Runtime::new();
    assert_eq!(
        rt.block_on(wait_for(Duration::from_secs(30), async { 5 })),
        Ok(5)
    );
}

#[test]
fn wait_for_drops_the_future_before_reporting_the_timeout() {
    let rt = Runtime::new();
    let (signal, dropped) = DropSignal::new();
    let result = rt.block_on(wait_for(Duration::from_millis(2), async move {
        let _keep = signal;
        std::future::pending::<()>().await
    }));
    assert_eq!(result, Err(TimeoutError));
    assert!(
        dropped.done(),
        "cancelled (dropped) before wait_for returned"
    );
}

#[test]
fn cancelling_the_waiter_cancels_the_awaited_future() {
    let rt = Runtime::new();
    let (signal, dropped) = DropSignal::new();
    rt.block_on(async move {
        let waiter = filch_executor::spawn(wait_for(Duration::from_secs(30), async move {
            let _keep = signal;
            std::future::pending::<()>().await
        }));
        assert!(waiter.cancel());
        dropped.await.unwrap();
    });
}
