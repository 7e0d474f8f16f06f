//! Quantities: a number, in digits or words, with what it counts — "roughly 40,000
//! refugees", "$4.5 billion", "€20m", "12 per cent", "two million people", "a dozen".
//!
//! Conventions:
//! - the span covers the qualifier before the number ("roughly", "more than", "up to"),
//!   a currency sign, the number, its scale word ("billion", "bn"), a percent word or
//!   currency word, and the noun it counts with any modifiers passed over on the way
//!   ("40,000 Syrian refugees");
//! - `value` is the number times its scale (`$4.5 billion` → 4.5e9, `a dozen` → 12);
//! - `unit` is what is counted, lower-cased: the head noun ("refugees"), "percent",
//!   "percentage points", or an ISO 4217 code for money ("USD", "EUR", "GBP"); None when
//!   nothing is counted ("5,000 were killed");
//! - "one" alone is not reported (it is a pronoun as often as a number), nor is a number
//!   word that counts nothing ("the two said"); digits are reported even without a unit.
//!
//! What it does not do: report years ("in 2019": a bare four-digit number from 1800 to
//! 2100), days of a month ("March 6", "6 March"), clock times ("10:30", "6 p.m."),
//! ordinals ("3rd", "the 1990s"), labels ("No. 10", "Article 5", "COVID-19"), ranges,
//! scores and fractions joined by "-" or "/" ("3-1", "1/2"), or phone-number-like runs;
//! nor does it read fractions in words ("half a million") or plurals of scales
//! ("thousands of"), which name no number.
//!
//! Offsets are bytes into the text, always on char boundaries.

use crate::model::Quantity;
use crate::time::{is_month_word, next_token, prev_token, Kind, Starts, Tok};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::OnceLock;

/// Every quantity in `text`, in order, with byte offsets.
pub fn find_quantities(text: &str) -> Vec<Quantity> {
    let lex = lexicon();
    quantities_from(text, |pos| lex.starts.next(text, pos))
}

/// [`find_quantities`] given where its candidates start (see [`Starts::scan_both`]).
pub(crate) fn find_quantities_at(text: &str, starts: &[usize]) -> Vec<Quantity> {
    quantities_from(text, |pos| Starts::first_from(starts, pos))
}

/// The number scan's candidates, for [`Starts::scan_both`].
pub(crate) fn starts() -> &'static Starts {
    &lexicon().starts
}

/// `next(pos)` is the first candidate start at or after `pos`.
fn quantities_from(text: &str, mut next: impl FnMut(usize) -> Option<usize>) -> Vec<Quantity> {
    let lex = lexicon();
    let mut out = Vec::new();
    // Nothing before `floor` belongs to a new quantity: it ends the last one found.
    let mut floor = 0;
    let mut pos = 0;
    // Digits and number words are rare in prose: the scan looks only at the first letter
    // of each word, and reads the words around only where a number may start. Each scan
    // starts after what the last one read, so a long run of digits is one candidate.
    while let Some(start) = next(pos) {
        let Some(tok) = next_token(text, start) else {
            break;
        };
        pos = tok.end;
        let back = Back::before(text, start, floor);
        let step = match tok.kind {
            Kind::Digits | Kind::Mixed if text.as_bytes()[start].is_ascii_digit() => {
                at_digits(text, lex, tok, &back)
            }
            Kind::Alpha => at_word(text, lex, tok, &back, floor),
            _ => Step::Nothing,
        };
        match step {
            Step::Nothing => {}
            // Not raising `floor` here keeps the skipped digits visible to the next number,
            // which is then one more group of the same phone number ("0207 946").
            Step::Skip(end) => pos = pos.max(end),
            Step::Found(q) => {
                pos = pos.max(q.end);
                floor = q.end;
                out.push(q);
            }
        }
    }
    out
}

enum Step {
    /// Not a number.
    Nothing,
    /// A number that is not a quantity (a year, a time, a phone number), read up to here.
    Skip(usize),
    Found(Quantity),
}

// ---------------------------------------------------------------------------------------
// Looking back: the few tokens before a number, nearest first.

const BACK: usize = 6;

/// Read lazily: most numbers need one token of context, a few need five ("as many as
/// US$5").
struct Back<'t> {
    text: &'t str,
    floor: usize,
    toks: RefCell<[Option<Tok>; BACK]>,
    /// How many of `toks` are read, and where reading goes on.
    read: Cell<(usize, usize)>,
}

impl<'t> Back<'t> {
    fn before(text: &'t str, i: usize, floor: usize) -> Back<'t> {
        Back {
            text,
            floor,
            toks: RefCell::new([None; BACK]),
            read: Cell::new((0, i)),
        }
    }

    /// The `i`-th token before the number (0 = right before).
    fn get(&self, i: usize) -> Option<Tok> {
        if i >= BACK {
            return None;
        }
        let mut toks = self.toks.borrow_mut();
        let (mut n, mut at) = self.read.get();
        while n <= i && at > self.floor {
            let Some(tok) = prev_token(self.text, at, self.floor) else {
                at = self.floor;
                break;
            };
            toks[n] = Some(tok);
            n += 1;
            at = tok.start;
        }
        self.read.set((n, at));
        toks[i]
    }
}

/// A phrase of the lexicon, as the tokenizer splits it: "per cent" → ["per", "cent"].
#[derive(Debug, Clone)]
struct Phrase {
    toks: Vec<String>,
    /// Written without spaces ("US$", "a.m."): its tokens must touch.
    glued: bool,
}

impl Phrase {
    fn new(item: &str) -> Phrase {
        let mut toks = Vec::new();
        let mut pos = 0;
        while let Some(t) = next_token(item, pos) {
            toks.push(item[t.start..t.end].to_lowercase());
            pos = t.end;
        }
        Phrase {
            toks,
            glued: !item.contains(char::is_whitespace),
        }
    }

