//! `whosaid extract`, `whosaid eval` and `whosaid bench`: the extraction core on files,
//! on gold data, and against the clock.

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use rayon::prelude::*;
use serde::Deserialize;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;
use whosaid_core::bounds;
use whosaid_core::gate::{train, FitOptions};
use whosaid_core::score::{self, GoldDoc};
use whosaid_core::{extract, Article, Extraction};

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Json,
    Text,
}

#[derive(Args)]
pub struct ExtractArgs {
    /// Plain-text files (`-` for standard input), or JSONL files with --jsonl.
    #[arg(required = true)]
    files: Vec<String>,
    /// Inputs are JSONL: one {"id", "text", "published"?, "title"?, "url"?, "source"?} a line.
    #[arg(long)]
    jsonl: bool,
    /// Publication date of plain-text inputs (YYYY-MM-DD), to resolve "on Thursday".
    #[arg(long, value_parser = parse_date)]
    published: Option<NaiveDate>,
    /// Indented JSON for humans.
    #[arg(long)]
    pretty: bool,
    /// Output format: one JSON object per document, or a readable `speaker: "quote"` view.
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
    /// Decode invalid UTF-8 with replacement characters (and a warning) instead of failing.
    #[arg(long)]
    lossy: bool,
}

#[derive(Args)]
pub struct EvalArgs {
    /// Gold JSONL (shared/eval format).
    #[arg(long)]
    gold: PathBuf,
    /// Also write the predictions (whosaid extract JSONL) here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print per-document counts to stderr.
    #[arg(long)]
    per_doc: bool,
}

#[derive(Args)]
pub struct TrainGateArgs {
    /// Gold JSONL to learn from (shared/eval format): the train split, never dev.
    #[arg(long)]
    gold: PathBuf,
    /// Where to write the model; the library compiles in crates/whosaid-core/model/gate.tsv.
    #[arg(long)]
    out: PathBuf,
    /// Passes over the candidates.
    #[arg(long, default_value_t = 12)]
    epochs: usize,
}

#[derive(Args)]
pub struct TrainBoundsArgs {
    /// Gold JSONL to learn from (shared/eval format): the train split, never dev.
    #[arg(long)]
    gold: PathBuf,
    /// Where to write the model; the library compiles in crates/whosaid-core/model/bounds.tsv.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args)]
pub struct BenchArgs {
    /// JSONL input (documents with a "text" field).
    file: PathBuf,
    /// Passes over the file for each measurement.
    #[arg(long, default_value_t = 3)]
    repeat: usize,
}

pub fn parse_date(s: &str) -> std::result::Result<NaiveDate, String> {
    let s = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d);
    }
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|dt| dt.date_naive())
        .map_err(|_| format!("{s:?} is not a date (want YYYY-MM-DD or RFC 3339)"))
}

/// One JSONL input line.
#[derive(Deserialize)]
pub struct JsonDoc {
    #[serde(default)]
    id: Option<serde_json::Value>,
    text: String,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    source: Option<String>,
}

impl JsonDoc {
    pub fn into_article(self, fallback_id: String) -> Result<Article, String> {
        let id = match self.id {
            Some(serde_json::Value::String(s)) => s,
            Some(serde_json::Value::Null) | None => fallback_id,
            Some(other) => other.to_string(),
        };
        let published = match self.published.as_deref() {
            None | Some("") => None,
            Some(p) => Some(parse_date(p).map_err(|e| format!("field \"published\": {e}"))?),
        };
        Ok(Article {
            id,
            text: self.text,
            published,
            title: self.title,
            url: self.url,
            source: self.source,
        })
    }
}

