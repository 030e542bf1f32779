// Each problem is reported at its own span, all at once.

#[filch::main(workers = 4)]
fn main<T>(value: T) {
    drop(value);
}
