//! Date expressions and the calendar day each one names, resolved against the publication
//! date: "on Thursday", "yesterday", "last week", "earlier this month", "in January",
//! "March 6", "6 March 2025", "Mar. 6", "2025-03-06", "in 2019".
//!
//! What it does not do: decide which statement a date belongs to (that is attribution's
//! job), read clock times, slash dates ("3/6/2025": the day/month order is unknowable), or
//! tell past from future tense — a bare weekday is read as the most recent one, which is
//! what past-tense news reporting means nearly always.
//!
//! Offsets are bytes into the text, always on char boundaries; the span covers the date
//! words themselves ("last week", "Thursday"), never a preposition before them ("on").
//!
//! How values are chosen (with `p` the publication date):
//! - a weekday: the most recent one on or before `p`; "last Thursday" the most recent
//!   strictly before `p`; "next Thursday" the first strictly after; "this Thursday" the
//!   one in `p`'s Monday-to-Sunday week;
//! - "today"/"tonight" `p`, "yesterday" `p - 1`, "tomorrow" `p + 1`;
//! - a week, weekend or month resolves to its first day: "last week" the Monday of the
//!   week before `p`'s, "this week"/"earlier this week" the Monday of `p`'s week, "next
//!   month" the 1st of the month after `p`'s, "last weekend" the Saturday of the week before;
//!   "the past week"/"past month" the start of the rolling window (`p` minus 7 days or one
//!   month);
//! - a year is too coarse to stand for a day, so "last year" and "in 2019" are reported
//!   with no value;
//! - a month alone ("in January") is the 1st of the most recent such month not after `p`
//!   ("next January" the first one after `p`'s month, "last January" the one before it);
//! - a day and month without a year ("March 6") take the year that puts the day nearest to
//!   `p` (ties go to the past), since news cites both recent and upcoming days;
//! - explicit dates ("March 6, 2025", "2025-03-06") resolve without `p`; every relative
//!   expression is still reported without `p`, with no value;
//! - an impossible day ("February 30") is reported with no value.

use crate::model::DateMention;
use chrono::{Datelike, Days, Months, NaiveDate};
use std::sync::OnceLock;

/// Every date expression in `text`, in order, with byte offsets.
pub fn find_dates(text: &str, published: Option<NaiveDate>) -> Vec<DateMention> {
    let lex = lexicon();
    dates_from(text, published, |pos| lex.starts.next(text, pos))
}

/// [`find_dates`] given where its candidates start (see [`Starts::scan_both`]).
pub(crate) fn find_dates_at(
    text: &str,
    published: Option<NaiveDate>,
    starts: &[usize],
) -> Vec<DateMention> {
    dates_from(text, published, |pos| Starts::first_from(starts, pos))
}

/// The anchor scan's candidates, for [`Starts::scan_both`].
pub(crate) fn starts() -> &'static Starts {
    &lexicon().starts
}

/// `next(pos)` is the first candidate start at or after `pos`.
fn dates_from(
    text: &str,
    published: Option<NaiveDate>,
    mut next: impl FnMut(usize) -> Option<usize>,
) -> Vec<DateMention> {
    let lex = lexicon();
    let mut out = Vec::new();
    // Nothing before `floor` belongs to a new mention: it ends the last one found.
    let mut floor = 0;
    let mut pos = 0;
    // Only anchors (month and day names, "week", digits) can start a date. They are
    // rare, so the scan only looks at the first letter of each word, and reads the words
    // around only where it finds one. Each scan starts after what the last one read, so a
    // long run of digits is one candidate, not one per digit.
    while let Some(start) = next(pos) {
        let Some(tok) = next_token(text, start) else {
            break;
        };
        pos = tok.end;
        let class = match tok.kind {
            Kind::Alpha => lex.classify(&text[tok.start..tok.end]),
            _ => Class::NONE,
        };
        if tok.kind == Kind::Alpha && class.anchor.is_none() {
            continue;
        }
        // the words before are read only where they are asked about: a number asks only
        // once it is known to be a year
        let back = || tokens_before(text, lex, start, floor);
        let seen = Seen { tok, class };
        let found = match tok.kind {
            Kind::Alpha => on_word(text, lex, seen, &back(), published),
            Kind::Digits | Kind::Mixed => on_number(text, lex, tok, back, published),
            Kind::Punct => None,
        };
        match found {
            Some(m) => {
                pos = pos.max(m.end);
                floor = m.end;
                out.push(m);
            }
            // "1,2,3", "10:30", "555-1234": read past the whole run at once.
            None if tok.kind != Kind::Alpha => pos = pos.max(joined_digits_end(text, tok.end)),
            None => {}
        }
    }
    out
}

/// The two tokens before byte `i`, nearest first, none of them before `floor`: all that
/// the rules look back at.
fn tokens_before(text: &str, lex: &Lexicon, i: usize, floor: usize) -> [Option<Seen>; 2] {
    let mut back = [None; 2];
    let mut at = i;
    for slot in &mut back {
        let Some(tok) = prev_token(text, at, floor) else {
            break;
        };
        at = tok.start;
        let class = match tok.kind {
            Kind::Alpha => lex.classify(&text[tok.start..tok.end]),
            _ => Class::NONE,
        };
        *slot = Some(Seen { tok, class });
    }
    back
}

// ---------------------------------------------------------------------------------------
// Tokens. `numbers` scans with the same tokenizer and asks [`is_month_word`], so the two
// steps agree on what a word is and on which numbers belong to dates.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    /// Letters only.
    Alpha,
    /// ASCII digits only.
    Digits,
    /// Digits and letters run together ("6th", "2025s"): starts with a digit or a letter.
    Mixed,
    /// Any single other character.
    Punct,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Tok {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) kind: Kind,
}

