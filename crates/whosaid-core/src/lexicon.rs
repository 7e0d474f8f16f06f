//! Word lists the extractor relies on, kept as data files under `lexicon/` and pulled in
//! at compile time: reporting verbs (with their inflections made by rule), titles, role
//! nouns, collective nouns, organisation words, places, demonyms and first names. This
//! module only answers "what is this word?"; it makes no decision about statements.

use crate::hash::FastMap;
use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::OnceLock;

/// Lexicon classes of a lower-cased word, as a bit set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Lex(u32);

impl Lex {
    pub const CUE: Lex = Lex(1);
    pub const TITLE: Lex = Lex(1 << 1);
    pub const ROLE: Lex = Lex(1 << 2);
    pub const GROUP: Lex = Lex(1 << 3);
    pub const ORG: Lex = Lex(1 << 4);
    pub const PRONOUN: Lex = Lex(1 << 5);
    pub const DET: Lex = Lex(1 << 6);
    pub const FUNC: Lex = Lex(1 << 7);
    pub const AUX: Lex = Lex(1 << 8);
    pub const ABBREV: Lex = Lex(1 << 9);
    pub const FIRST_NAME: Lex = Lex(1 << 10);
    pub const DEMONYM: Lex = Lex(1 << 11);
    pub const NOMINAL_CUE: Lex = Lex(1 << 12);
    pub const TIME: Lex = Lex(1 << 13);
    /// A sentence adverb or connective that may open a clause ("However,").
    pub const ADVERB: Lex = Lex(1 << 14);
    /// A reporting-verb form that is a cue only before "that".
    pub const WEAK_CUE: Lex = Lex(1 << 15);
    /// A word of a short adjunct after a cue ("on", "statement", "reporters").
    pub const ADJUNCT: Lex = Lex(1 << 16);
    /// A verb outside the reporting lexicon that annotators often took as a cue
    /// ("blasted", "unveiled"): mined from PolNeAR train, `lexicon/open_cues.txt`.
    pub const OPEN_CUE: Lex = Lex(1 << 17);
    /// A word that often ends a cue whose content follows it ("accused", "about",
    /// "announced"): mined from PolNeAR train, `lexicon/cue_ends.txt`.
    pub const CUE_END: Lex = Lex(1 << 18);
    /// The second word of a pair in `lexicon/cue_ends.txt` ("for" of "called for").
    pub const CUE_END_PAIR: Lex = Lex(1 << 19);
    /// The first word of a pair in `lexicon/cue_ends.txt` ("called" of "called for"):
    /// only after such a word is the pair worth looking up.
    pub const CUE_END_PAIR_FIRST: Lex = Lex(1 << 20);

    pub const fn empty() -> Lex {
        Lex(0)
    }
    pub fn contains(self, other: Lex) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }
    pub fn intersects(self, other: Lex) -> bool {
        self.0 & other.0 != 0
    }
    pub fn insert(&mut self, other: Lex) {
        self.0 |= other.0;
    }
}

