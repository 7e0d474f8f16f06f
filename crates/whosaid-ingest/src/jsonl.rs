//! JSON Lines → articles, one object a line: `id`, `text`, and optional `published`
//! (RFC 3339 or YYYY-MM-DD), `title`, `url`, `source`. Streams line by line from any
//! `BufRead`, so memory stays flat in the file's size; a bad line is an error naming the
//! file and line number and the lines after it are still read. A missing `id` becomes
//! `<file>:<line>`, stable across runs of the same file. It does not accept JSON arrays
//! or objects spread over several lines.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use whosaid_core::Article;

use crate::date::parse_date;
use crate::origin::{Ingested, Origin};
use crate::{IngestError, IngestOptions};

#[derive(Deserialize)]
struct Line {
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

/// A streaming reader of JSONL articles.
pub struct JsonlReader<R> {
    reader: R,
    path: PathBuf,
    line: u64,
    max_line_bytes: u64,
    lossy: bool,
    done: bool,
}

/// Opens a JSONL file for streaming.
pub fn open(
    path: &Path,
    opts: &IngestOptions,
) -> Result<JsonlReader<BufReader<File>>, IngestError> {
    let file = File::open(path).map_err(|e| IngestError::io(path, e))?;
    Ok(JsonlReader::new(BufReader::new(file), path, opts))
}

impl<R: BufRead> JsonlReader<R> {
    /// Reads JSONL from `reader`; `path` names it in ids and errors.
    pub fn new(reader: R, path: impl Into<PathBuf>, opts: &IngestOptions) -> Self {
        JsonlReader {
            reader,
            path: path.into(),
            line: 0,
            max_line_bytes: opts.max_file_bytes,
            lossy: opts.lossy,
            done: false,
        }
    }

    fn error(&self, reason: impl Into<String>) -> IngestError {
        IngestError::Jsonl {
            path: self.path.clone(),
            line: self.line,
            reason: reason.into(),
        }
    }

    /// Reads one physical line (without its newline); `Ok(None)` at end of input.
    /// A line over the limit is skipped to its end and reported, not buffered whole.
    fn read_line(&mut self) -> Result<Option<Vec<u8>>, IngestError> {
        let mut buf = Vec::new();
        let limit = self.max_line_bytes;
        let n = (&mut self.reader)
            .take(limit.saturating_add(1))
            .read_until(b'\n', &mut buf)
            .map_err(|e| IngestError::io(&self.path, e))?;
        if n == 0 {
            return Ok(None);
        }
        self.line += 1;
        if buf.last() != Some(&b'\n') && buf.len() as u64 > limit {
            // Skip the rest of this line in bounded chunks.
            loop {
                let chunk = self
                    .reader
                    .fill_buf()
                    .map_err(|e| IngestError::io(&self.path, e))?;
                if chunk.is_empty() {
                    break;
                }
                match memchr::memchr(b'\n', chunk) {
                    Some(i) => {
                        self.reader.consume(i + 1);
                        break;
                    }
                    None => {
                        let len = chunk.len();
                        self.reader.consume(len);
                    }
                }
            }
            return Err(self.error(format!("line longer than the limit of {limit} bytes")));
        }
        while matches!(buf.last(), Some(b'\n' | b'\r')) {
            buf.pop();
        }
        Ok(Some(buf))
    }

    fn parse(&self, bytes: Vec<u8>) -> Result<Ingested, IngestError> {
        let mut warnings = Vec::new();
        let text = match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) if self.lossy => {
                warnings.push(format!(
                    "{}:{}: invalid UTF-8 at byte offset {} of the line, decoded lossily",
                    self.path.display(),
                    self.line,
                    e.utf8_error().valid_up_to()
                ));
                String::from_utf8_lossy(e.as_bytes()).into_owned()
            }
            Err(e) => {
                return Err(self.error(format!(
                    "invalid UTF-8 at byte offset {} of the line",
                    e.utf8_error().valid_up_to()
                )))
            }
        };
        let record: Line = serde_json::from_str(&text).map_err(|e| self.error(e.to_string()))?;
        let id = match record.id {
            Some(serde_json::Value::String(s)) if !s.trim().is_empty() => s,
            Some(serde_json::Value::Number(n)) => n.to_string(),
            None | Some(serde_json::Value::Null) | Some(serde_json::Value::String(_)) => {
                format!("{}:{}", self.path.display(), self.line)
            }
            Some(other) => {
                return Err(self.error(format!("`id` must be a string or a number, not {other}")))
            }
        };
        if record.text.trim().is_empty() {
            return Err(self.error(format!("article {id:?} has empty `text`")));
        }
        let mut article = Article::new(id, record.text);
        article.title = record.title.filter(|t| !t.trim().is_empty());
        article.url = record.url.filter(|u| !u.trim().is_empty());
        article.source = record.source;
        if let Some(raw) = record.published.filter(|p| !p.trim().is_empty()) {
            match parse_date(&raw) {
                Some(date) => article.published = Some(date),
                None => warnings.push(format!(
                    "{}:{}: unrecognised `published` date {raw:?}, left empty",
                    self.path.display(),
                    self.line
                )),
            }
        }
        let mut item = Ingested::new(
            article,
            Origin::Line {
                path: self.path.clone(),
                line: self.line,
            },
        );
        item.warnings = warnings;
        Ok(item)
    }
}

impl<R: BufRead> Iterator for JsonlReader<R> {
    type Item = Result<Ingested, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            match self.read_line() {
                Ok(None) => self.done = true,
                Ok(Some(bytes)) if bytes.iter().all(u8::is_ascii_whitespace) => continue,
                Ok(Some(bytes)) => return Some(self.parse(bytes)),
                Err(e @ IngestError::Jsonl { .. }) => return Some(Err(e)),
                Err(e) => {
                    // An I/O error leaves the stream position unknown: stop after it.
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
        None
    }
}
