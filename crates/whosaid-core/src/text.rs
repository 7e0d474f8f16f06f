//! Text layout: paragraphs, sentences and tokens, all as byte ranges into the original
//! text, plus the byte → code-point map used once at the end of extraction. This step
//! knows nothing of quotes or speakers; it only says where words and sentences are.

use crate::hash::load_short;
use crate::lexicon::{self, ascii_lower, Lex};
use crate::time::{self, alnum_run, BothStarts};

/// Byte offsets → code-point offsets.
pub struct CodePoints {
    /// Every non-ASCII char: (byte offset, code-point index, byte length).
    wide: Vec<(usize, usize, usize)>,
}

impl CodePoints {
    pub fn new(text: &str) -> Self {
        let b = text.as_bytes();
        let mut wide = Vec::new();
        // A char's code-point index is its byte offset less the continuation bytes
        // before it, so only the non-ASCII chars need visiting.
        let mut continuation = 0;
        let mut i = 0;
        while let Some(at) = next_non_ascii(b, i) {
            // `at` is a char boundary of valid UTF-8, so its byte leads a char
            let len = match b[at] {
                0xC0..=0xDF => 2,
                0xE0..=0xEF => 3,
                _ => 4,
            };
            wide.push((at, at - continuation, len));
            continuation += len - 1;
            i = at + len;
        }
        CodePoints { wide }
    }

    /// The code-point offset of byte offset `b` (a char boundary, or the text's end).
    pub fn of_byte(&self, b: usize) -> usize {
        let i = self.wide.partition_point(|&(wb, _, _)| wb < b);
        if i == 0 {
            return b;
        }
        let (wb, wcp, len) = self.wide[i - 1];
        // every char between the last wide char and `b` is ASCII: one byte, one code point
        wcp + 1 + b.saturating_sub(wb + len)
    }
}

/// The first non-ASCII byte at or after `i`: eight bytes at a time, since news text is
/// nearly all ASCII.
fn next_non_ascii(b: &[u8], mut i: usize) -> Option<usize> {
    while let Some(chunk) = b.get(i..i + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        if u64::from_le_bytes(word) & 0x8080_8080_8080_8080 != 0 {
            break;
        }
        i += 8;
    }
    let rest = b.get(i..)?;
    rest.iter().position(|&c| c >= 0x80).map(|p| i + p)
}

/// A word lower-cased exactly as `str::to_lowercase` would, held on the stack when it
/// is ASCII and short, as nearly every word the rules compare against their word lists
/// is: those comparisons run for many tokens of every article, and a `String` each cost
/// an allocation and a free apiece.
pub(crate) enum Lowered {
    Inline { buf: [u8; Lowered::INLINE], len: u8 },
    Heap(String),
}

const _: () = assert!(Lowered::INLINE & 7 == 0);

impl Lowered {
    // whole words of eight bytes, for `ascii_lower_into`
    const INLINE: usize = 32;

    pub(crate) fn new(w: &str) -> Lowered {
        let b = w.as_bytes();
        match u8::try_from(b.len()) {
            Ok(len) if b.len() <= Lowered::INLINE && b.is_ascii() => {
                let mut buf = [0; Lowered::INLINE];
                ascii_lower_into(b, &mut buf);
                Lowered::Inline { buf, len }
            }
            _ => Lowered::Heap(w.to_lowercase()),
        }
    }

    /// `str::to_ascii_lowercase`, on the stack as [`Lowered::new`] is.
    pub(crate) fn ascii(w: &str) -> Lowered {
        if w.is_ascii() {
            // the same as full lower-casing here
            Lowered::new(w)
        } else {
            Lowered::Heap(w.to_ascii_lowercase())
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            Lowered::Inline { buf, len } => {
                let bytes = &buf[..usize::from(*len)];
                // SAFETY: `new` fills `buf` only from a word it checked is ASCII, and ASCII
                // lower-casing keeps it ASCII: valid UTF-8. Checking again each time
                // (`str::from_utf8`, not inlined) cost more than the allocation saved.
                unsafe { std::str::from_utf8_unchecked(bytes) }
            }
            Lowered::Heap(s) => s,
        }
    }
}

