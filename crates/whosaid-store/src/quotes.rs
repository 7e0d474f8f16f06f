//! Repeated quotes: the keys under which a statement's words are matched to the same
//! quote in other articles. Exact matching uses the normal form (quotation marks, case,
//! whitespace and punctuation ignored); excerpt matching uses winnowed fingerprints of
//! word shingles, so a shorter excerpt contained in a longer quote finds it. Pure
//! computation; the backend stores keys and fingerprints and does the merging.

use crate::normalize;

/// Words per fingerprinted shingle.
pub const PRINT_WORDS: usize = 4;
/// Winnowing window (in shingles). Any excerpt of at least PRINT_WORDS + WINDOW - 1 = 7
/// words shares a fingerprint with the quote that contains it.
pub const WINDOW: usize = 4;
/// Excerpts shorter than this are not merged into longer quotes: short phrases ("we will
/// see") recur in unrelated quotes.
pub const MIN_EXCERPT_WORDS: usize = 6;

/// A statement's quote keys.
#[derive(Debug, Clone, PartialEq)]
pub struct QuoteKey {
    /// Normal form (words joined by spaces).
    pub norm: String,
    pub hash: i64,
    pub words: usize,
    /// Winnowed fingerprints (empty for short quotes).
    pub prints: Vec<i64>,
}

pub fn key(text: &str) -> Option<QuoteKey> {
    let words = normalize::words(text);
    if words.is_empty() {
        return None;
    }
    let norm = words.join(" ");
    let hash = normalize::hash64(&norm);
    let prints = if words.len() >= MIN_EXCERPT_WORDS {
        winnow(&words)
    } else {
        Vec::new()
    };
    Some(QuoteKey {
        hash,
        words: words.len(),
        prints,
        norm,
    })
}

fn winnow(words: &[String]) -> Vec<i64> {
    let mut buf = String::new();
    let shingles: Vec<i64> = words
        .windows(PRINT_WORDS)
        .map(|w| {
            buf.clear();
            for (i, x) in w.iter().enumerate() {
                if i > 0 {
                    buf.push(' ');
                }
                buf.push_str(x);
            }
            normalize::hash64(&buf)
        })
        .collect();
    let mut out: Vec<i64> = Vec::new();
    if shingles.len() <= WINDOW {
        if let Some(m) = shingles.iter().min() {
            out.push(*m);
        }
    } else {
        for win in shingles.windows(WINDOW) {
            if let Some(m) = win.iter().min() {
                if out.last() != Some(m) {
                    out.push(*m);
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Whether the normal form `short` occurs in `long` on word boundaries (normal forms
/// separate their words by single spaces). Called for every candidate quote sharing a
/// fingerprint, in both passes of a batch, mostly on pairs that differ in their first
/// word: it allocates nothing and builds no searcher (building one per call was most of
/// its cost), it compares at each word start.
pub fn contains(long: &str, short: &str) -> bool {
    let (l, s) = (long.as_bytes(), short.as_bytes());
    let Some(&first) = s.first() else {
        return false;
    };
    let fits = |at: usize| {
        let end = at + s.len();
        end <= l.len() && l[at] == first && &l[at..end] == s && (end == l.len() || l[end] == b' ')
    };
    fits(0) || memchr::memchr_iter(b' ', l).any(|space| fits(space + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_shares_a_fingerprint() {
        let long = key("We have done everything we can to keep the schools open this winter, and we will keep doing it until spring").unwrap();
        let short = key("keep the schools open this winter, and we will").unwrap();
        assert!(short.prints.iter().any(|p| long.prints.contains(p)));
        assert!(contains(&long.norm, &short.norm));
        assert!(!contains(&long.norm, "schools open this winter and spring"));
    }

    /// The padded-substring definition the fast version replaced.
    fn contains_reference(long: &str, short: &str) -> bool {
        short.len() <= long.len() && format!(" {long} ").contains(&format!(" {short} "))
    }

    #[test]
    fn containment_matches_the_padded_definition() {
        let words = ["a", "an", "and", "ban", "band", "d", "na", "nd"];
        let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut phrase = |n: u64| -> String {
            (0..n)
                .map(|_| words[(next() % words.len() as u64) as usize])
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut found = 0;
        for i in 0..5000 {
            let long = phrase(1 + i % 9);
            let short = phrase(1 + i % 3);
            let want = contains_reference(&long, &short);
            found += usize::from(want);
            assert_eq!(contains(&long, &short), want, "{long:?} ⊇ {short:?}");
        }
        // Both answers occur, so the comparison tests something.
        assert!(found > 500 && found < 4500, "{found} of 5000 contained");
        assert!(contains("a b", "a b") && !contains("ab", "a") && !contains("b a", "a b"));
    }
}
