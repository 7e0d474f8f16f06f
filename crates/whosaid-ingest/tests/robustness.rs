//! No parser panics on hostile bytes: a few hundred deterministic pseudo-random and
//! mutated inputs (xorshift, so failures reproduce) through the HTML, feed, WARC, JSONL
//! and text readers. The cargo-fuzz targets in `fuzz/` do the same at scale.

use std::io::Cursor;

use whosaid_ingest::{feed, html, jsonl::JsonlReader, text, warc::WarcReader, IngestOptions};

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Random bytes, or a seed with bytes flipped, inserted, deleted or cut.
fn inputs(seeds: &[&[u8]], count: usize, rng_seed: u64) -> Vec<Vec<u8>> {
    let mut rng = XorShift(rng_seed);
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        if i % 5 == 0 {
            let len = rng.below(600);
            out.push((0..len).map(|_| rng.next() as u8).collect());
            continue;
        }
        let mut v = seeds[rng.below(seeds.len())].to_vec();
        for _ in 0..1 + rng.below(12) {
            if v.is_empty() {
                break;
            }
            let at = rng.below(v.len());
            match rng.below(5) {
                0 => v[at] = rng.next() as u8,
                1 => {
                    const SPECIAL: &[u8] = b"<>&\"'\r\n\0{}[]:/";
                    v.insert(at, SPECIAL[rng.below(SPECIAL.len())]);
                }
                2 => {
                    v.remove(at);
                }
                3 => v.truncate(at),
                _ => {
                    let end = (at + rng.below(40)).min(v.len());
                    let chunk = v[at..end].to_vec();
                    v.splice(at..at, chunk);
                }
            }
        }
        out.push(v);
    }
    out
}

fn data(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn html_never_panics() {
    let (a, b, c) = (
        data("news_article.html"),
        data("jsonld_divs.html"),
        data("meta_parsely_comments.html"),
    );
    for bytes in inputs(
        &[&a, &b, &c, b"<html><body><p>x</p></body></html>"],
        300,
        0x9E37_79B9_7F4A_7C15,
    ) {
        let (s, _) = html::decode(&bytes, None);
        let _ = html::extract(&s);
        let _ = html::article_from_bytes(&bytes, Some("text/html; charset=utf-8"), "id", "fuzz");
    }
}

#[test]
fn feeds_never_panic() {
    let (rss, atom) = (data("feed.rss"), data("feed.atom"));
    let opts = IngestOptions {
        fetch_entry_pages: false,
        ..Default::default()
    };
    for bytes in inputs(
        &[
            &rss,
            &atom,
            br#"{"version":"https://jsonfeed.org/version/1","items":[]}"#,
        ],
        300,
        42,
    ) {
        if let Ok(f) = feed::parse(&bytes, "fuzz") {
            for item in feed::entries(f, "fuzz".into(), None, &opts) {
                let _ = item;
            }
        }
    }
}

#[test]
fn warc_never_panics() {
    let record = |body: &str| {
        format!("WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://x.example/\r\nWARC-Date: 2024-01-01T00:00:00Z\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n{body}\r\n\r\n", body.len())
    };
    let one = record("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>The mayor said hello to everyone in the square today.</p>");
    let chunked = record("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n<p>0123456789</p\r\n1\r\n>\r\n0\r\n\r\n");
    let two = format!("{one}{chunked}");
    let opts = IngestOptions {
        max_file_bytes: 1 << 20,
        ..Default::default()
    };
    for bytes in inputs(&[one.as_bytes(), two.as_bytes()], 300, 7) {
        if let Ok(reader) = WarcReader::new(Cursor::new(bytes), "fuzz.warc", &opts) {
            // Bounded: a reader must end on any input.
            assert!(reader.take(1000).count() < 1000);
        }
    }
}

#[test]
fn jsonl_and_text_never_panic() {
    let seed = br#"{"id":"a","text":"The chief said no.","published":"2024-01-02","title":"t"}
{"text":"x","published":"2024-01-02T10:00:00+02:00"}
"#;
    let opts = IngestOptions {
        lossy: true,
        ..Default::default()
    };
    for (i, bytes) in inputs(&[seed], 300, 1234).into_iter().enumerate() {
        let n = JsonlReader::new(Cursor::new(bytes.clone()), "fuzz.jsonl", &opts)
            .take(10_000)
            .count();
        assert!(n < 10_000);
        let path = std::path::Path::new("fuzz.txt");
        let _ = text::check_not_binary(&bytes, "fuzz");
        let _ = text::decode_utf8(bytes.clone(), path, i % 2 == 0);
        if let Ok(s) = std::str::from_utf8(&bytes) {
            let _ = text::article_from_text("id", s);
            let _ = whosaid_ingest::date::parse_date(s);
        }
    }
}