/// The next token at or after byte `i` (a char boundary), skipping white space of any
/// kind. Words are runs of ASCII alphanumerics and non-ASCII letters, so "Müller" is one
/// word and the curly quote in "“On" is its own token.
pub(crate) fn next_token(text: &str, mut i: usize) -> Option<Tok> {
    let b = text.as_bytes();
    // Skip white space.
    loop {
        let &c = b.get(i)?;
        if c < 0x80 {
            if c.is_ascii_whitespace() {
                i += 1;
                continue;
            }
            break;
        }
        let ch = text.get(i..)?.chars().next()?;
        if ch.is_whitespace() {
            i += ch.len_utf8();
            continue;
        }
        break;
    }
    let start = i;
    let (mut digit, mut alpha) = (false, false);
    while let Some(&c) = b.get(i) {
        if c.is_ascii_digit() {
            digit = true;
            i += 1;
        } else if c.is_ascii_alphabetic() {
            alpha = true;
            i += 1;
        } else if c >= 0x80 {
            match text.get(i..).and_then(|s| s.chars().next()) {
                Some(ch) if ch.is_alphabetic() => {
                    alpha = true;
                    i += ch.len_utf8();
                }
                _ => break,
            }
        } else {
            break;
        }
    }
    if i > start {
        let kind = match (digit, alpha) {
            (true, false) => Kind::Digits,
            (false, _) => Kind::Alpha,
            (true, true) => Kind::Mixed,
        };
        return Some(Tok {
            start,
            end: i,
            kind,
        });
    }
    let len = text.get(i..)?.chars().next()?.len_utf8();
    Some(Tok {
        start,
        end: start + len,
        kind: Kind::Punct,
    })
}

/// Where a candidate word can start: a digit, or a word whose first three letters
/// (fewer for a shorter word) begin one of the lexicon's words, in any case. Checking three
/// letters rejects "the", "that" and "to" before any tokenizing, which is what keeps the
/// scan fast on ordinary prose.
pub(crate) struct Starts {
    first: [bool; 128],
    /// Bit set over [`Starts::key`]s.
    /// An array, not a Vec, so that an index can be masked to its length instead of
    /// checked: [`Starts::key`] is under 2^15 anyway.
    prefixes: [u64; (1 << 15) / 64],
}

impl Starts {
    pub(crate) fn new<'a>(words: impl Iterator<Item = &'a str>) -> Starts {
        let mut starts = Starts {
            first: [false; 128],
            prefixes: [0; (1 << 15) / 64],
        };
        for d in b'0'..=b'9' {
            starts.first[usize::from(d)] = true;
        }
        for w in words {
            let b = w.as_bytes();
            let Some(&c) = b.first().filter(|c| c.is_ascii_alphabetic()) else {
                continue;
            };
            starts.first[usize::from(c.to_ascii_lowercase())] = true;
            starts.first[usize::from(c.to_ascii_uppercase())] = true;
            let k = Starts::key(b, 0);
            starts.prefixes[k / 64] |= 1 << (k % 64);
        }
        starts
    }

    /// Five bits for each of the first three letters of the word at `i`; zero past its end.
    fn key(b: &[u8], i: usize) -> usize {
        // Without branches: whether a word's second and third bytes are letters is
        // unpredictable, and this runs at every word start. A byte counts only while
        // every byte before it does.
        let at = |j: usize| usize::from(b.get(i + j).copied().unwrap_or(0));
        let (c0, c1, c2) = (at(0), at(1), at(2));
        let m0 = usize::from(ASCII_ALNUM[c0]);
        let m1 = m0 & usize::from(ASCII_ALNUM[c1]);
        let m2 = m1 & usize::from(ASCII_ALNUM[c2]);
        ((c0 & 31) * m0) | (((c1 & 31) * m1) << 5) | (((c2 & 31) * m2) << 10)
    }

    /// Whether the word at `i`, whose first byte `c` is an ASCII letter or digit, is a
    /// candidate.
    #[inline]
    fn hit(&self, b: &[u8], i: usize, c: u8) -> bool {
        if !self.first[usize::from(c)] {
            return false;
        }
        c.is_ascii_digit() || self.has_key(Starts::key(b, i))
    }

    #[inline]
    fn has_key(&self, k: usize) -> bool {
        self.prefixes[(k / 64) % self.prefixes.len()] & (1 << (k % 64)) != 0
    }

    /// The next byte at or after `from` (a char boundary) where a candidate word starts.
    pub(crate) fn next(&self, text: &str, from: usize) -> Option<usize> {
        let b = text.as_bytes();
        word_starts(text, from, |i, c| self.hit(b, i, c))
    }

    /// Every candidate of `a` and every candidate of `b`, in order, in one pass over the
    /// text: the date and number scans look at the same word starts, so reading the
    /// text once serves both. `first_from` over a list answers as `next` would.
    /// Extraction takes the same lists from the tokenizer's pass instead (see
    /// [`BothStarts`]); this is what that is tested against.
    #[cfg(test)]
    pub(crate) fn scan_both(a: &Starts, b: &Starts, text: &str) -> (Vec<usize>, Vec<usize>) {
        use crate::text::WordStarts;
        let mut both = BothStarts::new(a, b);
        word_starts(text, 0, |i, _| {
            both.word_at(text.as_bytes(), i);
            false
        });
        (both.a_starts, both.b_starts)
    }

    /// The first of `starts` (ascending) at or after `from`.
    pub(crate) fn first_from(starts: &[usize], from: usize) -> Option<usize> {
        starts.get(starts.partition_point(|&p| p < from)).copied()
    }
}

/// The candidates of two [`Starts`] (dates' and numbers'), gathered from word starts
/// another pass over the text reports, so that the text is read once for the tokens
/// and both scans.
pub(crate) struct BothStarts<'s> {
    a: &'s Starts,
    b: &'s Starts,
    pub(crate) a_starts: Vec<usize>,
    pub(crate) b_starts: Vec<usize>,
}

impl<'s> BothStarts<'s> {
    pub(crate) fn new(a: &'s Starts, b: &'s Starts) -> Self {
        BothStarts {
            a,
            b,
            a_starts: Vec::new(),
            b_starts: Vec::new(),
        }
    }
}

impl crate::text::WordStarts for BothStarts<'_> {
    /// A word (as [`word_starts`] finds them: not preceded by a letter or digit) starts
    /// at `i`, with an ASCII letter or digit.
    #[inline(always)]
    fn word_at(&mut self, bytes: &[u8], i: usize) {
        let Some(&c) = bytes.get(i) else {
            return;
        };
        // a word whose first letter starts no word of either set (a quarter of all: "c",
        // "i", "p", "r" …) needs no key
        let (a, b) = (self.a, self.b);
        if !(a.first[usize::from(c) % 128] | b.first[usize::from(c) % 128]) {
            return;
        }
        // One key for both sets, and no branch until a word is known to be a
        // candidate, which few are: the non-short-circuit `&` and `|` are on purpose.
        let k = Starts::key(bytes, i);
        let digit = c.is_ascii_digit();
        let c = usize::from(c);
        if a.first[c] & (digit | a.has_key(k)) {
            self.a_starts.push(i);
        }
        if b.first[c] & (digit | b.has_key(k)) {
            self.b_starts.push(i);
        }
    }
}

