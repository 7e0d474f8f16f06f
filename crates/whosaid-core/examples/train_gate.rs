//! Trains the learned gate on a gold JSONL file and writes the model file:
//! `cargo run --release -p whosaid-core --example train_gate -- GOLD.jsonl OUT.tsv`
//! (`whosaid train-gate` does the same from the main binary).

use whosaid_core::gate::{train, FitOptions};
use whosaid_core::score::GoldDoc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(gold), Some(out)) = (args.get(1), args.get(2)) else {
        return Err("usage: train_gate GOLD.jsonl OUT.tsv".into());
    };
    let mut docs = Vec::new();
    for (n, line) in std::fs::read_to_string(gold)?.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let d: GoldDoc =
            serde_json::from_str(line).map_err(|e| format!("{gold}:{}: {e}", n + 1))?;
        docs.push(d);
    }
    let (gate, report) = train(&docs, FitOptions::default());
    eprintln!("{report:?}");
    std::fs::write(out, gate.to_tsv())?;
    Ok(())
}
