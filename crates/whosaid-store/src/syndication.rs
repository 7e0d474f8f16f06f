//! Near-duplicate detection for syndication: MinHash signatures over five-word shingles of
//! an article's normalised words, and LSH banding so that only articles sharing a band
//! are compared. Pure computation; grouping and storage live in the backend.

use crate::normalize;

/// Words per shingle.
pub const SHINGLE_WORDS: usize = 5;
/// Signature length (number of hash functions).
pub const NUM_HASHES: usize = 64;
/// LSH bands × rows = NUM_HASHES. With 16 × 4 two articles with Jaccard similarity 0.5
/// share a band with probability ~0.65, at 0.7 ~0.99; at 0.2 only ~0.025.
pub const BANDS: usize = 16;
pub const ROWS: usize = NUM_HASHES / BANDS;
/// Estimated Jaccard similarity at or above which two articles are the same story.
pub const SAME_STORY: f64 = 0.5;

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The multipliers and offsets of the hash family (multiply-shift, odd multipliers).
fn family() -> &'static [(u64, u64); NUM_HASHES] {
    static FAMILY: std::sync::OnceLock<[(u64, u64); NUM_HASHES]> = std::sync::OnceLock::new();
    FAMILY.get_or_init(|| {
        let mut f = [(0u64, 0u64); NUM_HASHES];
        for (i, slot) in f.iter_mut().enumerate() {
            let a = splitmix(i as u64 * 2 + 1) | 1;
            let b = splitmix(i as u64 * 2 + 2);
            *slot = (a, b);
        }
        f
    })
}

/// MinHash signature of a text; `None` when it has no words.
pub fn signature(text: &str) -> Option<Vec<u32>> {
    let mut words: Vec<u64> = Vec::with_capacity(text.len() / 5);
    normalize::for_each_word(text, |w| {
        words.push(xxhash_rust::xxh3::xxh3_64(w.as_bytes()))
    });
    if words.is_empty() {
        return None;
    }
    let k = SHINGLE_WORDS.min(words.len());
    let fam = family();
    let mut sig = [u32::MAX; NUM_HASHES];
    for window in words.windows(k) {
        let mut h = 0u64;
        for w in window {
            h = splitmix(h.rotate_left(17) ^ w);
        }
        for (s, (a, b)) in sig.iter_mut().zip(fam.iter()) {
            let v = (h.wrapping_mul(*a).wrapping_add(*b) >> 32) as u32;
            *s = (*s).min(v);
        }
    }
    Some(sig.to_vec())
}

/// The LSH bucket keys of a signature, one per band.
pub fn buckets(sig: &[u32]) -> Vec<i64> {
    sig.chunks(ROWS)
        .enumerate()
        .map(|(band, rows)| {
            let mut bytes = Vec::with_capacity(4 + rows.len() * 4);
            bytes.extend_from_slice(&(band as u32).to_le_bytes());
            for r in rows {
                bytes.extend_from_slice(&r.to_le_bytes());
            }
            xxhash_rust::xxh3::xxh3_64(&bytes) as i64
        })
        .collect()
}

/// Estimated Jaccard similarity of two signatures.
pub fn similarity(a: &[u32], b: &[u32]) -> f64 {
    if a.len() != b.len() || a.is_empty() {
        return 0.0;
    }
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    same as f64 / a.len() as f64
}

pub fn to_blob(sig: &[u32]) -> Vec<u8> {
    sig.iter().flat_map(|v| v.to_le_bytes()).collect()
}

pub fn from_blob(blob: &[u8]) -> Vec<u32> {
    blob.chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_duplicates_are_similar_and_different_stories_are_not() {
        let a = "The city council voted on Tuesday to expand the tram network to the northern \
                 suburbs, a plan that will cost about 400 million and take six years to build, \
                 officials said after a long and heated meeting that ran past midnight.";
        let b = format!("{a} Additional reporting by a staff writer.");
        let c = "Heavy rain flooded farmland across the river valley overnight, and emergency \
                 crews evacuated two villages as water levels kept rising on Wednesday morning.";
        let (sa, sb, sc) = (
            signature(a).unwrap(),
            signature(&b).unwrap(),
            signature(c).unwrap(),
        );
        assert!(
            similarity(&sa, &sb) >= SAME_STORY,
            "{}",
            similarity(&sa, &sb)
        );
        assert!(similarity(&sa, &sc) < 0.2);
        assert!(buckets(&sa).iter().any(|x| buckets(&sb).contains(x)));
    }
}
