//! WARC files (plain or gzip, whole-file or per-record members) → articles from their
//! HTML response (and resource) records. URL from `WARC-Target-URI`; the publication date
//! comes from the page and falls back to `WARC-Date`. A streaming reader: one record is
//! buffered at a time (bounded by the size limit), records we do not want are skipped
//! without buffering, so memory stays flat in the file's size. A truncated or malformed
//! record is an error naming the file and record number (1-based, counting every
//! record); the records before it have already been yielded. It does not write WARCs,
//! check digests, or reassemble `continuation` records.
//!
//! Why not the `warc` crate (0.4): it opens files with `create(true)` (a typo'd path
//! silently makes an empty file), has no bound on a header or record size, and pulls
//! libflate and uuid 0.8 beside the flate2 we already use; the format is simple enough
//! that a careful reader is shorter than the workarounds.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::bufread::MultiGzDecoder;

use crate::date::parse_date;
use crate::html;
use crate::origin::{Ingested, Origin};
use crate::{IngestError, IngestOptions};

/// Largest WARC header block we accept (real ones are well under 4 KiB).
const MAX_HEADER_BYTES: usize = 64 * 1024;

/// A streaming reader of article records from a WARC file.
pub struct WarcReader {
    reader: Box<dyn BufRead>,
    path: PathBuf,
    record: u64,
    max_record_bytes: u64,
    done: bool,
    /// Set when the last error left the stream aligned on the next record.
    recoverable: bool,
}

/// Opens a WARC file, detecting gzip by its magic bytes (not by the file name).
pub fn open(path: &Path, opts: &IngestOptions) -> Result<WarcReader, IngestError> {
    let file = File::open(path).map_err(|e| IngestError::io(path, e))?;
    WarcReader::new(BufReader::new(file), path, opts).map_err(|e| IngestError::io(path, e))
}

impl WarcReader {
    /// Reads a WARC from `reader`; `path` names it in errors and origins.
    pub fn new(
        mut reader: impl BufRead + 'static,
        path: impl Into<PathBuf>,
        opts: &IngestOptions,
    ) -> io::Result<Self> {
        let gz = reader.fill_buf()?.starts_with(&[0x1f, 0x8b]);
        let reader: Box<dyn BufRead> = if gz {
            Box::new(BufReader::new(MultiGzDecoder::new(reader)))
        } else {
            Box::new(reader)
        };
        Ok(WarcReader {
            reader,
            path: path.into(),
            record: 0,
            max_record_bytes: opts.max_file_bytes,
            done: false,
            recoverable: false,
        })
    }

    fn error(&self, reason: impl Into<String>) -> IngestError {
        IngestError::Warc {
            path: self.path.clone(),
            record: self.record,
            reason: reason.into(),
        }
    }

    /// Reads one header line (up to LF) within the remaining header budget.
    fn header_line(&mut self, budget: &mut usize) -> Result<Option<String>, IngestError> {
        let mut buf = Vec::new();
        let n = (&mut self.reader)
            .take(*budget as u64 + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|e| self.error(format!("read error in header: {e}")))?;
        if n == 0 {
            return Ok(None);
        }
        if n > *budget {
            return Err(self.error(format!("header longer than {MAX_HEADER_BYTES} bytes")));
        }
        *budget -= n;
        if buf.last() != Some(&b'\n') {
            return Err(self.error("truncated header"));
        }
        while matches!(buf.last(), Some(b'\n' | b'\r')) {
            buf.pop();
        }
        Ok(Some(String::from_utf8_lossy(&buf).into_owned()))
    }