    fn is_symbol(&self) -> bool {
        self.toks
            .iter()
            .any(|t| !t.chars().all(char::is_alphanumeric))
    }

    /// Matches the tokens before the current one, ending `skip` tokens back; returns the
    /// phrase's start and the number of tokens it spans.
    fn before(&self, text: &str, back: &Back, skip: usize) -> Option<usize> {
        let n = self.toks.len();
        if n == 0 {
            return None;
        }
        let mut next_start = None;
        for (i, want) in self.toks.iter().rev().enumerate() {
            let t = back.get(skip + i)?;
            if !text[t.start..t.end].eq_ignore_ascii_case(want) {
                return None;
            }
            if self.glued && next_start.is_some_and(|s| s != t.end) {
                return None;
            }
            next_start = Some(t.start);
        }
        back.get(skip + n - 1).map(|t| t.start)
    }

    /// Matches the tokens from byte `from` on; returns the end of the match.
    fn after(&self, text: &str, from: usize) -> Option<usize> {
        let mut pos = from;
        for (i, want) in self.toks.iter().enumerate() {
            let t = next_token(text, pos)?;
            if i > 0 && self.glued && t.start != pos {
                return None;
            }
            if !text[t.start..t.end].eq_ignore_ascii_case(want) {
                return None;
            }
            pos = t.end;
        }
        Some(pos)
    }
}

// ---------------------------------------------------------------------------------------
// The lexicon

#[derive(Clone, Copy, Debug, PartialEq)]
enum NumWord {
    /// one .. nineteen, twenty .. ninety.
    Small(u32),
    Hundred,
    Dozen,
    /// thousand, million, "bn": the power of ten.
    Scale(i32),
    Article,
}

/// What a phrase read after a number makes of it.
#[derive(Debug, Clone, PartialEq)]
enum After {
    Percent,
    Points,
    /// An ISO 4217 code.
    Currency(String),
    /// A clock time: not a quantity.
    Time,
}

const STOP: u8 = 1;
const MODIFIER: u8 = 2;
const PLURAL: u8 = 4;
const SINGULAR: u8 = 8;

/// Everything the lexicon says about one word (in ASCII lower case): its classes, and the
/// phrases that end with it before a number or start with it after one. One lookup per
/// token next to a number answers every question about it.
#[derive(Default)]
struct Entry {
    flags: u8,
    /// (phrase, ISO code): symbols and codes standing before an amount ("US$", "USD").
    currency: Vec<(Phrase, String)>,
    approximators: Vec<Phrase>,
    labels: Vec<Phrase>,
    after: Vec<(Phrase, After)>,
}

struct Lexicon {
    /// Digits and the first letters of number words.
    starts: Starts,
    /// Number words by lower-case first letter.
    words: [Vec<(String, NumWord)>; 26],
    max_word: usize,
    money_scale: Vec<(String, i32)>,
    entries: crate::hash::FastMap<Vec<u8>, Entry>,
}

impl Lexicon {
    fn parse(src: &str) -> Lexicon {
        let mut lex = Lexicon {
            // Replaced below, once the number words are known.
            starts: Starts::new(std::iter::empty()),
            words: std::array::from_fn(|_| Vec::new()),
            max_word: 0,
            money_scale: Vec::new(),
            entries: HashMap::default(),
        };
        for line in crate::gate::lines(src) {
            // '#' is an item of the label list, so comments are whole lines.
            if line.trim_start().starts_with('#') {
                continue;
            }
            let Some((head, items)) = line.split_once(':') else {
                continue;
            };
            let mut head = head.split_whitespace();
            let kind = head.next().unwrap_or("");
            let value = head.next().unwrap_or("");
            let items = items.split('|').map(str::trim).filter(|s| !s.is_empty());
            let pow10 = || i32::try_from(value.len().saturating_sub(1)).unwrap_or(0);
            for item in items {
                let lower_item = item.to_ascii_lowercase();
                let phrase = Phrase::new(item);
                let flag = |lex: &mut Lexicon, f: u8| lex.entry_mut(&lower_item).flags |= f;
                match kind {
                    "word" => lex.add_word(&lower_item, NumWord::Small(value.parse().unwrap_or(0))),
                    "hundred" => lex.add_word(&lower_item, NumWord::Hundred),
                    "dozen" => lex.add_word(&lower_item, NumWord::Dozen),
                    "scale" => lex.add_word(&lower_item, NumWord::Scale(pow10())),
                    "article" => lex.add_word(&lower_item, NumWord::Article),
                    "money_scale" => lex.money_scale.push((lower_item, pow10())),
                    "approximator" => lex.last_of(&phrase).approximators.push(phrase),
                    "label" => lex.last_of(&phrase).labels.push(phrase),
                    "percent" => lex.after(phrase, After::Percent),
                    "points" => lex.after(phrase, After::Points),
                    "time" => lex.after(phrase, After::Time),
                    "currency" => {
                        let code = item.len() == 3 && item.bytes().all(|c| c.is_ascii_uppercase());
                        if phrase.is_symbol() || code {
                            let entry = lex.last_of(&phrase);
                            entry.currency.push((phrase.clone(), value.to_string()));
                        }
                        if !phrase.is_symbol() {
                            lex.after(phrase, After::Currency(value.to_string()));
                        }
                    }
                    "stop" => flag(&mut lex, STOP),
                    "modifier" => flag(&mut lex, MODIFIER),
                    "plural" => flag(&mut lex, PLURAL),
                    "singular" => flag(&mut lex, SINGULAR),
                    _ => {}
                }
            }
        }
        // Longest first, so "US$" wins over "$" and "just over" over "over".
        let by_len = |p: &Phrase| std::cmp::Reverse(p.toks.len());
        for e in lex.entries.values_mut() {
            e.approximators.sort_by_key(by_len);
            e.labels.sort_by_key(by_len);
            e.currency.sort_by_key(|(p, _)| by_len(p));
            e.after.sort_by_key(|(p, _)| by_len(p));
        }
        let anchors = lex
            .words
            .iter()
            .flatten()
            .filter(|(_, class)| *class != NumWord::Article)
            .map(|(word, _)| word.as_str());
        lex.starts = Starts::new(anchors);
        lex
    }

