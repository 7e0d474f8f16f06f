//! No-panic and no-quadratic checks: hostile or degenerate inputs must come back quickly
//! with a sane result. Sizes are chosen so the whole file runs in a few seconds in debug;
//! the time limits are generous on purpose (shared, slow CI machines).

use std::time::{Duration, Instant};

use whosaid_core::{extract, Article, Extraction};

fn run(text: String) -> (Extraction, Duration) {
    let t = Instant::now();
    let out = extract(&Article::new("robust", text));
    (out, t.elapsed())
}

/// Every offset of the output lies inside the text (counted in code points).
fn offsets_sane(text_chars: usize, out: &Extraction) {
    for s in &out.statements {
        assert!(
            s.start <= s.end && s.end <= text_chars,
            "statement span {}..{}",
            s.start,
            s.end
        );
    }
    for e in &out.entities {
        for m in &e.mentions {
            assert!(m.start <= m.end && m.end <= text_chars);
        }
    }
}

/// Tiny deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn empty_and_blank() {
    for text in [
        "",
        " ",
        "\n",
        "\u{201c}",
        "\"",
        "'",
        "\u{ab}\u{bb}",
        ".",
        "said",
        "according to",
    ] {
        let (out, _) = run(text.to_string());
        assert!(out.statements.len() <= 1, "{text:?}");
    }
    let newlines = "\n".repeat(1_000_000);
    let (out, dt) = run(newlines);
    assert!(out.statements.is_empty() && out.entities.is_empty());
    assert!(dt < Duration::from_secs(10), "newlines took {dt:?}");
    let crlf = "\r\n".repeat(200_000);
    let (out, _) = run(crlf);
    assert!(out.statements.is_empty());
}

#[test]
fn fifty_megabyte_paragraph() {
    // one paragraph, no line breaks: sentences of several shapes, repeated to 50 MB
    let unit = "Mayor Lena Voss said the ferry would run every twenty minutes. \
                \u{201c}We will not wait,\u{201d} she said. The port, according to officials, \
                handled roughly 40,000 containers on Monday. Councillor Tomas Brandt warned that \
                the plan ignored night workers (Reuters). ";
    let reps = 50_000_000 / unit.len() + 1;
    let text = unit.repeat(reps);
    let chars = text.chars().count();
    let (out, dt) = run(text);
    // linear time: about 10 s in release on one busy core; a quadratic step takes hours
    assert!(dt < Duration::from_secs(90), "50 MB paragraph took {dt:?}");
    offsets_sane(chars, &out);
    // three statements per unit are there to find; nothing may multiply them
    assert!(
        out.statements.len() <= 4 * reps,
        "{} statements from {reps} units",
        out.statements.len()
    );
    assert!(
        out.statements.len() >= reps,
        "{} statements from {reps} units",
        out.statements.len()
    );
}

#[test]
fn a_million_quotation_marks() {
    let marks = [
        '"', '\u{201c}', '\u{201d}', '\u{2018}', '\u{2019}', '\'', '\u{ab}', '\u{bb}', '\u{201e}',
        '`',
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut text = String::new();
    for i in 0..1_000_000 {
        text.push(marks[(rng.next() % marks.len() as u64) as usize]);
        match i % 7 {
            0 => text.push_str("word "),
            3 => text.push_str(" said Voss, "),
            5 if i % 1000 == 5 => text.push_str("\n\n"),
            _ => {}
        }
    }
    let chars = text.chars().count();
    let (out, dt) = run(text);
    assert!(dt < Duration::from_secs(20), "a million marks took {dt:?}");
    offsets_sane(chars, &out);
    // only marks: no run of them can hold content
    let only: String = (0..1_000_000).map(|i| marks[i % marks.len()]).collect();
    let (out, dt) = run(only);
    assert!(dt < Duration::from_secs(20), "bare marks took {dt:?}");
    assert!(out
        .statements
        .iter()
        .all(|s| s.text.chars().any(char::is_alphanumeric)));
}

#[test]
fn random_bytes_lossy() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for round in 0..20 {
        let len = 1 << (8 + round % 10);
        let bytes: Vec<u8> = (0..len).map(|_| (rng.next() >> 24) as u8).collect();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let chars = text.chars().count();
        let (out, _) = run(text);
        offsets_sane(chars, &out);
    }
    // bytes biased towards ASCII text, quotes and punctuation
    let alphabet = b"abc XYZ said \"'.,;:-()[]\n\xe2\x80\x9c\xe2\x80\x9d\xc2\xab\xc2\xbb";
    let bytes: Vec<u8> = (0..400_000)
        .map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize])
        .collect();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let chars = text.chars().count();
    let (out, dt) = run(text);
    assert!(dt < Duration::from_secs(20), "biased bytes took {dt:?}");
    offsets_sane(chars, &out);
}

#[test]
fn deep_nesting() {
    let depth = 100_000;
    let mut text = String::from("Voss said ");
    for i in 0..depth {
        text.push_str(["(", "[", "\u{201c}", "\u{2018}", "\u{ab}", "{"][i % 6]);
    }
    text.push_str("core");
    for i in (0..depth).rev() {
        text.push_str([")", "]", "\u{201d}", "\u{2019}", "\u{bb}", "}"][i % 6]);
    }
    text.push_str(", she said.");
    let chars = text.chars().count();
    let (out, dt) = run(text);
    assert!(dt < Duration::from_secs(20), "deep nesting took {dt:?}");
    offsets_sane(chars, &out);
    assert!(
        out.statements.len() < 100,
        "{} statements",
        out.statements.len()
    );

    // nested quotes in words, many levels
    let mut text = String::new();
    for _ in 0..2_000 {
        text.push_str("\u{201c}Brandt said \u{2018}Voss said ");
    }
    for _ in 0..2_000 {
        text.push_str("no\u{2019} today\u{201d} ");
    }
    let chars = text.chars().count();
    let (out, dt) = run(text);
    assert!(dt < Duration::from_secs(20), "nested quotes took {dt:?}");
    offsets_sane(chars, &out);
}

#[test]
fn long_words_and_names() {
    // one enormous token, and an enormous capitalised name run
    let (out, dt) = run("a".repeat(5_000_000));
    assert!(out.statements.is_empty() && dt < Duration::from_secs(20));
    let names = "Voss ".repeat(500_000) + "said the ferry was late.";
    let chars = names.chars().count();
    let (out, dt) = run(names);
    assert!(dt < Duration::from_secs(20), "name run took {dt:?}");
    offsets_sane(chars, &out);
    let saids = "said ".repeat(500_000);
    let (_, dt) = run(saids);
    assert!(dt < Duration::from_secs(20), "cue run took {dt:?}");
}

#[test]
fn inputs_the_fuzzer_found() {
    // a weak verb whose would-be object is only punctuation before a cut ("ruled :on,")
    // once made a candidate with its end before its start
    for text in [
        "Kerrigan ruled :on, emphasized that it",
        ":MTI:MPrimK:MPrimKeNrrigan ruled \t\t:on, emphasized that supplies we\n\nEllison warned",
    ] {
        let chars = text.chars().count();
        let (out, _) = run(text.to_string());
        offsets_sane(chars, &out);
    }
}
