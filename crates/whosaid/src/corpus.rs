//! Corpus commands: `ingest`, `search`, `speakers`, `speaker`, `show` and `export`. They
//! turn flags into calls on `whosaid-ingest` (sources), `whosaid_core::extract`
//! (statements) and the `whosaid-store` `Store` (everything kept), and print the answers
//! for a person (or as JSON). No storage or extraction logic lives here.
//!
//! Ingest runs as a pipeline: a reader thread walks the sources and extracts each batch
//! on rayon's pool; the main thread is the only SQLite writer, committing one transaction
//! per batch, so a killed process loses at most the batch in flight.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use rayon::prelude::*;
use whosaid_core::StatementKind;
use whosaid_ingest::{IngestOptions, Validators};
use whosaid_store::{
    export, prepare, ArticleView, FeedState, PreparedArticle, SearchQuery, SpeakerLookup,
    SpeakersQuery, SqliteStore, StatementHit, Store, UpsertAction,
};

/// Where the database lives.
#[derive(Args, Debug, Clone)]
pub struct DbArg {
    /// Database file (default: whosaid.db in the platform data directory).
    #[arg(long, env = "WHOSAID_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
}

impl DbArg {
    fn path(&self) -> Result<PathBuf> {
        if let Some(p) = &self.db {
            return Ok(p.clone());
        }
        let dirs = directories::ProjectDirs::from("", "", "whosaid")
            .context("cannot find a data directory for the database; pass --db PATH")?;
        let dir = dirs.data_dir();
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create data directory {}", dir.display()))?;
        Ok(dir.join("whosaid.db"))
    }

    fn open(&self) -> Result<SqliteStore> {
        let path = self.path()?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            if !parent.exists() {
                bail!(
                    "cannot open database {}: folder {} does not exist",
                    path.display(),
                    parent.display()
                );
            }
        }
        Ok(SqliteStore::open(&path)?)
    }

    /// Opens an existing database for reading; a missing one is an error, not a new file.
    fn open_existing(&self) -> Result<SqliteStore> {
        let path = self.path()?;
        if !path.exists() {
            bail!(
                "no database at {} — run `whosaid ingest SOURCE --db {}` first",
                path.display(),
                path.display()
            );
        }
        Ok(SqliteStore::open(&path)?)
    }
}

// ---------------------------------------------------------------------------------------
// ingest

#[derive(Args, Debug)]
pub struct IngestArgs {
    /// Files, folders, URLs or feeds to ingest.
    #[arg(value_name = "SOURCE")]
    pub sources: Vec<String>,
    #[command(flatten)]
    pub db: DbArg,
    /// Decode invalid UTF-8 with replacement characters instead of failing.
    #[arg(long)]
    pub lossy: bool,
    /// Keep polling the feeds listed in this file (one URL a line, # comments).
    #[arg(long, value_name = "FEEDS.txt")]
    pub watch: Option<PathBuf>,
    /// How often to poll with --watch: 30s, 15m, 1h.
    #[arg(long, default_value = "15m", value_parser = parse_interval)]
    pub every: Duration,
    /// Stop --watch after this many rounds (for tests).
    #[arg(long, hide = true)]
    pub max_rounds: Option<u64>,
    /// Articles per transaction (measured with the store bench at 100k articles: 2,000
    /// cuts the writer's CPU per article from 300 to 271 µs against 500; a killed ingest
    /// still loses only the batch in flight).
    #[arg(long, default_value_t = 2000, hide = true)]
    pub batch: usize,
}

fn parse_interval(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("invalid interval {s:?}: expected e.g. 30s, 15m, 1h"))?;
    let secs = match unit {
        "ms" => return Ok(Duration::from_millis(n)),
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => {
            return Err(format!(
                "invalid interval {s:?}: unit must be ms, s, m or h"
            ))
        }
    };
    Ok(Duration::from_secs(secs))
}

enum Msg {
    Batch(usize, Vec<PreparedArticle>),
    /// A source could not be opened, or one of its items failed.
    Failed(usize, String),
    Done(usize, Option<Validators>, bool),
}

