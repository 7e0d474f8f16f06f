//! The streaming JSONL reader over arbitrary bytes, strict and lossy: must not panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for lossy in [false, true] {
        let opts = whosaid_ingest::IngestOptions {
            lossy,
            max_file_bytes: 1 << 16,
            ..Default::default()
        };
        let cursor = std::io::Cursor::new(data.to_vec());
        for item in whosaid_ingest::jsonl::JsonlReader::new(cursor, "fuzz.jsonl", &opts) {
            let _ = item;
        }
    }
});
