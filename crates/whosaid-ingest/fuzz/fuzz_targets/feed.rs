//! Feed parsing and entry conversion (no fetching) over arbitrary bytes: must not panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = whosaid_ingest::IngestOptions {
        fetch_entry_pages: false,
        ..Default::default()
    };
    if let Ok(feed) = whosaid_ingest::feed::parse(data, "fuzz") {
        for item in whosaid_ingest::feed::entries(feed, "fuzz".into(), None, &opts) {
            let _ = item;
        }
    }
});