#[derive(Default)]
struct Tally {
    inserted: usize,
    replaced: usize,
    unchanged: usize,
    statements: usize,
    failed_sources: Vec<usize>,
}

pub fn run_ingest(args: IngestArgs) -> Result<i32> {
    if args.sources.is_empty() && args.watch.is_none() {
        bail!("nothing to ingest: give one or more SOURCE paths or URLs, or --watch FEEDS.txt");
    }
    let store = args.db.open()?;
    let Some(watch) = &args.watch else {
        let failed = ingest_round(&store, &args.sources, &args)?;
        return Ok(i32::from(failed));
    };
    let mut round = 0u64;
    let mut any_failed = false;
    loop {
        round += 1;
        let text = std::fs::read_to_string(watch)
            .with_context(|| format!("cannot read feed list {}", watch.display()))?;
        let mut sources = args.sources.clone();
        sources.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_string),
        );
        tracing::info!(round, feeds = sources.len(), "polling");
        any_failed |= ingest_round(&store, &sources, &args)?;
        if args.max_rounds.is_some_and(|m| round >= m) {
            return Ok(i32::from(any_failed));
        }
        std::thread::sleep(args.every);
    }
}

fn is_url(s: &str) -> bool {
    let l = s.trim().to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https://")
}

/// Ingests every source once. Returns whether any source failed.
fn ingest_round(store: &SqliteStore, sources: &[String], args: &IngestArgs) -> Result<bool> {
    let mut opts = IngestOptions {
        lossy: args.lossy,
        ..Default::default()
    };
    for s in sources.iter().filter(|s| is_url(s)) {
        if let Some(st) = store.feed_state(s.trim())? {
            opts.validators.insert(
                s.trim().to_string(),
                Validators {
                    etag: st.etag,
                    last_modified: st.last_modified,
                },
            );
        }
    }
    let batch = args.batch.max(1);
    let progress = Progress::new(sources);
    let (tx, rx) = mpsc::sync_channel::<Msg>(4);
    let mut tally = Tally::default();
    let mut failed_msgs: HashMap<usize, usize> = HashMap::new();
    std::thread::scope(|scope| -> Result<()> {
        let sources_ref = sources;
        let opts_ref = &opts;
        scope.spawn(move || read_sources(sources_ref, opts_ref, batch, tx));
        for msg in rx {
            match msg {
                Msg::Batch(src, items) => {
                    let n = items.len();
                    let outcomes = store
                        .upsert_prepared(items)
                        .with_context(|| format!("storing {n} articles from {}", sources[src]))?;
                    for o in outcomes {
                        match o.action {
                            UpsertAction::Inserted => tally.inserted += 1,
                            UpsertAction::Replaced => tally.replaced += 1,
                            UpsertAction::Unchanged => tally.unchanged += 1,
                        }
                        tally.statements += o.statements;
                    }
                    progress.update(&tally);
                }
                Msg::Failed(src, why) => {
                    progress.println(&format!("whosaid: {}: {why}", sources[src]));
                    *failed_msgs.entry(src).or_default() += 1;
                    if !tally.failed_sources.contains(&src) {
                        tally.failed_sources.push(src);
                    }
                }
                Msg::Done(src, validators, not_modified) => {
                    let spec = sources[src].trim();
                    if not_modified {
                        tracing::info!(source = spec, "not modified since last run");
                    }
                    if let Some(v) = validators.filter(|v| !v.is_empty()) {
                        store.set_feed_state(
                            spec,
                            &FeedState {
                                etag: v.etag,
                                last_modified: v.last_modified,
                            },
                        )?;
                    }
                }
            }
        }
        Ok(())
    })?;
    progress.finish();
    let summary = format!(
        "ingested {} articles ({} new, {} changed, {} unchanged), {} statements, from {} source(s){}",
        tally.inserted + tally.replaced + tally.unchanged,
        tally.inserted,
        tally.replaced,
        tally.unchanged,
        tally.statements,
        sources.len(),
        if tally.failed_sources.is_empty() {
            String::new()
        } else {
            format!("; {} source(s) had errors", tally.failed_sources.len())
        }
    );
    eprintln!("whosaid: {summary}");
    tracing::info!("{summary}");
    Ok(!tally.failed_sources.is_empty())
}

