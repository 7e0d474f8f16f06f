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
    // WHOSAID_GATE="epochs lr l2 min_count" overrides the defaults, for tuning
    let mut opts = FitOptions::default();
    if let Ok(v) = std::env::var("WHOSAID_GATE") {
        let f: Vec<f32> = v
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        if let [e, lr, l2, mc] = f[..] {
            opts = FitOptions {
                epochs: e as usize,
                learning_rate: lr,
                l2,
                min_count: mc as usize,
            };
        }
    }
    let (gate, report) = train(&docs, opts);
    eprintln!("{report:?}");
    std::fs::write(out, gate.to_tsv())?;
    Ok(())
}
