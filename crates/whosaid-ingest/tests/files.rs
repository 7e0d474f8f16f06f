//! Local sources: plain text, JSONL, WARC (built here, plain and gzip), feed files, and a
//! folder walked through `source::open`. Inputs are written into a temporary folder.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use whosaid_ingest::{open, IngestError, IngestOptions, Origin, SourceKind};

/// A scratch folder under the target dir, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("whosaid-ingest-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn no_fetch() -> IngestOptions {
    IngestOptions {
        fetch_entry_pages: false,
        ..Default::default()
    }
}

fn collect(
    path: &Path,
    opts: &IngestOptions,
) -> Vec<Result<whosaid_ingest::Ingested, IngestError>> {
    open(path.to_str().unwrap(), opts).unwrap().collect()
}

// ---------- text ----------

#[test]
fn text_file_with_title_line() {
    let s = Scratch::new("text-title");
    let p = s.write("story.txt", "Mayor quits after row\r\n\r\nThe mayor resigned on Friday, aides said.\r\n\r\n\"I am done,\" she said.\r\n".as_bytes());
    let items = collect(&p, &no_fetch());
    let item = items.into_iter().next().unwrap().unwrap();
    assert_eq!(item.article.title.as_deref(), Some("Mayor quits after row"));
    assert_eq!(
        item.article.text,
        "The mayor resigned on Friday, aides said.\n\n\"I am done,\" she said."
    );
    assert_eq!(item.article.id, p.display().to_string());
    assert_eq!(item.origin, Origin::File { path: p.clone() });
}

#[test]
fn text_file_whose_first_line_is_a_sentence_keeps_it() {
    let s = Scratch::new("text-notitle");
    let p = s.write(
        "a.txt",
        b"The mayor resigned on Friday.\n\nShe gave no reason.\n",
    );
    let item = whosaid_ingest::text::read(&p, &no_fetch()).unwrap();
    assert_eq!(item.article.title, None);
    assert!(item.article.text.starts_with("The mayor resigned"));
}

#[test]
fn invalid_utf8_names_the_byte_offset_unless_lossy() {
    let s = Scratch::new("text-utf8");
    let mut bytes = b"Caf\xc3\xa9 owners said ".to_vec(); // valid é
    let offset = bytes.len();
    bytes.extend_from_slice(b"\xff\xfe broken here and business was fine.");
    let p = s.write("bad.txt", &bytes);
    let err = whosaid_ingest::text::read(&p, &no_fetch()).unwrap_err();
    assert!(matches!(err, IngestError::InvalidUtf8 { offset: o, .. } if o == offset));
    let msg = err.to_string();
    assert!(
        msg.contains("bad.txt") && msg.contains(&format!("byte offset {offset}")),
        "{msg}"
    );

    let lossy = IngestOptions {
        lossy: true,
        ..no_fetch()
    };
    let item = whosaid_ingest::text::read(&p, &lossy).unwrap();
    assert!(item.article.text.contains('\u{fffd}'));
    assert_eq!(item.warnings.len(), 1);
    assert!(
        item.warnings[0].contains(&format!("byte offset {offset}")),
        "{:?}",
        item.warnings
    );
}