    fn entry_mut(&mut self, word: &str) -> &mut Entry {
        self.entries
            .entry(word.to_ascii_lowercase().into_bytes())
            .or_default()
    }

    fn last_of(&mut self, phrase: &Phrase) -> &mut Entry {
        let last = phrase.toks.last().cloned().unwrap_or_default();
        self.entry_mut(&last)
    }

    fn after(&mut self, phrase: Phrase, after: After) {
        let first = phrase.toks.first().cloned().unwrap_or_default();
        self.entry_mut(&first).after.push((phrase, after));
    }

    /// What the lexicon says about the token `tok`, if anything.
    fn entry(&self, text: &str, tok: Tok) -> Option<&Entry> {
        let mut buf = [0; MAX_KEY];
        // the map's keys are bytes: no need to check the word is UTF-8 again
        let word = lower_bytes(text.as_bytes().get(tok.start..tok.end)?, &mut buf)?;
        self.entries.get(word)
    }

    fn add_word(&mut self, word: &str, class: NumWord) {
        if let Some(first) = word.bytes().next().filter(u8::is_ascii_lowercase) {
            self.max_word = self.max_word.max(word.len());
            self.words[usize::from(first - b'a')].push((word.to_string(), class));
        }
    }

    fn number_word(&self, word: &str) -> Option<NumWord> {
        if word.len() > self.max_word {
            return None;
        }
        let first = word.bytes().next().filter(u8::is_ascii_alphabetic)?;
        self.words[usize::from(first.to_ascii_lowercase() - b'a')]
            .iter()
            .find(|(w, _)| w.len() == word.len() && w.eq_ignore_ascii_case(word))
            .map(|(_, c)| *c)
    }

    fn scale_word(&self, text: &str, tok: Tok) -> Option<i32> {
        if tok.kind != Kind::Alpha {
            return None;
        }
        match self.number_word(&text[tok.start..tok.end])? {
            NumWord::Scale(p) => Some(p),
            NumWord::Hundred => Some(2),
            _ => None,
        }
    }
}

fn lexicon() -> &'static Lexicon {
    static LEX: OnceLock<Lexicon> = OnceLock::new();
    LEX.get_or_init(|| Lexicon::parse(include_str!("../lexicon/number_words.txt")))
}

// ---------------------------------------------------------------------------------------
// Numbers in digits

/// The digits of a number as written, without group separators: "40,000.5" → "40000.5".
struct Digits {
    /// Where the number's characters end.
    end: usize,
    /// Integer digits, "." and fraction digits; at most `MAX_DIGITS` digits.
    plain: String,
    int_digits: usize,
    grouped: bool,
    decimal: bool,
}

/// More digits than this are an identifier, not an amount, and would lose precision.
const MAX_DIGITS: usize = 18;

/// Group separators between thousands besides the comma: the no-break, thin and narrow
/// no-break spaces typographers use ("40 000").
fn group_separator(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    match b.get(i)? {
        b',' => Some(1),
        0xC2 if b.get(i + 1) == Some(&0xA0) => Some(2),
        0xE2 if b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0x89 | 0xAF)) => Some(3),
        _ => None,
    }
}

fn digit_run(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i
}

