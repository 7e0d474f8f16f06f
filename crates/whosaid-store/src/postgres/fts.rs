//! Full-text vectors built in the writer, not by the server's `to_tsvector`: tokenising
//! every article and statement there was ~18 % of PostgreSQL's CPU on the write path
//! (docs/scale-out.md), work the server does while a batch holds its stripes, and the
//! worker does it several times faster on its own core before the transaction starts.
//!
//! The tokens are those of the SQLite backend's FTS5 tables (`unicode61
//! remove_diacritics 2`): runs of letters and digits, case-folded, diacritics removed.
//! The query side ([`super::tsquery`]) folds the user's words with [`fold`], so both
//! backends match the same words ("Müller" finds "muller", "3.5" is the phrase 3 5).
//! Vectors travel in `tsvector`'s binary form, lexemes sorted as the server keeps them.

use std::borrow::Cow;
use std::error::Error;

use ::postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use bytes::{BufMut, BytesMut};

use crate::prepare::PreparedArticle;

/// The server's limits (tsearch's `MAXSTRLEN`, `MAXENTRYPOS`, `MAXNUMPOS`, `MAXSTRPOS`):
/// longer words are not indexed (its parser skips them too), later positions count as the
/// last one, a word keeps its first 255 positions, and a vector stops taking new words
/// before its lexemes and positions reach 1 MiB (where `to_tsvector` would fail the row).
const MAX_LEXEME: usize = 2047;
const MAX_POS: u16 = 16383;
const MAX_NUM_POS: usize = 255;
const MAX_BYTES: usize = (1 << 20) - 1 - 64 * 1024;

/// A word as both backends index it: lower case, without diacritics.
pub fn fold(word: &str) -> String {
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(word.len());
    for c in word.chars().flat_map(char::to_lowercase) {
        if c.is_ascii() {
            out.push(c);
        } else {
            unicode_normalization::char::decompose_canonical(c, |d| {
                if !unicode_normalization::char::is_combining_mark(d) {
                    out.push(d);
                }
            });
        }
    }
    if out.is_empty() {
        // A word of marks alone (letters to `is_alphanumeric`) stays a word.
        return word.to_lowercase();
    }
    out
}

/// The indexed words of `text`, folded.
pub fn words(text: &str) -> impl Iterator<Item = Cow<'_, str>> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(folded)
}

/// A `tsvector` value, kept in the binary form it is sent in (one allocation a vector,
/// none a word for the usual lower-case ASCII word).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TsVector {
    lexemes: u32,
    /// Per lexeme: its bytes, NUL, position count (u16, big-endian), positions.
    wire: Vec<u8>,
}

/// A word as indexed, borrowed from the text when folding would not change it.
fn folded(word: &str) -> Cow<'_, str> {
    if word
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        Cow::Borrowed(word)
    } else {
        Cow::Owned(fold(word))
    }
}