#[test]
fn empty_binary_and_oversized_files_are_clear_errors() {
    let s = Scratch::new("text-bad");
    let empty = s.write("empty.txt", b"");
    let err = whosaid_ingest::text::read(&empty, &no_fetch()).unwrap_err();
    assert!(err.to_string().ends_with("empty.txt: empty"), "{err}");
    let blank = s.write("blank.txt", b"\n  \n");
    assert!(matches!(
        whosaid_ingest::text::read(&blank, &no_fetch()),
        Err(IngestError::Empty { .. })
    ));

    let binary = s.write(
        "image.txt",
        &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13],
    );
    let err = whosaid_ingest::text::read(&binary, &no_fetch()).unwrap_err();
    assert!(matches!(err, IngestError::Binary { .. }), "{err}");
    assert!(
        err.to_string().contains("image.txt") && err.to_string().contains("binary"),
        "{err}"
    );
    let control: Vec<u8> = (0..400u32).map(|i| (i % 7 + 1) as u8).collect();
    let p = s.write("control.txt", &control);
    assert!(matches!(
        whosaid_ingest::text::read(&p, &no_fetch()),
        Err(IngestError::Binary { .. })
    ));

    let big = s.write("big.txt", &vec![b'a'; 2048]);
    let small = IngestOptions {
        max_file_bytes: 1024,
        ..no_fetch()
    };
    let err = whosaid_ingest::text::read(&big, &small).unwrap_err();
    assert!(
        err.to_string()
            .contains("2048 bytes exceeds the size limit of 1024"),
        "{err}"
    );

    let missing = s.0.join("missing.txt");
    let err = open(missing.to_str().unwrap(), &no_fetch()).unwrap_err();
    assert!(err.to_string().ends_with("missing.txt: not found"), "{err}");
}

// ---------- JSONL ----------

#[test]
fn jsonl_streams_lines_and_names_bad_line_numbers() {
    let s = Scratch::new("jsonl");
    let p = s.write(
        "batch.jsonl",
        concat!(
            r#"{"id": "a1", "text": "The minister said talks would resume.", "published": "2024-02-01", "title": "Talks", "url": "https://x.example/a1", "source": "Wire"}"#, "\n",
            r#"{"id": "a2", "text": "Broken"#, "\n",
            "\n",
            r#"{"text": "No id here, said the editor.", "published": "2024-02-03T23:00:00-08:00"}"#, "\n",
            r#"{"id": 7, "text": "Numeric id.", "published": "last Tuesday"}"#, "\n",
            r#"{"id": "a5"}"#, "\n",
            r#"{"id": "a6", "text": "Last line without newline."}"#,
        )
        .as_bytes(),
    );
    let items = collect(&p, &no_fetch());
    assert_eq!(items.len(), 6);
    let a1 = items[0].as_ref().unwrap();
    assert_eq!(a1.article.id, "a1");
    assert_eq!(a1.article.published, NaiveDate::from_ymd_opt(2024, 2, 1));
    assert_eq!(a1.article.source.as_deref(), Some("Wire"));
    assert_eq!(
        a1.origin,
        Origin::Line {
            path: p.clone(),
            line: 1
        }
    );

    let bad = items[1].as_ref().unwrap_err();
    assert!(matches!(bad, IngestError::Jsonl { line: 2, .. }), "{bad}");
    assert!(bad.to_string().contains("batch.jsonl: line 2:"), "{bad}");

    let no_id = items[2].as_ref().unwrap();
    assert_eq!(
        no_id.article.id,
        format!("{}:4", p.display()),
        "blank line 3 still counts"
    );
    assert_eq!(no_id.article.published, NaiveDate::from_ymd_opt(2024, 2, 3));

    let numeric = items[3].as_ref().unwrap();
    assert_eq!(numeric.article.id, "7");
    assert_eq!(numeric.article.published, None);
    assert!(numeric.warnings[0].contains("last Tuesday"));

    let no_text = items[4].as_ref().unwrap_err();
    assert!(
        no_text.to_string().contains("line 6") && no_text.to_string().contains("text"),
        "{no_text}"
    );
    assert_eq!(items[5].as_ref().unwrap().article.id, "a6");
}

#[test]
fn jsonl_overlong_line_is_skipped_not_buffered() {
    let s = Scratch::new("jsonl-long");
    let long = format!(
        "{{\"id\":\"big\",\"text\":\"{}\"}}\n{{\"id\":\"ok\",\"text\":\"fine\"}}\n",
        "x".repeat(5000)
    );
    let p = s.write("l.jsonl", long.as_bytes());
    let opts = IngestOptions {
        max_file_bytes: 1000,
        ..no_fetch()
    };
    let items = collect(&p, &opts);
    assert_eq!(items.len(), 2);
    assert!(items[0]
        .as_ref()
        .unwrap_err()
        .to_string()
        .contains("line 1: line longer than the limit"));
    assert_eq!(items[1].as_ref().unwrap().article.id, "ok");
}

