// The test harness calls tests with no arguments.

#[filch::test]
async fn adds(a: u32, b: u32) {
    assert_eq!(a + b, b + a);
}

fn main() {}
