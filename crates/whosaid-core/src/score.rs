//! The metrics of `shared/eval/score.py`, computed in-process for `whosaid eval` and for
//! labelling the gate's training candidates (`gate::train`): span
//! P/R/F1 (exact and overlap, Jaccard ≥ 0.5, one-to-one greedy matching), speaker
//! accuracy over matched pairs, end-to-end figures, and recall by gold kind. The Python
//! scorer stays the judge; this port exists so the figures come with one command.
//! (Speaker names are compared without NFKD accent folding, the one known difference.)

use crate::Extraction;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

#[derive(Deserialize, Clone)]
pub struct GoldQuote {
    pub start: Option<i64>,
    pub end: Option<i64>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub speaker: Option<String>,
    #[serde(default)]
    pub speaker_start: Option<i64>,
    #[serde(default)]
    pub speaker_end: Option<i64>,
    #[serde(default)]
    pub cue_start: Option<i64>,
    #[serde(default)]
    pub cue_end: Option<i64>,
}

#[derive(Deserialize, Clone)]
pub struct GoldDoc {
    pub id: String,
    pub text: String,
    #[serde(default)]
    pub quotes: Vec<GoldQuote>,
}

const QUOTE_CHARS: &str = "\"\u{201c}\u{201d}\u{201e}\u{201f}\u{00ab}\u{00bb}\u{2018}\u{2019}\u{201a}\u{201b}'`\u{2039}\u{203a}";
const EDGE_PUNCT: &str = ",.;:!?\u{2026}\u{2013}\u{2014}-";
const TITLES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "doctor",
    "prof",
    "professor",
    "sir",
    "dame",
    "lord",
    "lady",
    "rev",
    "reverend",
    "hon",
    "honourable",
    "honorable",
    "fr",
    "father",
    "gen",
    "general",
    "col",
    "colonel",
    "capt",
    "captain",
    "lt",
    "sgt",
    "sergeant",
    "sen",
    "senator",
    "rep",
    "representative",
    "gov",
    "governor",
    "pres",
    "president",
    "mp",
    "mep",
    "qc",
    "kc",
    "cbe",
    "mbe",
    "obe",
    "jr",
    "sr",
    "st",
    "the",
];

fn trimmable(c: char) -> bool {
    c.is_whitespace() || QUOTE_CHARS.contains(c) || EDGE_PUNCT.contains(c)
}

pub(crate) fn norm_span(chars: &[char], s: Option<i64>, e: Option<i64>) -> Option<(usize, usize)> {
    let (s, e) = (s?, e?);
    let mut s = s.max(0) as usize;
    let mut e = (e.max(0) as usize).min(chars.len());
    while s < e && trimmable(chars[s]) {
        s += 1;
    }
    while e > s && trimmable(chars[e - 1]) {
        e -= 1;
    }
    if e - s > 5 {
        let head: String = chars[s..s + 4].iter().collect::<String>().to_lowercase();
        if head == "that" && chars[s + 4].is_whitespace() {
            s += 5;
            while s < e && chars[s].is_whitespace() {
                s += 1;
            }
        }
    }
    (e > s).then_some((s, e))
}

fn jaccard(a: (usize, usize), b: (usize, usize)) -> f64 {
    let inter = a.1.min(b.1) as i64 - a.0.max(b.0) as i64;
    if inter <= 0 {
        return 0.0;
    }
    let union = (a.1 - a.0) as i64 + (b.1 - b.0) as i64 - inter;
    inter as f64 / union as f64
}

fn norm_speaker(s: Option<&str>) -> Vec<String> {
    let Some(s) = s else { return Vec::new() };
    let s = s.to_lowercase().replace('\u{2019}', "'");
    // possessive 's at a word end
    let mut t = String::with_capacity(s.len());
    let cs: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < cs.len() {
        if cs[i] == '\''
            && i + 1 < cs.len()
            && cs[i + 1] == 's'
            && cs
                .get(i + 2)
                .is_none_or(|c| !(c.is_alphanumeric() || *c == '_'))
        {
            t.push(' ');
            i += 2;
            continue;
        }
        let c = cs[i];
        t.push(if c.is_alphanumeric() || c == '_' || c.is_whitespace() {
            c
        } else {
            ' '
        });
        i += 1;
    }
    t.split_whitespace()
        .filter(|w| !TITLES.contains(w))
        .map(str::to_string)
        .collect()
}

struct Q {
    kind: String,
    speaker: Option<String>,
    ss: Option<i64>,
    se: Option<i64>,
}

