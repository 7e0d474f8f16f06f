//! Trains the content-boundary model on a gold JSONL file and writes the model file:
//! `cargo run --release -p whosaid-core --example train_bounds -- GOLD.jsonl model/bounds.tsv`
//! (`whosaid train-bounds` does the same from the main binary). Train it before the
//! gate: the gate learns from the ends this model chooses.

use whosaid_core::bounds::{train, FIT};
use whosaid_core::gate::FitOptions;
use whosaid_core::score::parse_gold;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(gold), Some(out)) = (args.get(1), args.get(2)) else {
        return Err("usage: train_bounds GOLD.jsonl OUT.tsv".into());
    };
    let docs = parse_gold(&std::fs::read_to_string(gold)?, gold)?;
    // WHOSAID_BOUNDS="epochs lr l2 min_count" overrides the defaults, for tuning
    let opts = std::env::var("WHOSAID_BOUNDS")
        .ok()
        .and_then(|v| FitOptions::from_spec(&v))
        .unwrap_or(FIT);
    let (model, report) = train(&docs, opts);
    eprintln!("{report:?}");
    std::fs::write(
        out,
        model.to_tsv_as(
            "content ends: conditional logit over each statement's choices; written by the train_bounds example",
        ),
    )?;
    Ok(())
}