/// Reads JSONL articles in batches, so memory stays flat in the number of documents.
/// Bad lines are reported (file and line number) through `on_error` and skipped.
pub fn jsonl_batches(
    name: &str,
    reader: Box<dyn BufRead>,
    batch: usize,
    mut on_batch: impl FnMut(Vec<Article>) -> Result<()>,
    mut on_error: impl FnMut(String),
) -> Result<()> {
    let mut buf = Vec::with_capacity(batch);
    let mut line = Vec::new();
    let mut reader = reader;
    let mut ln = 0usize;
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .with_context(|| format!("{name}: read failed after line {ln}"))?;
        if n == 0 {
            break;
        }
        ln += 1;
        let text = match std::str::from_utf8(&line) {
            Ok(t) => t.trim(),
            Err(e) => {
                on_error(format!(
                    "{name}:{ln}: invalid UTF-8 at byte {} of the line",
                    e.valid_up_to()
                ));
                continue;
            }
        };
        if text.is_empty() {
            continue;
        }
        match serde_json::from_str::<JsonDoc>(text) {
            Ok(d) => match d.into_article(format!("{name}:{ln}")) {
                Ok(a) => buf.push(a),
                Err(e) => on_error(format!("{name}:{ln}: {e}")),
            },
            Err(e) => on_error(format!("{name}:{ln}: malformed JSON: {e}")),
        }
        if buf.len() >= batch {
            on_batch(std::mem::take(&mut buf))?;
        }
    }
    if !buf.is_empty() {
        on_batch(buf)?;
    }
    Ok(())
}

fn open_input(name: &str) -> Result<Box<dyn BufRead>> {
    if name == "-" {
        Ok(Box::new(BufReader::new(std::io::stdin())))
    } else {
        let f = std::fs::File::open(name).with_context(|| format!("{name}: cannot open"))?;
        Ok(Box::new(BufReader::with_capacity(1 << 16, f)))
    }
}

/// Reads a plain-text input as UTF-8: invalid bytes are an error naming the offset,
/// unless `lossy`.
fn read_text(name: &str, lossy: bool) -> Result<String> {
    let mut bytes = Vec::new();
    open_input(name)?
        .read_to_end(&mut bytes)
        .with_context(|| format!("{name}: read failed"))?;
    if bytes.is_empty() {
        bail!("{name}: the file is empty");
    }
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            if lossy {
                tracing::warn!(
                    "{name}: invalid UTF-8 at byte {at}, decoded with replacement characters"
                );
                Ok(String::from_utf8_lossy(e.as_bytes()).into_owned())
            } else {
                bail!("{name}: invalid UTF-8 at byte offset {at} (use --lossy to decode anyway)")
            }
        }
    }
}

fn write_extraction(out: &mut impl Write, x: &Extraction, args: &ExtractArgs) -> Result<()> {
    match args.format {
        Format::Json if args.pretty => serde_json::to_writer_pretty(&mut *out, x)?,
        Format::Json => serde_json::to_writer(&mut *out, x)?,
        Format::Text => {
            writeln!(out, "# {}", x.id)?;
            for s in &x.statements {
                let who = s
                    .speaker
                    .as_ref()
                    .map_or("(unknown)", |sp| sp.name.as_str());
                let role = s
                    .speaker
                    .as_ref()
                    .and_then(|sp| sp.role.as_deref())
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default();
                let cue = s.cue.as_ref().map_or("", |c| c.text.as_str());
                let date = s.said_on.map(|d| format!(" on {d}")).unwrap_or_default();
                writeln!(
                    out,
                    "{who}{role} [{} {cue}{date}]: \u{201c}{}\u{201d}",
                    s.kind.as_str(),
                    s.text
                )?;
            }
            if let Some(c) = &x.credit {
                writeln!(out, "credit: {c}")?;
            }
        }
    }
    writeln!(out)?;
    Ok(())
}

pub fn run_extract(args: ExtractArgs) -> Result<i32> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut failures = 0usize;
    for name in &args.files {
        if args.jsonl {
            let reader = match open_input(name) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("whosaid: error: {e:#}");
                    failures += 1;
                    continue;
                }
            };
            jsonl_batches(
                name,
                reader,
                512,
                |batch| {
                    let xs: Vec<Extraction> = batch.par_iter().map(extract).collect();
                    for x in &xs {
                        write_extraction(&mut out, x, &args)?;
                    }
                    Ok(())
                },
                |e| {
                    failures += 1;
                    eprintln!("whosaid: error: {e}");
                },
            )?;
        } else {
            match read_text(name, args.lossy) {
                Ok(text) => {
                    let mut a = Article::new(name.clone(), text);
                    a.published = args.published;
                    write_extraction(&mut out, &extract(&a), &args)?;
                }
                Err(e) => {
                    eprintln!("whosaid: error: {e:#}");
                    failures += 1;
                }
            }
        }
    }
    out.flush()?;
    Ok(if failures > 0 { 1 } else { 0 })
}