fn speaker_ok(g: &Q, p: &Q) -> bool {
    if let (Some(gs), Some(ge), Some(ps), Some(pe)) = (g.ss, g.se, p.ss, p.se) {
        if ge.min(pe) > gs.max(ps) {
            return true;
        }
    }
    let gn = norm_speaker(g.speaker.as_deref());
    let pn = norm_speaker(p.speaker.as_deref());
    if gn.is_empty() {
        return pn.is_empty();
    }
    if pn.is_empty() {
        return false;
    }
    if gn == pn {
        return true;
    }
    if pn.len() == 1 && gn.last() == pn.first() || gn.len() == 1 && pn.last() == gn.first() {
        return true;
    }
    if gn.len() >= 2 && pn.len() > gn.len() && pn[pn.len() - gn.len()..] == gn[..] {
        return true;
    }
    pn.len() >= 2 && gn.len() > pn.len() && gn[gn.len() - pn.len()..] == pn[..]
}

fn speaker_span_ok(g: &Q, p: &Q) -> bool {
    match (g.ss, g.se) {
        (Some(gs), Some(ge)) if ge > gs => match (p.ss, p.se) {
            (Some(ps), Some(pe)) => ge.min(pe) - gs.max(ps) > 0,
            _ => false,
        },
        _ => (p.ss.is_none() || p.se.is_none()) && norm_speaker(p.speaker.as_deref()).is_empty(),
    }
}

fn matching(
    g: &[((usize, usize), Q)],
    p: &[((usize, usize), Q)],
    exact: bool,
) -> Vec<(usize, usize)> {
    let mut cands = Vec::new();
    for (gi, (gs, _)) in g.iter().enumerate() {
        for (pi, (ps, _)) in p.iter().enumerate() {
            if exact {
                if gs == ps {
                    cands.push((1.0, gi, pi));
                }
            } else {
                let j = jaccard(*gs, *ps);
                if j >= 0.5 {
                    cands.push((j, gi, pi));
                }
            }
        }
    }
    cands.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let (mut ug, mut up) = (vec![false; g.len()], vec![false; p.len()]);
    let mut pairs = Vec::new();
    for (_, gi, pi) in cands {
        if !ug[gi] && !up[pi] {
            ug[gi] = true;
            up[pi] = true;
            pairs.push((gi, pi));
        }
    }
    pairs
}

fn prf(tp: usize, n_pred: usize, n_gold: usize) -> (f64, f64, f64) {
    let p = if n_pred > 0 {
        tp as f64 / n_pred as f64
    } else {
        0.0
    };
    let r = if n_gold > 0 {
        tp as f64 / n_gold as f64
    } else {
        0.0
    };
    let f = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    (round4(p), round4(r), round4(f))
}

fn round4(x: f64) -> f64 {
    (x * 10000.0).round() / 10000.0
}

type Item = ((usize, usize), Q);

fn gold_items(gd: &GoldDoc, chars: &[char]) -> Vec<Item> {
    gd.quotes
        .iter()
        .filter_map(|q| {
            norm_span(chars, q.start, q.end).map(|sp| {
                (
                    sp,
                    Q {
                        kind: q.kind.clone().unwrap_or_else(|| "unknown".into()),
                        speaker: q.speaker.clone(),
                        ss: q.speaker_start,
                        se: q.speaker_end,
                    },
                )
            })
        })
        .collect()
}

/// The statements of `x` that have a content left after trimming, with their index.
fn pred_indexed(x: &Extraction, chars: &[char]) -> Vec<(usize, Item)> {
    x.statements
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            norm_span(chars, Some(s.start as i64), Some(s.end as i64)).map(|sp| {
                let spk = s.speaker.as_ref();
                (
                    i,
                    (
                        sp,
                        Q {
                            kind: s.kind.as_str().into(),
                            speaker: spk.map(|x| x.name.clone()),
                            ss: spk.map(|x| x.start as i64),
                            se: spk.map(|x| x.end as i64),
                        },
                    ),
                )
            })
        })
        .collect()
}

fn pred_items(x: &Extraction, chars: &[char]) -> Vec<Item> {
    pred_indexed(x, chars)
        .into_iter()
        .map(|(_, it)| it)
        .collect()
}

/// For each statement of `x`, whether it counts as an end-to-end hit against `gd`
/// (overlap-matched one-to-one, speaker right), exactly as [`score`] counts them.
pub fn e2e_labels(gd: &GoldDoc, x: &Extraction) -> Vec<bool> {
    let chars: Vec<char> = gd.text.chars().collect();
    let g = gold_items(gd, &chars);
    let (idx, p): (Vec<usize>, Vec<Item>) = pred_indexed(x, &chars).into_iter().unzip();
    let mut out = vec![false; x.statements.len()];
    for (gi, pi) in matching(&g, &p, false) {
        if speaker_ok(&g[gi].1, &p[pi].1) {
            out[idx[pi]] = true;
        }
    }
    out
}

/// Gold documents from JSONL text (blank lines skipped); an error names `name`, the line
/// and what is wrong.
pub fn parse_gold(text: &str, name: &str) -> Result<Vec<GoldDoc>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| serde_json::from_str(l).map_err(|e| format!("{name}:{}: {e}", n + 1)))
        .collect()
}

