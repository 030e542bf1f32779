// The attributes go on functions only.

#[filch::main]
struct Server;

fn main() {
    let _ = Server;
}
