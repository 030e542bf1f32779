//! proptest: random sequences of operations from several handles, checked step by step
//! against a sequential model of asyncio's semantics table.

use std::cell::RefCell;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use filch_futures::{
    set_unretrieved_exception_hook, CallbackId, Completion, ExceptionError, Promise, ResultError,
};
use proptest::prelude::*;

type P = Promise<u32, u32>;

#[derive(Clone, Debug)]
enum Op {
    SetResult(usize, u32),
    SetException(usize, u32),
    Cancel(usize, Option<u8>),
    AddCallback(usize),
    RemoveCallback(usize, usize),
    Result(usize),
    Exception(usize),
    Done(usize),
    Cancelled(usize),
    PollDone(usize),
    Clone(usize),
    Drop(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let h = 0..4usize;
    prop_oneof![
        (h.clone(), any::<u32>()).prop_map(|(h, v)| Op::SetResult(h, v)),
        (h.clone(), any::<u32>()).prop_map(|(h, e)| Op::SetException(h, e)),
        (h.clone(), proptest::option::of(any::<u8>())).prop_map(|(h, m)| Op::Cancel(h, m)),
        h.clone().prop_map(Op::AddCallback),
        (h.clone(), 0..8usize).prop_map(|(h, k)| Op::RemoveCallback(h, k)),
        h.clone().prop_map(Op::Result),
        h.clone().prop_map(Op::Exception),
        h.clone().prop_map(Op::Done),
        h.clone().prop_map(Op::Cancelled),
        h.clone().prop_map(Op::PollDone),
        h.clone().prop_map(Op::Clone),
        h.prop_map(Op::Drop),
    ]
}

/// What the semantics table says a promise is; `result()` and `exception()` are compared
/// through it too.
#[derive(Clone, Debug, PartialEq)]
enum Model {
    Pending,
    Value(u32),
    Exception(u32),
    Cancelled(Option<String>),
}

/// The sequential model: the outcome, the callbacks still queued, the log of those that ran.
struct Spec {
    state: Model,
    queued: Vec<usize>,
    ran: Vec<usize>,
    retrieved: bool,
}

impl Spec {
    /// A completion: succeeds only while pending, and then runs the queued callbacks in order.
    fn complete(&mut self, to: Model) -> bool {
        if self.state != Model::Pending {
            return false;
        }
        self.state = to;
        self.ran.append(&mut self.queued);
        true
    }

    fn done(&self) -> bool {
        self.state != Model::Pending
    }
}

fn seen_by_result(r: Result<&u32, ResultError<'_, u32>>) -> Model {
    match r {
        Ok(v) => Model::Value(*v),
        Err(ResultError::InvalidState(e)) => {
            assert!(e.is_pending());
            Model::Pending
        }
        Err(ResultError::Exception(e)) => Model::Exception(*e),
        Err(ResultError::Cancelled(c)) => Model::Cancelled(c.message().map(String::from)),
    }
}

/// `exception()` seen as a model state: `None` when finished with a result.
fn seen_by_exception(r: Result<Option<&u32>, ExceptionError<'_>>) -> Option<Model> {
    match r {
        Ok(None) => None,
        Ok(Some(e)) => Some(Model::Exception(*e)),
        Err(ExceptionError::InvalidState(e)) => {
            assert!(e.is_pending());
            Some(Model::Pending)
        }
        Err(ExceptionError::Cancelled(c)) => Some(Model::Cancelled(c.message().map(String::from))),
    }
}

thread_local! {
    static REPORTS: RefCell<usize> = const { RefCell::new(0) };
}

fn run(ops: Vec<Op>) {
    set_unretrieved_exception_hook(|_| REPORTS.with(|r| *r.borrow_mut() += 1));
    REPORTS.with(|r| *r.borrow_mut() = 0);
    let log: Arc<Mutex<Vec<usize>>> = Arc::default();
    let mut handles = vec![P::new()];
    let mut ids: Vec<(CallbackId, usize)> = Vec::new();
    let mut spec = Spec {
        state: Model::Pending,
        queued: Vec::new(),
        ran: Vec::new(),
        retrieved: false,
    };
    for op in ops {
        let n = handles.len();
        match op {
            Op::SetResult(h, v) => {
                assert_eq!(
                    handles[h % n].set_result(v).is_ok(),
                    spec.complete(Model::Value(v))
                )
            }
            Op::SetException(h, e) => assert_eq!(
                handles[h % n].set_exception(e).is_ok(),
                spec.complete(Model::Exception(e))
            ),
            Op::Cancel(h, message) => {
                let message = message.map(|m| format!("m{m}"));
                let cancelled = match &message {
                    Some(m) => handles[h % n].cancel_with(m.as_str()),
                    None => handles[h % n].cancel(),
                };
                assert_eq!(cancelled, spec.complete(Model::Cancelled(message)));
            }
            Op::AddCallback(h) => {
                let label = ids.len();
                let log = Arc::clone(&log);
                let id = handles[h % n].add_done_callback(move |p| {
                    assert!(p.done());
                    log.lock().unwrap().push(label);
                });
                if spec.done() {
                    spec.ran.push(label);
                } else {
                    spec.queued.push(label);
                }
                ids.push((id, label));
            }
            Op::RemoveCallback(h, k) => {
                if let Some(&(id, label)) = ids.get(k % ids.len().max(1)) {
                    let queued = spec.queued.iter().position(|&l| l == label);
                    if let Some(i) = queued {
                        spec.queued.remove(i);
                    }
                    assert_eq!(handles[h % n].remove_done_callback(id), queued.is_some());
                }
            }
            Op::Result(h) => {
                let seen = seen_by_result(handles[h % n].result());
                assert_eq!(seen, spec.state);
                spec.retrieved |= matches!(seen, Model::Exception(_));
            }
            Op::Exception(h) => {
                let expected = match &spec.state {
                    Model::Value(_) => None,
                    other => Some(other.clone()),
                };
                assert_eq!(seen_by_exception(handles[h % n].exception()), expected);
                spec.retrieved |= matches!(spec.state, Model::Exception(_));
            }
            Op::Done(h) => assert_eq!(handles[h % n].done(), spec.done()),
            Op::Cancelled(h) => assert_eq!(
                handles[h % n].cancelled(),
                matches!(spec.state, Model::Cancelled(_))
            ),
            Op::PollDone(h) => {
                let polled = handles[h % n].poll_done(&mut Context::from_waker(Waker::noop()));
                assert_eq!(polled.is_ready(), spec.done());
                assert_eq!(
                    polled,
                    if spec.done() {
                        Poll::Ready(())
                    } else {
                        Poll::Pending
                    }
                );
            }
            Op::Clone(h) => handles.push(handles[h % n].clone()),
            Op::Drop(h) => {
                if n > 1 {
                    handles.swap_remove(h % n);
                }
            }
        }
        assert_eq!(*log.lock().unwrap(), spec.ran, "callbacks run, in order");
    }
    drop(handles);
    let reported = REPORTS.with(|r| *r.borrow());
    let unretrieved = matches!(spec.state, Model::Exception(_)) && !spec.retrieved;
    assert_eq!(
        reported,
        usize::from(unretrieved),
        "reported at the last drop"
    );
}

/// Long enough to reach every state from several handles; shorter under Miri, which is slow.
const MAX_OPS: usize = if cfg!(miri) { 24 } else { 40 };

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 3 } else { 512 },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn operations_follow_the_semantics_table(ops in proptest::collection::vec(op(), 0..MAX_OPS)) {
        run(ops);
    }
}
