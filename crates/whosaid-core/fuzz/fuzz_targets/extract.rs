//! Any text, any publication date: extraction must not panic, and every offset it
//! reports must fall inside the text on a code-point boundary.
#![no_main]

use libfuzzer_sys::fuzz_target;
use whosaid_core::{extract, Article};

fuzz_target!(|data: &[u8]| {
    let (date_seed, body) = data.split_first().map_or((0, data), |(d, b)| (*d, b));
    let text = String::from_utf8_lossy(body).into_owned();
    let mut article = Article::new("fuzz", text);
    article.published = chrono::NaiveDate::from_ymd_opt(2025, 1 + u32::from(date_seed % 12), 1 + u32::from(date_seed % 28));
    let x = extract(&article);
    let n = article.text.chars().count();
    for s in &x.statements {
        assert!(s.start <= s.end && s.end <= n);
        if let Some(sp) = &s.speaker {
            assert!(sp.start <= sp.end && sp.end <= n);
        }
    }
    for d in &x.dates {
        assert!(d.start <= d.end && d.end <= n);
    }
    for q in &x.quantities {
        assert!(q.start <= q.end && q.end <= n);
    }
});