// ---------- WARC ----------

fn warc_record(
    warc_type: &str,
    uri: &str,
    date: &str,
    content_type: &str,
    block: &[u8],
) -> Vec<u8> {
    let mut r = format!(
        "WARC/1.0\r\nWARC-Type: {warc_type}\r\nWARC-Record-ID: <urn:uuid:{uri}>\r\nWARC-Target-URI: {uri}\r\nWARC-Date: {date}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        block.len()
    )
    .into_bytes();
    r.extend_from_slice(block);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

fn http_response(content_type: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

const PAGE_A: &str = "<html><head><meta property='article:published_time' content='2024-05-02T10:00:00Z'><title>Port strike ends</title></head><body><nav>Home | World</nav><article><h1>Port strike ends</h1><p>Dock workers voted to end a two-week strike on Thursday, their union said.</p><p>\"It is a fair deal,\" said union leader Marta Silva.</p></article><footer>Copyright</footer></body></html>";
const PAGE_B: &str = "<html><body><div class='story'><p>The central bank held interest rates steady on Wednesday, citing stubborn inflation.</p><p>Governor Ian Platt said further rises could not be ruled out.</p></div></body></html>";

fn sample_warc() -> Vec<u8> {
    let mut w = Vec::new();
    w.extend(warc_record(
        "warcinfo",
        "",
        "2024-05-03T00:00:00Z",
        "application/warc-fields",
        b"software: test\r\n",
    ));
    w.extend(warc_record(
        "request",
        "https://news.example/port",
        "2024-05-03T00:00:01Z",
        "application/http; msgtype=request",
        b"GET /port HTTP/1.1\r\nHost: news.example\r\n\r\n",
    ));
    w.extend(warc_record(
        "response",
        "https://news.example/port",
        "2024-05-03T00:00:01Z",
        "application/http; msgtype=response",
        &http_response("text/html; charset=utf-8", PAGE_A),
    ));
    w.extend(warc_record(
        "response",
        "https://news.example/logo.png",
        "2024-05-03T00:00:02Z",
        "application/http; msgtype=response",
        &http_response("image/png", "PNG"),
    ));
    w.extend(warc_record(
        "response",
        "https://news.example/rates",
        "2024-05-04T12:00:00Z",
        "application/http; msgtype=response",
        &http_response("text/html", PAGE_B),
    ));
    w
}

fn check_sample(items: &[Result<whosaid_ingest::Ingested, IngestError>], path: &Path) {
    assert_eq!(items.len(), 2, "{items:?}");
    let a = items[0].as_ref().unwrap();
    assert_eq!(a.article.url.as_deref(), Some("https://news.example/port"));
    assert_eq!(
        a.article.published,
        NaiveDate::from_ymd_opt(2024, 5, 2),
        "the page's own date wins"
    );
    assert!(
        a.article.text.starts_with("Dock workers voted") && !a.article.text.contains("Copyright"),
        "{}",
        a.article.text
    );
    assert!(a.article.text.contains("\n\n\"It is a fair deal,\""));
    assert_eq!(
        a.origin,
        Origin::Record {
            path: path.to_path_buf(),
            record: 3,
            uri: Some("https://news.example/port".into())
        }
    );
    let b = items[1].as_ref().unwrap();
    assert_eq!(
        b.article.published,
        NaiveDate::from_ymd_opt(2024, 5, 4),
        "falls back to WARC-Date"
    );
    assert_eq!(b.article.id, "https://news.example/rates");
}

#[test]
fn warc_plain_whole_gzip_and_per_record_gzip() {
    let s = Scratch::new("warc");
    let plain = s.write("crawl.warc", &sample_warc());
    check_sample(&collect(&plain, &no_fetch()), &plain);

    let whole = s.write("crawl.warc.gz", &gz(&sample_warc()));
    check_sample(&collect(&whole, &no_fetch()), &whole);

    // Per-record gzip members, the usual layout of crawl archives.
    let mut members = Vec::new();
    let data = sample_warc();
    let mut start = 0;
    for (i, _) in data
        .windows(8)
        .enumerate()
        .filter(|(_, w)| w == b"WARC/1.0")
    {
        if i > start {
            members.extend(gz(&data[start..i]));
            start = i;
        }
    }
    members.extend(gz(&data[start..]));
    let per_record = s.write("members.warc.gz", &members);
    check_sample(&collect(&per_record, &no_fetch()), &per_record);
    assert_eq!(
        open(per_record.to_str().unwrap(), &no_fetch())
            .unwrap()
            .kind(),
        SourceKind::Warc
    );
}

#[test]
fn truncated_warc_yields_earlier_records_then_an_error_naming_the_record() {
    let s = Scratch::new("warc-trunc");
    let data = sample_warc();
    let cut = data.len() - 60; // inside the fifth record's block
    let p = s.write("cut.warc", &data[..cut]);
    let items = collect(&p, &no_fetch());
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(items[0].is_ok());
    let err = items[1].as_ref().unwrap_err();
    assert!(matches!(err, IngestError::Warc { record: 5, .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("cut.warc: record 5: truncated"), "{msg}");

    // Truncated gzip: same, the error names the file.
    let gzp = s.write("cut.warc.gz", &gz(&data)[..gz(&data).len() - 40]);
    let items = collect(&gzp, &no_fetch());
    assert!(items.first().is_some_and(|r| r.is_ok()));
    assert!(
        items.last().is_some_and(|r| r
            .as_ref()
            .is_err_and(|e| e.to_string().contains("cut.warc.gz: record"))),
        "{items:?}"
    );

    // Garbage instead of a WARC header.
    let junk = s.write("junk.warc", b"this is not a warc file\r\n\r\n");
    let items = collect(&junk, &no_fetch());
    assert_eq!(items.len(), 1);
    assert!(items[0]
        .as_ref()
        .unwrap_err()
        .to_string()
        .contains("junk.warc: record 1: expected a WARC version line"));
}

// ---------- feeds ----------

#[test]
fn rss_and_atom_files() {
    let data = format!("{}/tests/data", env!("CARGO_MANIFEST_DIR"));
    let rss: Vec<_> = open(&format!("{data}/feed.rss"), &no_fetch())
        .unwrap()
        .collect();
    assert_eq!(rss.len(), 2);
    let first = rss[0].as_ref().unwrap();
    assert_eq!(
        first.article.title.as_deref(),
        Some("Lifeboat crew rescue two kayakers")
    );
    assert_eq!(
        first.article.url.as_deref(),
        Some("https://coastalherald.example/news/lifeboat-rescue")
    );
    assert_eq!(first.article.published, NaiveDate::from_ymd_opt(2024, 3, 5));
    assert_eq!(
        first.article.source.as_deref(),
        Some("Coastal Herald - News")
    );
    assert!(
        first
            .article
            .text
            .contains("strong winds, the coastguard said.\n\n\"They were cold but unhurt,\""),
        "{}",
        first.article.text
    );
    let second = rss[1].as_ref().unwrap();
    assert_eq!(
        second.article.text,
        "The central library will open on Sundays from April."
    );
    assert!(second.warnings.iter().any(|w| w.contains("only a summary")));

    let atom: Vec<_> = open(&format!("{data}/feed.atom"), &no_fetch())
        .unwrap()
        .collect();
    assert_eq!(atom.len(), 1);
    let a = atom[0].as_ref().unwrap();
    assert_eq!(
        a.article.title.as_deref(),
        Some("Council approves new budget")
    );
    assert_eq!(a.article.published, NaiveDate::from_ymd_opt(2023, 11, 3));
    assert_eq!(
        a.article.id,
        "https://valleytimes.example/2023/11/03/budget/"
    );
    assert_eq!(
        a.article.text.split("\n\n").count(),
        3,
        "{}",
        a.article.text
    );
    assert!(matches!(&a.origin, Origin::FeedEntry { entry: 0, .. }));
}

#[test]
fn malformed_and_truncated_feeds_name_the_source() {
    let s = Scratch::new("feed-bad");
    let full = std::fs::read(format!(
        "{}/tests/data/feed.rss",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let cut = s.write("cut.rss", &full[..full.len() / 2]);
    let items = collect(&cut, &no_fetch());
    // feed-rs may recover a prefix or refuse; either way no panic, and a refusal names the file.
    for item in &items {
        if let Err(e) = item {
            assert!(e.to_string().contains("cut.rss"), "{e}");
        }
    }
    let junk = s.write(
        "junk.xml",
        b"<?xml version=\"1.0\"?><html><p>not a feed</p></html>",
    );
    let items = collect(&junk, &no_fetch());
    assert_eq!(items.len(), 1);
    let msg = items[0].as_ref().unwrap_err().to_string();
    assert!(msg.contains("junk.xml: malformed feed"), "{msg}");
    let empty = s.write("empty.rss", b"");
    let msg = collect(&empty, &no_fetch())[0]
        .as_ref()
        .unwrap_err()
        .to_string();
    assert!(msg.ends_with("empty.rss: empty"), "{msg}");
}

// ---------- folders ----------

#[test]
fn folder_walk_classifies_by_extension_and_sniffing() {
    let s = Scratch::new("folder");
    s.write(
        "a/story.txt",
        b"A council spokesman said the road would reopen on Monday.\n",
    );
    s.write("a/page.html", PAGE_B.as_bytes());
    s.write(
        "b/batch.jsonl",
        br#"{"id":"j1","text":"The coach said the team was ready."}"#,
    );
    s.write("b/crawl.warc", &sample_warc());
    s.write("c/no_extension", PAGE_A.as_bytes()); // sniffed as HTML
    s.write("c/photo.jpg", &[0xff, 0xd8, 0xff, 0xe0, 0, 0x10]); // skipped
    s.write(".hidden/secret.txt", b"should not be read");
    let items = collect(&s.0, &no_fetch());
    let ids: Vec<String> = items
        .iter()
        .map(|r| r.as_ref().unwrap().article.id.clone())
        .collect();
    assert_eq!(ids.len(), 6, "{ids:?}");
    assert!(
        ids[0].ends_with("page.html") && ids[1].ends_with("story.txt"),
        "sorted walk: {ids:?}"
    );
    assert_eq!(ids[2], "j1");
    assert_eq!(
        &ids[3..5],
        ["https://news.example/port", "https://news.example/rates"]
    );
    assert!(ids[5].ends_with("no_extension"));
    assert_eq!(
        open(s.0.to_str().unwrap(), &no_fetch()).unwrap().kind(),
        SourceKind::Folder
    );
}

#[test]
fn article_estimate_counts_files_and_jsonl_lines_and_gives_up_on_feeds() {
    let dir = Scratch::new("estimate");
    dir.write("a.txt", b"The minister said the plan would work.");
    dir.write("sub/b.html", b"<html><body><p>Text.</p></body></html>");
    dir.write("c.jsonl", b"{\"id\":\"1\",\"text\":\"a\"}\n\n{\"id\":\"2\",\"text\":\"b\"}\n{\"id\":\"3\",\"text\":\"c\"}");
    dir.write("notes.bin", &[0u8, 1, 2, 3]);
    dir.write(".hidden/d.txt", b"hidden");
    let root = dir.0.to_string_lossy().to_string();
    assert_eq!(whosaid_ingest::source::estimate_articles(&root), Some(5));
    let jsonl = dir.0.join("c.jsonl").to_string_lossy().to_string();
    assert_eq!(whosaid_ingest::source::estimate_articles(&jsonl), Some(3));
    dir.write(
        "feed.xml",
        b"<rss version=\"2.0\"><channel></channel></rss>",
    );
    assert_eq!(whosaid_ingest::source::estimate_articles(&root), None);
    assert_eq!(
        whosaid_ingest::source::estimate_articles("https://example.org/feed"),
        None
    );
}