impl std::ops::BitOr for Lex {
    type Output = Lex;
    fn bitor(self, o: Lex) -> Lex {
        Lex(self.0 | o.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CueClass {
    /// Speech or writing: said, told, wrote.
    Speech,
    /// Belief, cognition, intention: believes, expects.
    Cognition,
    /// Weak: seems, appears; a cue only with a "that" clause.
    Weak,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerbForm {
    Base,
    Past,
    Participle,
    Third,
    Gerund,
}

#[derive(Debug, Clone, Copy)]
pub struct CueVerb {
    pub class: CueClass,
    pub form: VerbForm,
    pub lemma: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    Male,
    Female,
}

// looked up by word during extraction: the crate's word hasher (SipHash's setup would
// cost more than the lookup itself)
type WordSet<K> = HashSet<K, std::hash::BuildHasherDefault<crate::hash::WordHasher>>;

pub struct Lexicon {
    // the word lists' own words where they are lower-case already (nearly all), so that
    // loading copies only the rest and the verb forms made by rule
    classes: FastMap<Cow<'static, str>, Lex>,
    cues: FastMap<Cow<'static, str>, CueVerb>,
    first_names: FastMap<&'static str, Gender>,
    places: WordSet<&'static str>,
    demonyms: FastMap<&'static str, &'static str>,
    /// How often each word of `cue_ends.txt` ended a cue in train, in tenths (0–10).
    cue_end_rates: FastMap<&'static str, u8>,
}

const REPORTING_VERBS: &str = include_str!("../lexicon/reporting_verbs.txt");
const NOMINAL_CUES: &str = include_str!("../lexicon/nominal_cues.txt");
const ABBREVIATIONS: &str = include_str!("../lexicon/abbreviations.txt");
const TITLES: &str = include_str!("../lexicon/titles.txt");
const ROLES: &str = include_str!("../lexicon/roles.txt");
const GROUPS: &str = include_str!("../lexicon/groups.txt");
const ORG_WORDS: &str = include_str!("../lexicon/org_words.txt");
const PLACES: &str = include_str!("../lexicon/places.txt");
const DEMONYMS: &str = include_str!("../lexicon/demonyms.txt");
const FIRST_NAMES: &str = include_str!("../lexicon/first_names.txt");
const FUNCTION_WORDS: &str = include_str!("../lexicon/function_words.txt");
const WEAK_CUE_FORMS: &str = include_str!("../lexicon/weak_cue_forms.txt");
const ADJUNCT_WORDS: &str = include_str!("../lexicon/adjunct_words.txt");
const SENTENCE_ADVERBS: &str = include_str!("../lexicon/sentence_adverbs.txt");
const OPEN_CUES: &str = include_str!("../lexicon/open_cues.txt");
const CUE_ENDS: &str = include_str!("../lexicon/cue_ends.txt");

const PRONOUNS: &[&str] = &["he", "she", "they", "it", "i", "we", "you", "who"];
const DETERMINERS: &[&str] = &[
    "the", "a", "an", "another", "his", "her", "their", "its", "our", "my", "your", "some", "many",
    "several", "most", "other", "one", "two", "three", "four", "five", "both", "all", "this",
    "these", "those", "that", "top", "senior", "former", "several",
];
const AUXILIARIES: &[&str] = &[
    "has",
    "have",
    "had",
    "was",
    "were",
    "is",
    "are",
    "been",
    "will",
    "would",
    "also",
    "later",
    "then",
    "previously",
    "earlier",
    "once",
    "repeatedly",
    "publicly",
    "privately",
    "recently",
    "often",
    "again",
    "reportedly",
    "allegedly",
    "already",
    "further",
    "had",
    "has",
    "does",
    "did",
    "do",
    "not",
    "never",
    "even",
    "still",
    "just",
    "first",
    "since",
    "long",
    "always",
    "may",
    "might",
    "could",
    "can",
    "should",
    "would",
    "must",
    "flatly",
    "firmly",
    "strongly",
    "openly",
    "clearly",
    "correctly",
    "rightly",
    "wrongly",
    "falsely",
    "frequently",
    "initially",
    "originally",
    "subsequently",
    "similarly",
    "separately",
    "likewise",
    "immediately",
    "quickly",
    "simply",
    "widely",
    "generally",
    "recently",
    "last",
];
const TIME_WORDS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "today",
    "yesterday",
    "tonight",
    "earlier",
    "later",
    "week",
    "month",
    "year",
    "morning",
    "afternoon",
    "evening",
    "night",
    "weekend",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn data_lines(s: &'static str) -> impl Iterator<Item = &'static str> {
    crate::gate::lines(s)
        .map(trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// `str::trim`, answered without a search for a line that starts and ends with a
/// visible ASCII char, as nearly every line of the word lists does.
fn trim(l: &str) -> &str {
    let visible = |b: Option<&u8>| b.is_some_and(u8::is_ascii_graphic);
    if visible(l.as_bytes().first()) && visible(l.as_bytes().last()) {
        l
    } else {
        l.trim()
    }
}

/// `s.split_once(sep)` for an ASCII `sep`, by a plain look along a short line rather
/// than the general searcher (whose setup costs more than the line).
fn split_once_byte(s: &str, sep: u8) -> Option<(&str, &str)> {
    let i = s.bytes().position(|b| b == sep)?;
    // an ASCII byte is a char of its own, so both sides are whole chars
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// The lines of a word list, an upper bound on its entries: a map sized for them never
/// grows while the list is read.
const fn line_count(s: &str) -> usize {
    let b = s.as_bytes();
    let mut n = 1;
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\n' {
            n += 1;
        }
        i += 1;
    }
    n
}

/// Regular inflections of a verb: (past = participle, third person, gerund).
fn inflect(lemma: &str) -> (String, String, String) {
    let b = lemma.as_bytes();
    let last = b.last().copied().unwrap_or(b'x');
    let before = if b.len() >= 2 { b[b.len() - 2] } else { b'x' };
    let vowel = |c: u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u');
    if last == b'e' {
        let stem = &lemma[..lemma.len() - 1];
        let ing = if lemma.ends_with("ee") || lemma.ends_with("ye") || lemma.ends_with("oe") {
            format!("{lemma}ing")
        } else {
            format!("{stem}ing")
        };
        (format!("{lemma}d"), format!("{lemma}s"), ing)
    } else if last == b'y' && !vowel(before) {
        let stem = &lemma[..lemma.len() - 1];
        (
            format!("{stem}ied"),
            format!("{stem}ies"),
            format!("{lemma}ing"),
        )
    } else if matches!(last, b's' | b'x' | b'z') || lemma.ends_with("ch") || lemma.ends_with("sh") {
        (
            format!("{lemma}ed"),
            format!("{lemma}es"),
            format!("{lemma}ing"),
        )
    } else {
        (
            format!("{lemma}ed"),
            format!("{lemma}s"),
            format!("{lemma}ing"),
        )
    }
}

impl Lexicon {
    fn build() -> Lexicon {
        // room for every word of the lists (about 2,800), so that the map never grows
        let mut classes: FastMap<Cow<'static, str>, Lex> =
            FastMap::with_capacity_and_hasher(4096, Default::default());
        let mut add = |w: Cow<'static, str>, l: Lex| {
            // ASCII with no capital is its own lower case
            let key = if w.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
                w
            } else {
                Cow::Owned(w.to_lowercase())
            };
            classes.entry(key).or_default().insert(l);
        };
        for w in data_lines(ABBREVIATIONS) {
            add(Cow::Borrowed(w), Lex::ABBREV);
        }
        for w in data_lines(TITLES) {
            add(Cow::Borrowed(w), Lex::TITLE);
        }
        for w in data_lines(ROLES) {
            add(Cow::Borrowed(w), Lex::ROLE);
        }
        for w in data_lines(GROUPS) {
            add(Cow::Borrowed(w), Lex::GROUP);
        }
        for w in data_lines(ORG_WORDS) {
            add(Cow::Borrowed(w), Lex::ORG);
        }
        for w in data_lines(FUNCTION_WORDS) {
            add(Cow::Borrowed(w), Lex::FUNC);
        }
        for w in data_lines(NOMINAL_CUES) {
            add(Cow::Borrowed(w), Lex::NOMINAL_CUE);
        }
        for w in data_lines(WEAK_CUE_FORMS) {
            add(Cow::Borrowed(w), Lex::WEAK_CUE);
        }
        for w in data_lines(ADJUNCT_WORDS) {
            add(Cow::Borrowed(w), Lex::ADJUNCT);
        }
        for w in data_lines(SENTENCE_ADVERBS) {
            add(Cow::Borrowed(w), Lex::ADVERB);
        }
        // "word  # counts": the counts are for the reader
        for w in data_lines(OPEN_CUES).filter_map(|l| l.split_whitespace().next()) {
            add(Cow::Borrowed(w), Lex::OPEN_CUE);
        }
        // "word<TAB>cues/occurrences", or a pair of words ("called for") whose second
        // word alone is no cue
        let mut cue_end_rates =
            FastMap::with_capacity_and_hasher(const { line_count(CUE_ENDS) }, Default::default());
        for l in data_lines(CUE_ENDS) {
            let Some((w, r)) = split_once_byte(l, b'\t') else {
                continue;
            };
            match split_once_byte(w, b' ') {
                Some((first, second)) => {
                    add(Cow::Borrowed(first), Lex::CUE_END_PAIR_FIRST);
                    add(Cow::Borrowed(second), Lex::CUE_END_PAIR);
                }
                None => add(Cow::Borrowed(w), Lex::CUE_END),
            }
            let rate = r
                .trim()
                .split_once('/')
                .and_then(|(c, n)| Some(c.parse::<f32>().ok()? / n.parse::<f32>().ok()?))
                .unwrap_or(0.0);
            cue_end_rates.insert(w, (rate * 10.0).clamp(0.0, 10.0) as u8);
        }
        for w in PRONOUNS {
            add(Cow::Borrowed(*w), Lex::PRONOUN);
        }
        for w in DETERMINERS {
            add(Cow::Borrowed(*w), Lex::DET);
        }
        for w in AUXILIARIES {
            add(Cow::Borrowed(*w), Lex::AUX);
        }
        for w in TIME_WORDS {
            add(Cow::Borrowed(*w), Lex::TIME);
        }
        let mut first_names = FastMap::with_capacity_and_hasher(
            const { line_count(FIRST_NAMES) },
            Default::default(),
        );
        for l in data_lines(FIRST_NAMES) {
            if let Some((n, g)) = split_once_byte(l, b'|') {
                let g = if g == "f" {
                    Gender::Female
                } else {
                    Gender::Male
                };
                first_names.insert(n, g);
                add(Cow::Borrowed(n), Lex::FIRST_NAME);
            }
        }
        let mut demonyms =
            FastMap::with_capacity_and_hasher(const { line_count(DEMONYMS) }, Default::default());
        for l in data_lines(DEMONYMS) {
            if let Some((d, c)) = split_once_byte(l, b'|') {
                demonyms.insert(d, c);
                add(Cow::Borrowed(d), Lex::DEMONYM);
            }
        }
        let mut places: WordSet<&'static str> =
            WordSet::with_capacity_and_hasher(const { line_count(PLACES) }, Default::default());
        places.extend(data_lines(PLACES));

        // a verb has five forms at most
        let mut cues = FastMap::with_capacity_and_hasher(
            const { 5 * line_count(REPORTING_VERBS) },
            Default::default(),
        );
        for l in data_lines(REPORTING_VERBS) {
            let f: Vec<&'static str> = l.split_whitespace().collect();
            if f.len() < 2 {
                continue;
            }
            let class = match f[0] {
                "S" => CueClass::Speech,
                "C" => CueClass::Cognition,
                _ => CueClass::Weak,
            };
            let lemma = f[1];
            let forms: Vec<(Cow<'static, str>, VerbForm)> = if f.len() >= 6 {
                vec![
                    (f[1].into(), VerbForm::Base),
                    (f[2].into(), VerbForm::Past),
                    (f[3].into(), VerbForm::Participle),
                    (f[4].into(), VerbForm::Third),
                    (f[5].into(), VerbForm::Gerund),
                ]
            } else {
                let (past, third, ing) = inflect(lemma);
                vec![
                    (lemma.into(), VerbForm::Base),
                    (past.into(), VerbForm::Past),
                    (third.into(), VerbForm::Third),
                    (ing.into(), VerbForm::Gerund),
                ]
            };
            for (w, form) in forms {
                add(w.clone(), Lex::CUE);
                cues.entry(w).or_insert(CueVerb { class, form, lemma });
            }
        }
        Lexicon {
            classes,
            cues,
            first_names,
            places,
            demonyms,
            cue_end_rates,
        }
    }
}

pub fn lexicon() -> &'static Lexicon {
    static LEX: OnceLock<Lexicon> = OnceLock::new();
    LEX.get_or_init(Lexicon::build)
}

/// Classes of a lower-cased word.
pub fn classes(lower: &str) -> Lex {
    lexicon().classes.get(lower).copied().unwrap_or_default()
}

/// Classes of an ASCII word in any case: `classes(&word.to_ascii_lowercase())`. This is
/// the tokenizer's lookup for nearly every word, so it lower-cases eight bytes at a time
/// into a fixed-size key and probes a flat table instead of hashing a String.
pub fn classes_ascii(word: &str) -> Lex {
    match WordKey::of(word) {
        Some(key) => word_table().get(&key),
        // longer than a key holds, or not ASCII: rare, and the map has every word
        None => classes(&word.to_ascii_lowercase()),
    }
}

/// [`classes_ascii`] of `text[start..end]`, an ASCII word, reading 24 bytes of `text`
/// from `start` when there are that many and masking off what follows the word: no
/// variable-length copy, whose size-dependent branches mispredict from word to word.
pub fn classes_ascii_in(text: &str, start: usize, end: usize) -> Lex {
    let len = end.saturating_sub(start);
    let Some(window) = text.as_bytes().get(start..start + WordKey::MAX) else {
        return text.get(start..end).map_or(Lex::empty(), classes_ascii);
    };
    if len > WordKey::MAX {
        return text.get(start..end).map_or(Lex::empty(), classes_ascii);
    }
    // the low `k` bytes of a u64 set, for k in 0..=8: a table, as the shift it stands
    // for (through u128, since a u64 shift by 64 overflows) took ten times the work
    const KEEP: [u64; 9] = {
        let mut m = [0; 9];
        let mut k = 1;
        while k < 9 {
            m[k] = u64::MAX >> (64 - 8 * k);
            k += 1;
        }
        m
    };
    // most words fit one u64: the one word loaded, tested and lower-cased, and the
    // table's probe comparing it alone (a key of that length is zero past it)
    if let Some(&head) = window.first_chunk::<8>() {
        if len <= 8 {
            let raw = u64::from_le_bytes(head) & KEEP[len];
            if raw & 0x8080_8080_8080_8080 == 0 {
                return word_table().get_one_word(ascii_lower(raw), len as u32);
            }
        }
    }
    let mut raw = [0; 3];
    for (j, (w, chunk)) in raw.iter_mut().zip(window.chunks_exact(8)).enumerate() {
        let mut bytes = [0; 8];
        bytes.copy_from_slice(chunk);
        // the bytes of this u64 that belong to the word: 0 to 8
        let keep = len.saturating_sub(8 * j).min(8);
        *w = u64::from_le_bytes(bytes) & KEEP[keep];
    }
    match WordKey::from_raw(raw, len) {
        Some(key) => word_table().get(&key),
        None => text.get(start..end).map_or(Lex::empty(), classes_ascii),
    }
}

/// An ASCII word of up to 24 bytes, lower-cased, zero-padded into three u64s.
#[derive(Clone, Copy, PartialEq, Eq)]
struct WordKey {
    words: [u64; 3],
    len: u32,
}

impl WordKey {
    const MAX: usize = 24;

    fn of(word: &str) -> Option<WordKey> {
        let b = word.as_bytes();
        let mut padded = [0; WordKey::MAX];
        padded.get_mut(..b.len())?.copy_from_slice(b);
        let mut raw = [0; 3];
        for (w, chunk) in raw.iter_mut().zip(padded.chunks_exact(8)) {
            let mut bytes = [0; 8];
            bytes.copy_from_slice(chunk);
            *w = u64::from_le_bytes(bytes);
        }
        WordKey::from_raw(raw, b.len())
    }

    /// The key of a word of `len` bytes packed into `raw`, zero past its end.
    fn from_raw(raw: [u64; 3], len: usize) -> Option<WordKey> {
        // ASCII, tested on the packed words rather than byte by byte
        if (raw[0] | raw[1] | raw[2]) & 0x8080_8080_8080_8080 != 0 {
            return None;
        }
        // at most 24, so it fits
        let len = u32::try_from(len).ok()?;
        Some(WordKey {
            words: raw.map(ascii_lower),
            len,
        })
    }

    fn hash(&self) -> u64 {
        let [a, b, c] = self.words;
        WordKey::hash_words(a ^ b.rotate_left(21) ^ c.rotate_left(42), self.len)
    }

    /// The hash of a key whose words fold to `folded` (a key of one word: that word).
    #[inline]
    fn hash_words(folded: u64, len: u32) -> u64 {
        (folded ^ u64::from(len)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }
}

/// ASCII lower case of eight ASCII bytes at once: a byte in 'A'..='Z' gets its 0x20 bit
/// set. No byte is 0x80 or above, so the additions never carry between bytes.
pub(crate) fn ascii_lower(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let at_least_a = x.wrapping_add(ONES * (0x80 - u64::from(b'A')));
    let above_z = x.wrapping_add(ONES * (0x80 - u64::from(b'Z') - 1));
    let upper = at_least_a & !above_z & (ONES * 0x80);
    x | (upper >> 2)
}

/// Open addressing over the class map's ASCII keys of up to 24 bytes, made from the map
/// on first use.
struct WordTable {
    /// (key, classes, 1 + the index in `cues` of the reporting verb it is a form of, or
    /// 0); `len == u32::MAX` marks an empty slot.
    slots: Vec<(WordKey, Lex, u16)>,
    shift: u32,
    cues: Vec<CueVerb>,
}

impl WordTable {
    /// [`WordTable::get`] of the key of a word of `len` bytes, at most eight, whose
    /// lower-cased bytes are `word`: the hash `get` takes (the other words are zero), and
    /// the same probe, but comparing the length and the one word.
    #[inline]
    fn get_one_word(&self, word: u64, len: u32) -> Lex {
        self.slot_one_word(word, len)
            .map_or(Lex::empty(), |&(_, lex, _)| lex)
    }

    /// The slot of a word of up to eight bytes (see [`WordTable::get_one_word`]), if the
    /// table holds it.
    #[inline]
    fn slot_one_word(&self, word: u64, len: u32) -> Option<&(WordKey, Lex, u16)> {
        let mask = self.slots.len() - 1;
        let mut i = (WordKey::hash_words(word, len) >> self.shift) as usize;
        loop {
            let slot = &self.slots[i & mask];
            if slot.0.len == len && slot.0.words[0] == word {
                return Some(slot);
            }
            if slot.0.len == u32::MAX {
                return None;
            }
            i += 1;
        }
    }

    /// The reporting verb a word of up to eight bytes, lower-cased into `word`, is a
    /// form of (the probe of [`WordTable::get_one_word`]).
    #[inline]
    fn cue_one_word(&self, word: u64, len: u32) -> Option<CueVerb> {
        let &(_, _, cue) = self.slot_one_word(word, len)?;
        self.cues.get(usize::from(cue).checked_sub(1)?).copied()
    }

    fn get(&self, key: &WordKey) -> Lex {
        let mask = self.slots.len() - 1;
        // the table is under half full, so a probe ends at an empty slot
        let mut i = (key.hash() >> self.shift) as usize;
        loop {
            let (k, lex, _) = &self.slots[i & mask];
            if k == key {
                return *lex;
            }
            if k.len == u32::MAX {
                return Lex::empty();
            }
            i += 1;
        }
    }
}

fn word_table() -> &'static WordTable {
    static TABLE: OnceLock<WordTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let lexicon = lexicon();
        let keys: Vec<(WordKey, Lex)> = lexicon
            .classes
            .iter()
            .filter_map(|(w, &lex)| Some((WordKey::of(w)?, lex)))
            .collect();
        let bits = (keys.len() * 2)
            .max(16)
            .next_power_of_two()
            .trailing_zeros();
        let empty = WordKey {
            words: [0; 3],
            len: u32::MAX,
        };
        let mut table = WordTable {
            slots: vec![(empty, Lex::empty(), 0); 1 << bits],
            shift: 64 - bits,
            cues: Vec::with_capacity(lexicon.cues.len()),
        };
        let mask = table.slots.len() - 1;
        for (key, lex) in keys {
            let mut i = (key.hash() >> table.shift) as usize;
            // map keys are distinct, so each goes to its own empty slot
            while table.slots[i & mask].0.len != u32::MAX {
                i += 1;
            }
            table.slots[i & mask] = (key, lex, 0);
        }
        // every form of a reporting verb is in the class map (as a cue), so in the table
        for (w, &cue) in &lexicon.cues {
            let Some(key) = WordKey::of(w) else {
                continue;
            };
            let mut i = (key.hash() >> table.shift) as usize;
            while table.slots[i & mask].0.len != u32::MAX {
                if table.slots[i & mask].0 == key {
                    table.cues.push(cue);
                    table.slots[i & mask].2 = u16::try_from(table.cues.len()).unwrap_or(0);
                    break;
                }
                i += 1;
            }
        }
        table
    })
}

/// The reporting verb a lower-cased word is a form of.
pub fn cue_verb(lower: &str) -> Option<CueVerb> {
    lexicon().cues.get(lower).copied()
}

/// [`cue_verb`] of `text[start..end]` as it stands (not lower-cased), asked of every cue
/// word the rules meet: a word of up to eight lower-case ASCII bytes, as nearly all are,
/// is read from the text as one u64 and found in the word table, which holds every
/// form (all lower-case ASCII words, see the tests); any other word in the map.
pub(crate) fn cue_verb_in(text: &str, start: usize, end: usize) -> Option<CueVerb> {
    let len = end.saturating_sub(start);
    if (1..=8).contains(&len) {
        if let Some(head) = text.as_bytes().get(start..start + 8) {
            let mut bytes = [0; 8];
            bytes.copy_from_slice(head);
            // the word's `len` bytes, zero after them
            let raw = u64::from_le_bytes(bytes) & (u64::MAX >> (64 - 8 * len));
            if raw & 0x8080_8080_8080_8080 == 0 && ascii_lower(raw) == raw {
                return word_table().cue_one_word(raw, len as u32);
            }
        }
    }
    cue_verb(text.get(start..end)?)
}

/// How often a word or pair ("called for") of `cue_ends.txt` ended a cue in train, in
/// tenths.
pub fn cue_end_rate(lower: &str) -> Option<u8> {
    lexicon().cue_end_rates.get(lower).copied()
}

pub fn first_name_gender(lower: &str) -> Option<Gender> {
    lexicon().first_names.get(lower).copied()
}

pub fn is_place(name: &str) -> bool {
    lexicon().places.contains(name)
}

pub fn demonym_country(word: &str) -> Option<&'static str> {
    lexicon().demonyms.get(word).copied()
}

