//! A learned choice of where reported content ends. The rules end "X said that …" at the
//! sentence's end or at a clause boundary they know; annotators often end it earlier
//! ("…, who …", "… even though …") or later. For each reported statement whose content
//! follows its cue, `attribution` lists the ends it may take — its own, an earlier break,
//! a later one — and this logistic model scores each; the best-scoring end is kept.
//!
//! The weights are data (`model/bounds.tsv`, trained by the `train_bounds` example on
//! the PolNeAR train split), in the gate's file format. A file without weights keeps the
//! rules' ends. The gate (see `gate`) is trained after this model, on its output.

use crate::attribution;
use crate::gate::{shuffle, FeatureIndex, FitOptions, Gate};
use crate::score::{norm_span, GoldDoc};
use crate::text::{CodePoints, Document};
use std::collections::HashMap;
use std::sync::OnceLock;

const MODEL: &str = include_str!("../model/bounds.tsv");

/// The model compiled into the library, when it has weights.
pub fn builtin() -> Option<&'static Gate> {
    static B: OnceLock<Gate> = OnceLock::new();
    Some(B.get_or_init(|| Gate::parse_static(MODEL))).filter(|g| g.is_active())
}

/// The fit's settings, tuned by cross-validation on train (more smoothing than the
/// gate's: there are fewer statements to learn from than candidates).
pub const FIT: FitOptions = FitOptions {
    epochs: 20,
    learning_rate: 0.05,
    l2: 1e-3,
    min_count: 5,
};

/// What [`train`] measured: over the statements whose gold end is among their
/// choices, how often the rules' own end and the model's choice (5-fold
/// cross-validation, by document) are that end.
#[derive(Debug, Clone)]
pub struct BoundsReport {
    pub statements: usize,
    pub choices: usize,
    pub keep_right: usize,
    pub cv_right: usize,
}

/// A statement's choices: each end's features and whether it is the gold end.
type Group = Vec<(Vec<String>, bool)>;

/// Labels every choice by gold: a gold reported quote starting where the content
/// starts (two characters either way, after the scorer's trimming) makes the choices
/// ending within two characters of its end right. Statements with no right choice
/// teach nothing about ends and are left out.
fn groups(gd: &GoldDoc) -> Vec<Group> {
    let doc = Document::new(&gd.text);
    let cp = CodePoints::new(&gd.text);
    let chars: Vec<char> = gd.text.chars().collect();
    let gold: Vec<(usize, usize)> = gd
        .quotes
        .iter()
        .filter(|q| q.kind.as_deref() != Some("direct"))
        .filter_map(|q| norm_span(&chars, q.start, q.end))
        .collect();
    let mut out = Vec::new();
    for choices in attribution::end_choices(&doc) {
        let group: Group = choices
            .into_iter()
            .map(|(s, e, fs)| {
                let span = norm_span(
                    &chars,
                    Some(cp.of_byte(s) as i64),
                    Some(cp.of_byte(e) as i64),
                );
                let right = span.is_some_and(|(s, e)| {
                    gold.iter()
                        .any(|&(gs, ge)| gs.abs_diff(s) <= 2 && ge.abs_diff(e) <= 2)
                });
                (fs, right)
            })
            .collect();
        if group.len() > 1 && group.iter().any(|(_, r)| *r) {
            out.push(group);
        }
    }
    out
}

fn argmax(model: &Gate, group: &Group) -> usize {
    let mut best = (f32::NEG_INFINITY, 0);
    for (i, (fs, _)) in group.iter().enumerate() {
        let z: f32 = fs.iter().map(|f| model.weight(f)).sum();
        if z > best.0 {
            best = (z, i);
        }
    }
    best.1
}