/// The run of digits and joining punctuation from `i` on, as far as it goes: what is
/// skipped when a number turns out to be a phone number, a time or a version.
fn joined_run_end(text: &str, mut i: usize) -> usize {
    let b = text.as_bytes();
    loop {
        i = digit_run(b, i);
        let sep = match b.get(i) {
            Some(b'-' | b'/' | b'.' | b':' | b',') => 1,
            _ => group_separator(text, i).unwrap_or(0),
        };
        if sep > 0 && b.get(i + sep).is_some_and(u8::is_ascii_digit) {
            i += sep;
        } else {
            return i;
        }
    }
}

/// Reads the number starting at `start`. Err(end) when it is a number but not an amount
/// (a time, a version, a run of digit groups), with the end of what to skip.
fn read_digits(text: &str, start: usize) -> Result<Digits, usize> {
    let b = text.as_bytes();
    let mut i = digit_run(b, start);
    let mut plain = String::new();
    let mut count = i - start;
    let int_first = i - start;
    plain.push_str(&text[start..i.min(start + MAX_DIGITS + 1)]);
    let mut grouped = false;
    while let Some(sep) = group_separator(text, i) {
        let group_end = digit_run(b, i + sep);
        let len = group_end - (i + sep);
        if len == 3 && int_first <= 3 {
            if plain.len() <= MAX_DIGITS {
                plain.push_str(&text[i + sep..group_end]);
            }
            count += 3;
            grouped = true;
            i = group_end;
        } else if len > 0 && b[i] == b',' {
            // "1,2,3" or "4,5": a list or a European decimal, either way not ours to read.
            return Err(joined_run_end(text, i));
        } else {
            break;
        }
    }
    let int_digits = count;
    let mut decimal = false;
    if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        let frac_end = digit_run(b, i + 1);
        if plain.len() <= MAX_DIGITS {
            plain.push('.');
            plain.push_str(&text[i + 1..frac_end.min(i + 2 + MAX_DIGITS)]);
        }
        count += frac_end - i - 1;
        decimal = true;
        i = frac_end;
    }
    // A time ("10:30"), a range, score, date or fraction ("3-1", "1/2", "2025-03-06"), a
    // version ("1.2.3") or "4.5,6": skip it all.
    if matches!(b.get(i), Some(b':' | b'-' | b'/' | b'.' | b','))
        && b.get(i + 1).is_some_and(u8::is_ascii_digit)
    {
        return Err(joined_run_end(text, i));
    }
    let leading_zero = b.get(start) == Some(&b'0') && int_first > 1;
    // Seven or more ungrouped digits, or a leading zero: a phone number or an identifier.
    if count > MAX_DIGITS || leading_zero || (!grouped && int_first >= 7) {
        return Err(i);
    }
    Ok(Digits {
        end: i,
        plain,
        int_digits,
        grouped,
        decimal,
    })
}

/// The value of `plain` × 10^`pow10`, read by the standard library so that "1.15" and a
/// million make 1150000 exactly, not 1149999.9999999998.
fn scaled(plain: &str, pow10: i32) -> Option<f64> {
    if pow10 == 0 {
        return plain.parse().ok();
    }
    format!("{plain}e{pow10}").parse().ok()
}

/// Where the quantity's qualifiers start: a currency sign or code, then an approximator.
struct Lead {
    start: usize,
    currency: Option<String>,
}

/// Reads the currency sign and approximator before a number whose first token is
/// `first` (the tokens before it are in `back`).
fn lead_before(text: &str, lex: &Lexicon, first: Tok, back: &Back) -> Lead {
    let mut start = first.start;
    let mut skip = 0;
    let mut currency = None;
    let entry = |i: usize| back.get(i).and_then(|t| lex.entry(text, t));
    let currencies = entry(0).map_or(&[][..], |e| &e.currency[..]);
    for (phrase, code) in currencies {
        if let Some(s) = phrase.before(text, back, 0) {
            // A sign touches the amount ("$5"); a code stands apart ("USD 5").
            let touches = back.get(0).is_some_and(|t| t.end == first.start);
            if phrase.is_symbol() != touches {
                continue;
            }
            start = s;
            skip = phrase.toks.len();
            currency = Some(code.clone());
            break;
        }
    }
    let approximators = entry(skip).map_or(&[][..], |e| &e.approximators[..]);
    for phrase in approximators {
        if let Some(s) = phrase.before(text, back, skip) {
            start = s;
            break;
        }
    }
    Lead { start, currency }
}

