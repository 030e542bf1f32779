// `#[filch::test]` adds `#[test]` itself; a second test attribute would run the test twice
// (or not compile at all).

#[filch::test]
#[test]
async fn twice() {}

fn main() {}
