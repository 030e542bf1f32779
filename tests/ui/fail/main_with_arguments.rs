// Nobody would pass arguments to `main`: the error points at the parameter list.

#[filch::main]
async fn main(args: Vec<String>) {
    println!("{args:?}");
}