/// A number's context that makes it no quantity: a label before it ("No. 10", "#5"), a
/// month around it ("March 6", "6 March"), a joining sign ("+44", "COVID-19"), brackets
/// ("(3)"), or a neighbouring digit group ("020 7946").
fn is_not_quantity(text: &str, lex: &Lexicon, tok: Tok, end: usize, back: &Back) -> bool {
    let b = text.as_bytes();
    if let Some(prev) = back.get(0) {
        let p = &text[prev.start..prev.end];
        if prev.end == tok.start {
            match p {
                "+" | "/" | ":" | "." | "," | "#" | "№" | "'" | "’" => return true,
                "-" | "–" if back.get(1).is_some_and(|t| t.end == prev.start) => return true,
                "(" | "[" if matches!(b.get(end), Some(b')' | b']')) => return true,
                _ => {}
            }
        }
        if prev.kind == Kind::Digits {
            return true;
        }
        if is_month_word(p) {
            return true;
        }
        if p == "."
            && back
                .get(1)
                .is_some_and(|t| is_month_word(&text[t.start..t.end]))
        {
            return true;
        }
        let labels = lex.entry(text, prev).map_or(&[][..], |e| &e.labels[..]);
        if labels.iter().any(|l| l.before(text, back, 0).is_some()) {
            return true;
        }
    }
    match next_token(text, end) {
        Some(next) if next.kind == Kind::Digits || next.kind == Kind::Mixed => {
            b[next.start].is_ascii_digit()
        }
        Some(next) if next.kind == Kind::Alpha => {
            let word = &text[next.start..next.end];
            if is_month_word(word) {
                return true;
            }
            word.eq_ignore_ascii_case("of")
                && next_token(text, next.end).is_some_and(|m| is_month_word(&text[m.start..m.end]))
        }
        _ => false,
    }
}

fn at_digits(text: &str, lex: &Lexicon, tok: Tok, back: &Back) -> Step {
    let digits = match read_digits(text, tok.start) {
        Ok(d) => d,
        Err(end) => return Step::Skip(end),
    };
    let mut end = digits.end;
    if is_not_quantity(text, lex, tok, end, back) {
        return Step::Skip(joined_run_end(text, end));
    }
    let lead = lead_before(text, lex, tok, back);
    let mut pow10 = 0;
    let mut factor = 1.0;
    let mut has_scale = false;
    let mut unit: Option<String> = lead.currency.clone();

    // Letters glued to the digits: "20m", "3bn", "6th", "1990s", "10am", "5km".
    if let Some(suffix) = next_token(text, end).filter(|t| t.start == end) {
        if suffix.kind == Kind::Mixed {
            return Step::Skip(suffix.end);
        }
        if suffix.kind == Kind::Alpha {
            let s = text[suffix.start..suffix.end].to_lowercase();
            let money = lead
                .currency
                .as_ref()
                .and_then(|_| lex.money_scale.iter().find(|(w, _)| *w == s));
            if let Some((_, p)) = money {
                pow10 = *p;
                has_scale = true;
            } else if let Some(p) = lex.scale_word(text, suffix) {
                pow10 = p;
                has_scale = true;
            } else if matches!(s.as_str(), "st" | "nd" | "rd" | "th" | "s" | "am" | "pm") {
                return Step::Skip(suffix.end);
            } else if unit.is_none() {
                unit = Some(s);
            }
            end = suffix.end;
        }
    }
    if !has_scale {
        if let Some(next) = next_token(text, end) {
            if let Some(p) = lex.scale_word(text, next) {
                pow10 = p;
                has_scale = true;
                end = next.end;
            } else if next.kind == Kind::Alpha
                && lex.number_word(&text[next.start..next.end]) == Some(NumWord::Dozen)
            {
                factor = 12.0;
                has_scale = true;
                end = next.end;
            }
        }
    }
    if matches!(phrase_after(text, lex, end), Some((_, After::Time))) {
        return Step::Skip(end);
    }
    let year_like = !digits.grouped
        && !digits.decimal
        && digits.int_digits == 4
        && (1800..=2100).contains(&digits.plain.parse::<u32>().unwrap_or(0));
    let (tail_end, tail_unit) = unit_after(text, lex, end, unit.is_some());
    if year_like && !has_scale && lead.currency.is_none() && !is_percent(&tail_unit) {
        return Step::Skip(end);
    }
    let Some(value) = scaled(&digits.plain, pow10).map(|v| v * factor) else {
        return Step::Skip(end);
    };
    let unit = match (lead.currency, tail_unit) {
        (Some(code), _) => Some(code),
        (None, Some(u)) => Some(u),
        (None, None) => unit,
    };
    Step::Found(quantity(text, lead.start, end.max(tail_end), value, unit))
}

fn is_percent(unit: &Option<String>) -> bool {
    unit.as_deref()
        .is_some_and(|u| u == "percent" || u == "percentage points")
}

fn quantity(text: &str, start: usize, end: usize, value: f64, unit: Option<String>) -> Quantity {
    Quantity {
        text: text[start..end].to_string(),
        start,
        end,
        value,
        unit,
    }
}

// ---------------------------------------------------------------------------------------
// Numbers in words

fn at_word(text: &str, lex: &Lexicon, tok: Tok, back: &Back, floor: usize) -> Step {
    let Some(first) = lex.number_word(&text[tok.start..tok.end]) else {
        return Step::Nothing;
    };
    // "a million", "a dozen": the automaton finds the scale word; the number starts at
    // the article before it.
    if !matches!(first, NumWord::Small(_)) {
        let Some(article) = back.get(0).filter(|a| {
            a.kind == Kind::Alpha
                && lex.number_word(&text[a.start..a.end]) == Some(NumWord::Article)
        }) else {
            return Step::Nothing;
        };
        let back = Back::before(text, article.start, floor);
        return words_from(text, lex, article, NumWord::Article, &back);
    }
    words_from(text, lex, tok, first, back)
}