/// Writes the ASCII bytes `b` lower-cased at the front of `buf`, whose length is a
/// multiple of eight and at least `b`'s: eight bytes at a time, the last few in two
/// overlapping loads, and zeros after them up to the next multiple of eight. A copy of
/// a length known only at run time was a call to memcpy; for ASCII, full lower-casing
/// is ASCII lower-casing.
#[inline]
pub(crate) fn ascii_lower_into(b: &[u8], buf: &mut [u8]) {
    let mut chunks = b.chunks_exact(8);
    for (out, chunk) in buf.chunks_exact_mut(8).zip(&mut chunks) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        out.copy_from_slice(&ascii_lower(u64::from_le_bytes(word)).to_le_bytes());
    }
    let rest = chunks.remainder();
    // (with no bytes left, this writes zeros: cheaper than a test at every call)
    if let Some(out) = buf
        .get_mut(b.len() - rest.len()..)
        .and_then(|o| o.get_mut(..8))
    {
        out.copy_from_slice(&ascii_lower(load_short(rest)).to_le_bytes());
    }
}

impl PartialEq<&str> for Lowered {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::ops::Deref for Lowered {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokKind {
    Word,
    Number,
    /// A quotation mark (straight or typographic, double or single used as a quote).
    Quote,
    Punct,
}

#[derive(Debug, Clone, Copy)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub kind: TokKind,
    /// Lexicon classes of the lower-cased word (empty for non-words).
    pub lex: Lex,
    /// First char is upper-case.
    pub cap: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct Sentence {
    pub start: usize,
    pub end: usize,
    /// Token index range.
    pub tok_start: usize,
    pub tok_end: usize,
    pub para: usize,
}

#[derive(Debug, Clone, Copy)]
pub struct Paragraph {
    pub start: usize,
    pub end: usize,
    pub tok_start: usize,
    pub tok_end: usize,
}

/// The article text with its layout.
pub struct Document<'a> {
    pub text: &'a str,
    pub tokens: Vec<Token>,
    pub sentences: Vec<Sentence>,
    pub paragraphs: Vec<Paragraph>,
}

pub fn is_quote_char(c: char) -> bool {
    matches!(
        c,
        '"' | '\u{201c}'
            | '\u{201d}'
            | '\u{201e}'
            | '\u{201f}'
            | '\u{00ab}'
            | '\u{00bb}'
            | '\u{2018}'
            | '\u{2019}'
            | '\u{201a}'
            | '\u{201b}'
            | '\u{2039}'
            | '\u{203a}'
            | '\''
            | '`'
    )
}

fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    // curly quotes and dashes, common in news text, skip the Unicode tables
    !('\u{2000}'..='\u{206f}').contains(&c) && c.is_alphanumeric()
}

/// `c.is_alphabetic()`, without the Unicode tables for the general punctuation (no
/// letter among them) that follows so many words' final dots: "said.”"
fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    !('\u{2000}'..='\u{206f}').contains(&c) && c.is_alphabetic()
}

impl<'a> Document<'a> {
    pub fn new(text: &'a str) -> Self {
        Document::from_tokens(text, tokenize(text, &mut ()))
    }

    /// The layout, and the candidates of the date and number scans (`both`) taken from
    /// the tokenizer's pass over the text rather than from a pass of their own.
    pub(crate) fn with_starts(text: &'a str, both: &mut BothStarts) -> Self {
        // room for the candidates of most articles (PolNeAR dev: a date start in 160
        // bytes, a number start in 120, on average), so that the lists seldom grow
        both.a_starts.reserve(text.len() / 96);
        both.b_starts.reserve(text.len() / 64);
        let tokens = tokenize(text, both);
        Document::from_tokens(text, tokens)
    }

    fn from_tokens(text: &'a str, tokens: Vec<Token>) -> Self {
        let paragraphs = paragraphs(text, &tokens);
        let sentences = sentences(text, &tokens, &paragraphs);
        Document {
            text,
            tokens,
            sentences,
            paragraphs,
        }
    }

