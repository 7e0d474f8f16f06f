//! Text layout: paragraphs, sentences and tokens, all as byte ranges into the original
//! text, plus the byte → code-point map used once at the end of extraction.

/// Byte offsets → code-point offsets.
pub struct CodePoints {
    /// Byte offset of every non-ASCII char, with the code-point count before it.
    wide: Vec<(usize, usize)>,
}

impl CodePoints {
    pub fn new(text: &str) -> Self {
        let mut wide = Vec::new();
        for (cp, (b, ch)) in text.char_indices().enumerate() {
            if !ch.is_ascii() {
                wide.push((b, cp));
            }
        }
        CodePoints { wide }
    }

    /// The code-point offset of byte offset `b` (a char boundary, or the text's end).
    pub fn of_byte(&self, b: usize) -> usize {
        let i = self.wide.partition_point(|&(wb, _)| wb < b);
        if i == 0 {
            return b;
        }
        let (wb, wcp) = self.wide[i - 1];
        // chars after the last wide char before `b` are one byte each
        let ch_len = b.saturating_sub(wb).min(4);
        let _ = ch_len;
        wcp + 1 + (b - wb).saturating_sub(wide_len_at(wb))
    }
}

fn wide_len_at(_b: usize) -> usize {
    1
}

pub struct Document<'a> {
    pub text: &'a str,
}

impl<'a> Document<'a> {
    pub fn new(text: &'a str) -> Self {
        Document { text }
    }
}
