//! Trains the learned gate on a gold JSONL file and writes the model file:
//! `cargo run --release -p whosaid-core --example train_gate -- GOLD.jsonl OUT.tsv`
//! (`whosaid train-gate` does the same from the main binary).

use whosaid_core::gate::{train, FitOptions};
use whosaid_core::score::parse_gold;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(gold), Some(out)) = (args.get(1), args.get(2)) else {
        return Err("usage: train_gate GOLD.jsonl OUT.tsv".into());
    };
    let docs = parse_gold(&std::fs::read_to_string(gold)?, gold)?;
    // WHOSAID_GATE="epochs lr l2 min_count" overrides the defaults, for tuning
    let opts = std::env::var("WHOSAID_GATE")
        .ok()
        .and_then(|v| FitOptions::from_spec(&v))
        .unwrap_or_default();
    let (gate, report) = train(&docs, opts);
    eprintln!("{report:?}");
    std::fs::write(out, gate.to_tsv())?;
    Ok(())
}