/// Number of distinct reporting-verb lemmas (for docs and tests).
pub fn reporting_verb_count() -> usize {
    let set: HashSet<&str> = lexicon().cues.values().map(|c| c.lemma).collect();
    set.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflections_by_rule() {
        assert_eq!(cue_verb("noted").map(|c| c.lemma), Some("note"));
        assert_eq!(cue_verb("emphasising").map(|c| c.lemma), Some("emphasise"));
        assert_eq!(cue_verb("emphasized").map(|c| c.lemma), Some("emphasize"));
        assert_eq!(cue_verb("denies").map(|c| c.lemma), Some("deny"));
        assert_eq!(cue_verb("said").map(|c| c.form), Some(VerbForm::Past));
        assert_eq!(cue_verb("stressing").map(|c| c.lemma), Some("stress"));
        assert!(cue_verb("table").is_none());
    }

    #[test]
    fn at_least_150_reporting_verbs() {
        assert!(reporting_verb_count() >= 150, "{}", reporting_verb_count());
    }

    #[test]
    fn ascii_lookup_agrees_with_the_map() {
        for (w, &lex) in &lexicon().classes {
            if w.is_ascii() {
                assert_eq!(classes_ascii(w), lex, "{w}");
                assert_eq!(classes_ascii(&w.to_ascii_uppercase()), lex, "{w}");
            }
        }
        let words = "Said SAID said saidx sai @ [] `z{ Minister internationalisation \
                     counterrevolutionaries abcdefghijklmnopqrstuvwxyz zzzz Mr MR mr \
                     Müller JOSÉ é";
        for w in words.split_whitespace().chain(["", "ab\0"]) {
            assert_eq!(classes_ascii(w), classes(&w.to_ascii_lowercase()), "{w}");
            // the same word inside a text, with and without 24 bytes after its start
            for (pre, post) in [
                ("", ""),
                ("x ", " and a long tail of text after it"),
                ("é", "é"),
            ] {
                let text = format!("{pre}{w}{post}");
                let got = classes_ascii_in(&text, pre.len(), pre.len() + w.len());
                assert_eq!(got, classes_ascii(w), "{text:?}");
            }
        }
        for (w, &lex) in &lexicon().classes {
            if w.is_ascii() {
                let text = format!("{}.{}", w.to_ascii_uppercase(), "Z".repeat(30));
                assert_eq!(classes_ascii_in(&text, 0, w.len()), lex, "{w}");
            }
        }
        for c in 0..128u8 {
            let w = char::from(c).to_string();
            assert_eq!(classes_ascii(&w), classes(&w.to_ascii_lowercase()), "{c}");
        }
    }

    #[test]
    fn pairs_begin_with_words_the_tokenizer_classes() {
        // `attribution::cue_end_pair` looks a pair up only after a word of this class,
        // which holds only if the tokenizer gives every first word its classes: a word
        // token (a letter first), ASCII and short enough to be looked up
        for l in data_lines(CUE_ENDS) {
            let Some((first, _)) = l.split_once('\t').and_then(|(w, _)| w.split_once(' ')) else {
                continue;
            };
            assert!(first.is_ascii() && first.len() <= WordKey::MAX, "{first}");
            assert!(
                first.starts_with(|c: char| c.is_ascii_alphabetic()),
                "{first}"
            );
            assert!(
                classes_ascii(first).contains(Lex::CUE_END_PAIR_FIRST),
                "{first}"
            );
        }
    }

    #[test]
    fn cue_lookup_in_text_agrees_with_the_map() {
        let mut words: Vec<String> = lexicon().cues.keys().map(|w| w.to_string()).collect();
        words.extend(words.clone().iter().map(|w| w.to_ascii_uppercase()));
        words.extend(
            [
                "Said",
                "saiD",
                "table",
                "a",
                "",
                "é",
                "sagté",
                "x",
                "announcements",
            ]
            .map(String::from),
        );
        for w in &words {
            for (pre, post) in [("", ""), ("x ", " and more text after it"), ("é", "é")] {
                let text = format!("{pre}{w}{post}");
                let got = cue_verb_in(&text, pre.len(), pre.len() + w.len());
                assert_eq!(
                    got.map(|c| c.lemma),
                    cue_verb(w).map(|c| c.lemma),
                    "{text:?}"
                );
                assert_eq!(got.map(|c| c.form), cue_verb(w).map(|c| c.form), "{text:?}");
            }
        }
    }

    #[test]
    fn classes_combine() {
        assert!(classes("minister").contains(Lex::ROLE));
        assert!(classes("minister").contains(Lex::TITLE));
        assert!(classes("mr").contains(Lex::ABBREV));
        assert!(classes("he").contains(Lex::PRONOUN));
    }
}
