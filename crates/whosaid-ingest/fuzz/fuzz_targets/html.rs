//! HTML decoding and main-text extraction over arbitrary bytes: must not panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (text, _) = whosaid_ingest::html::decode(data, None);
    let _ = whosaid_ingest::html::extract(&text);
});