/// Trains the boundary model on gold documents (every choice a logistic-regression
/// sample, right or not) and measures it by 5-fold cross-validation over documents.
pub fn train(gold: &[GoldDoc], opts: FitOptions) -> (Gate, BoundsReport) {
    const FOLDS: usize = 5;
    let per_doc: Vec<Vec<Group>> = gold.iter().map(groups).collect();
    let mut report = BoundsReport {
        statements: per_doc.iter().map(Vec::len).sum(),
        choices: per_doc.iter().flatten().map(Vec::len).sum(),
        keep_right: per_doc.iter().flatten().filter(|g| g[0].1).count(),
        cv_right: 0,
    };
    let rows = |keep: &dyn Fn(usize) -> bool| -> Vec<&Group> {
        per_doc
            .iter()
            .enumerate()
            .filter(|(i, _)| keep(*i))
            .flat_map(|(_, gs)| gs)
            .collect()
    };
    for fold in 0..FOLDS {
        let model = fit(&rows(&|i| i % FOLDS != fold), opts);
        report.cv_right += per_doc
            .iter()
            .enumerate()
            .filter(|(i, _)| i % FOLDS == fold)
            .flat_map(|(_, gs)| gs)
            .filter(|g| g[argmax(&model, g)].1)
            .count();
    }
    (fit(&rows(&|_| true), opts), report)
}

/// Fits a conditional logit: within each statement's choices, a softmax over the
/// choices' scores, trained (AdaGrad, fixed shuffle) to put the probability on the
/// right ones. Scores compare only within a statement, so there is no bias.
fn fit(groups: &[&Group], opts: FitOptions) -> Gate {
    let index = FeatureIndex::new(
        groups
            .iter()
            .flat_map(|g| g.iter().map(|(fs, _)| fs.as_slice())),
        opts.min_count,
    );
    let names = &index.names;
    let data: Vec<Vec<(Vec<usize>, bool)>> = groups
        .iter()
        .map(|g| g.iter().map(|(fs, y)| (index.of(fs), *y)).collect())
        .collect();
    let d = names.len();
    let (mut w, mut g2) = (vec![0f32; d], vec![1e-8f32; d]);
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut grad: HashMap<usize, f32> = HashMap::new();
    for _ in 0..opts.epochs {
        shuffle(&mut order, &mut seed);
        for &gi in &order {
            let g = &data[gi];
            let z: Vec<f32> = g
                .iter()
                .map(|(ix, _)| ix.iter().map(|&i| w[i]).sum())
                .collect();
            let m = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let e: Vec<f32> = z.iter().map(|v| (v - m).exp()).collect();
            let sum: f32 = e.iter().sum();
            let right = g.iter().filter(|(_, y)| *y).count().max(1) as f32;
            grad.clear();
            for ((ix, y), ei) in g.iter().zip(&e) {
                let gz = ei / sum - if *y { 1.0 / right } else { 0.0 };
                for &i in ix {
                    *grad.entry(i).or_default() += gz;
                }
            }
            for (&i, &gz) in &grad {
                let gi = gz + opts.l2 * w[i];
                g2[i] += gi * gi;
                w[i] -= opts.learning_rate * gi / g2[i].sqrt();
            }
        }
    }
    let text: String = names
        .iter()
        .zip(&w)
        .filter(|(_, v)| v.abs() >= 1e-3)
        .map(|(f, v)| format!("{v:.4}\t{f}\n"))
        .collect();
    Gate::parse(&format!("#gate bias=0 threshold=0\n{text}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::GoldQuote;

    /// An article whose gold content stops before the apposed ", a figure …" that the
    /// rules keep.
    fn doc(i: usize) -> GoldDoc {
        let content = format!("the plant would cut {} jobs", 100 + i);
        let text =
            format!("Ana Lima warned on Friday that {content}, a figure the owners disputed.");
        let start = text.find(&content).unwrap_or_default();
        GoldDoc {
            id: format!("d{i}"),
            quotes: vec![GoldQuote {
                start: Some(start as i64),
                end: Some((start + content.len()) as i64),
                kind: Some("indirect".into()),
                speaker: Some("Ana Lima".into()),
                speaker_start: Some(0),
                speaker_end: Some(8),
                cue_start: None,
                cue_end: None,
            }],
            text,
        }
    }

    #[test]
    fn learns_where_gold_content_ends() {
        let docs: Vec<GoldDoc> = (0..30).map(doc).collect();
        let (model, report) = train(&docs, FIT);
        assert_eq!(report.statements, 30, "{report:?}");
        assert_eq!(report.keep_right, 0, "the rules keep the apposition");
        assert_eq!(report.cv_right, 30, "{report:?}");
        let g = &groups(&docs[0])[0];
        assert!(g[argmax(&model, g)].1);
        // the same data gives the same model
        assert_eq!(model.to_tsv(), train(&docs, FIT).0.to_tsv());
    }

    #[test]
    fn builtin_model_has_weights() {
        assert!(builtin().is_some());
    }
}