/// Scores predictions against gold, as score.py does.
pub fn score(gold: &[GoldDoc], preds: &[Extraction], per_doc: bool) -> Value {
    let by_id: BTreeMap<&str, &Extraction> = preds.iter().map(|p| (p.id.as_str(), p)).collect();
    let (mut n_gold, mut n_pred) = (0usize, 0usize);
    let mut tp = [0usize; 2];
    let mut spk = [0usize; 2];
    let mut spk_span = [0usize; 2];
    let mut kind_tot: BTreeMap<String, usize> = BTreeMap::new();
    let mut kind_hit: BTreeMap<String, usize> = BTreeMap::new();
    let mut missing = 0;
    for gd in gold {
        let chars: Vec<char> = gd.text.chars().collect();
        let g = gold_items(gd, &chars);
        let p = match by_id.get(gd.id.as_str()) {
            None => {
                missing += 1;
                Vec::new()
            }
            Some(x) => pred_items(x, &chars),
        };
        n_gold += g.len();
        n_pred += p.len();
        for (_, q) in &g {
            *kind_tot.entry(q.kind.clone()).or_default() += 1;
        }
        let mut row = json!({"id": gd.id, "gold": g.len(), "pred": p.len()});
        for (m, exact) in [(0, true), (1, false)] {
            let pairs = matching(&g, &p, exact);
            tp[m] += pairs.len();
            let ok = pairs
                .iter()
                .filter(|&&(gi, pi)| speaker_ok(&g[gi].1, &p[pi].1))
                .count();
            spk[m] += ok;
            spk_span[m] += pairs
                .iter()
                .filter(|&&(gi, pi)| speaker_span_ok(&g[gi].1, &p[pi].1))
                .count();
            let name = if exact { "exact" } else { "overlap" };
            row[name] = json!(pairs.len());
            row[format!("{name}_spk_ok")] = json!(ok);
            if !exact {
                for &(gi, _) in &pairs {
                    *kind_hit.entry(g[gi].1.kind.clone()).or_default() += 1;
                }
            }
        }
        if per_doc {
            eprintln!("{row}");
        }
    }
    let mut out = serde_json::Map::new();
    out.insert("docs".into(), json!(gold.len()));
    out.insert("docs_missing_in_pred".into(), json!(missing));
    out.insert("n_gold".into(), json!(n_gold));
    out.insert("n_pred".into(), json!(n_pred));
    for (m, name) in ["exact", "overlap"].iter().enumerate() {
        let (p, r, f) = prf(tp[m], n_pred, n_gold);
        out.insert(format!("{name}_p"), json!(p));
        out.insert(format!("{name}_r"), json!(r));
        out.insert(format!("{name}_f1"), json!(f));
        out.insert(format!("{name}_matched"), json!(tp[m]));
    }
    for (m, name) in ["exact", "overlap"].iter().enumerate() {
        let acc = if tp[m] > 0 {
            round4(spk[m] as f64 / tp[m] as f64)
        } else {
            0.0
        };
        out.insert(format!("speaker_acc_{name}"), json!(acc));
    }
    for (m, name) in ["exact", "overlap"].iter().enumerate() {
        let (p, r, f) = prf(spk[m], n_pred, n_gold);
        out.insert(format!("e2e_{name}_p"), json!(p));
        out.insert(format!("e2e_{name}_r"), json!(r));
        out.insert(format!("e2e_{name}_f1"), json!(f));
    }
    for (m, name) in ["exact", "overlap"].iter().enumerate() {
        let (p, r, f) = prf(spk_span[m], n_pred, n_gold);
        out.insert(format!("e2e_spanspk_{name}_p"), json!(p));
        out.insert(format!("e2e_spanspk_{name}_r"), json!(r));
        out.insert(format!("e2e_spanspk_{name}_f1"), json!(f));
    }
    let by_kind: BTreeMap<String, f64> = kind_tot
        .iter()
        .map(|(k, &v)| {
            (
                k.clone(),
                round4(*kind_hit.get(k).unwrap_or(&0) as f64 / v as f64),
            )
        })
        .collect();
    out.insert("overlap_recall_by_kind".into(), json!(by_kind));
    out.insert("gold_by_kind".into(), json!(kind_tot));
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_gold_skips_blank_lines_and_names_a_bad_one() {
        let ok = "{\"id\":\"a\",\"text\":\"x\"}\n\n{\"id\":\"b\",\"text\":\"y\",\"quotes\":[]}\n";
        let docs = parse_gold(ok, "gold.jsonl").expect("two documents");
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].id, "b");
        let Err(err) = parse_gold("{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":", "gold.jsonl") else {
            panic!("the second line is cut off");
        };
        assert!(err.starts_with("gold.jsonl:2:"), "{err}");
    }
}