fn words_from(text: &str, lex: &Lexicon, tok: Tok, first: NumWord, back: &Back) -> Step {
    let Some((value, end, scaled)) = read_words(text, lex, tok, first) else {
        return Step::Nothing;
    };
    // "one" alone is a pronoun as often as a number.
    if value == 1.0 && !scaled {
        return Step::Nothing;
    }
    // Most number words count nothing ("the two said"): settle that before looking back.
    let (tail_end, unit) = unit_after(text, lex, end, false);
    if unit.is_none() && !scaled {
        return Step::Nothing;
    }
    let lead = lead_before(text, lex, tok, back);
    let unit = lead.currency.or(unit);
    Step::Found(quantity(text, lead.start, end.max(tail_end), value, unit))
}

/// Reads "forty-two", "two hundred and fifty thousand", "a dozen", "three million":
/// (value, end, whether a scale word or "dozen" was read).
fn read_words(text: &str, lex: &Lexicon, first: Tok, class: NumWord) -> Option<(f64, usize, bool)> {
    #[derive(PartialEq, Clone, Copy)]
    enum Last {
        Start,
        Article,
        Units,
        Teen,
        Tens,
        Hundred,
        Scale,
    }
    let mut total = 0.0_f64;
    let mut current = 0.0_f64;
    let mut last = Last::Start;
    let mut end = first.start;
    let mut scaled = false;
    let mut max_scale = i32::MAX;
    let mut tok = first;
    let mut class = class;
    loop {
        let next = match class {
            NumWord::Article if last == Last::Start => Last::Article,
            NumWord::Small(n) if n < 10 => {
                if last == Last::Tens {
                    // "forty two" / "forty-two"
                } else if !matches!(last, Last::Start | Last::Hundred | Last::Scale) {
                    break;
                }
                current += f64::from(n);
                Last::Units
            }
            NumWord::Small(n) if n < 20 => {
                if !matches!(last, Last::Start | Last::Hundred | Last::Scale) {
                    break;
                }
                current += f64::from(n);
                Last::Teen
            }
            NumWord::Small(n) => {
                if !matches!(last, Last::Start | Last::Hundred | Last::Scale) {
                    break;
                }
                current += f64::from(n);
                Last::Tens
            }
            NumWord::Hundred => {
                if !matches!(last, Last::Article | Last::Units | Last::Teen) {
                    break;
                }
                current = current.max(1.0) * 100.0;
                scaled = true;
                Last::Hundred
            }
            NumWord::Scale(p) => {
                if last == Last::Start || last == Last::Scale || p >= max_scale {
                    break;
                }
                max_scale = p;
                total += current.max(1.0) * 10f64.powi(p);
                current = 0.0;
                scaled = true;
                Last::Scale
            }
            NumWord::Dozen => {
                if !matches!(last, Last::Article | Last::Units | Last::Teen) {
                    break;
                }
                current = current.max(1.0) * 12.0;
                end = tok.end;
                scaled = true;
                break;
            }
            _ => break,
        };
        last = next;
        end = tok.end;
        // The next number word: after a hyphen ("forty-two") or "and" ("hundred and five").
        let Some(mut t) = next_token(text, end) else {
            break;
        };
        let joiner = &text[t.start..t.end];
        if (joiner == "-" && last == Last::Tens && t.start == end)
            || (joiner.eq_ignore_ascii_case("and") && matches!(last, Last::Hundred | Last::Scale))
        {
            match next_token(text, t.end) {
                Some(n) if joiner != "-" || n.start == t.end => t = n,
                _ => break,
            }
            // "and" and "-" only join a number to a word below a hundred.
            match lex.number_word(&text[t.start..t.end]) {
                Some(NumWord::Small(_)) => {}
                _ => break,
            }
        }
        if t.kind != Kind::Alpha {
            break;
        }
        match lex.number_word(&text[t.start..t.end]) {
            Some(c) => {
                class = c;
                tok = t;
            }
            None => break,
        }
    }
    if last == Last::Article && !scaled {
        return None;
    }
    let value = total + current;
    (value > 0.0).then_some((value, end, scaled))
}

// ---------------------------------------------------------------------------------------
// What is counted

/// The longest word looked up in the lexicon; longer ones are in none.
const MAX_KEY: usize = 24;
// whole words of eight bytes, for `text::ascii_lower_into`
const _: () = assert!(MAX_KEY & 7 == 0);

/// `word` in ASCII lower case, in `buf`; None when it is too long to be in any set.
fn lower<'a>(word: &str, buf: &'a mut [u8; MAX_KEY]) -> Option<&'a str> {
    std::str::from_utf8(lower_bytes(word.as_bytes(), buf)?).ok()
}

/// [`lower`] as bytes.
fn lower_bytes<'a>(word: &[u8], buf: &'a mut [u8; MAX_KEY]) -> Option<&'a [u8]> {
    if word.len() <= MAX_KEY && word.is_ascii() {
        crate::text::ascii_lower_into(word, buf);
        return buf.get(..word.len());
    }
    let out = buf.get_mut(..word.len())?;
    out.copy_from_slice(word);
    out.make_ascii_lowercase();
    Some(out)
}