    pub fn tok_text(&self, i: usize) -> &'a str {
        let t = &self.tokens[i];
        &self.text[t.start..t.end]
    }

    pub fn slice(&self, start: usize, end: usize) -> &'a str {
        &self.text[start..end]
    }

    /// Index of the sentence containing byte `b` (or the last one starting before it).
    pub fn sentence_at(&self, b: usize) -> usize {
        self.sentences
            .partition_point(|s| s.start <= b)
            .saturating_sub(1)
    }

    /// [`Document::sentence_at`], trying the sentence `hint` holds first and leaving the
    /// answer there: callers that ask in text order ask of the same sentence again and
    /// again, and a check of its bounds is cheaper than a search.
    pub(crate) fn sentence_at_from(&self, b: usize, hint: &mut usize) -> usize {
        let ss = &self.sentences;
        let i = *hint;
        if ss.get(i).is_some_and(|s| s.start <= b) && ss.get(i + 1).is_none_or(|s| s.start > b) {
            return i;
        }
        *hint = self.sentence_at(b);
        *hint
    }

    /// Index of the first token starting at or after byte `b`.
    pub fn token_at_or_after(&self, b: usize) -> usize {
        self.tokens.partition_point(|t| t.start < b)
    }
}

/// The char starting at byte `i` (a char boundary): ASCII without decoding, since nearly
/// all of the text is ASCII.
#[inline]
fn char_at(text: &str, i: usize) -> Option<char> {
    match text.as_bytes().get(i) {
        Some(&b) if b < 0x80 => Some(char::from(b)),
        Some(_) => text.get(i..).and_then(|s| s.chars().next()),
        None => None,
    }
}

/// What the tokenizer tells of the words it passes (see [`tokenize`]). A trait rather
/// than a closure so that the implementation decides whether it is inlined: a call per
/// word cost more than the test it made.
pub(crate) trait WordStarts {
    fn word_at(&mut self, bytes: &[u8], i: usize);
}

/// Nothing to tell.
impl WordStarts for () {
    #[inline(always)]
    fn word_at(&mut self, _: &[u8], _: usize) {}
}

