//! The streaming WARC reader over arbitrary bytes (plain or gzip): must not panic and
//! must end.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = whosaid_ingest::IngestOptions {
        max_file_bytes: 1 << 20,
        ..Default::default()
    };
    let cursor = std::io::Cursor::new(data.to_vec());
    if let Ok(reader) = whosaid_ingest::warc::WarcReader::new(cursor, "fuzz.warc", &opts) {
        for item in reader.take(10_000) {
            let _ = item;
        }
    }
});
