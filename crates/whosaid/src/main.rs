//! The `whosaid` binary: command-line parsing and wiring only. Each subcommand lives in
//! its own module; the work itself happens in the library crates.

mod extract;
mod score;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "whosaid",
    version,
    about = "Who said what, about whom, when — from news reports"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Extract attributed statements from plain-text files or JSONL, one JSON object per document.
    Extract(extract::ExtractArgs),
    /// Score extraction against a gold JSONL file (the metrics of shared/eval/score.py).
    Eval(extract::EvalArgs),
    /// Measure extraction throughput over a JSONL file (MB/s, documents/s).
    Bench(extract::BenchArgs),
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("WHOSAID_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result: Result<i32> = match cli.command {
        Command::Extract(a) => extract::run_extract(a),
        Command::Eval(a) => extract::run_eval(a),
        Command::Bench(a) => extract::run_bench(a),
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("whosaid: error: {e:#}");
            std::process::exit(2);
        }
    }
}