/// The reader thread: opens each source, extracts batches in parallel, sends them on.
fn read_sources(sources: &[String], opts: &IngestOptions, batch: usize, tx: mpsc::SyncSender<Msg>) {
    let flush = |src: usize, chunk: &mut Vec<whosaid_core::Article>| -> bool {
        if chunk.is_empty() {
            return true;
        }
        let prepared: Vec<PreparedArticle> = std::mem::take(chunk)
            .into_par_iter()
            .map(|a| {
                let e = whosaid_core::extract(&a);
                prepare(a, e)
            })
            .collect();
        tx.send(Msg::Batch(src, prepared)).is_ok()
    };
    for (i, spec) in sources.iter().enumerate() {
        let source = match whosaid_ingest::open(spec.trim(), opts) {
            Ok(s) => s,
            Err(e) => {
                if tx.send(Msg::Failed(i, e.to_string())).is_err() {
                    return;
                }
                continue;
            }
        };
        let validators = source.validators().cloned();
        let not_modified = source.not_modified();
        let mut chunk = Vec::with_capacity(batch);
        for item in source {
            match item {
                Ok(ing) => {
                    for w in &ing.warnings {
                        tracing::warn!(origin = %ing.origin, "{w}");
                    }
                    chunk.push(ing.article);
                    if chunk.len() >= batch && !flush(i, &mut chunk) {
                        return;
                    }
                }
                Err(e) => {
                    if tx.send(Msg::Failed(i, e.to_string())).is_err() {
                        return;
                    }
                }
            }
        }
        if !flush(i, &mut chunk) || tx.send(Msg::Done(i, validators, not_modified)).is_err() {
            return;
        }
    }
}

/// A progress bar on a terminal; plain log lines otherwise.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(sources: &[String]) -> Self {
        if !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        // a bar with an ETA when every source can be counted cheaply (files, JSONL),
        // a spinner with the rate otherwise (feeds, WARC, URLs)
        let total: Option<u64> = sources
            .iter()
            .map(|s| whosaid_ingest::source::estimate_articles(s))
            .sum();
        let (bar, template) = match total {
            Some(n) => (
                indicatif::ProgressBar::new(n),
                "{bar:30} {pos}/{len} articles, {msg} [{elapsed_precise}, {per_sec}, ETA {eta}]",
            ),
            None => (
                indicatif::ProgressBar::new_spinner(),
                "{spinner} {pos} articles, {msg} [{elapsed_precise}, {per_sec}]",
            ),
        };
        if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress { bar: Some(bar) }
    }

    fn update(&self, t: &Tally) {
        let n = (t.inserted + t.replaced + t.unchanged) as u64;
        match &self.bar {
            Some(bar) => {
                bar.set_position(n);
                bar.set_message(format!("{} statements", t.statements));
            }
            None => tracing::info!(articles = n, statements = t.statements, "stored batch"),
        }
    }

    fn println(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

// ---------------------------------------------------------------------------------------
// search and export

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum KindArg {
    Direct,
    Indirect,
    Mixed,
}

impl From<KindArg> for StatementKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Direct => StatementKind::Direct,
            KindArg::Indirect => StatementKind::Indirect,
            KindArg::Mixed => StatementKind::Mixed,
        }
    }
}

fn parse_day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("invalid date {s:?}: expected YYYY-MM-DD"))
}

/// Filters shared by `search` and `export`.
#[derive(Args, Debug, Clone)]
pub struct Filters {
    /// Only statements by this speaker (name or alias, case-insensitive).
    #[arg(long, value_name = "NAME")]
    pub speaker: Option<String>,
    /// On or after this day (YYYY-MM-DD): the statement's date, else the article's.
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    pub since: Option<NaiveDate>,
    /// On or before this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    pub until: Option<NaiveDate>,
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// Only articles from this outlet (source name or web host).
    #[arg(long, value_name = "X")]
    pub outlet: Option<String>,
}

