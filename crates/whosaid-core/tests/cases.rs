//! Gold cases: "tests as data". Every `tests/cases/NAME.txt` is a short article written
//! by hand for this suite (invented people and places); `NAME.json` next to it is what a
//! careful human reader extracts from it, also written by hand. This harness never writes
//! expected files: there is no update mode, on purpose.
//!
//! `NAME.txt`: the article text. An optional first line `published: YYYY-MM-DD` sets the
//! publication date and is stripped (with its newline) before extraction.
//!
//! `NAME.json`:
//! ```json
//! { "statements": [ { "kind": "direct|indirect|mixed", "text": "...",
//!                     "speaker": "Canonical Name" | null, "cue": "said" | null,
//!                     "said_on": "YYYY-MM-DD" | null,   // optional: checked when present
//!                     "role": "..." | null } ],         // optional: checked when present
//!   "credit": "Reuters" | null,                         // optional
//!   "entities": [ { "name": "...", "kind": "person", "roles": ["..."] } ],  // optional, a selection
//!   "quantities": [ { "text": "...", "value": 40000, "unit": "refugees" } ] } // optional, a selection
//! ```
//! Statements compare exactly as a list in text order: (kind, content, speaker name, cue
//! text). Content is compared after the span normalisation the reference scorer
//! (`shared/eval/score.py`) applies to both sides: trim whitespace, quotation marks and
//! edge punctuation, then drop a leading "that ". Listed entities must exist by name with
//! exactly that kind and roles; listed quantities must exist with that text, value and unit.
//!
//! Conventions the expectations follow: a speaker is its canonical name without titles,
//! role words or a leading "The" ("Ngozi Okafor", "Guardian", "Baltic Water Authority");
//! a nominal speaker is its mention as written ("The ministry", "Sources"); the cue is the
//! reporting verb alone ("told", not "told reporters"), or "according to"; a part of a
//! split or continued quote with no cue of its own has cue null but the same speaker.
//! Run one case with `CASE=name cargo test -p whosaid-core --test cases`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;
use whosaid_core::{extract, Article, Extraction};

const EDGE: &[char] = &[
    ' ', '\n', '\t', '"', '\u{201c}', '\u{201d}', '\u{201e}', '\u{201f}', '\u{ab}', '\u{bb}',
    '\u{2018}', '\u{2019}', '\'', '`', ',', '.', ';', ':', '!', '?', '\u{2026}', '\u{2013}',
    '\u{2014}',
];

fn norm(s: &str) -> String {
    let t = s.trim_matches(EDGE);
    let t = t.strip_prefix("that ").unwrap_or(t);
    t.trim_matches(EDGE).to_string()
}

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("cases")
}

fn load(name: &str) -> (Article, Value) {
    let dir = cases_dir();
    let raw = std::fs::read_to_string(dir.join(format!("{name}.txt"))).expect("case text");
    let json = std::fs::read_to_string(dir.join(format!("{name}.json"))).expect("case json");
    let expected: Value =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{name}.json: {e}"));
    let mut article = Article::new(name, raw.trim_end().to_string());
    if let Some(rest) = raw.strip_prefix("published: ") {
        let (date, body) = rest.split_once('\n').expect("published line then text");
        let date = date
            .trim()
            .parse()
            .unwrap_or_else(|e| panic!("{name}: bad date: {e}"));
        article = Article::new(name, body.trim_end().to_string()).with_published(date);
    }
    (article, expected)
}

