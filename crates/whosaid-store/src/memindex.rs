//! The SQLite writer's in-memory lookup tables: LSH band → articles, quote fingerprint →
//! quotes, quote key → quote, and the speakers that resolution compares against (which
//! saves a query per mention). The first three are in memory because, as B-tree indexes
//! keyed by hash, every row landed on a random page, so each batch dirtied (and its
//! commit rewrote) most pages of those tables; at 100k articles the commit alone cost
//! ~0.6–1.9 ms per article. The database keeps them as rows appended in id order
//! (`lsh_bands`, `quote_prints`, `quote_keys` clustered by quote), which is what the
//! lookups are loaded from.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The keys are already xxh3 hashes: hashing them again only costs time.
#[derive(Default)]
pub(crate) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_i64(&mut self, n: i64) {
        self.0 = n as u64;
    }
}

pub(crate) type KeyMap<V> = HashMap<i64, V, BuildHasherDefault<KeyHasher>>;

/// Key → ids. Nearly every key has one id, held inline (16 bytes a key); the ids of a
/// shared key live in `many`, found by the inline value `-slot`. Ids are SQLite rowids,
/// which the store only ever assigns from 1 up.
#[derive(Default)]
pub(crate) struct MultiMap {
    map: KeyMap<i64>,
    many: Vec<Vec<i64>>,
    free: Vec<usize>,
}

impl MultiMap {
    /// Adds `id` under `key` unless it is there already.
    pub fn insert(&mut self, key: i64, id: i64) {
        match self.map.get(&key).copied() {
            None if id > 0 => {
                self.map.insert(key, id);
            }
            None => {
                let slot = self.slot(vec![id]);
                self.map.insert(key, -(slot as i64));
            }
            Some(one) if one > 0 => {
                if one != id {
                    let slot = self.slot(vec![one, id]);
                    self.map.insert(key, -(slot as i64));
                }
            }
            Some(slot) => {
                let ids = &mut self.many[(-slot) as usize];
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
    }

    fn slot(&mut self, ids: Vec<i64>) -> usize {
        match self.free.pop() {
            Some(s) => {
                self.many[s] = ids;
                s
            }
            None => {
                // Slot 0 would read as the inline id 0; it is never handed out.
                if self.many.is_empty() {
                    self.many.push(Vec::new());
                }
                self.many.push(ids);
                self.many.len() - 1
            }
        }
    }

    pub fn remove(&mut self, key: i64, id: i64) {
        match self.map.get(&key).copied() {
            Some(one) if one == id => {
                self.map.remove(&key);
            }
            Some(one) if one > 0 => {}
            Some(slot) => {
                let s = (-slot) as usize;
                let ids = &mut self.many[s];
                ids.retain(|x| *x != id);
                if ids.is_empty() {
                    self.map.remove(&key);
                    self.many[s] = Vec::new();
                    self.free.push(s);
                }
            }
            None => {}
        }
    }

    /// The `limit` smallest ids under `key` other than `except` — what
    /// `WHERE key = ? AND id != ? LIMIT n` over a (key, id) primary key returned.
    pub fn smallest(&self, key: i64, except: Option<i64>, limit: usize, out: &mut Vec<i64>) {
        match self.map.get(&key).copied() {
            Some(one) if one > 0 && Some(one) != except && limit > 0 => out.push(one),
            None => {}
            Some(one) if one > 0 => {}
            Some(slot) => {
                let mut ids: Vec<i64> = self.many[(-slot) as usize]
                    .iter()
                    .copied()
                    .filter(|x| Some(*x) != except)
                    .collect();
                ids.sort_unstable();
                ids.truncate(limit);
                out.extend(ids);
            }
        }
    }

    /// Distinct keys.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn reserve(&mut self, keys: usize) {
        self.map.reserve(keys);
    }
}

/// The writer's lookup tables, valid for the database state after the commit that
/// produced `data_version`'s value on the writing connection (see `SqliteStore`).
#[derive(Default)]
pub(crate) struct MemIndex {
    /// `PRAGMA data_version` when loaded: it changes when another connection commits.
    pub data_version: i64,
    /// LSH band bucket → articles.
    pub bands: MultiMap,
    /// Quote fingerprint → quotes.
    pub prints: MultiMap,
    /// xxh3 of a normal form → its quote.
    pub keys: KeyMap<i64>,
    /// The `speakers` rows resolution compares against, by (kind, first three letters
    /// of the surname), each list in id order (as the `speakers_surname3` index reads).
    pub speakers: HashMap<(String, String), Vec<SpeakerRow>>,
}

/// What speaker resolution needs of a `speakers` row.
pub(crate) struct SpeakerRow {
    pub id: i64,
    pub given: Option<String>,
    pub surname: String,
}

/// A list of i64s as a blob (little-endian), the stored form of bands and prints.
pub(crate) fn to_blob(xs: &[i64]) -> Vec<u8> {
    xs.iter().flat_map(|v| v.to_le_bytes()).collect()
}

pub(crate) fn from_blob(blob: &[u8]) -> impl Iterator<Item = i64> + '_ {
    blob.chunks_exact(8).map(|c| {
        let mut b = [0u8; 8];
        b.copy_from_slice(c);
        i64::from_le_bytes(b)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multimap_matches_a_sorted_table() {
        let mut m = MultiMap::default();
        let mut table: std::collections::BTreeSet<(i64, i64)> = Default::default();
        let mut x = 0x1234_5678u64;
        for step in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let key = (x % 50) as i64 - 25;
            let id = ((x >> 8) % 40) as i64 + 1;
            if step % 3 == 0 {
                m.remove(key, id);
                table.remove(&(key, id));
            } else {
                m.insert(key, id);
                table.insert((key, id));
            }
            let except = (step % 2 == 0).then_some(id);
            let mut got = Vec::new();
            m.smallest(key, except, 5, &mut got);
            got.sort_unstable();
            let want: Vec<i64> = table
                .range((key, i64::MIN)..=(key, i64::MAX))
                .map(|(_, i)| *i)
                .filter(|i| Some(*i) != except)
                .take(5)
                .collect();
            assert_eq!(got, want);
        }
        let keys: std::collections::BTreeSet<i64> = table.iter().map(|(k, _)| *k).collect();
        assert_eq!(m.len(), keys.len());
    }

    #[test]
    fn blobs_round_trip() {
        let xs = [0, -1, i64::MAX, i64::MIN, 42];
        assert_eq!(from_blob(&to_blob(&xs)).collect::<Vec<_>>(), xs);
    }
}