impl Filters {
    fn query(&self, text: Option<String>) -> SearchQuery {
        SearchQuery {
            text,
            speaker: self.speaker.clone(),
            since: self.since,
            until: self.until,
            kind: self.kind.map(Into::into),
            outlet: self.outlet.clone(),
            limit: None,
            cursor: None,
        }
    }
}

#[derive(Args, Debug)]
pub struct SearchArgs {
    /// Words, "quoted phrases", OR, -excluded, prefix*.
    pub query: String,
    #[command(flatten)]
    pub filters: Filters,
    /// Results per page.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Continue from a previous page (printed at the end of each page).
    #[arg(long)]
    pub cursor: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub db: DbArg,
}

pub fn run_search(args: SearchArgs) -> Result<i32> {
    let store = args.db.open_existing()?;
    let mut q = args.filters.query(Some(args.query.clone()));
    q.limit = Some(args.limit);
    q.cursor = args.cursor.clone();
    let page = store.search(&q)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &page)?;
        writeln!(out)?;
        return Ok(0);
    }
    if page.hits.is_empty() {
        eprintln!("no statements match {:?}", args.query);
        return Ok(0);
    }
    for hit in &page.hits {
        print_hit(&mut out, hit)?;
    }
    if let Some(c) = &page.next_cursor {
        writeln!(out, "more: --cursor '{c}'")?;
    }
    Ok(0)
}

fn print_hit(out: &mut impl Write, h: &StatementHit) -> Result<()> {
    let date = h
        .date
        .map(|d| d.to_string())
        .unwrap_or_else(|| "undated".into());
    let who = h.speaker.as_deref().unwrap_or("(unattributed)");
    let role = h
        .speaker_role
        .as_deref()
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    let outlet = h.outlet.as_deref().unwrap_or("unknown outlet");
    writeln!(out, "[{date}] {who}{role} — {outlet}")?;
    let (open, close) = if h.kind == StatementKind::Indirect {
        ("", "")
    } else {
        ("\u{201C}", "\u{201D}")
    };
    writeln!(out, "  {open}{}{close}", h.text)?;
    let carried = if h.outlets_with_quote > 1 {
        format!("; carried by {} outlets", h.outlets_with_quote)
    } else {
        String::new()
    };
    let link = h.url.clone().unwrap_or_else(|| h.article_ext_id.clone());
    writeln!(
        out,
        "  {} · article {} · {link}{carried}\n",
        h.kind.as_str(),
        h.article_id
    )?;
    Ok(())
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum ExportFormat {
    Jsonl,
    Csv,
    Parquet,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Only statements matching this search.
    #[arg(long, value_name = "Q")]
    pub query: Option<String>,
    #[command(flatten)]
    pub filters: Filters,
    /// Output file ("-" for standard output).
    #[arg(value_name = "OUT")]
    pub out: PathBuf,
    #[command(flatten)]
    pub db: DbArg,
}

pub fn run_export(args: ExportArgs) -> Result<i32> {
    let store = args.db.open_existing()?;
    let q = args.filters.query(args.query.clone());
    let target = args.out.display().to_string();
    let to_stdout = args.out.as_os_str() == "-";
    if to_stdout && matches!(args.format, ExportFormat::Parquet) {
        bail!("Parquet export needs an output file, not standard output");
    }
    // Write to a temporary file beside OUT and rename, so a failed export leaves no
    // half-written file behind.
    let tmp = tmp_path(&args.out);
    let n = {
        let mut w: Box<dyn Write + Send> = if to_stdout {
            Box::new(std::io::BufWriter::new(std::io::stdout()))
        } else {
            Box::new(std::io::BufWriter::new(
                std::fs::File::create(&tmp)
                    .with_context(|| format!("cannot create {}", tmp.display()))?,
            ))
        };
        let r = match args.format {
            ExportFormat::Jsonl => export::write_jsonl(&store, &q, &mut w, &target),
            ExportFormat::Csv => export::write_csv(&store, &q, &mut w, &target),
            ExportFormat::Parquet => write_parquet(&store, &q, w, &target),
        };
        match r {
            Ok(n) => n,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(e.into());
            }
        }
    };
    if !to_stdout {
        std::fs::rename(&tmp, &args.out)
            .with_context(|| format!("cannot write {}", args.out.display()))?;
        eprintln!("whosaid: exported {n} statements to {}", args.out.display());
    }
    Ok(0)
}

