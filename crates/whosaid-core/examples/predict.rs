//! Runs the extractor over a JSONL file of documents (`id`, `text`, optional
//! `published`) and writes one extraction per line — the quickest way to score the core
//! alone: `cargo run --release -p whosaid-core --example predict < dev.jsonl > pred.jsonl`,
//! then `python3 ../shared/eval/score.py dev.jsonl pred.jsonl`.

use std::io::{BufRead, Write};
use whosaid_core::{extract, extract_candidates, Article};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    // WHOSAID_UNGATED=1: every rule candidate, before the learned gate (for analysis)
    let ungated = std::env::var_os("WHOSAID_UNGATED").is_some();
    for (n, line) in stdin.lock().lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("line {}: malformed JSON: {e}", n + 1);
                continue;
            }
        };
        let id = v["id"]
            .as_str()
            .map_or_else(|| format!("line-{}", n + 1), str::to_string);
        let mut a = Article::new(id, v["text"].as_str().unwrap_or_default());
        a.published = v["published"].as_str().and_then(|p| {
            chrono::NaiveDate::parse_from_str(p.get(..10).unwrap_or(p), "%Y-%m-%d").ok()
        });
        let x = if ungated {
            extract_candidates(&a).0
        } else {
            extract(&a)
        };
        serde_json::to_writer(&mut out, &x)?;
        writeln!(out)?;
    }
    Ok(())
}
