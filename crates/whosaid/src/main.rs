//! The `whosaid` binary: command-line parsing and wiring only. Each subcommand lives in
//! its own module; the work itself happens in the library crates.

mod corpus;
mod extract;
#[cfg(feature = "scale")]
mod scale;
mod serve;

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
    /// Train the learned gate over the rules' candidates from gold JSONL; writes the model file.
    TrainGate(extract::TrainGateArgs),
    /// Train where reported content ends (run before train-gate); writes the model file.
    TrainBounds(extract::TrainBoundsArgs),
    /// Measure extraction throughput over a JSONL file (MB/s, documents/s).
    Bench(extract::BenchArgs),
    /// Ingest files, folders, URLs or feeds into the database (extract and store).
    Ingest(corpus::IngestArgs),
    /// Search stored statements.
    Search(corpus::SearchArgs),
    /// List speakers by number of statements.
    Speakers(corpus::SpeakersArgs),
    /// One speaker: aliases, roles over time, statements.
    Speaker(corpus::SpeakerArgs),
    /// Show a stored article with its statements marked.
    Show(corpus::ShowArgs),
    /// Export statements as JSONL, CSV or Parquet.
    Export(corpus::ExportArgs),
    /// Serve the JSON API (/api/v1) and the web UI over the database.
    Serve(serve::ServeArgs),
    /// Publish articles from sources to the NATS work stream (scale-out).
    #[cfg(feature = "scale")]
    Submit(scale::SubmitArgs),
    /// Pull articles from the stream, extract and store them in PostgreSQL.
    #[cfg(feature = "scale")]
    Worker(scale::WorkerArgs),
    /// Poll feeds on a timer and submit new entries (one active scheduler).
    #[cfg(feature = "scale")]
    Schedule(scale::ScheduleArgs),
    /// List or retry dead-lettered messages.
    #[cfg(feature = "scale")]
    Failed(scale::FailedArgs),
    /// Stream depth, consumer backlog and store counts.
    #[cfg(feature = "scale")]
    Status(scale::StatusArgs),
    /// Search statements in the PostgreSQL store (JSON).
    #[cfg(feature = "scale")]
    PgSearch(scale::PgSearchArgs),
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
        Command::TrainGate(a) => extract::run_train_gate(a),
        Command::TrainBounds(a) => extract::run_train_bounds(a),
        Command::Bench(a) => extract::run_bench(a),
        Command::Ingest(a) => corpus::run_ingest(a),
        Command::Search(a) => corpus::run_search(a),
        Command::Speakers(a) => corpus::run_speakers(a),
        Command::Speaker(a) => corpus::run_speaker(a),
        Command::Show(a) => corpus::run_show(a),
        Command::Export(a) => corpus::run_export(a),
        #[cfg(feature = "scale")]
        Command::Submit(a) => scale::run_submit(a),
        #[cfg(feature = "scale")]
        Command::Worker(a) => scale::run_worker(a),
        #[cfg(feature = "scale")]
        Command::Schedule(a) => scale::run_schedule(a),
        #[cfg(feature = "scale")]
        Command::Failed(a) => scale::run_failed(a),
        #[cfg(feature = "scale")]
        Command::Status(a) => scale::run_status(a),
        #[cfg(feature = "scale")]
        Command::PgSearch(a) => scale::run_pg_search(a),
        Command::Serve(a) => serve::run_serve(a),
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("whosaid: error: {e:#}");
            std::process::exit(2);
        }
    }
}
