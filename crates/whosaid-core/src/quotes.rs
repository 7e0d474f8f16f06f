//! Quotation-mark pairing.