pub fn run_eval(args: EvalArgs) -> Result<i32> {
    let gold = load_gold(&args.gold)?;
    let preds: Vec<Extraction> = gold
        .par_iter()
        .map(|g| extract(&Article::new(g.id.clone(), g.text.clone())))
        .collect();
    if let Some(path) = &args.out {
        let f = std::fs::File::create(path)
            .with_context(|| format!("{}: cannot create", path.display()))?;
        let mut w = BufWriter::new(f);
        for p in &preds {
            serde_json::to_writer(&mut w, p)?;
            writeln!(w)?;
        }
        w.flush()?;
    }
    let report = score::score(&gold, &preds, args.per_doc);
    println!("{}", serde_json::to_string(&report)?);
    Ok(0)
}

/// Learns the gate's weights and threshold from gold (see `whosaid_core::gate::train`).
/// The candidates come from the rules alone, whatever model this binary was built with.
pub fn run_train_gate(args: TrainGateArgs) -> Result<i32> {
    let gold = load_gold(&args.gold)?;
    let opts = FitOptions {
        epochs: args.epochs,
        ..FitOptions::default()
    };
    let (gate, report) = train(&gold, opts);
    std::fs::write(&args.out, gate.to_tsv())
        .with_context(|| format!("{}: cannot write the model", args.out.display()))?;
    eprintln!(
        "{} candidates ({} right), {} features; 5-fold cross-validated e2e overlap F1 {:.4} ungated, {:.4} gated at threshold {:.2}",
        report.candidates,
        report.positives,
        report.features,
        report.cv_f1_ungated,
        report.cv_f1_gated,
        report.threshold
    );
    Ok(0)
}

/// Learns where reported content ends from gold (see `whosaid_core::bounds::train`).
/// Retrain the gate after it: the gate learns from the ends this model chooses.
pub fn run_train_bounds(args: TrainBoundsArgs) -> Result<i32> {
    let gold = load_gold(&args.gold)?;
    let (model, report) = bounds::train(&gold, bounds::FIT);
    std::fs::write(
        &args.out,
        model.to_tsv_as("content ends: conditional logit over each statement's choices; written by `whosaid train-bounds`"),
    )
    .with_context(|| format!("{}: cannot write the model", args.out.display()))?;
    eprintln!(
        "{} statements with their gold end among {} choices: the rules' own end is it for {}, the model's choice (5-fold cross-validated) for {}",
        report.statements, report.choices, report.keep_right, report.cv_right
    );
    Ok(0)
}

pub fn run_bench(args: BenchArgs) -> Result<i32> {
    let name = args.file.display().to_string();
    let mut docs = Vec::new();
    jsonl_batches(
        &name,
        open_input(&name)?,
        4096,
        |b| {
            docs.extend(b);
            Ok(())
        },
        |e| eprintln!("whosaid: warning: {e}"),
    )?;
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    if bytes == 0 {
        bail!("{name}: no documents with text");
    }
    let mb = bytes as f64 / 1e6;
    let mut single = f64::MAX;
    let mut multi = f64::MAX;
    let mut statements = 0usize;
    for _ in 0..args.repeat.max(1) {
        let t = Instant::now();
        statements = docs.iter().map(|d| extract(d).statements.len()).sum();
        single = single.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let _: usize = docs.par_iter().map(|d| extract(d).statements.len()).sum();
        multi = multi.min(t.elapsed().as_secs_f64());
    }
    let threads = rayon::current_num_threads();
    println!(
        "{}",
        serde_json::json!({
            "file": name, "documents": docs.len(), "megabytes": mb, "statements": statements,
            "single_thread": {"seconds": single, "mb_per_s": mb / single, "docs_per_s": docs.len() as f64 / single},
            "all_cores": {"threads": threads, "seconds": multi, "mb_per_s": mb / multi, "docs_per_s": docs.len() as f64 / multi},
        })
    );
    Ok(0)
}

fn load_gold(path: &Path) -> Result<Vec<GoldDoc>> {
    let s = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in s.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let d: GoldDoc = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: malformed gold line", path.display(), i + 1))?;
        out.push(d);
    }
    Ok(out)
}
