//! Trains the content-boundary model on a gold JSONL file and writes the model file:
//! `cargo run --release -p whosaid-core --example train_bounds -- GOLD.jsonl model/bounds.tsv`.
//! Train it before the gate: the gate learns from the ends this model chooses.

use whosaid_core::bounds::train;
use whosaid_core::gate::FitOptions;
use whosaid_core::score::GoldDoc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(gold), Some(out)) = (args.get(1), args.get(2)) else {
        return Err("usage: train_bounds GOLD.jsonl OUT.tsv".into());
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
    // WHOSAID_BOUNDS="epochs lr l2 min_count" overrides the defaults, for tuning
    let mut opts = whosaid_core::bounds::FIT;
    if let Ok(v) = std::env::var("WHOSAID_BOUNDS") {
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
    let (model, report) = train(&docs, opts);
    eprintln!("{report:?}");
    std::fs::write(
        out,
        model.to_tsv_as("content ends: conditional logit over each statement's choices; written by the train_bounds example"),
    )?;
    Ok(())
}
