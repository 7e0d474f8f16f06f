//! Plain-text files → one [`Article`] each. Checks the bytes before trusting them: size
//! limit, empty, binary (NUL bytes or mostly control characters), and UTF-8 validity
//! (an error with the byte offset of the first bad byte, or lossy decoding with a warning
//! when asked). Takes a first line as the title only when it clearly looks like one.
//! It does not guess legacy encodings: plain text must be UTF-8 (HTML, which declares
//! its charset, is decoded in `html`).

use std::io::Read;
use std::path::Path;

use whosaid_core::Article;

use crate::origin::{Ingested, Origin};
use crate::{IngestError, IngestOptions};

/// How many leading bytes are inspected to decide whether a file is binary.
const SNIFF_BYTES: usize = 8 * 1024;

/// Reads a plain-text file into an article whose id is the path.
pub fn read(path: &Path, opts: &IngestOptions) -> Result<Ingested, IngestError> {
    let bytes = read_file_limited(path, opts.max_file_bytes)?;
    let input = path.display().to_string();
    if bytes.is_empty() {
        return Err(IngestError::Empty { input });
    }
    check_not_binary(&bytes, &input)?;
    let (text, warning) = decode_utf8(bytes, path, opts.lossy)?;
    let text = normalise_newlines(text.trim_start_matches('\u{feff}'));
    if text.trim().is_empty() {
        return Err(IngestError::Empty { input });
    }
    let mut article = article_from_text(&input, &text);
    article.source = Some(input.clone());
    let mut item = Ingested::new(
        article,
        Origin::File {
            path: path.to_path_buf(),
        },
    );
    item.warnings.extend(warning);
    Ok(item)
}

/// Builds an article from text, taking the first line as its title when it looks like a
/// headline: short, not ending like a sentence, followed by a blank line and more text.
/// Why so strict: a lede mistaken for a title would be dropped from the extracted text.
pub fn article_from_text(id: &str, text: &str) -> Article {
    let mut article = Article::new(id, text.trim());
    let trimmed = text.trim_start();
    if let Some((first, rest)) = trimmed.split_once('\n') {
        let first = first.trim();
        let followed_by_blank = rest.starts_with('\n') || rest.starts_with("\r\n");
        let looks_like_title = !first.is_empty()
            && first.chars().count() <= 160
            && !first.ends_with(['.', ',', ';', ':', '"', '\u{201d}', '\''])
            && followed_by_blank
            && !rest.trim().is_empty();
        if looks_like_title {
            article.title = Some(first.to_string());
            article.text = rest.trim().to_string();
        }
    }
    article
}

/// Reads a whole file, refusing it when larger than `limit` (checked against the file's
/// size first, and again while reading in case it grows or is a special file).
pub(crate) fn read_file_limited(path: &Path, limit: u64) -> Result<Vec<u8>, IngestError> {
    let file = std::fs::File::open(path).map_err(|e| IngestError::io(path, e))?;
    let input = || path.display().to_string();
    if let Ok(meta) = file.metadata() {
        if meta.len() > limit {
            return Err(IngestError::TooLarge {
                input: input(),
                size: meta.len(),
                limit,
            });
        }
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| IngestError::io(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(IngestError::TooLarge {
            input: input(),
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// Refuses bytes that are clearly not text: any NUL byte in the first 8 KiB (no text
/// encoding we accept produces one), or more than 10% control characters there.
pub fn check_not_binary(bytes: &[u8], input: &str) -> Result<(), IngestError> {
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    if let Some(pos) = memchr::memchr(0, head) {
        return Err(IngestError::Binary {
            input: input.to_string(),
            reason: format!("NUL byte at offset {pos}"),
        });
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
        .count();
    if !head.is_empty() && control * 10 > head.len() {
        return Err(IngestError::Binary {
            input: input.to_string(),
            reason: format!("{control} control bytes in the first {} bytes", head.len()),
        });
    }
    Ok(())
}

/// Decodes UTF-8 strictly (error with the offset of the first bad byte) or lossily
/// (with a warning naming that offset).
pub fn decode_utf8(
    bytes: Vec<u8>,
    path: &Path,
    lossy: bool,
) -> Result<(String, Option<String>), IngestError> {
    match String::from_utf8(bytes) {
        Ok(s) => Ok((s, None)),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            if lossy {
                let warning = format!(
                    "{}: invalid UTF-8 from byte offset {offset}, decoded lossily",
                    path.display()
                );
                tracing::warn!("{warning}");
                Ok((
                    String::from_utf8_lossy(e.as_bytes()).into_owned(),
                    Some(warning),
                ))
            } else {
                Err(IngestError::InvalidUtf8 {
                    path: path.to_path_buf(),
                    offset,
                })
            }
        }
    }
}

/// CRLF and lone CR become LF, so paragraph splitting downstream sees one convention.
pub(crate) fn normalise_newlines(text: &str) -> String {
    if !text.contains('\r') {
        return text.to_string();
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}