    /// Reads the next record; `Ok(None)` at a clean end of file.
    fn next_record(&mut self) -> Result<Option<Ingested>, IngestError> {
        loop {
            let mut budget = MAX_HEADER_BYTES;
            // Blank lines between records are tolerated (some writers emit extra CRLFs).
            let version = loop {
                match self.header_line(&mut budget) {
                    Ok(None) => return Ok(None),
                    Ok(Some(line)) if line.trim().is_empty() => continue,
                    Ok(Some(line)) => break line,
                    Err(e) => {
                        self.record += 1;
                        return Err(e);
                    }
                }
            };
            self.record += 1;
            if !version.starts_with("WARC/") {
                return Err(self.error(format!(
                    "expected a WARC version line, found {:?}",
                    version.chars().take(40).collect::<String>()
                )));
            }
            let mut headers: Vec<(String, String)> = Vec::new();
            loop {
                match self.header_line(&mut budget)? {
                    None => return Err(self.error("truncated header (end of file)")),
                    Some(line) if line.is_empty() => break,
                    Some(line) => match line.split_once(':') {
                        Some((k, v)) => {
                            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()))
                        }
                        None => return Err(self.error(format!("malformed header line {line:?}"))),
                    },
                }
            }
            let header = |name: &str| {
                headers
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.as_str())
            };
            let length: u64 = header("content-length")
                .ok_or_else(|| self.error("no Content-Length header"))?
                .parse()
                .map_err(|_| self.error("Content-Length is not a number"))?;
            let warc_type = header("warc-type").unwrap_or("").to_ascii_lowercase();
            let content_type = header("content-type").unwrap_or("").to_ascii_lowercase();
            let uri = header("warc-target-uri")
                .map(|u| u.trim_matches(['<', '>']).to_string())
                .filter(|u| !u.is_empty());
            let warc_date = header("warc-date").and_then(parse_date);

            let wanted = (warc_type == "response" && content_type.starts_with("application/http"))
                || (warc_type == "resource" && is_html_type(&content_type));
            if !wanted || length > self.max_record_bytes {
                let skipped = io::copy(&mut (&mut self.reader).take(length), &mut io::sink())
                    .map_err(|e| self.error(format!("read error in block: {e}")))?;
                if skipped < length {
                    return Err(
                        self.error(format!("truncated: block has {skipped} of {length} bytes"))
                    );
                }
                self.skip_record_end()?;
                if wanted {
                    return Err(self.error(format!(
                        "{length} bytes exceeds the record size limit of {} bytes",
                        self.max_record_bytes
                    )));
                }
                tracing::trace!(record = self.record, warc_type, "skipping WARC record");
                continue;
            }
            let mut block = Vec::with_capacity(length.min(1 << 20) as usize);
            (&mut self.reader)
                .take(length)
                .read_to_end(&mut block)
                .map_err(|e| self.error(format!("read error in block: {e}")))?;
            if (block.len() as u64) < length {
                return Err(self.error(format!(
                    "truncated: block has {} of {length} bytes",
                    block.len()
                )));
            }
            self.skip_record_end()?;

            let (payload, payload_type) = if warc_type == "response" {
                match parse_http_response(&block, self.max_record_bytes) {
                    Ok(Some(r)) => r,
                    Ok(None) => continue, // not a 2xx HTML page: not an article
                    Err(reason) => return Err(self.error(reason)),
                }
            } else {
                (block, Some(content_type.clone()))
            };
            let origin = Origin::Record {
                path: self.path.clone(),
                record: self.record,
                uri: uri.clone(),
            };
            let id = uri
                .clone()
                .unwrap_or_else(|| format!("{}#{}", self.path.display(), self.record));
            let (mut article, warnings) = match html::article_from_bytes(
                &payload,
                payload_type.as_deref(),
                &id,
                &origin.to_string(),
            ) {
                Ok(r) => r,
                Err(_) => {
                    // The record was read whole, so the stream is still aligned.
                    self.recoverable = true;
                    return Err(self.error("no article text found in the HTML"));
                }
            };
            if uri.is_some() {
                article.url = uri;
            }
            if article.published.is_none() {
                article.published = warc_date;
            }
            article.source = Some(origin.to_string());
            let mut item = Ingested::new(article, origin);
            item.warnings = warnings;
            return Ok(Some(item));
        }
    }

    /// Consumes the CRLF CRLF that ends a record. Tolerates bare LFs and a missing
    /// terminator at end of file (common in hand-made WARCs), but nothing else.
    fn skip_record_end(&mut self) -> Result<(), IngestError> {
        let mut seen = 0;
        while seen < 4 {
            let first = match self.reader.fill_buf() {
                Ok(buf) => buf.first().copied(),
                Err(e) => return Err(self.error(format!("read error after block: {e}"))),
            };
            match first {
                Some(b'\r' | b'\n') => {
                    self.reader.consume(1);
                    seen += 1;
                }
                _ => break,
            }
        }
        Ok(())
    }
}