fn tmp_path(out: &Path) -> PathBuf {
    let mut name = out
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".partial");
    out.with_file_name(name)
}

#[cfg(feature = "parquet")]
fn write_parquet(
    store: &SqliteStore,
    q: &SearchQuery,
    w: Box<dyn Write + Send>,
    target: &str,
) -> whosaid_store::Result<usize> {
    export::write_parquet(store, q, w, target)
}

#[cfg(not(feature = "parquet"))]
fn write_parquet(
    _store: &SqliteStore,
    _q: &SearchQuery,
    _w: Box<dyn Write + Send>,
    target: &str,
) -> whosaid_store::Result<usize> {
    Err(whosaid_store::StoreError::Export {
        target: target.to_string(),
        detail: "this whosaid was built without Parquet support (build with --features parquet)"
            .into(),
    })
}

// ---------------------------------------------------------------------------------------
// speakers, speaker

#[derive(Args, Debug)]
pub struct SpeakersArgs {
    /// How many speakers, most statements first.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Only speakers whose role or name mentions this organisation.
    #[arg(long, value_name = "NAME")]
    pub org: Option<String>,
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub db: DbArg,
}

pub fn run_speakers(args: SpeakersArgs) -> Result<i32> {
    let store = args.db.open_existing()?;
    let list = store.speakers(&SpeakersQuery {
        top: Some(args.top),
        org: args.org.clone(),
    })?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &list)?;
        writeln!(out)?;
        return Ok(0);
    }
    for s in &list {
        let span = match (s.first_seen, s.last_seen) {
            (Some(a), Some(b)) if a != b => format!("{a} – {b}"),
            (Some(a), _) => a.to_string(),
            _ => String::new(),
        };
        let line = format!(
            "{:>6}  {}{}  {span}",
            s.statements,
            s.name,
            s.role
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(0)
}

#[derive(Args, Debug)]
pub struct SpeakerArgs {
    /// Name, alias or id.
    pub name: String,
    /// How many statements to list.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub db: DbArg,
}

pub fn run_speaker(args: SpeakerArgs) -> Result<i32> {
    let store = args.db.open_existing()?;
    let found = store.speaker(&args.name, args.limit)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &found)?;
        writeln!(out)?;
        return Ok(i32::from(!matches!(found, SpeakerLookup::Found(_))));
    }
    match found {
        SpeakerLookup::NotFound => {
            eprintln!("whosaid: no speaker named {:?}", args.name);
            Ok(1)
        }
        SpeakerLookup::Ambiguous { candidates } => {
            eprintln!(
                "whosaid: {:?} could be several speakers; ask for one by full name or id:",
                args.name
            );
            for c in candidates {
                eprintln!(
                    "  {:>6}  {} ({} statements)",
                    c.speaker_id, c.name, c.statements
                );
            }
            Ok(1)
        }
        SpeakerLookup::Found(rec) => {
            let s = &rec.summary;
            writeln!(out, "{} (speaker {}, {})", s.name, s.speaker_id, s.kind)?;
            writeln!(out, "statements: {}", s.statements)?;
            if !rec.aliases.is_empty() {
                writeln!(out, "also written: {}", rec.aliases.join("; "))?;
            }
            if !rec.roles.is_empty() {
                writeln!(out, "roles:")?;
                for r in &rec.roles {
                    let when = match (r.first_seen, r.last_seen) {
                        (Some(a), Some(b)) if a != b => format!("{a} – {b}"),
                        (Some(a), _) => a.to_string(),
                        _ => "undated".into(),
                    };
                    writeln!(out, "  {} ({when}, {}×)", r.role, r.count)?;
                }
            }
            writeln!(out)?;
            for h in &rec.statements {
                print_hit(&mut out, h)?;
            }
            Ok(0)
        }
    }
}

