//! A hasher for the extractor's own maps, whose keys are short words and names looked up
//! for nearly every token: SipHash's setup and FNV's byte-at-a-time loop both cost more
//! than the rest of such a lookup. The keys come from the lexicon and the article, and
//! the maps live for one extraction, so flooding resistance buys nothing here.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Multiplies in eight bytes at a time; `finish` mixes the high bits down, since the
/// table takes its bucket from the low bits and its tag from the high ones.
#[derive(Default, Clone, Copy)]
pub struct WordHasher(u64);

const K: u64 = 0x9e37_79b9_7f4a_7c15;

impl WordHasher {
    #[inline]
    pub(crate) fn add(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(K).rotate_left(23);
    }
}

impl Hasher for WordHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // the marker after the bytes keeps "ab" and "ab\0" apart; the bytes are
            // loaded as `load_short` does, as copying a few into a buffer was a call to
            // `memcpy` for every key hashed
            self.add(load_short(rest) | (0x80 << (8 * rest.len())));
        }
    }

    #[inline]
    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        let h = self.0;
        (h ^ (h >> 32)).wrapping_mul(K) ^ (h >> 29)
    }
}

/// Up to seven bytes as the low bytes of a word, in two overlapping loads rather than a
/// byte at a time.
#[inline]
pub(crate) fn load_short(b: &[u8]) -> u64 {
    let n = b.len();
    let word = |lo: u64, hi: u64, k: usize| lo | (hi << (8 * (n - k)));
    if n >= 4 {
        let lo = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let hi = u32::from_le_bytes([b[n - 4], b[n - 3], b[n - 2], b[n - 1]]);
        word(u64::from(lo), u64::from(hi), 4)
    } else if n >= 2 {
        let lo = u16::from_le_bytes([b[0], b[1]]);
        let hi = u16::from_le_bytes([b[n - 2], b[n - 1]]);
        word(u64::from(lo), u64::from(hi), 2)
    } else {
        b.first().map_or(0, |&x| u64::from(x))
    }
}

pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;

pub type FastSet<K> = std::collections::HashSet<K, BuildHasherDefault<WordHasher>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn a_tail_hashes_as_it_did_copied_into_a_buffer() {
        let bytes: Vec<u8> = (0u8..40).map(|i| i.wrapping_mul(37) ^ 0x5a).collect();
        for len in 0..bytes.len() {
            let b = &bytes[..len];
            let mut want = WordHasher::default();
            let mut chunks = b.chunks_exact(8);
            for chunk in &mut chunks {
                let mut word = [0; 8];
                word.copy_from_slice(chunk);
                want.add(u64::from_le_bytes(word));
            }
            let rest = chunks.remainder();
            if !rest.is_empty() {
                let mut word = [0; 8];
                word[..rest.len()].copy_from_slice(rest);
                word[rest.len()] = 0x80;
                want.add(u64::from_le_bytes(word));
            }
            let mut got = WordHasher::default();
            got.write(b);
            assert_eq!(got.finish(), want.finish(), "{len}");
        }
    }

    #[test]
    fn padding_does_not_collide_short_keys() {
        // a str hashes as its bytes then 0xff, so "ab" and "ab\0" must differ
        let b = BuildHasherDefault::<WordHasher>::default();
        assert_ne!(b.hash_one("ab"), b.hash_one("ab\0"));
        assert_ne!(b.hash_one("said"), b.hash_one("sai"));
        let m: FastMap<String, usize> = ["he", "she", "minister", "a", ""]
            .iter()
            .enumerate()
            .map(|(i, w)| (w.to_string(), i))
            .collect();
        assert_eq!(m.get("minister"), Some(&2));
        assert_eq!(m.get(""), Some(&4));
        assert_eq!(m.get("ministers"), None);
    }
}