/// Whether a word as [`word_starts`] sees words can start at byte `i` (a char
/// boundary): the char before it, if any, is no letter or digit. The byte before is
/// nearly always ASCII, and then one table load answers.
#[inline]
pub(crate) fn no_word_before(text: &str, i: usize) -> bool {
    match i.checked_sub(1).and_then(|j| text.as_bytes().get(j)) {
        None => true,
        Some(&c) if c < 0x80 => !ASCII_ALNUM[usize::from(c)],
        Some(_) => !alnum_before(text, i),
    }
}

/// The first word start at or after `from` (a char boundary) where `found(i, c)` holds,
/// for words whose first byte `c` is an ASCII letter or digit. A word start depends only
/// on the char before it, so any `from` gives the starts a scan from 0 would.
#[inline]
fn word_starts(text: &str, from: usize, mut found: impl FnMut(usize, u8) -> bool) -> Option<usize> {
    let b = text.as_bytes();
    let mut in_word = alnum_before(text, from);
    let mut i = from;
    while let Some(&c) = b.get(i) {
        if ASCII_ALNUM[usize::from(c)] {
            if !in_word && found(i, c) {
                return Some(i);
            }
            // Nothing starts inside a word: skip to its last ASCII letter or digit.
            i += 1 + alnum_run(b.get(i + 1..).unwrap_or_default());
            in_word = true;
        } else if c < 0x80 {
            in_word = false;
            i += 1;
        } else if c == 0xE2 && b.get(i + 1) == Some(&0x80) {
            // U+2000..U+203F, general punctuation (curly quotes, dashes): the common
            // non-ASCII characters of news, and never letters.
            in_word = false;
            i += 3;
        } else {
            // Another non-ASCII character: a letter continues a word ("Müller").
            let ch = text.get(i..).and_then(|s| s.chars().next())?;
            in_word = is_word_char(ch);
            i += ch.len_utf8();
        }
    }
    None
}

