//! Quotation-mark pairing: finds the spans that stand inside quotation marks, paragraph
//! by paragraph, for every style (" “ ” ‘ ’ « » „ “ ‹ ›). A mark that never closes ends
//! its quote at the paragraph's end; a quote whose paragraph ends open and whose next
//! paragraph opens again continues there (the newspaper convention for long quotes).
//! Nested quotes stay inside their outer quote. This step does not decide whether a
//! quote is a statement or who said it.

use crate::text::{Document, TokKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quote {
    /// Byte offset of the opening mark.
    pub open: usize,
    /// Byte offset of the closing mark, when there is one.
    pub close: Option<usize>,
    /// Content span (inside the marks), trimmed of whitespace.
    pub start: usize,
    pub end: usize,
    pub para: usize,
    /// Number of word tokens inside.
    pub words: usize,
    /// This quote continues a quote opened in an earlier paragraph.
    pub continues: bool,
    /// Single marks (‘ ’ or ').
    pub single: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mark {
    Open(Family),
    Close(Family),
    /// Straight marks and ” « » used both ways: decided by context.
    Either(Family),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Family {
    Double,
    Single,
}

fn classify(c: char) -> Option<Mark> {
    use Family::*;
    Some(match c {
        '\u{201c}' | '\u{201e}' | '\u{00ab}' | '\u{201f}' => Mark::Open(Double),
        '\u{201d}' | '\u{00bb}' => Mark::Close(Double),
        '"' => Mark::Either(Double),
        '\u{2018}' | '\u{201a}' | '\u{2039}' | '\u{201b}' => Mark::Open(Single),
        '\u{2019}' | '\u{203a}' => Mark::Close(Single),
        '\'' | '`' => Mark::Either(Single),
        _ => return None,
    })
}

/// All quotes of the document, in text order.
pub fn find_quotes(doc: &Document) -> Vec<Quote> {
    let mut out = Vec::new();
    let mut carry_open = false;
    // (family, byte offset of the open mark, token index after the mark); emptied for
    // each paragraph, but one allocation for them all
    let mut stack: Vec<(Family, usize, usize)> = Vec::new();
    for (pi, p) in doc.paragraphs.iter().enumerate() {
        stack.clear();
        let continues_from_prev = carry_open;
        carry_open = false;
        let mut i = p.tok_start;
        while i < p.tok_end {
            let t = doc.tokens[i];
            if t.kind != TokKind::Quote {
                i += 1;
                continue;
            }
            let tt = &doc.text[t.start..t.end];
            let c = tt.chars().next().unwrap_or(' ');
            let mark = match tt {
                "''" => Some(Mark::Either(Family::Double)),
                "``" => Some(Mark::Open(Family::Double)),
                _ => classify(c),
            };
            let Some(mark) = mark else {
                i += 1;
                continue;
            };
            let spaced_before = i == p.tok_start || doc.tokens[i - 1].end < t.start;
            let spaced_after = i + 1 >= p.tok_end || doc.tokens[i + 1].start > t.end;
            let word_before = i > p.tok_start
                && !spaced_before
                && matches!(doc.tokens[i - 1].kind, TokKind::Word | TokKind::Number);
            let open_in = |f: Family, stack: &Vec<(Family, usize, usize)>| {
                stack.iter().rposition(|&(g, _, _)| g == f)
            };
            let fam = match mark {
                Mark::Open(f) | Mark::Close(f) | Mark::Either(f) => f,
            };
            // the one mark of a German-style „…“ pair that closes with “
            let closes_low9 = c == '\u{201c}'
                && stack
                    .last()
                    .is_some_and(|&(_, o, _)| doc.text[o..].starts_with('\u{201e}'));
            let is_close = match mark {
                _ if closes_low9 => true,
                Mark::Close(_) => {
                    // ” opening a quote after a space (Swedish style, or a typo) with
                    // nothing open
                    !(open_in(fam, &stack).is_none() && spaced_before && !spaced_after)
                }
                Mark::Open(_) => false,
                Mark::Either(_) => {
                    if open_in(fam, &stack).is_some() {
                        // close unless it clearly opens a nested quote of the same kind
                        !(spaced_before && !spaced_after && !word_before)
                    } else {
                        false
                    }
                }
            };
            if is_close {
                if let Some(pos) = open_in(fam, &stack) {
                    let (f, open, after) = stack[pos];
                    stack.truncate(pos);
                    if stack.is_empty() {
                        push(doc, &mut out, f, open, Some(t.start), after, i, pi, false);
                    }
                } else if fam == Family::Double && stack.is_empty() && continues_from_prev {
                    // the closing mark of a quote that began in an earlier paragraph
                    // without an opening mark repeated here
                    push(
                        doc,
                        &mut out,
                        fam,
                        p.start,
                        Some(t.start),
                        p.tok_start,
                        i,
                        pi,
                        true,
                    );
                }
                // an unmatched single closing mark is an apostrophe ("the Joneses’ car")
            } else {
                let single = fam == Family::Single;
                // a single mark opens a quote only at a word start: "rock 'n' roll" and
                // "'90s" are not quotes
                let opens = !single || (spaced_before || !word_before) && !spaced_after;
                if opens {
                    stack.push((fam, t.start, i + 1));
                }
            }
            i += 1;
        }
        // marks still open at the paragraph end: only the outermost double (or a lone
        // single) quote counts; it ends here
        if let Some(&(f, open, after)) = stack.first() {
            let next_opens = doc
                .paragraphs
                .get(pi + 1)
                .and_then(|np| doc.tokens.get(np.tok_start).map(|t| (np, t)))
                .is_some_and(|(np, t)| {
                    t.start == np.start
                        && t.kind == TokKind::Quote
                        && doc.text[t.start..]
                            .chars()
                            .next()
                            .and_then(classify)
                            .is_some_and(|m| !matches!(m, Mark::Close(Family::Single)))
                });
            let is_headline_single = f == Family::Single && stack.len() == 1;
            if f == Family::Double || is_headline_single {
                push(doc, &mut out, f, open, None, after, p.tok_end, pi, false);
                carry_open = next_opens && f == Family::Double;
            }
        }
        let _ = continues_from_prev;
    }
    // mark continuations: a quote opening a paragraph right after one left open
    for k in 1..out.len() {
        if out[k - 1].close.is_none()
            && out[k].para == out[k - 1].para + 1
            && doc.paragraphs[out[k].para].start == out[k].open
        {
            out[k].continues = true;
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn push(
    doc: &Document,
    out: &mut Vec<Quote>,
    fam: Family,
    open: usize,
    close: Option<usize>,
    tok_after_open: usize,
    tok_close: usize,
    para: usize,
    continues: bool,
) {
    let end_byte = close.unwrap_or(doc.paragraphs[para].end);
    let start_byte = if continues {
        open
    } else {
        doc.tokens
            .get(tok_after_open)
            .map_or(end_byte, |t| t.start.min(end_byte))
    };
    let inner = &doc.text[start_byte..end_byte];
    let trimmed_end = start_byte + inner.trim_end().len();
    let words = doc.tokens[tok_after_open.min(tok_close)..tok_close]
        .iter()
        .filter(|t| matches!(t.kind, TokKind::Word | TokKind::Number))
        .count();
    if trimmed_end > start_byte {
        out.push(Quote {
            open,
            close,
            start: start_byte,
            end: trimmed_end,
            para,
            words,
            continues,
            single: fam == Family::Single,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(t: &str) -> Vec<String> {
        let d = Document::new(t);
        find_quotes(&d)
            .iter()
            .map(|q| t[q.start..q.end].to_string())
            .collect()
    }

    #[test]
    fn pairs_every_style() {
        assert_eq!(
            spans("“We will not,” he said. “Never.”"),
            vec!["We will not,", "Never."]
        );
        assert_eq!(spans("\"Yes,\" she said."), vec!["Yes,"]);
        assert_eq!(spans("«Non», a-t-il dit."), vec!["Non"]);
        assert_eq!(spans("„Nein“, sagte er."), vec!["Nein"]);
        assert_eq!(spans("'Not now,' he said."), vec!["Not now,"]);
        assert_eq!(spans("‘Not now,’ he said."), vec!["Not now,"]);
    }

    #[test]
    fn nested_and_apostrophes() {
        assert_eq!(
            spans("“He told me ‘no’ twice and Clinton’s aides agreed,” she said."),
            vec!["He told me ‘no’ twice and Clinton’s aides agreed,"]
        );
        assert_eq!(spans("The Joneses’ car broke down."), Vec::<String>::new());
    }

    #[test]
    fn unclosed_ends_at_paragraph() {
        assert_eq!(
            spans("He said: “We are done here.\n\nThe next day came."),
            vec!["We are done here."]
        );
    }

    #[test]
    fn multi_paragraph_quotes_continue() {
        let t = "“First part of it.\n\n“Second part,” she said.";
        let d = Document::new(t);
        let q = find_quotes(&d);
        assert_eq!(q.len(), 2);
        assert!(q[1].continues);
        assert!(!q[0].continues);
    }
}