impl TsVector {
    /// The vector of several texts read one after the other (positions run on), as
    /// `to_tsvector(a || ' ' || b)` numbered them.
    pub fn of(texts: &[&str]) -> TsVector {
        // (the word's first 8 bytes as a big-endian number, the word, its position): the
        // number orders most pairs without comparing the strings (a word has no NUL, so the
        // zero padding sorts a prefix first).
        let mut all: Vec<(u64, Cow<'_, str>, u16)> = Vec::new();
        let mut pos: u32 = 0;
        for t in texts {
            for w in words(t) {
                pos += 1;
                if w.len() <= MAX_LEXEME {
                    let mut head = [0u8; 8];
                    let n = w.len().min(8);
                    head[..n].copy_from_slice(&w.as_bytes()[..n]);
                    let p = pos.min(u32::from(MAX_POS)) as u16;
                    all.push((u64::from_be_bytes(head), w, p));
                }
            }
        }
        // Byte order, the shorter prefix first (the server's order), positions ascending
        // within a word. Unstable: the position breaks every tie, and it needs no buffer.
        all.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| a.1.as_bytes().cmp(b.1.as_bytes()))
                .then_with(|| a.2.cmp(&b.2))
        });
        let mut v = TsVector {
            lexemes: 0,
            wire: Vec::with_capacity(all.len() * 8),
        };
        let mut i = 0;
        while i < all.len() {
            let w = &all[i].1;
            let mut j = i + 1;
            while j < all.len() && all[j].1 == *w {
                j += 1;
            }
            // Distinct positions (capped positions repeat), at most MAX_NUM_POS.
            let distinct = |k: &usize| *k == i || all[*k].2 != all[*k - 1].2;
            let n = (i..j).filter(distinct).take(MAX_NUM_POS).count();
            if v.wire.len() + w.len() + 3 + 2 * n <= MAX_BYTES {
                v.lexemes += 1;
                v.wire.extend_from_slice(w.as_bytes());
                v.wire.push(0);
                v.wire.extend_from_slice(&(n as u16).to_be_bytes());
                for k in (i..j).filter(distinct).take(MAX_NUM_POS) {
                    v.wire.extend_from_slice(&all[k].2.to_be_bytes());
                }
            }
            i = j;
        }
        v
    }

    /// The distinct words of several vectors, without positions: what `articles.said_tsv`
    /// holds, so that one index entry per word and article finds the articles whose
    /// statements can match a query (the same as the migration's
    /// `array_to_tsvector(array_agg(DISTINCT …))` over the statements' vectors).
    pub fn words_of(vectors: &[TsVector]) -> TsVector {
        let mut all: Vec<&[u8]> = vectors.iter().flat_map(TsVector::lexeme_bytes).collect();
        all.sort_unstable();
        all.dedup();
        let mut v = TsVector {
            lexemes: 0,
            wire: Vec::with_capacity(all.iter().map(|w| w.len() + 3).sum()),
        };
        for w in all {
            // (the statements of one article would need a megabyte of distinct words)
            if v.wire.len() + w.len() + 3 <= MAX_BYTES {
                v.lexemes += 1;
                v.wire.extend_from_slice(w);
                v.wire.extend_from_slice(&[0, 0, 0]);
            }
        }
        v
    }

    /// The lexemes' bytes, in order, read off the wire layout.
    fn lexeme_bytes(&self) -> impl Iterator<Item = &[u8]> {
        let mut rest = self.wire.as_slice();
        std::iter::from_fn(move || {
            let nul = rest.iter().position(|b| *b == 0)?;
            let n = match rest.get(nul + 1..nul + 3)? {
                [a, b] => usize::from(u16::from_be_bytes([*a, *b])),
                _ => return None,
            };
            let w = &rest[..nul];
            rest = rest.get(nul + 3 + 2 * n..)?;
            Some(w)
        })
    }

    pub fn len(&self) -> usize {
        self.lexemes as usize
    }

    pub fn is_empty(&self) -> bool {
        self.lexemes == 0
    }

    /// The lexemes in order, with their positions.
    pub fn lexemes(&self) -> Vec<(String, Vec<u16>)> {
        let mut out = Vec::new();
        let mut rest = self.wire.as_slice();
        while let Some(nul) = rest.iter().position(|b| *b == 0) {
            let w = String::from_utf8_lossy(&rest[..nul]).into_owned();
            let n = usize::from(u16::from_be_bytes([rest[nul + 1], rest[nul + 2]]));
            let ps = (0..n)
                .map(|k| u16::from_be_bytes([rest[nul + 3 + 2 * k], rest[nul + 4 + 2 * k]]))
                .collect();
            out.push((w, ps));
            rest = &rest[nul + 3 + 2 * n..];
        }
        out
    }
}

/// `tsvectorsend`'s layout: lexeme count, then per lexeme its NUL-terminated text, its
/// position count and its positions (weight bits zero: weight D, as `to_tsvector` gives).
impl ToSql for TsVector {
    fn to_sql(
        &self,
        _ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        out.put_i32(i32::try_from(self.lexemes)?);
        out.put_slice(&self.wire);
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::TS_VECTOR
    }

    to_sql_checked!();
}

/// An article's vectors: its title and text, each statement's text, and the words of all
/// its statements (`said`).
pub(crate) struct ArticleFts {
    pub article: TsVector,
    pub statements: Vec<TsVector>,
    pub said: TsVector,
}

