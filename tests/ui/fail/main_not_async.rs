// `#[filch::main]` needs an `async fn`: the error points at `fn`.

#[filch::main]
fn main() {}
