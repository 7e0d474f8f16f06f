//! The `whosaid` binary: command-line parsing and wiring only.

fn main() {}
