//! The user's search syntax — words, "quoted phrases", OR, -exclusion, prefix* — parsed
//! and rewritten as an FTS5 expression in which every word is a quoted string, so FTS5
//! operators typed by the user (NEAR, AND, NOT, column filters, ^) are searched as plain
//! words and no input can produce an FTS5 syntax error. Does not run the query.

use crate::error::{Result, StoreError};

#[derive(Debug, Clone, PartialEq)]
enum Term {
    /// Words searched as a phrase (a single word is a one-word phrase).
    Phrase(Vec<String>, bool),
}

impl Term {
    fn render(&self) -> String {
        let Term::Phrase(words, prefix) = self;
        let quoted = format!("\"{}\"", words.join(" ").replace('"', "\"\""));
        if *prefix {
            format!("{quoted}*")
        } else {
            quoted
        }
    }
}

/// Splits text into the words FTS5's unicode61 tokenizer would see.
fn fts_words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Rewrites a user query as a safe FTS5 MATCH expression. `Ok(None)` for a query with
/// nothing in it (blank); an error for one that only excludes or has no searchable words.
pub fn to_fts(query: &str) -> Result<Option<String>> {
    let invalid = |reason: &str| StoreError::InvalidQuery {
        query: query.to_string(),
        reason: reason.to_string(),
    };
    if query.trim().is_empty() {
        return Ok(None);
    }
    // Tokens: (negated, term) or an OR marker.
    enum Tok {
        Or,
        Term(bool, Term),
    }
    let mut toks = Vec::new();
    let chars: Vec<char> = query.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let negated = c == '-' && i + 1 < chars.len() && !chars[i + 1].is_whitespace();
        if negated {
            i += 1;
        }
        if chars[i] == '"' {
            // A phrase runs to the closing quotation mark, or to the end.
            let start = i + 1;
            let mut j = start;
            while j < chars.len() && chars[j] != '"' {
                j += 1;
            }
            let text: String = chars[start..j].iter().collect();
            let prefix = j + 1 < chars.len() && chars[j + 1] == '*';
            i = j + 1 + usize::from(prefix);
            let words = fts_words(&text);
            if !words.is_empty() {
                toks.push(Tok::Term(negated, Term::Phrase(words, prefix)));
            }
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '"' {
            i += 1;
        }
        let raw: String = chars[start..i].iter().collect();
        if raw == "OR" && !negated {
            toks.push(Tok::Or);
            continue;
        }
        let prefix = raw.ends_with('*');
        let words = fts_words(&raw);
        if words.is_empty() {
            continue;
        }
        // "don't" or "co-operate" become a phrase of their parts, as FTS5 indexes them.
        toks.push(Tok::Term(negated, Term::Phrase(words, prefix)));
    }
    // Group positives into AND-ed OR-groups; collect negatives.
    let mut groups: Vec<Vec<Term>> = Vec::new();
    let mut negatives: Vec<Term> = Vec::new();
    let mut join_next = false;
    for tok in toks {
        match tok {
            Tok::Or => join_next = !groups.is_empty(),
            Tok::Term(true, t) => {
                negatives.push(t);
                join_next = false;
            }
            Tok::Term(false, t) => {
                match groups.last_mut() {
                    Some(g) if join_next => g.push(t),
                    _ => groups.push(vec![t]),
                }
                join_next = false;
            }
        }
    }
    if groups.is_empty() {
        return Err(invalid(if negatives.is_empty() {
            "it has no words to search for"
        } else {
            "it only excludes words; add at least one word to search for"
        }));
    }
    let positive = groups
        .iter()
        .map(|g| {
            let inner: Vec<String> = g.iter().map(Term::render).collect();
            if inner.len() == 1 {
                inner[0].clone()
            } else {
                format!("({})", inner.join(" OR "))
            }
        })
        .collect::<Vec<_>>()
        .join(" AND ");
    if negatives.is_empty() {
        return Ok(Some(positive));
    }
    let neg: Vec<String> = negatives.iter().map(Term::render).collect();
    Ok(Some(format!("({positive}) NOT ({})", neg.join(" OR "))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax() {
        assert_eq!(to_fts("tax cuts").unwrap().unwrap(), "\"tax\" AND \"cuts\"");
        assert_eq!(to_fts("\"tax cuts\"").unwrap().unwrap(), "\"tax cuts\"");
        assert_eq!(
            to_fts("tax OR levy").unwrap().unwrap(),
            "(\"tax\" OR \"levy\")"
        );
        assert_eq!(
            to_fts("tax -cuts").unwrap().unwrap(),
            "(\"tax\") NOT (\"cuts\")"
        );
        assert_eq!(to_fts("infla*").unwrap().unwrap(), "\"infla\"*");
        assert_eq!(
            to_fts("NEAR(a b)").unwrap().unwrap(),
            "\"NEAR a\" AND \"b\""
        );
        assert_eq!(
            to_fts("'; DROP TABLE statements; --").unwrap().unwrap(),
            "\"DROP\" AND \"TABLE\" AND \"statements\""
        );
        assert_eq!(to_fts("   ").unwrap(), None);
        assert!(to_fts("\"").is_err());
        assert!(to_fts("*").is_err());
        assert!(to_fts("-tax").is_err());
        assert_eq!(to_fts("text:foo").unwrap().unwrap(), "\"text foo\"");
    }
}