/// The longest lexicon phrase read after a number from `from` on: its end and meaning.
fn phrase_after<'l>(text: &str, lex: &'l Lexicon, from: usize) -> Option<(usize, &'l After)> {
    let tok = next_token(text, from)?;
    lex.entry(text, tok)?
        .after
        .iter()
        .find_map(|(p, a)| p.after(text, from).map(|end| (end, a)))
}

/// What follows a number (and its scale word): a percent word, a currency word, or the
/// noun counted. Returns the end of what was read and the unit.
fn unit_after(text: &str, lex: &Lexicon, from: usize, money: bool) -> (usize, Option<String>) {
    match phrase_after(text, lex, from) {
        Some((end, After::Percent)) => return (end, Some("percent".to_string())),
        Some((end, After::Points)) => return (end, Some("percentage points".to_string())),
        Some((end, After::Currency(code))) => return (end, Some(code.clone())),
        _ => {}
    }
    if money {
        return (from, None);
    }
    noun_after(text, lex, from)
}

fn flags(lex: &Lexicon, word: &str) -> u8 {
    lex.entries.get(word.as_bytes()).map_or(0, |e| e.flags)
}

/// `word` is in lower case; `flags` are the lexicon's for it.
fn looks_plural(word: &str, flags: u8) -> bool {
    if flags & PLURAL != 0 {
        return true;
    }
    word.len() >= 3
        && word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is")
        && flags & SINGULAR == 0
}

