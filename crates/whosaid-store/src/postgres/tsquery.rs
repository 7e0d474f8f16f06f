//! The user's search syntax as a PostgreSQL `tsquery`. The query is parsed once, by
//! [`crate::query::to_fts`] (the SQLite backend's parser: words, "phrases", OR,
//! -exclusion, prefix*), and its output — quoted phrases joined by AND, OR, NOT and
//! parentheses — is rewritten token by token: a phrase becomes quoted lexemes joined by
//! `<->`, a prefix adds `:*` to its last word, AND/OR/NOT become `&`, `|`, `& !`. Every
//! word is folded as the stored vectors' words are ([`super::fts::fold`]: lower case, no
//! diacritics) and emitted as a quoted lexeme with quotes and backslashes escaped; the
//! result is always bound as a parameter and cast (`$n::text::tsquery`: lexemes taken as
//! written, not re-parsed by the server), never spliced into SQL.

use crate::error::Result;
use crate::query;

use super::fts::fold;

/// A user query as `tsquery` input; `Ok(None)` for a blank query.
pub fn to_tsquery(user: &str) -> Result<Option<String>> {
    Ok(query::to_fts(user)?.map(|fts| from_fts(&fts)))
}

fn lexeme(word: &str, prefix: bool) -> String {
    let escaped = fold(word).replace('\\', "\\\\").replace('\'', "''");
    if prefix {
        format!("'{escaped}':*")
    } else {
        format!("'{escaped}'")
    }
}

/// Rewrites an FTS5 expression as produced by `query::to_fts`.
fn from_fts(fts: &str) -> String {
    let chars: Vec<char> = fts.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '"' => {
                let mut text = String::new();
                let mut j = i + 1;
                while j < chars.len() {
                    if chars[j] == '"' {
                        if j + 1 < chars.len() && chars[j + 1] == '"' {
                            text.push('"');
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    text.push(chars[j]);
                    j += 1;
                }
                let prefix = j + 1 < chars.len() && chars[j + 1] == '*';
                i = j + 1 + usize::from(prefix);
                let words: Vec<&str> = text
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .collect();
                let n = words.len();
                let parts: Vec<String> = words
                    .iter()
                    .enumerate()
                    .map(|(k, w)| lexeme(w, prefix && k + 1 == n))
                    .collect();
                match parts.len() {
                    0 => out.push_str("''"),
                    1 => out.push_str(&parts[0]),
                    _ => {
                        out.push('(');
                        out.push_str(&parts.join(" <-> "));
                        out.push(')');
                    }
                }
            }
            '(' | ')' => {
                out.push(c);
                i += 1;
            }
            c if c.is_whitespace() => {
                i += 1;
            }
            _ => {
                let start = i;
                while i < chars.len() && chars[i].is_ascii_alphabetic() {
                    i += 1;
                }
                if i == start {
                    i += 1;
                    continue;
                }
                let word: String = chars[start..i].iter().collect();
                match word.as_str() {
                    "AND" => out.push_str(" & "),
                    "OR" => out.push_str(" | "),
                    "NOT" => out.push_str(" & !"),
                    _ => {}
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> String {
        to_tsquery(s).unwrap().unwrap()
    }

    #[test]
    fn syntax() {
        assert_eq!(q("tax cuts"), "'tax' & 'cuts'");
        assert_eq!(q("Müller"), "'muller'");
        assert_eq!(q("\"tax cuts\""), "('tax' <-> 'cuts')");
        assert_eq!(q("tax OR levy"), "('tax' | 'levy')");
        assert_eq!(q("tax -cuts"), "('tax') & !('cuts')");
        assert_eq!(q("infla*"), "'infla':*");
        assert_eq!(q("\"rate hike\"*"), "('rate' <-> 'hike':*)");
        assert_eq!(
            q("'; DROP TABLE statements; --"),
            "'drop' & 'table' & 'statements'"
        );
        assert_eq!(q("don't"), "('don' <-> 't')");
        assert_eq!(to_tsquery("  ").unwrap(), None);
        assert!(to_tsquery("-tax").is_err());
    }
}
