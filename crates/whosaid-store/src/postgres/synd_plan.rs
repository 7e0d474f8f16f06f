//! Syndication of a batch's new articles, decided in memory from one read of the stored
//! LSH candidates: the per-article logic of `Writer::syndicate` (and of the SQLite
//! backend) replayed in batch order, so that a batch needs a few set-based statements
//! instead of one lookup and several updates per article, and so that each new article is
//! inserted already carrying its final group (an UPDATE of `articles` is never HOT: every
//! index, the whole-text GIN included, gets a new entry).
//!
//! Pure: the caller reads the candidates (row-locked), reserves ids and writes the plan.

use std::collections::BTreeSet;

use foldhash::{HashMap, HashMapExt};

use crate::syndication;

/// A syndication group: one stored before this batch, or one this batch creates
/// (numbered in creation order). Stored groups order before new ones, as their ids are
/// smaller than any id reserved after they were read; a merge keeps the smallest.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub(crate) enum GroupRef {
    Stored(i64),
    New(usize),
}

/// A stored article found in one of the batch's buckets.
pub(crate) struct StoredArticle {
    pub sig: Option<Vec<u32>>,
    pub group: Option<i64>,
}

/// A new article of the batch, with the id reserved for it (ascending in batch order).
pub(crate) struct NewArticle<'a> {
    pub id: i64,
    pub sig: Option<&'a [u32]>,
    pub buckets: &'a [i64],
}

/// What the batch changes.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Plan {
    /// Per new article, its group once the batch is written.
    pub groups: Vec<Option<GroupRef>>,
    /// Stored articles that change group (they were read, so they are known by id).
    pub stored_updates: Vec<(i64, GroupRef)>,
    /// Stored groups merged into another: every member moves, the group goes.
    pub merges: Vec<(i64, GroupRef)>,
    /// New groups still holding articles at the end, in creation order.
    pub new_groups: Vec<usize>,
    /// Groups (existing at the end) whose members changed: size, credit and first
    /// article are recomputed.
    pub touched: BTreeSet<GroupRef>,
    /// Stored groups to row-lock before anything is written: the ones that gain members
    /// and the ones merged away.
    pub stored_groups: BTreeSet<i64>,
}

/// The smallest `limit` ids of two ascending lists, without `skip`.
fn smallest(a: &[i64], b: &[i64], skip: i64, limit: usize, out: &mut BTreeSet<i64>) {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while n < limit {
        let next = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x <= y => {
                i += 1;
                if x == y {
                    j += 1;
                }
                *x
            }
            (Some(_), Some(y)) | (None, Some(y)) => {
                j += 1;
                *y
            }
            (Some(x), None) => {
                i += 1;
                *x
            }
            (None, None) => break,
        };
        if next != skip {
            out.insert(next);
            n += 1;
        }
    }
}