/// The tokens of `text`; `starts.word_at(i)` is called, in order, at every byte that
/// starts a word as the date and number scans see words (see [`time::no_word_before`]):
/// an ASCII letter or digit after no letter or digit. Every such byte begins a run of
/// ASCII letters and digits inside some word token, and each run is met once here.
fn tokenize(text: &str, starts: &mut impl WordStarts) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut toks = Vec::with_capacity(text.len() / 5);
    let mut buf = String::new();
    let mut i = 0;
    while let Some(c) = char_at(text, i) {
        if c == ' ' {
            // the space between words, most of the text's white space
            i += 1;
            continue;
        }
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        if is_word_char(c) {
            if c.is_ascii() && time::no_word_before(text, i) {
                starts.word_at(bytes, i);
            }
            let mut end = i + c.len_utf8();
            let mut all_digit = c.is_ascii_digit();
            let mut ascii = c.is_ascii();
            // whether `end` follows a char that is no ASCII letter or digit, so that a
            // run there is a new one
            let mut after_other = !c.is_ascii();
            loop {
                // ASCII letters and digits, the bulk of every word, without decoding
                let rest = bytes.get(end..).unwrap_or_default();
                let run = alnum_run(rest);
                if after_other && run > 0 && time::no_word_before(text, end) {
                    starts.word_at(bytes, end);
                }
                // only a word that starts with a digit can be all digits
                if all_digit {
                    all_digit = rest[..run].iter().all(u8::is_ascii_digit);
                }
                end += run;
                let Some(d) = char_at(text, end) else {
                    break;
                };
                if is_word_char(d) {
                    ascii = false;
                    all_digit = false;
                    end += d.len_utf8();
                    after_other = true;
                    continue;
                }
                // a joiner stays inside the word when a word char follows it:
                // apostrophes (Clinton's, don't), hyphens (al-Assad), digit separators,
                // and dots of abbreviations (U.S.)
                if matches!(d, '\'' | '\u{2019}' | '-' | '.' | ',' | '&') {
                    let after = end + d.len_utf8();
                    let next = char_at(text, after);
                    let joins = match (d, next) {
                        (_, None) => false,
                        ('.', Some(n)) => {
                            (is_letter(n) && is_initialism(&text[i..end]))
                                || (all_digit && n.is_ascii_digit())
                        }
                        (',', Some(n)) => all_digit && n.is_ascii_digit(),
                        ('&', Some(n)) => n.is_uppercase() && end - i <= 3,
                        (_, Some(n)) => is_word_char(n),
                    };
                    if joins {
                        ascii &= d.is_ascii();
                        end = after;
                        after_other = true;
                        continue;
                    }
                }
                break;
            }
            // keep the final dot of an initialism ("U.S.") with the word
            // (a word is short: a plain look finds its dots sooner than `memchr` sets up)
            if bytes.get(end) == Some(&b'.') && bytes[i..end].contains(&b'.') {
                end += 1;
            }
            let kind = if bytes[i].is_ascii_digit() {
                TokKind::Number
            } else {
                TokKind::Word
            };
            // no lexicon entry is longer than this; long words skip the lookup (the word
            // is sliced out only where it is read, as slicing checks char boundaries)
            let lex = if kind == TokKind::Word && end - i <= 24 {
                if ascii {
                    lexicon::classes_ascii_in(text, i, end)
                } else {
                    buf.clear();
                    for ch in text[i..end].chars() {
                        // (most of such a word is ASCII: those chars without the tables)
                        if ch.is_ascii() {
                            buf.push(ch.to_ascii_lowercase());
                        } else {
                            buf.extend(ch.to_lowercase());
                        }
                    }
                    lexicon::classes(&buf)
                }
            } else {
                Lex::empty()
            };
            toks.push(Token {
                start: i,
                end,
                kind,
                lex,
                cap: c.is_uppercase(),
            });
            i = end;
        } else if (c == '\'' || c == '`') && bytes.get(i + 1) == Some(&(c as u8)) {
            // '' and `` stand for double quotation marks in some archives
            toks.push(Token {
                start: i,
                end: i + 2,
                kind: TokKind::Quote,
                lex: Lex::empty(),
                cap: false,
            });
            i += 2;
        } else {
            let kind = if is_quote_char(c) {
                TokKind::Quote
            } else {
                TokKind::Punct
            };
            let end = i + c.len_utf8();
            toks.push(Token {
                start: i,
                end,
                kind,
                lex: Lex::empty(),
                cap: false,
            });
            i = end;
        }
    }
    toks
}

/// `w.chars().count() == 1`, without counting every char of a long word.
pub(crate) fn one_char(w: &str) -> bool {
    let mut chars = w.chars();
    chars.next().is_some() && chars.next().is_none()
}

/// "U.S", "U.N", "D.C" — single letters joined by dots.
fn is_initialism(w: &str) -> bool {
    let mut n = 0;
    for part in w.split('.') {
        if !one_char(part) {
            return false;
        }
        n += 1;
    }
    n >= 1
}

fn paragraphs(text: &str, toks: &[Token]) -> Vec<Paragraph> {
    // room for most articles' paragraphs (PolNeAR dev: one in 220 bytes, median), so
    // that the list seldom grows
    let mut out = Vec::with_capacity(text.len() / 128);
    let mut start = 0;
    let bytes = text.as_bytes();
    let push = |s: usize, e: usize, out: &mut Vec<Paragraph>| {
        let t = &text[s..e];
        let lead = t.len() - t.trim_start().len();
        let trail = t.len() - t.trim_end().len();
        if lead + trail < t.len() {
            let (s, e) = (s + lead, e - trail);
            let ts = toks.partition_point(|k| k.start < s);
            let te = toks.partition_point(|k| k.start < e);
            out.push(Paragraph {
                start: s,
                end: e,
                tok_start: ts,
                tok_end: te,
            });
        }
    };
    for nl in memchr::memchr_iter(b'\n', bytes) {
        push(start, nl, &mut out);
        start = nl + 1;
    }
    push(start, text.len(), &mut out);
    out
}