/// The noun a number counts: up to three words on, the last plural among them ("40,000
/// Syrian refugees", "20 police officers"), else the first word that is no verb form
/// ("1 year"). "40-year-old" counts "year".
fn noun_after(text: &str, lex: &Lexicon, from: usize) -> (usize, Option<String>) {
    let Some(first) = next_token(text, from) else {
        return (from, None);
    };
    if first.start == from && &text[first.start..first.end] == "-" {
        return match next_token(text, first.end) {
            Some(w) if w.start == first.end && w.kind == Kind::Alpha => {
                (w.end, Some(text[w.start..w.end].to_lowercase()))
            }
            _ => (from, None),
        };
    }
    let mut pos = from;
    let mut plural: Option<(usize, String)> = None;
    let mut fallback: Option<(usize, String)> = None;
    for _ in 0..3 {
        let Some(t) = next_token(text, pos) else {
            break;
        };
        if t.kind != Kind::Alpha {
            break;
        }
        let mut buf = [0; MAX_KEY];
        let Some(word) = lower(&text[t.start..t.end], &mut buf) else {
            break;
        };
        let f = flags(lex, word);
        if f & STOP != 0 || lex.number_word(word).is_some() {
            break;
        }
        pos = t.end;
        if f & MODIFIER != 0 {
            continue;
        }
        if looks_plural(word, f) {
            plural = Some((t.end, word.to_string()));
            continue;
        }
        if plural.is_some() {
            break;
        }
        let verb_like = ["ed", "ly", "ing"].iter().any(|s| word.ends_with(s));
        let capital = text.as_bytes()[t.start].is_ascii_uppercase();
        if fallback.is_none() && !verb_like && !capital {
            fallback = Some((t.end, word.to_string()));
        }
    }
    match plural.or(fallback) {
        Some((end, word)) => (end, Some(word)),
        None => (from, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(String, f64, Option<String>)> {
        find_quantities(text)
            .into_iter()
            .map(|q| (q.text, q.value, q.unit))
            .collect()
    }

    fn one(text: &str) -> (String, f64, Option<String>) {
        let all = found(text);
        assert_eq!(all.len(), 1, "{text:?} gave {all:?}");
        all.into_iter().next().expect("one quantity")
    }

    fn q(text: &str, value: f64, unit: Option<&str>) -> (String, f64, Option<String>) {
        (text.to_string(), value, unit.map(str::to_string))
    }

    #[test]
    fn counts_with_their_nouns() {
        assert_eq!(
            one("The camp holds roughly 40,000 refugees now."),
            q("roughly 40,000 refugees", 40000.0, Some("refugees"))
        );
        assert_eq!(one("cut 3,000 jobs"), q("3,000 jobs", 3000.0, Some("jobs")));
        assert_eq!(
            one("more than 40,000 Syrian refugees fled"),
            q(
                "more than 40,000 Syrian refugees",
                40000.0,
                Some("refugees")
            )
        );
        assert_eq!(
            one("at least 12 people died"),
            q("at least 12 people", 12.0, Some("people"))
        );
        assert_eq!(
            one("some 20 police officers"),
            q("some 20 police officers", 20.0, Some("officers"))
        );
        assert_eq!(one("5,000 were killed"), q("5,000", 5000.0, None));
        assert_eq!(one("aged 40."), q("40", 40.0, None));
        assert_eq!(one("a 40-year-old man"), q("40-year", 40.0, Some("year")));
        assert_eq!(one("only 1 year left"), q("1 year", 1.0, Some("year")));
    }

    #[test]
    fn money_and_scales() {
        assert_eq!(
            one("a $4.5 billion deal"),
            q("$4.5 billion", 4.5e9, Some("USD"))
        );
        assert_eq!(one("raised €20m."), q("€20m", 2e7, Some("EUR")));
        assert_eq!(one("cost £3bn"), q("£3bn", 3e9, Some("GBP")));
        assert_eq!(one("US$5 each"), q("US$5", 5.0, Some("USD")));
        assert_eq!(
            one("up to 2 million dollars"),
            q("up to 2 million dollars", 2e6, Some("USD"))
        );
        assert_eq!(
            one("1.15 million barrels"),
            q("1.15 million barrels", 1_150_000.0, Some("barrels"))
        );
        assert_eq!(one("$300k"), q("$300k", 300_000.0, Some("USD")));
        // Without money, "20m" is metres.
        assert_eq!(one("a 20m wall"), q("20m", 20.0, Some("m")));
    }

    #[test]
    fn percentages() {
        assert_eq!(one("rose 12%"), q("12%", 12.0, Some("percent")));
        assert_eq!(
            one("rose 12 percent"),
            q("12 percent", 12.0, Some("percent"))
        );
        assert_eq!(
            one("fell 3.5 per cent."),
            q("3.5 per cent", 3.5, Some("percent"))
        );
        assert_eq!(
            one("by nearly two percentage points"),
            q(
                "nearly two percentage points",
                2.0,
                Some("percentage points")
            )
        );
        assert_eq!(
            one("about 1990 percent"),
            q("about 1990 percent", 1990.0, Some("percent"))
        );
    }

    #[test]
    fn number_words() {
        assert_eq!(
            one("two million people"),
            q("two million people", 2e6, Some("people"))
        );
        assert_eq!(one("a dozen"), q("a dozen", 12.0, None));
        assert_eq!(
            one("Five soldiers died"),
            q("Five soldiers", 5.0, Some("soldiers"))
        );
        assert_eq!(
            one("forty-two hostages"),
            q("forty-two hostages", 42.0, Some("hostages"))
        );
        assert_eq!(
            one("two hundred and fifty thousand voters"),
            q(
                "two hundred and fifty thousand voters",
                250_000.0,
                Some("voters")
            )
        );
        assert_eq!(one("a million"), q("a million", 1e6, None));
        assert_eq!(
            one("one billion euros"),
            q("one billion euros", 1e9, Some("EUR"))
        );
        // Not numbers: a pronoun "one", a number counting nothing, "a" alone, plurals.
        assert!(found("No one said one of the two had a plan; thousands of them").is_empty());
    }

    #[test]
    fn not_quantities() {
        for text in [
            "in 2019",
            "Founded in 1998, it",
            "on March 6",
            "on 6 March",
            "Mar. 6",
            "at 10:30",
            "at 6 p.m.",
            "at 6pm",
            "the 3rd time",
            "the 1990s",
            "call 555-123-4567",
            "call +44 20 7946 0958",
            "dial 0207 946",
            "ID 12345678",
            "No. 10 Downing Street",
            "Article 5",
            "COVID-19",
            "won 3-1",
            "1/2",
            "version 1.2.3",
            "2025-03-06",
            "footnote (3) here",
        ] {
            assert!(found(text).is_empty(), "{text:?} gave {:?}", found(text));
        }
    }

    #[test]
    fn separators() {
        assert_eq!(one("40\u{202f}000 people").1, 40000.0);
        assert_eq!(one("40\u{2009}000 people").1, 40000.0);
        assert_eq!(one("1,234,567.5 tonnes").1, 1_234_567.5);
        // A comma not followed by a group of three ends the number... and is not ours.
        assert!(found("1,2,3").is_empty());
        assert_eq!(
            found("In 2019, 40 people"),
            vec![q("40 people", 40.0, Some("people"))]
        );
    }

    #[test]
    fn offsets_are_bytes_on_char_boundaries() {
        let text = "“Über 5,000 Menschen,” Müller said; «€20m» for 12 % of 3 Straßen.";
        let got = find_quantities(text);
        for q in &got {
            assert!(text.is_char_boundary(q.start) && text.is_char_boundary(q.end));
            assert_eq!(&text[q.start..q.end], q.text);
        }
        let texts: Vec<&str> = got.iter().map(|q| q.text.as_str()).collect();
        assert_eq!(texts, ["5,000", "€20m", "12 %", "3"]);
        assert_eq!(got[0].start, "“Über ".len());
    }

    #[test]
    fn never_panics_on_adversarial_text() {
        let cases = [
            String::new(),
            "9".repeat(1_000_000),
            "1,".repeat(10_000),
            "1,000".repeat(10_000),
            "$".repeat(1000) + "5",
            "€".into(),
            "é9".into(),
            "((((((".into(),
            "March ".repeat(10_000),
            "one ".repeat(10_000),
            "a hundred and ".repeat(1000),
            "twenty-".repeat(1000),
            "million billion trillion thousand hundred dozen".into(),
            "9.".repeat(10_000),
            "0.0000000000000000000000000000001 1e308 99999999999999999999".into(),
            "\u{202f}\u{2009}\u{a0}5\u{202f}".into(),
            "5\u{e2}".into(),
        ];
        for text in &cases {
            for q in find_quantities(text) {
                assert_eq!(&text[q.start..q.end], q.text);
                assert!(q.value.is_finite());
            }
        }
    }
}