// ---------------------------------------------------------------------------------------
// show

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// Article id (the store's number, the source's id, or its URL).
    pub article: String,
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub db: DbArg,
}

pub fn run_show(args: ShowArgs) -> Result<i32> {
    let store = args.db.open_existing()?;
    let Some(view) = store.article(&args.article)? else {
        eprintln!("whosaid: no article {:?}", args.article);
        return Ok(1);
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &view)?;
        writeln!(out)?;
        return Ok(0);
    }
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    write!(out, "{}", render_article(&view, colour))?;
    Ok(0)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    Plain,
    Content,
    Cue,
    Speaker,
}

/// The article with its statements marked: in colour (content yellow, cue magenta,
/// speaker bold cyan) or, without colour, content in ⟦ ⟧, cue in ‹ ›, speaker in { }.
pub fn render_article(view: &ArticleView, colour: bool) -> String {
    let chars: Vec<char> = view.text.chars().collect();
    let mut marks = vec![Mark::Plain; chars.len()];
    let mut paint = |start: usize, end: usize, m: Mark| {
        for slot in marks.iter_mut().take(end.min(chars.len())).skip(start) {
            // Speaker beats cue beats content where spans overlap.
            let rank = |m: Mark| m as u8;
            if rank(m) > rank(*slot) {
                *slot = m;
            }
        }
    };
    for s in &view.statements {
        paint(s.start, s.end, Mark::Content);
        if let Some(c) = &s.cue {
            paint(c.start, c.end, Mark::Cue);
        }
        if let Some(sp) = &s.speaker_span {
            paint(sp.start, sp.end, Mark::Speaker);
        }
    }
    let mut out = String::new();
    let title = view.title.as_deref().unwrap_or("(untitled)");
    out.push_str(&format!("{title}\n"));
    let meta: Vec<String> = [
        view.outlet.clone(),
        view.published.map(|d| d.to_string()),
        view.url.clone(),
        view.credit.as_ref().map(|c| format!("credit: {c}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    out.push_str(&format!("{}\n\n", meta.join(" · ")));
    let open = |m: Mark| marker(m, colour).0;
    let close = |m: Mark| marker(m, colour).1;
    let mut current = Mark::Plain;
    for (c, m) in chars.iter().zip(marks.iter()) {
        if *m != current {
            out.push_str(close(current));
            out.push_str(open(*m));
            current = *m;
        }
        out.push(*c);
    }
    out.push_str(close(current));
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&format!("\n{} statement(s):\n", view.statements.len()));
    for (i, s) in view.statements.iter().enumerate() {
        let who = s.speaker.as_deref().unwrap_or("(unattributed)");
        out.push_str(&format!(
            "  {}. {who} — {} [{}..{}] confidence {:.2}\n",
            i + 1,
            s.kind.as_str(),
            s.start,
            s.end,
            s.confidence
        ));
    }
    out
}

fn marker(m: Mark, colour: bool) -> (&'static str, &'static str) {
    match (m, colour) {
        (Mark::Plain, _) => ("", ""),
        (Mark::Content, true) => ("\x1b[33m", "\x1b[0m"),
        (Mark::Cue, true) => ("\x1b[35m", "\x1b[0m"),
        (Mark::Speaker, true) => ("\x1b[1;36m", "\x1b[0m"),
        (Mark::Content, false) => ("\u{27E6}", "\u{27E7}"),
        (Mark::Cue, false) => ("\u{2039}", "\u{203A}"),
        (Mark::Speaker, false) => ("{", "}"),
    }
}