/// How many ASCII letters and digits `b` starts with. Eight bytes are classified at once
/// and the run's end found with a bit count, so a word costs one well-predicted branch
/// instead of a byte loop whose exit, at a random word length, is mispredicted.
pub(crate) fn alnum_run(b: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = ONES * 0x80;
    // per byte, the high bit set where `x` (bytes below 0x80) lies in lo..=hi; the
    // additions cannot carry between such bytes
    let in_range = |x: u64, lo: u8, hi: u8| {
        x.wrapping_add(ONES * u64::from(0x80 - lo)) & !x.wrapping_add(ONES * u64::from(0x7f - hi))
    };
    let mut n = 0;
    while let Some(chunk) = b.get(n..n + 8) {
        let mut bytes = [0; 8];
        bytes.copy_from_slice(chunk);
        let x = u64::from_le_bytes(bytes);
        let low7 = x & !HIGH;
        // setting 0x20 folds upper-case letters onto lower-case ones and nothing else
        let letter = in_range(low7 | (ONES * 0x20), b'a', b'z');
        let digit = in_range(low7, b'0', b'9');
        // bytes of 0x80 and above (non-ASCII) never count
        let stop = (!(letter | digit) | x) & HIGH;
        if stop != 0 {
            return n + (stop.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    let rest = b.get(n..).unwrap_or_default();
    n + rest
        .iter()
        .position(|&c| !ASCII_ALNUM[usize::from(c)])
        .unwrap_or(rest.len())
}

/// ASCII letters and digits, by byte: one load instead of three range checks per byte in
/// the scans over the whole text.
pub(crate) const ASCII_ALNUM: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 128 {
        t[c] = (c as u8).is_ascii_alphanumeric();
        c += 1;
    }
    t
};

fn is_word_char(c: char) -> bool {
    // the general punctuation (curly quotes, dashes), before so many words, holds no
    // letter: no need of the Unicode tables for it
    c.is_ascii_alphanumeric()
        || (!c.is_ascii() && !('\u{2000}'..='\u{206f}').contains(&c) && c.is_alphabetic())
}

/// Whether the character before byte `i` (a char boundary) continues a word.
pub(crate) fn alnum_before(text: &str, i: usize) -> bool {
    text.get(..i)
        .and_then(|s| s.chars().next_back())
        .is_some_and(is_word_char)
}

/// The token that ends at or before byte `i`, not reaching below `floor`: the mirror of
/// [`next_token`], so that the words before a candidate are read only where one is found.
pub(crate) fn prev_token(text: &str, mut i: usize, floor: usize) -> Option<Tok> {
    let last = |i: usize| text.get(..i).and_then(|s| s.chars().next_back());
    loop {
        if i <= floor {
            return None;
        }
        let ch = last(i)?;
        if !ch.is_whitespace() {
            break;
        }
        i -= ch.len_utf8();
    }
    let end = i;
    let (mut digit, mut alpha) = (false, false);
    while i > floor {
        match last(i) {
            Some(ch) if is_word_char(ch) => {
                if ch.is_ascii_digit() {
                    digit = true;
                } else {
                    alpha = true;
                }
                i -= ch.len_utf8();
            }
            _ => break,
        }
    }
    if i < end {
        let kind = match (digit, alpha) {
            (true, false) => Kind::Digits,
            (false, _) => Kind::Alpha,
            (true, true) => Kind::Mixed,
        };
        return Some(Tok {
            start: i,
            end,
            kind,
        });
    }
    let len = last(end)?.len_utf8();
    Some(Tok {
        start: end - len,
        end,
        kind: Kind::Punct,
    })
}

/// Whether `word` is a capitalised month name or abbreviation ("March", "Sept").
pub(crate) fn is_month_word(word: &str) -> bool {
    is_capitalised(word) && matches!(lexicon().classify(word).anchor, Some(Anchor::Month { .. }))
}

fn is_capitalised(word: &str) -> bool {
    word.as_bytes()
        .first()
        .is_some_and(|c| c.is_ascii_uppercase())
}

/// The value of a run of 1 to 4 ASCII digits; None for anything longer, so that a
/// million-digit run is rejected without arithmetic.
fn small_number(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A day of the month written "6" or "6th"; the token's day and whether it is followed by
/// something that makes it part of a larger number ("6,000", "6.5", "6:30").
fn day_number(text: &str, tok: Tok) -> Option<u32> {
    let s = &text[tok.start..tok.end];
    let digits_end = s
        .bytes()
        .position(|c| !c.is_ascii_digit())
        .unwrap_or(s.len());
    if digits_end == 0 || digits_end > 2 {
        return None;
    }
    let suffix = &s[digits_end..];
    if !(suffix.is_empty()
        || ["st", "nd", "rd", "th"]
            .iter()
            .any(|x| suffix.eq_ignore_ascii_case(x)))
    {
        return None;
    }
    if continues_number(text, tok.end) {
        return None;
    }
    let day = small_number(&s[..digits_end])?;
    (1..=31).contains(&day).then_some(day)
}

/// A four-digit year standing on its own (not "2025,000" or "2025.5").
fn year_number(text: &str, tok: Tok) -> Option<i32> {
    if tok.kind != Kind::Digits || tok.end - tok.start != 4 || continues_number(text, tok.end) {
        return None;
    }
    let y = small_number(&text[tok.start..tok.end])?;
    (1800..=2199).contains(&y).then_some(y as i32)
}

/// The end of a run of digit groups joined by punctuation from `i` on ("1,2,3",
/// "555-123-4567"), where `i` ends a group.
fn joined_digits_end(text: &str, mut i: usize) -> usize {
    let b = text.as_bytes();
    while matches!(b.get(i), Some(b',' | b'.' | b':' | b'-' | b'/'))
        && b.get(i + 1).is_some_and(u8::is_ascii_digit)
    {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    i
}

/// Whether the digits ending at `end` go on as a larger number: "6,000", "6.5", "6:30".
fn continues_number(text: &str, end: usize) -> bool {
    let b = text.as_bytes();
    matches!(b.get(end), Some(b',' | b'.' | b':'))
        && b.get(end + 1).is_some_and(|c| c.is_ascii_digit())
}

// ---------------------------------------------------------------------------------------
// The lexicon

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Modifier {
    Last,
    This,
    Next,
    Past,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Period {
    Week,
    Weekend,
    Month,
    Year,
    /// "morning", "night": only with "this"/"last".
    DayPart,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Anchor {
    Month {
        month: u32,
        abbrev: bool,
        ambiguous: bool,
    },
    Weekday(u32),
    Day(i64),
    Period(Period),
}

/// Everything the lexicon says about one word form.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Class {
    anchor: Option<Anchor>,
    modifier: Option<Modifier>,
    lead: bool,
    year_prep: bool,
    month_prep: bool,
}

impl Class {
    const NONE: Class = Class {
        anchor: None,
        modifier: None,
        lead: false,
        year_prep: false,
        month_prep: false,
    };
}

#[derive(Clone, Copy, Debug)]
struct Seen {
    tok: Tok,
    class: Class,
}

struct Lexicon {
    /// Word forms by lower-case first letter: a bucket is a handful of words, so a lookup
    /// costs a few length comparisons for the common word that is in none of them.
    buckets: [Vec<(String, Class)>; 26],
    max_len: usize,
    /// The first letters of anchors, and digits.
    starts: Starts,
}

impl Lexicon {
    fn parse(src: &str) -> Lexicon {
        let mut buckets: [Vec<(String, Class)>; 26] = std::array::from_fn(|_| Vec::new());
        let mut max_len = 0;
        for line in crate::gate::lines(src) {
            let line = line.split('#').next().unwrap_or("");
            let mut fields = line.split_whitespace();
            let (Some(kind), Some(value)) = (fields.next(), fields.next()) else {
                continue;
            };
            let forms: Vec<&str> = fields.collect();
            let num: i64 = value.parse().unwrap_or(0);
            for (i, form) in forms.iter().enumerate() {
                let ambiguous = form.ends_with('?');
                let form = form.trim_end_matches('?').to_ascii_lowercase();
                let month = u32::try_from(num).unwrap_or(0);
                let apply = |c: &mut Class| match kind {
                    "month" => {
                        c.anchor = Some(Anchor::Month {
                            month,
                            abbrev: i > 0,
                            ambiguous,
                        })
                    }
                    "weekday" => c.anchor = Some(Anchor::Weekday(month)),
                    "day" => c.anchor = Some(Anchor::Day(num)),
                    "period" => {
                        c.anchor = Some(Anchor::Period(match value {
                            "week" => Period::Week,
                            "weekend" => Period::Weekend,
                            "month" => Period::Month,
                            "year" => Period::Year,
                            _ => Period::DayPart,
                        }))
                    }
                    "modifier" => {
                        c.modifier = match value {
                            "last" => Some(Modifier::Last),
                            "this" => Some(Modifier::This),
                            "next" => Some(Modifier::Next),
                            "past" => Some(Modifier::Past),
                            _ => None,
                        }
                    }
                    "lead" => c.lead = true,
                    "yearprep" => c.year_prep = true,
                    "monthprep" => c.month_prep = true,
                    _ => {}
                };
                let Some(first) = form.bytes().next().filter(u8::is_ascii_lowercase) else {
                    continue;
                };
                let bucket = &mut buckets[usize::from(first - b'a')];
                match bucket.iter_mut().find(|(f, _)| *f == form) {
                    Some((_, c)) => apply(c),
                    None => {
                        let mut c = Class::NONE;
                        apply(&mut c);
                        max_len = max_len.max(form.len());
                        bucket.push((form, c));
                    }
                }
            }
        }
        let anchors = buckets
            .iter()
            .flatten()
            .filter(|(_, class)| class.anchor.is_some())
            .map(|(form, _)| form.as_str());
        let starts = Starts::new(anchors);
        Lexicon {
            buckets,
            max_len,
            starts,
        }
    }

    fn classify(&self, word: &str) -> Class {
        if word.len() > self.max_len {
            return Class::NONE;
        }
        let Some(first) = word.bytes().next().filter(u8::is_ascii_alphabetic) else {
            return Class::NONE;
        };
        let bucket = &self.buckets[usize::from(first.to_ascii_lowercase() - b'a')];
        bucket
            .iter()
            .find(|(f, _)| f.len() == word.len() && f.eq_ignore_ascii_case(word))
            .map_or(Class::NONE, |(_, c)| *c)
    }
}

fn lexicon() -> &'static Lexicon {
    static LEX: OnceLock<Lexicon> = OnceLock::new();
    LEX.get_or_init(|| Lexicon::parse(include_str!("../lexicon/time_words.txt")))
}

// ---------------------------------------------------------------------------------------
// Recognising expressions

fn mention(text: &str, start: usize, end: usize, value: Option<NaiveDate>) -> DateMention {
    DateMention {
        text: text[start..end].to_string(),
        start,
        end,
        value,
    }
}

/// The modifier right before a word ("last" Thursday), and where the date words start
/// when a lead ("earlier") precedes the modifier.
fn modifier_before(back: &[Option<Seen>; 2]) -> Option<(Modifier, usize)> {
    let m = back[0]?;
    let modifier = m.class.modifier?;
    let start = match back[1] {
        Some(l) if l.class.lead => l.tok.start,
        _ => m.tok.start,
    };
    Some((modifier, start))
}

/// A month word at `tok`, if it names a month under the lexicon's capitalisation rule.
fn month_at(text: &str, lex: &Lexicon, tok: Tok) -> Option<(u32, bool, bool)> {
    if tok.kind != Kind::Alpha {
        return None;
    }
    let word = &text[tok.start..tok.end];
    match lex.classify(word).anchor {
        Some(Anchor::Month {
            month,
            abbrev,
            ambiguous,
        }) if is_capitalised(word) => Some((month, abbrev, ambiguous)),
        _ => None,
    }
}

/// After a month word ending at `end` (and its optional full stop): a day and an optional
/// year, "6", "6th", "6, 2025", "6 2025". Returns (day, year, end of the date).
fn day_year_after(text: &str, end: usize) -> Option<(u32, Option<i32>, usize)> {
    let day_tok = next_token(text, end)?;
    if !matches!(day_tok.kind, Kind::Digits | Kind::Mixed) {
        return None;
    }
    let day = day_number(text, day_tok)?;
    let (year, end) =
        year_after(text, day_tok.end, true).map_or((None, day_tok.end), |(y, e)| (Some(y), e));
    Some((day, year, end))
}

/// A year right after `end`: "2025", ", 2025" (when `comma` allows), "of 2025".
fn year_after(text: &str, end: usize, comma: bool) -> Option<(i32, usize)> {
    let mut tok = next_token(text, end)?;
    let word = &text[tok.start..tok.end];
    if (comma && word == ",") || (tok.kind == Kind::Alpha && word.eq_ignore_ascii_case("of")) {
        tok = next_token(text, tok.end)?;
    }
    year_number(text, tok).map(|y| (y, tok.end))
}

/// The end of a month word, with the full stop of an abbreviation ("Mar.").
fn after_abbrev_dot(text: &str, tok: Tok, abbrev: bool) -> usize {
    if abbrev && text.as_bytes().get(tok.end) == Some(&b'.') {
        tok.end + 1
    } else {
        tok.end
    }
}

/// A month-first date starting at the month word `tok`: "March 6", "Mar. 6, 2025",
/// "March 2025", "January". Returns the end and the value.
fn month_first(
    text: &str,
    lex: &Lexicon,
    tok: Tok,
    month_context: bool,
    modifier: Option<Modifier>,
    published: Option<NaiveDate>,
) -> Option<(usize, Option<NaiveDate>)> {
    let (month, abbrev, ambiguous) = month_at(text, lex, tok)?;
    let word_end = after_abbrev_dot(text, tok, abbrev);
    if let Some((day, year, end)) = day_year_after(text, word_end) {
        let value = match year {
            Some(y) => NaiveDate::from_ymd_opt(y, month, day),
            None => published.and_then(|p| nearest_day(p, month, day)),
        };
        return Some((end, value));
    }
    if abbrev {
        return None;
    }
    if let Some((year, end)) = year_after(text, tok.end, false) {
        return Some((end, NaiveDate::from_ymd_opt(year, month, 1)));
    }
    if ambiguous && !month_context {
        return None;
    }
    let value = published.and_then(|p| month_alone(p, month, modifier));
    Some((tok.end, value))
}

fn on_word(
    text: &str,
    lex: &Lexicon,
    seen: Seen,
    back: &[Option<Seen>; 2],
    published: Option<NaiveDate>,
) -> Option<DateMention> {
    let tok = seen.tok;
    let word = &text[tok.start..tok.end];
    let anchor = seen.class.anchor?;
    let modified = modifier_before(back);
    let (modifier, start) = match modified {
        Some((m, s)) => (Some(m), s),
        None => (None, tok.start),
    };
    match anchor {
        Anchor::Month { .. } => {
            let context = modifier.is_some() || back[0].is_some_and(|s| s.class.month_prep);
            let (end, value) = month_first(text, lex, tok, context, modifier, published)?;
            // A modifier only belongs to a month alone: "last March", not "last March 6".
            let start = if end == tok.end { start } else { tok.start };
            Some(mention(text, start, end, value))
        }
        Anchor::Weekday(wd) => {
            if !is_capitalised(word) {
                return None;
            }
            // "Thursday, March 6" / "Thursday, 6 March": one mention, the explicit date's.
            if let Some(m) = explicit_after_weekday(text, lex, tok.end, published) {
                return Some(mention(text, tok.start, m.end, m.value));
            }
            let value = published.and_then(|p| weekday(p, wd, modifier));
            Some(mention(text, start, tok.end, value))
        }
        Anchor::Day(offset) => {
            let start = match back[0] {
                Some(l) if l.class.lead => l.tok.start,
                _ => tok.start,
            };
            let value = published.and_then(|p| add_days(p, offset));
            Some(mention(text, start, tok.end, value))
        }
        Anchor::Period(period) => {
            let modifier = modifier?;
            let value = published.and_then(|p| period_start(p, period, modifier));
            Some(mention(text, start, tok.end, value))
        }
    }
}

/// An explicit date right after a weekday and its comma.
fn explicit_after_weekday(
    text: &str,
    lex: &Lexicon,
    end: usize,
    published: Option<NaiveDate>,
) -> Option<DateMention> {
    let comma = next_token(text, end)?;
    let tok = match &text[comma.start..comma.end] {
        "," => next_token(text, comma.end)?,
        _ => comma,
    };
    match tok.kind {
        Kind::Alpha => {
            month_at(text, lex, tok)?;
            let (end, value) = month_first(text, lex, tok, false, None, published)?;
            // A month alone is not a weekday's date: "Friday, March" is two mentions.
            (end > tok.end + 1).then(|| mention(text, tok.start, end, value))
        }
        Kind::Digits | Kind::Mixed => day_first(text, lex, tok, published),
        Kind::Punct => None,
    }
}

/// A day-first date at `tok`: "6 March", "6th of March 2025", "6 Mar".
fn day_first(
    text: &str,
    lex: &Lexicon,
    tok: Tok,
    published: Option<NaiveDate>,
) -> Option<DateMention> {
    let day = day_number(text, tok)?;
    let mut m = next_token(text, tok.end)?;
    if m.kind == Kind::Alpha && text[m.start..m.end].eq_ignore_ascii_case("of") {
        m = next_token(text, m.end)?;
    }
    let (month, abbrev, _) = month_at(text, lex, m)?;
    let month_end = after_abbrev_dot(text, m, abbrev);
    let (value, end) = match year_after(text, month_end, false) {
        Some((y, end)) => (NaiveDate::from_ymd_opt(y, month, day), end),
        None => (
            published.and_then(|p| nearest_day(p, month, day)),
            month_end,
        ),
    };
    Some(mention(text, tok.start, end, value))
}

fn on_number(
    text: &str,
    lex: &Lexicon,
    tok: Tok,
    back: impl FnOnce() -> [Option<Seen>; 2],
    published: Option<NaiveDate>,
) -> Option<DateMention> {
    if let Some(m) = iso_date(text, tok) {
        return Some(m);
    }
    if let Some(m) = day_first(text, lex, tok, published) {
        return Some(m);
    }
    year_alone(text, tok, back)
}

/// "2025-03-06" (also the date part of "2025-03-06T10:00").
fn iso_date(text: &str, tok: Tok) -> Option<DateMention> {
    let b = text.as_bytes();
    let end = tok.start + 10;
    if tok.kind != Kind::Digits || tok.end - tok.start != 4 || end > b.len() {
        return None;
    }
    let s = &b[tok.start..end];
    let shape = s.iter().enumerate().all(|(i, c)| match i {
        4 | 7 => *c == b'-',
        _ => c.is_ascii_digit(),
    });
    if !shape || b.get(end).is_some_and(|c| c.is_ascii_digit() || *c == b'-') {
        return None;
    }
    // The shape check makes these slices ASCII digits.
    let num = |r: std::ops::Range<usize>| text.get(r).and_then(|s| s.parse::<u32>().ok());
    let y = num(tok.start..tok.start + 4)?;
    let m = num(tok.start + 5..tok.start + 7)?;
    let d = num(tok.start + 8..end)?;
    let value = NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)?;
    Some(mention(text, tok.start, end, Some(value)))
}

/// "in 2019", "since 1990", "mid-2019": a year after a date preposition. No value.
fn year_alone(
    text: &str,
    tok: Tok,
    back: impl FnOnce() -> [Option<Seen>; 2],
) -> Option<DateMention> {
    year_number(text, tok)?;
    let back = back();
    let prev = back[0]?;
    if prev.class.year_prep {
        return Some(mention(text, tok.start, tok.end, None));
    }
    // "mid-2019": the hyphen must join the two words.
    let word = back[1]?;
    if &text[prev.tok.start..prev.tok.end] == "-"
        && prev.tok.start == word.tok.end
        && prev.tok.end == tok.start
        && word.class.year_prep
    {
        return Some(mention(text, word.tok.start, tok.end, None));
    }
    None
}

// ---------------------------------------------------------------------------------------
// Resolving values: every step may fail at the ends of chrono's range, and then the value
// is None rather than a panic.

fn add_days(p: NaiveDate, n: i64) -> Option<NaiveDate> {
    let days = Days::new(n.unsigned_abs());
    if n >= 0 {
        p.checked_add_days(days)
    } else {
        p.checked_sub_days(days)
    }
}

fn monday_of(p: NaiveDate) -> Option<NaiveDate> {
    add_days(p, -i64::from(p.weekday().num_days_from_monday()))
}

fn weekday(p: NaiveDate, wd: u32, modifier: Option<Modifier>) -> Option<NaiveDate> {
    let today = i64::from(p.weekday().number_from_monday());
    let wd = i64::from(wd);
    let back = (today - wd).rem_euclid(7);
    match modifier {
        None | Some(Modifier::Past) => add_days(p, -back),
        Some(Modifier::Last) => add_days(p, -(if back == 0 { 7 } else { back })),
        Some(Modifier::Next) => {
            let ahead = (wd - today).rem_euclid(7);
            add_days(p, if ahead == 0 { 7 } else { ahead })
        }
        Some(Modifier::This) => add_days(monday_of(p)?, wd - 1),
    }
}

fn first_of_month(p: NaiveDate) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(p.year(), p.month(), 1)
}

fn period_start(p: NaiveDate, period: Period, modifier: Modifier) -> Option<NaiveDate> {
    let week = |shift: i64| add_days(monday_of(p)?, shift * 7);
    match (period, modifier) {
        (Period::Year, _) => None,
        (Period::Week, Modifier::Past) => add_days(p, -7),
        (Period::Week, Modifier::Last) => week(-1),
        (Period::Week, Modifier::This) => week(0),
        (Period::Week, Modifier::Next) => week(1),
        (Period::Weekend, Modifier::Last | Modifier::Past) => add_days(week(-1)?, 5),
        (Period::Weekend, Modifier::This) => add_days(week(0)?, 5),
        (Period::Weekend, Modifier::Next) => add_days(week(1)?, 5),
        (Period::Month, Modifier::Past) => p.checked_sub_months(Months::new(1)),
        (Period::Month, Modifier::Last) => first_of_month(p)?.checked_sub_months(Months::new(1)),
        (Period::Month, Modifier::This) => first_of_month(p),
        (Period::Month, Modifier::Next) => first_of_month(p)?.checked_add_months(Months::new(1)),
        (Period::DayPart, Modifier::This) => Some(p),
        (Period::DayPart, Modifier::Last | Modifier::Past) => add_days(p, -1),
        (Period::DayPart, Modifier::Next) => None,
    }
}

fn month_alone(p: NaiveDate, month: u32, modifier: Option<Modifier>) -> Option<NaiveDate> {
    let y = p.year();
    let year = match modifier {
        None | Some(Modifier::Past) if month <= p.month() => y,
        None | Some(Modifier::Past) => y.checked_sub(1)?,
        Some(Modifier::Last) if month < p.month() => y,
        Some(Modifier::Last) => y.checked_sub(1)?,
        Some(Modifier::This) => y,
        Some(Modifier::Next) if month > p.month() => y,
        Some(Modifier::Next) => y.checked_add(1)?,
    };
    NaiveDate::from_ymd_opt(year, month, 1)
}

/// The day `month`/`day` nearest to `p`, looking one year either side; ties go to the past.
fn nearest_day(p: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    let y = p.year();
    [y.checked_sub(1), Some(y), y.checked_add(1)]
        .into_iter()
        .flatten()
        .filter_map(|y| NaiveDate::from_ymd_opt(y, month, day))
        .min_by_key(|d| {
            let diff = d.signed_duration_since(p).num_days();
            // Past first on a tie: (distance, is_future).
            (diff.unsigned_abs(), diff > 0)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    /// Publication day for the tests: Friday 7 March 2025.
    fn pub_day() -> Option<NaiveDate> {
        Some(d(2025, 3, 7))
    }

    fn found(text: &str) -> Vec<(String, Option<NaiveDate>)> {
        find_dates(text, pub_day())
            .into_iter()
            .map(|m| (m.text, m.value))
            .collect()
    }

    fn one(text: &str) -> (String, Option<NaiveDate>) {
        let all = found(text);
        assert_eq!(all.len(), 1, "{text:?} gave {all:?}");
        all.into_iter().next().expect("one mention")
    }

    #[test]
    fn weekdays_resolve_to_the_most_recent() {
        assert_eq!(
            one("The minister resigned on Thursday."),
            ("Thursday".into(), Some(d(2025, 3, 6)))
        );
        assert_eq!(
            one("Friday saw protests."),
            ("Friday".into(), Some(d(2025, 3, 7)))
        );
        assert_eq!(
            one("She spoke on Monday"),
            ("Monday".into(), Some(d(2025, 3, 3)))
        );
        assert_eq!(
            one("He left Saturday"),
            ("Saturday".into(), Some(d(2025, 3, 1)))
        );
        assert_eq!(
            one("It happened last Friday."),
            ("last Friday".into(), Some(d(2025, 2, 28)))
        );
        assert_eq!(
            one("Talks resume next Friday."),
            ("next Friday".into(), Some(d(2025, 3, 14)))
        );
        assert_eq!(
            one("A vote is due this Sunday."),
            ("this Sunday".into(), Some(d(2025, 3, 9)))
        );
        // Lower case is a noun or a typo more often than a date.
        assert!(found("the thursday crowd").is_empty());
    }

    #[test]
    fn relative_days_and_periods() {
        assert_eq!(one("said today"), ("today".into(), Some(d(2025, 3, 7))));
        assert_eq!(
            one("Yesterday, he"),
            ("Yesterday".into(), Some(d(2025, 3, 6)))
        );
        assert_eq!(
            one("due tomorrow"),
            ("tomorrow".into(), Some(d(2025, 3, 8)))
        );
        assert_eq!(
            one("earlier today"),
            ("earlier today".into(), Some(d(2025, 3, 7)))
        );
        assert_eq!(one("last week"), ("last week".into(), Some(d(2025, 2, 24))));
        assert_eq!(one("this week"), ("this week".into(), Some(d(2025, 3, 3))));
        assert_eq!(
            one("said earlier this week that"),
            ("earlier this week".into(), Some(d(2025, 3, 3)))
        );
        assert_eq!(one("next week"), ("next week".into(), Some(d(2025, 3, 10))));
        assert_eq!(
            one("in the past week"),
            ("past week".into(), Some(d(2025, 2, 28)))
        );
        assert_eq!(
            one("last month"),
            ("last month".into(), Some(d(2025, 2, 1)))
        );
        assert_eq!(
            one("later this month"),
            ("later this month".into(), Some(d(2025, 3, 1)))
        );
        assert_eq!(
            one("next month"),
            ("next month".into(), Some(d(2025, 4, 1)))
        );
        assert_eq!(one("last year"), ("last year".into(), None));
        assert_eq!(
            one("over the weekend and last weekend")
                .0
                .as_str()
                .to_owned(),
            "last weekend"
        );
        assert_eq!(
            one("last night"),
            ("last night".into(), Some(d(2025, 3, 6)))
        );
        // A period needs a modifier: "a week" is a duration, not a date.
        assert!(found("within a week, the year ended").is_empty());
    }

    #[test]
    fn months_alone() {
        assert_eq!(one("in January"), ("January".into(), Some(d(2025, 1, 1))));
        assert_eq!(one("in March"), ("March".into(), Some(d(2025, 3, 1))));
        assert_eq!(one("in April"), ("April".into(), Some(d(2024, 4, 1))));
        assert_eq!(
            one("next January"),
            ("next January".into(), Some(d(2026, 1, 1)))
        );
        assert_eq!(
            one("last March"),
            ("last March".into(), Some(d(2024, 3, 1)))
        );
        assert_eq!(
            one("in December 2024"),
            ("December 2024".into(), Some(d(2024, 12, 1)))
        );
        assert_eq!(one("since May"), ("May".into(), Some(d(2024, 5, 1))));
        // "may" the verb, and "March" the noun, are not months.
        assert!(found("They may march. May I ask?").is_empty());
    }

    #[test]
    fn explicit_dates() {
        assert_eq!(one("on March 6"), ("March 6".into(), Some(d(2025, 3, 6))));
        assert_eq!(one("on 6 March"), ("6 March".into(), Some(d(2025, 3, 6))));
        assert_eq!(
            one("on March 6, 2024,"),
            ("March 6, 2024".into(), Some(d(2024, 3, 6)))
        );
        assert_eq!(
            one("on 6 March 2024"),
            ("6 March 2024".into(), Some(d(2024, 3, 6)))
        );
        assert_eq!(one("Mar. 6 talks"), ("Mar. 6".into(), Some(d(2025, 3, 6))));
        assert_eq!(
            one("the 6th of March"),
            ("6th of March".into(), Some(d(2025, 3, 6)))
        );
        assert_eq!(one("on Sept 30"), ("Sept 30".into(), Some(d(2024, 9, 30))));
        // Nearest year: a day ahead stays in this year, a December date is last year's.
        assert_eq!(one("on May 2"), ("May 2".into(), Some(d(2025, 5, 2))));
        assert_eq!(
            one("on December 20"),
            ("December 20".into(), Some(d(2024, 12, 20)))
        );
        assert_eq!(
            one("released 2025-03-06T10:00Z"),
            ("2025-03-06".into(), Some(d(2025, 3, 6)))
        );
        assert_eq!(
            one("On Thursday, March 6, the"),
            ("Thursday, March 6".into(), Some(d(2025, 3, 6)))
        );
        assert_eq!(one("February 30"), ("February 30".into(), None));
        // An abbreviation needs a day; a day-like number that goes on is not a day.
        assert!(found("Jan said 6,000 Mar").is_empty());
        assert_eq!(
            one("March 6,000 people"),
            ("March".into(), Some(d(2025, 3, 1)))
        );
    }

    #[test]
    fn years() {
        assert_eq!(one("in 2019"), ("2019".into(), None));
        assert_eq!(one("by mid-2026"), ("mid-2026".into(), None));
        assert!(found("2019 people and 3,000 jobs").is_empty());
    }

    #[test]
    fn absolute_dates_resolve_without_publication() {
        let got = find_dates("On Thursday, and on March 6, 2025, and last week", None);
        let got: Vec<_> = got.into_iter().map(|m| (m.text, m.value)).collect();
        assert_eq!(
            got,
            vec![
                ("Thursday".into(), None),
                ("March 6, 2025".into(), Some(d(2025, 3, 6))),
                ("last week".into(), None),
            ]
        );
    }

    #[test]
    fn offsets_are_bytes_on_char_boundaries() {
        let text = "“On Thursday,” Müller said; naïve Öztürk left on 6 März or 6 March.";
        let got = find_dates(text, pub_day());
        assert_eq!(got.len(), 2, "{got:?}");
        for m in &got {
            assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end));
            assert_eq!(&text[m.start..m.end], m.text);
        }
        assert_eq!(got[0].start, "“On ".len());
        assert_eq!(got[0].text, "Thursday");
        assert_eq!(got[1].text, "6 March");
    }

    #[test]
    fn never_panics_on_adversarial_text() {
        let mut cases: Vec<String> = vec![
            String::new(),
            "é".into(),
            "€".into(),
            "((((((".into(),
            "9".repeat(100_000),
            "March ".repeat(10_000),
            "March 9".repeat(10_000),
            "last last last week ".repeat(1000),
            "9999-99-99 0000-00-00 2025-02-29 2024-02-29".into(),
            "March 99999999999999999999999, 99999999999".into(),
            "\u{0301}\u{200d}Thursday\u{feff}".into(),
            "Thursday,".into(),
            "Mar.".into(),
            "6 of".into(),
        ];
        cases.push("2025-".repeat(1000));
        for extreme in [NaiveDate::MIN, NaiveDate::MAX] {
            let text = "yesterday tomorrow last week next month next January last year \
                        Thursday next Sunday last Monday Feb 29 this weekend";
            for m in find_dates(text, Some(extreme)) {
                assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end));
            }
        }
        for text in &cases {
            for m in find_dates(text, pub_day()) {
                assert_eq!(&text[m.start..m.end], m.text);
            }
        }
    }

    #[test]
    fn alnum_run_counts_ascii_letters_and_digits() {
        let bytes: Vec<u8> = (0..=255).collect();
        for &c in &bytes {
            for len in 0..20 {
                for at in 0..=len {
                    // `len` bytes, all alphanumeric but for `c` at `at`
                    let mut b = vec![b'a'; len];
                    if at < len {
                        b[at] = c;
                    }
                    let want = b
                        .iter()
                        .position(|&x| !x.is_ascii_alphanumeric())
                        .unwrap_or(len);
                    assert_eq!(alnum_run(&b), want, "{c} {len} {at}");
                }
            }
        }
        assert_eq!(alnum_run(b"Zz09az AZ"), 6);
        assert_eq!(alnum_run("abcdefghé".as_bytes()), 8);
    }

    #[test]
    fn tokenizer_finds_the_word_starts_the_scan_finds() {
        // random strings over letters, digits, joiners and the non-ASCII chars the two
        // word definitions treat differently
        for text in crate::test_strings::random(
            "aMJs09 .,'-&`\"é½²Ω٣\u{2019}\u{2014}\u{2071}\n",
            0x2545_f491_4f6c_dd1d,
            3000,
            4,
        ) {
            let (dates, numbers) = Starts::scan_both(starts(), crate::numbers::starts(), &text);
            let mut both = BothStarts::new(starts(), crate::numbers::starts());
            crate::text::Document::with_starts(&text, &mut both);
            assert_eq!(both.a_starts, dates, "{text:?}");
            assert_eq!(both.b_starts, numbers, "{text:?}");
        }
    }

    #[test]
    fn one_scan_for_dates_and_numbers_finds_what_each_scan_finds() {
        let texts = [
            String::new(),
            "On Thursday, March 6, 2025, 40,000 people — “twenty-five thousand” said \
             Müller's 3rd report — met in Mayfair at 10:30; naïve 2019-2020 figures."
                .to_string(),
            "1,2,3 555-1234 Mar. 6 6th of March two million €20m 12 per cent".repeat(50),
            "9".repeat(10_000) + " March 9 " + &"é".repeat(100) + "1 May",
            "\u{2018}Jan\u{2019}\u{201c}5\u{201d}x5 Fri.Sat MONDAY ṁay 3".to_string(),
            // word chars the tokenizer and the scans see differently, and joiners
            "½May ²3 x½4 U.S.A.5 A&B 1,000.5e 'Mar''99 ``6 al-Mar d’Apr 3.4.5. éMay".to_string(),
            "Mü9 9ü9 \u{2071}1 \u{207f}Mar Ω2 ٣May 5٣ 4—Jan".to_string(),
        ];
        for text in &texts {
            let (dates, numbers) = Starts::scan_both(starts(), crate::numbers::starts(), text);
            // what extraction uses: the same lists, from the tokenizer
            let mut both = BothStarts::new(starts(), crate::numbers::starts());
            crate::text::Document::with_starts(text, &mut both);
            assert_eq!(both.a_starts, dates);
            assert_eq!(both.b_starts, numbers);
            assert_eq!(
                find_dates_at(text, pub_day(), &dates),
                find_dates(text, pub_day())
            );
            assert_eq!(
                crate::numbers::find_quantities_at(text, &numbers),
                crate::numbers::find_quantities(text)
            );
            for from in 0..=text.len() {
                if text.is_char_boundary(from) {
                    assert_eq!(
                        Starts::first_from(&dates, from),
                        lexicon().starts.next(text, from)
                    );
                }
            }
        }
    }
}
