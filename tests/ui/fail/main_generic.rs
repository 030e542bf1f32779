// Nobody would choose `T`: the error points at the generic parameters.

#[filch::main]
async fn main<T: Default>() {
    let _ = T::default();
}
