// `#[filch::main]` keeps the declared return type: `?` and `return` in the body convert and
// type-check exactly as in a plain `fn main() -> Result<..>`.

use std::error::Error;

#[filch::main(worker_threads = 2)]
async fn main() -> Result<(), Box<dyn Error>> {
    let parsed: u64 = "21".parse()?;
    let doubled = filch::spawn(async move { parsed * 2 }).await?;
    if doubled != 42 {
        return Err(format!("21 * 2 came back as {doubled}").into());
    }
    Ok(())
}
