//! Writes a synthetic OSV `all.zip` (used by bench/osv.sh).
//!
//! Usage: osv_dump ADVISORIES OUT.zip

#[path = "../benches/support/synthetic.rs"]
mod synthetic;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, advisories, out] = args.as_slice() else {
        return Err("usage: osv_dump ADVISORIES OUT.zip".into());
    };
    std::fs::write(out, synthetic::dump(advisories.parse()?))?;
    Ok(())
}