fn sentences(text: &str, toks: &[Token], paras: &[Paragraph]) -> Vec<Sentence> {
    // room for most articles' sentences (news runs about 25 tokens a sentence)
    let mut out = Vec::with_capacity(toks.len() / 16);
    for (pi, p) in paras.iter().enumerate() {
        let mut s_tok = p.tok_start;
        let mut i = p.tok_start;
        while i < p.tok_end {
            let t = toks[i];
            // only punctuation can end a sentence: read the char of no other token
            let c = match t.kind {
                TokKind::Punct => text[t.start..t.end].chars().next().unwrap_or(' '),
                _ => ' ',
            };
            let mut boundary = false;
            if matches!(c, '.' | '!' | '?' | '\u{2026}') {
                // absorb more terminal punctuation and closing quotes / brackets
                let mut j = i + 1;
                while j < p.tok_end {
                    let tj = toks[j];
                    let cj = text[tj.start..tj.end].chars().next().unwrap_or(' ');
                    let closes = matches!(cj, '.' | '!' | '?' | ')' | ']' | '\u{2026}')
                        || (tj.kind == TokKind::Quote && !opens_after(text, toks, j, p.tok_end));
                    if closes && tj.start == toks[j - 1].end {
                        j += 1;
                    } else {
                        break;
                    }
                }
                let next_starts = j >= p.tok_end || starts_sentence(text, toks, j);
                let abbrev = c == '.' && i > s_tok && is_abbrev_before(text, toks, i);
                if next_starts && !abbrev {
                    boundary = true;
                    i = j;
                }
            }
            if boundary {
                push_sentence(&mut out, toks, s_tok, i, pi);
                s_tok = i;
            } else {
                i += 1;
            }
        }
        push_sentence(&mut out, toks, s_tok, p.tok_end, pi);
    }
    out
}

fn push_sentence(out: &mut Vec<Sentence>, toks: &[Token], ts: usize, te: usize, para: usize) {
    if te > ts {
        out.push(Sentence {
            start: toks[ts].start,
            end: toks[te - 1].end,
            tok_start: ts,
            tok_end: te,
            para,
        });
    }
}

/// A quote mark at `j` opens (rather than closes) when whitespace precedes it and a
/// word follows it directly.
fn opens_after(text: &str, toks: &[Token], j: usize, end: usize) -> bool {
    let t = toks[j];
    let c = text[t.start..t.end].chars().next().unwrap_or(' ');
    match c {
        '\u{201c}' | '\u{2018}' | '\u{201e}' | '\u{00ab}' => true,
        '\u{201d}' | '\u{2019}' | '\u{00bb}' => false,
        _ => {
            let spaced_before = j > 0 && toks[j - 1].end < t.start;
            let glued_after = j + 1 < end && toks[j + 1].start == t.end;
            spaced_before && glued_after
        }
    }
}

fn starts_sentence(text: &str, toks: &[Token], j: usize) -> bool {
    let t = toks[j];
    match t.kind {
        TokKind::Word => t.cap,
        TokKind::Number => true,
        TokKind::Quote => true,
        TokKind::Punct => {
            let c = text[t.start..t.end].chars().next().unwrap_or(' ');
            matches!(
                c,
                '(' | '[' | '-' | '\u{2014}' | '\u{2013}' | '*' | '\u{2022}'
            )
        }
    }
}

fn is_abbrev_before(text: &str, toks: &[Token], i: usize) -> bool {
    let prev = toks[i - 1];
    if prev.end != toks[i].start || prev.kind != TokKind::Word {
        return false;
    }
    let w = &text[prev.start..prev.end];
    if one_char(w) && w.chars().all(|c| c.is_uppercase()) {
        return true; // a middle initial: "George W. Bush"
    }
    prev.lex.contains(Lex::ABBREV)
}

