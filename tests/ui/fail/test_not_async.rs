// `#[filch::test]` on a plain fn: use `#[test]`, or make it `async`.

#[filch::test]
fn plain() {
    assert_eq!(1 + 1, 2);
}

fn main() {}