fn opt_str(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

/// Every difference between `got` and `exp`, one line each; empty when they agree.
fn diff(got: &Extraction, exp: &Value) -> String {
    let mut out = String::new();
    let want = exp["statements"].as_array().cloned().unwrap_or_default();
    let fmt_row = |k: &str, t: &str, s: &Option<String>, c: &Option<String>| {
        format!(
            "{k:8} {:?} ← {} [{}]",
            t,
            s.as_deref().unwrap_or("∅"),
            c.as_deref().unwrap_or("∅")
        )
    };
    let got_rows: Vec<_> = got
        .statements
        .iter()
        .map(|s| {
            (
                s.kind.as_str().to_string(),
                norm(&s.text),
                s.speaker.as_ref().map(|p| p.name.clone()),
                s.cue.as_ref().map(|c| c.text.clone()),
            )
        })
        .collect();
    let want_rows: Vec<_> = want
        .iter()
        .map(|w| {
            (
                w["kind"].as_str().unwrap_or("?").to_string(),
                norm(w["text"].as_str().unwrap_or("")),
                opt_str(&w["speaker"]),
                opt_str(&w["cue"]),
            )
        })
        .collect();
    if got_rows != want_rows {
        out.push_str("  statements differ:\n");
        for r in &want_rows {
            let mark = if got_rows.contains(r) { ' ' } else { '-' };
            let _ = writeln!(out, "   {mark} {}", fmt_row(&r.0, &r.1, &r.2, &r.3));
        }
        for r in &got_rows {
            if !want_rows.contains(r) {
                let _ = writeln!(out, "   + {}", fmt_row(&r.0, &r.1, &r.2, &r.3));
            }
        }
    } else {
        for (i, (w, s)) in want.iter().zip(&got.statements).enumerate() {
            if let Some(d) = w.get("said_on") {
                let g = s.said_on.map(|d| d.to_string());
                if g != opt_str(d) {
                    let _ = writeln!(
                        out,
                        "  statement {i}: said_on {g:?}, expected {:?}",
                        opt_str(d)
                    );
                }
            }
            if let Some(r) = w.get("role") {
                let g = s.speaker.as_ref().and_then(|p| p.role.clone());
                if g != opt_str(r) {
                    let _ = writeln!(
                        out,
                        "  statement {i}: role {g:?}, expected {:?}",
                        opt_str(r)
                    );
                }
            }
        }
    }
    if let Some(c) = exp.get("credit") {
        if got.credit != opt_str(c) {
            let _ = writeln!(out, "  credit {:?}, expected {:?}", got.credit, opt_str(c));
        }
    }
    for e in exp["entities"].as_array().into_iter().flatten() {
        let name = e["name"].as_str().unwrap_or("");
        let roles: Vec<String> = e["roles"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(opt_str)
            .collect();
        match got.entities.iter().find(|g| g.name == name) {
            None => {
                let names: Vec<_> = got.entities.iter().map(|g| g.name.as_str()).collect();
                let _ = writeln!(out, "  entity {name:?} missing; have {names:?}");
            }
            Some(g) => {
                if g.kind.as_str() != e["kind"].as_str().unwrap_or("") || g.roles != roles {
                    let _ = writeln!(
                        out,
                        "  entity {name:?}: {} {:?}, expected {} {:?}",
                        g.kind.as_str(),
                        g.roles,
                        e["kind"],
                        roles
                    );
                }
            }
        }
    }
    for q in exp["quantities"].as_array().into_iter().flatten() {
        let text = q["text"].as_str().unwrap_or("");
        let value = q["value"].as_f64().unwrap_or(f64::NAN);
        let unit = opt_str(&q["unit"]);
        let ok = got
            .quantities
            .iter()
            .any(|g| g.text == text && g.value == value && g.unit == unit);
        if !ok {
            let have: Vec<_> = got
                .quantities
                .iter()
                .map(|g| (g.text.as_str(), g.value, g.unit.as_deref()))
                .collect();
            let _ = writeln!(
                out,
                "  quantity ({text:?}, {value}, {unit:?}) missing; have {have:?}"
            );
        }
    }
    out
}

#[test]
fn gold_cases() {
    let mut names: Vec<String> = std::fs::read_dir(cases_dir())
        .expect("tests/cases")
        .filter_map(|e| {
            let p = e.ok()?.path();
            if p.extension()? != "txt" {
                return None;
            }
            Some(p.file_stem()?.to_string_lossy().into_owned())
        })
        .collect();
    names.sort();
    assert!(
        names.len() >= 32,
        "expected at least 32 cases, found {}",
        names.len()
    );
    let only = std::env::var("CASE").ok();
    let mut failed = Vec::new();
    let mut report = String::new();
    for name in &names {
        if only.as_deref().is_some_and(|o| !name.contains(o)) {
            continue;
        }
        let (article, exp) = load(name);
        let got = extract(&article);
        let d = diff(&got, &exp);
        if !d.is_empty() {
            let _ = writeln!(report, "case {name}:\n{d}");
            failed.push(name.clone());
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} cases fail: {failed:?}\n\n{report}",
        failed.len(),
        names.len()
    );
}