/// `w` without a possessive ending ("Okafor's" → "Okafor", "the ministers'" → "the
/// ministers").
pub(crate) fn strip_possessive(w: &str) -> &str {
    ["'s", "\u{2019}s", "'", "\u{2019}"]
        .iter()
        .find_map(|p| w.strip_suffix(p))
        .unwrap_or(w)
}

/// Whether `w` ends in a possessive ("Clinton's", "the ministers'"), straight or curly.
pub(crate) fn possessive(w: &str) -> bool {
    strip_possessive(w).len() < w.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_points_count_chars_not_bytes() {
        let t = "“Ja,” sagte Müller.";
        let cp = CodePoints::new(t);
        let b = t.find("Müller").unwrap_or(0);
        assert_eq!(cp.of_byte(b), 12);
        assert_eq!(cp.of_byte(t.len()), t.chars().count());
        assert_eq!(cp.of_byte(0), 0);
        // one-, two-, three- and four-byte chars, and a long ASCII run between them
        let t = format!("é€😀{}x😀", "a".repeat(20));
        let cp = CodePoints::new(&t);
        for (n, (b, _)) in t.char_indices().enumerate() {
            assert_eq!(cp.of_byte(b), n);
        }
        assert_eq!(cp.of_byte(t.len()), t.chars().count());
    }

    #[test]
    fn sentences_respect_abbreviations_and_quotes() {
        let t = "Mr. Smith went to the U.S. Senate on Monday. “We will not,” he said. “Never.” Then he left!";
        let d = Document::new(t);
        let ss: Vec<&str> = d.sentences.iter().map(|s| &t[s.start..s.end]).collect();
        assert_eq!(
            ss,
            vec![
                "Mr. Smith went to the U.S. Senate on Monday.",
                "“We will not,” he said.",
                "“Never.”",
                "Then he left!"
            ]
        );
    }

    #[test]
    fn lowered_is_to_lowercase() {
        let mut words: Vec<String> = (0..=40)
            .map(|n| {
                "AbCdEfGhIjKlMnOpQrStUvWxYz@[`{09-"
                    .chars()
                    .cycle()
                    .take(n)
                    .collect()
            })
            .collect();
        words
            .extend(["Müller", "ÀB", "İstanbul", "ΣΑΣ", &("x".repeat(32) + "É")].map(String::from));
        for w in &words {
            assert_eq!(Lowered::new(w).as_str(), w.to_lowercase(), "{w:?}");
            assert_eq!(Lowered::ascii(w).as_str(), w.to_ascii_lowercase(), "{w:?}");
        }
    }

    #[test]
    fn general_punctuation_holds_no_letter_or_digit() {
        // `is_word_char` and `is_letter` skip the tables for this block
        for c in '\u{2000}'..='\u{206f}' {
            assert!(!c.is_alphanumeric(), "{c:?}");
        }
        for c in [
            'a', 'Z', '0', '.', ' ', 'é', 'ß', '\u{201d}', '\u{2071}', '中', '\u{a0}',
        ] {
            assert_eq!(is_letter(c), c.is_alphabetic(), "{c:?}");
        }
    }

    #[test]
    fn one_char_counts_chars_not_bytes() {
        for w in ["", "a", "é", "😀", "ab", "éa", "U.", "\u{2019}s"] {
            assert_eq!(one_char(w), w.chars().count() == 1, "{w:?}");
        }
    }

    #[test]
    fn a_sentence_hint_changes_no_answer() {
        let t = "One. Two two. Three three three.\n\nFour. Five!";
        let d = Document::new(t);
        for hint0 in 0..=d.sentences.len() + 1 {
            let mut hint = hint0;
            for b in (0..=t.len()).chain((0..=t.len()).rev()) {
                assert_eq!(
                    d.sentence_at_from(b, &mut hint),
                    d.sentence_at(b),
                    "{b} {hint0}"
                );
            }
        }
    }

    #[test]
    fn paragraphs_split_on_newlines() {
        let d = Document::new("One.\n\nTwo two.\nThree.");
        assert_eq!(d.paragraphs.len(), 3);
        assert_eq!(d.sentences.len(), 3);
    }
}