impl Iterator for WarcReader {
    type Item = Result<Ingested, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        self.recoverable = false;
        match self.next_record() {
            Ok(Some(item)) => Some(Ok(item)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                // After a malformed header or short block the stream position is
                // unknown, so we stop; a page without text leaves it intact.
                if !self.recoverable {
                    self.done = true;
                }
                Some(Err(e))
            }
        }
    }
}

fn is_html_type(content_type: &str) -> bool {
    let ct = content_type.trim_start();
    ct.starts_with("text/html") || ct.starts_with("application/xhtml")
}

/// An HTTP response body and its content type.
type HttpPayload = (Vec<u8>, Option<String>);

/// Splits an HTTP response block into (body, content type). `Ok(None)` for responses
/// that are not articles: a non-2xx status or a non-HTML content type.
fn parse_http_response(block: &[u8], limit: u64) -> Result<Option<HttpPayload>, String> {
    let (head_end, body_start) = match memchr::memmem::find(block, b"\r\n\r\n") {
        Some(i) => (i, i + 4),
        None => match memchr::memmem::find(block, b"\n\n") {
            Some(i) => (i, i + 2),
            None => return Err("truncated HTTP response: no end of headers".to_string()),
        },
    };
    let head = String::from_utf8_lossy(&block[..head_end]);
    let mut lines = head.lines();
    let status_line = lines.next().unwrap_or("");
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("malformed HTTP status line {status_line:?}"))?;
    if !(200..300).contains(&status) {
        return Ok(None);
    }
    let mut content_type = None;
    let mut chunked = false;
    let mut gzip = false;
    for line in lines {
        if let Some((k, v)) = line.split_once(':') {
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_ascii_lowercase());
            match k.as_str() {
                "content-type" => content_type = Some(v),
                "transfer-encoding" => chunked = v.contains("chunked"),
                "content-encoding" => gzip = v.contains("gzip"),
                _ => {}
            }
        }
    }
    if let Some(ct) = &content_type {
        if !is_html_type(ct) {
            return Ok(None);
        }
    }
    let mut body = block[body_start..].to_vec();
    if chunked {
        body = dechunk(&body).ok_or("malformed chunked transfer encoding")?;
    }
    if gzip {
        let mut out = Vec::new();
        let n = flate2::read::MultiGzDecoder::new(&body[..])
            .take(limit + 1)
            .read_to_end(&mut out)
            .map_err(|e| format!("bad gzip payload: {e}"))?;
        if n as u64 > limit {
            return Err(format!(
                "gzip payload expands past the limit of {limit} bytes"
            ));
        }
        body = out;
    }
    Ok(Some((body, content_type)))
}

/// Undoes HTTP chunked transfer encoding (some crawlers store it verbatim).
fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = memchr::memmem::find(data, b"\r\n")?;
        let size_str = std::str::from_utf8(&data[..eol]).ok()?;
        let size = usize::from_str_radix(size_str.split(';').next()?.trim(), 16).ok()?;
        data = &data[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size..)?;
        data = data.strip_prefix(b"\r\n").unwrap_or(data);
    }
}