impl ArticleFts {
    pub(crate) fn of(p: &PreparedArticle) -> ArticleFts {
        let title = p.article.title.as_deref().unwrap_or("");
        let statements: Vec<TsVector> = p
            .extraction
            .statements
            .iter()
            .map(|s| TsVector::of(&[&s.text]))
            .collect();
        ArticleFts {
            article: TsVector::of(&[title, &p.article.text]),
            said: TsVector::words_of(&statements),
            statements,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(v: &TsVector) -> String {
        v.lexemes()
            .into_iter()
            .map(|(w, ps)| {
                let ps: Vec<String> = ps.iter().map(u16::to_string).collect();
                format!("{w}:{}", ps.join(","))
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn words_are_folded_like_fts5_unicode61() {
        assert_eq!(fold("Müller"), "muller");
        assert_eq!(fold("ÉCOLE"), "ecole");
        assert_eq!(fold("Łódź"), "łodz");
        let w: Vec<Cow<str>> = words("“Don’t,” said Ana-María; 3.5% of 3,000.").collect();
        assert_eq!(
            w,
            ["don", "t", "said", "ana", "maria", "3", "5", "of", "3", "000"]
        );
    }

    #[test]
    fn vectors_sort_lexemes_and_run_positions_on_across_texts() {
        let v = TsVector::of(&["Tariffs talk", "the tariffs will HURT"]);
        assert_eq!(show(&v), "hurt:6 talk:2 tariffs:1,4 the:3 will:5");
        assert!(TsVector::of(&["", " ,;"]).is_empty());
        // Byte order with the shorter prefix first, as the server compares lexemes.
        let v = TsVector::of(&["ab a b aa ä"]);
        assert_eq!(show(&v), "a:2,5 aa:4 ab:1 b:3");
    }

    #[test]
    fn the_words_of_several_vectors_are_each_word_once_without_positions() {
        let a = TsVector::of(&["We will not accept it"]);
        let b = TsVector::of(&["it will hurt exporters, we said"]);
        let w = TsVector::words_of(&[a, b]);
        assert_eq!(
            show(&w),
            "accept: exporters: hurt: it: not: said: we: will:"
        );
        assert_eq!(w.len(), 8);
        assert!(TsVector::words_of(&[]).is_empty());
        assert!(TsVector::words_of(&[TsVector::of(&[" , "])]).is_empty());
    }

    /// Random text from a mix of scripts, marks, digits, spaces and punctuation: the vector
    /// is always well formed (what the server would refuse: unsorted or repeated lexemes,
    /// unordered positions, empty or over-long lexemes) and every lexeme is a folded word.
    #[test]
    fn random_text_gives_well_formed_vectors() {
        const ALPHABET: &[char] = &[
            'a', 'Z', 'é', 'Ö', 'ß', 'ı', 'İ', 'ǅ', 'ﬁ', '\u{301}', '\u{0915}', '\u{093F}', '中',
            '文', 'Ω', 'ω', 'я', '٣', '9', '0', ' ', '\n', '-', '\'', '’', '“', '.', ',', '\0',
            '\u{200B}', '😀', '²', 'Ⅻ',
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..3000 {
            let len = (next() % 60) as usize;
            let text: String = (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect();
            let v = TsVector::of(&[&text, "tail"]);
            let lex = v.lexemes();
            assert_eq!(lex.len(), v.len());
            assert!(
                lex.windows(2)
                    .all(|w| w[0].0.as_bytes() < w[1].0.as_bytes()),
                "{text:?}"
            );
            for (w, ps) in &lex {
                assert!(
                    !w.is_empty() && w.len() <= MAX_LEXEME && !w.contains('\0'),
                    "{text:?}"
                );
                assert_eq!(fold(w), *w, "{text:?}: {w:?} is not folded");
                assert!(
                    !ps.is_empty() && ps.windows(2).all(|p| p[0] < p[1]),
                    "{text:?}"
                );
            }
            assert!(lex.iter().any(|(w, _)| w == "tail"));
        }
    }

    #[test]
    fn limits_of_the_server_hold() {
        let long = "x".repeat(MAX_LEXEME + 1);
        let v = TsVector::of(&[&format!("short {long} word")]);
        assert_eq!(show(&v), "short:1 word:3");
        let many = "again ".repeat(20_000);
        let v = TsVector::of(&[&many]);
        let lex = v.lexemes();
        let ps = &lex[0].1;
        assert_eq!(ps.len(), MAX_NUM_POS);
        assert!(ps.windows(2).all(|w| w[0] < w[1]));
        // A text of distinct words past 1 MiB of lexemes keeps a prefix of them.
        let huge: String = (0..200_000).map(|i| format!("w{i} ")).collect();
        let v = TsVector::of(&[&huge]);
        let lex = v.lexemes();
        // The server's string area: lexeme, alignment byte, position count, positions.
        let size: usize = lex.iter().map(|(w, ps)| w.len() + 3 + 2 * ps.len()).sum();
        assert!(v.len() > 50_000 && size < (1 << 20), "{} {size}", v.len());
        assert_eq!(lex.len(), v.len());
        assert!(lex.iter().flat_map(|(_, ps)| ps).all(|p| *p <= MAX_POS));
        assert!(lex
            .windows(2)
            .all(|w| w[0].0.as_bytes() < w[1].0.as_bytes()));
    }
}
