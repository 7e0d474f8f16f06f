//! Word lists the extractor relies on, kept as data files under `lexicon/` and pulled in
//! at compile time.