/// Replays the batch's syndication in order. `stored_buckets` holds, per bucket of the
/// batch, the first `limit` stored articles by id (ascending); `stored` the signature and
/// group of each of them.
pub(crate) fn plan(
    new: &[NewArticle],
    stored_buckets: &HashMap<i64, Vec<i64>>,
    stored: &HashMap<i64, StoredArticle>,
    limit: usize,
) -> Plan {
    let index: HashMap<i64, usize> = new.iter().enumerate().map(|(i, a)| (a.id, i)).collect();
    let mut group_of: HashMap<i64, Option<GroupRef>> = stored
        .iter()
        .map(|(id, a)| (*id, a.group.map(GroupRef::Stored)))
        .collect();
    let mut batch_buckets: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut merged: HashMap<GroupRef, GroupRef> = HashMap::new();
    let mut out = Plan::default();
    let mut created = 0;
    let empty: Vec<i64> = Vec::new();
    for a in new {
        let Some(sig) = a.sig else {
            group_of.insert(a.id, None);
            continue;
        };
        // Candidates: per bucket the first `limit` articles by id, stored or earlier in
        // the batch (the article itself is not in the lists yet).
        let mut cands = BTreeSet::new();
        for b in a.buckets {
            let s = stored_buckets.get(b).unwrap_or(&empty);
            let t = batch_buckets.get(b).unwrap_or(&empty);
            smallest(s, t, a.id, limit, &mut cands);
        }
        for b in a.buckets {
            let list = batch_buckets.entry(*b).or_default();
            if list.last() != Some(&a.id) {
                list.push(a.id);
            }
        }
        let mut matches = Vec::new();
        for c in cands {
            let other = match index.get(&c) {
                Some(i) => new[*i].sig,
                None => stored.get(&c).and_then(|s| s.sig.as_deref()),
            };
            let Some(other) = other else { continue };
            if syndication::similarity(sig, other) >= syndication::SAME_STORY {
                matches.push((c, group_of.get(&c).copied().flatten()));
            }
        }
        if matches.is_empty() {
            group_of.insert(a.id, None);
            continue;
        }
        let groups: BTreeSet<GroupRef> = matches.iter().filter_map(|(_, g)| *g).collect();
        let target = match groups.first() {
            Some(g) => *g,
            None => {
                created += 1;
                GroupRef::New(created - 1)
            }
        };
        for other in groups.iter().filter(|g| **g != target) {
            for g in group_of.values_mut() {
                if *g == Some(*other) {
                    *g = Some(target);
                }
            }
            merged.insert(*other, target);
            if let GroupRef::Stored(id) = other {
                out.merges.push((*id, target));
            }
        }
        group_of.insert(a.id, Some(target));
        for (c, g) in &matches {
            if g.is_none() {
                group_of.insert(*c, Some(target));
            }
        }
        out.touched.insert(target);
    }
    // A group merged away later in the batch sends its members on to the final one.
    let resolve = |mut g: GroupRef| {
        while let Some(next) = merged.get(&g) {
            g = *next;
        }
        g
    };
    out.groups = new
        .iter()
        .map(|a| group_of.get(&a.id).copied().flatten())
        .collect();
    let mut updates: Vec<(i64, GroupRef)> = stored
        .iter()
        .filter_map(|(id, a)| {
            let now = group_of.get(id).copied().flatten()?;
            (a.group.map(GroupRef::Stored) != Some(now)).then_some((*id, now))
        })
        .collect();
    updates.sort_unstable();
    out.stored_updates = updates;
    for m in &mut out.merges {
        m.1 = resolve(m.1);
    }
    let live: BTreeSet<GroupRef> = group_of.values().filter_map(|g| *g).collect();
    out.new_groups = live
        .iter()
        .filter_map(|g| match g {
            GroupRef::New(k) => Some(*k),
            GroupRef::Stored(_) => None,
        })
        .collect();
    out.touched = out
        .touched
        .iter()
        .map(|g| resolve(*g))
        .filter(|g| live.contains(g))
        .collect();
    out.stored_groups = out
        .touched
        .iter()
        .chain(merged.keys())
        .filter_map(|g| match g {
            GroupRef::Stored(id) => Some(*id),
            GroupRef::New(_) => None,
        })
        .collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(seed: u32) -> Vec<u32> {
        (0..syndication::NUM_HASHES as u32)
            .map(|i| seed * 1000 + i)
            .collect()
    }

    /// A signature sharing `same` of its values with `sig(seed)`.
    fn near(seed: u32, same: usize) -> Vec<u32> {
        let mut s = sig(seed);
        for v in s.iter_mut().skip(same) {
            *v += 500;
        }
        s
    }

    #[test]
    fn smallest_merges_skips_and_limits() {
        let mut out = BTreeSet::new();
        smallest(&[1, 4, 9], &[2, 4, 10], 2, 3, &mut out);
        assert_eq!(out.into_iter().collect::<Vec<_>>(), vec![1, 4, 9]);
    }

    #[test]
    fn in_batch_copies_join_a_new_group_and_stored_ones_are_updated() {
        let (s1, s2, s3, other) = (sig(1), near(1, 60), near(1, 50), sig(7));
        let stored: HashMap<i64, StoredArticle> = [(
            5,
            StoredArticle {
                sig: Some(s1.clone()),
                group: None,
            },
        )]
        .into_iter()
        .collect();
        let stored_buckets: HashMap<i64, Vec<i64>> = [(100, vec![5])].into_iter().collect();
        let new = [
            NewArticle {
                id: 10,
                sig: Some(&s2),
                buckets: &[100, 101],
            },
            NewArticle {
                id: 11,
                sig: Some(&other),
                buckets: &[102],
            },
            NewArticle {
                id: 12,
                sig: Some(&s3),
                buckets: &[101],
            },
        ];
        let p = plan(&new, &stored_buckets, &stored, 64);
        let g = Some(GroupRef::New(0));
        assert_eq!(p.groups, vec![g, None, g]);
        assert_eq!(p.stored_updates, vec![(5, GroupRef::New(0))]);
        assert_eq!(p.new_groups, vec![0]);
        assert!(p.merges.is_empty() && p.stored_groups.is_empty());
    }

    #[test]
    fn a_bridge_merges_into_the_oldest_group() {
        let (a, b) = (sig(1), sig(2));
        // Half of each: similar to both (32 of 64 equal values each).
        let bridge: Vec<u32> = a[..32].iter().chain(&b[32..]).copied().collect();
        let stored: HashMap<i64, StoredArticle> = [
            (
                3,
                StoredArticle {
                    sig: Some(a.clone()),
                    group: Some(40),
                },
            ),
            (
                4,
                StoredArticle {
                    sig: Some(b.clone()),
                    group: None,
                },
            ),
        ]
        .into_iter()
        .collect();
        let stored_buckets: HashMap<i64, Vec<i64>> =
            [(1, vec![3]), (2, vec![4])].into_iter().collect();
        let b_copy = b.clone();
        let new = [
            // Joins stored article 4 in a new group...
            NewArticle {
                id: 20,
                sig: Some(&b_copy),
                buckets: &[2],
            },
            // ...which the bridge then merges into stored group 40.
            NewArticle {
                id: 21,
                sig: Some(&bridge),
                buckets: &[1, 2],
            },
        ];
        let p = plan(&new, &stored_buckets, &stored, 64);
        let g = Some(GroupRef::Stored(40));
        assert_eq!(p.groups, vec![g, g]);
        assert_eq!(p.stored_updates, vec![(4, GroupRef::Stored(40))]);
        assert!(p.new_groups.is_empty());
        assert_eq!(
            p.touched.into_iter().collect::<Vec<_>>(),
            vec![GroupRef::Stored(40)]
        );
        assert_eq!(p.stored_groups.into_iter().collect::<Vec<_>>(), vec![40]);
    }

    #[test]
    fn stored_groups_merge_into_the_smallest() {
        let s = sig(3);
        let stored: HashMap<i64, StoredArticle> = [
            (
                1,
                StoredArticle {
                    sig: Some(s.clone()),
                    group: Some(9),
                },
            ),
            (
                2,
                StoredArticle {
                    sig: Some(s.clone()),
                    group: Some(8),
                },
            ),
        ]
        .into_iter()
        .collect();
        let stored_buckets: HashMap<i64, Vec<i64>> = [(1, vec![1, 2])].into_iter().collect();
        let new = [NewArticle {
            id: 30,
            sig: Some(&s),
            buckets: &[1],
        }];
        let p = plan(&new, &stored_buckets, &stored, 64);
        assert_eq!(p.groups, vec![Some(GroupRef::Stored(8))]);
        assert_eq!(p.merges, vec![(9, GroupRef::Stored(8))]);
        assert_eq!(p.stored_updates, vec![(1, GroupRef::Stored(8))]);
        assert_eq!(p.stored_groups.into_iter().collect::<Vec<_>>(), vec![8, 9]);
    }
}
