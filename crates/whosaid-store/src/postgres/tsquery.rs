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

/// A query that the words of all an article's statements (`articles.said_tsv`, one
/// vector without positions) match whenever one of its statements matches `tsq`: a
/// statement search finds its articles by it, since statements have no index of their
/// own (docs/scale-out.md, "Capacity model"). Those words hold no order and belong to
/// several statements, so phrases become conjunctions of their words, and an excluded
/// word may be in another statement, so negated parts match anything. `None` when
/// nothing is left to require (a query that only excludes) or `tsq` is not this
/// module's output.
pub fn relaxed(tsq: &str) -> Option<String> {
    let mut p = Parser {
        s: tsq.as_bytes(),
        i: 0,
    };
    let r = p.or()?;
    p.skip_ws();
    if p.i != p.s.len() {
        return None;
    }
    match r {
        Relaxed::Any => None,
        Relaxed::Query(q) => Some(q),
    }
}

/// A relaxed sub-query: `Any` matches every article.
enum Relaxed {
    Any,
    Query(String),
}

impl Relaxed {
    fn join(parts: Vec<Relaxed>, op: &str, any_wins: bool) -> Relaxed {
        let mut qs = Vec::with_capacity(parts.len());
        for r in parts {
            match r {
                Relaxed::Any if any_wins => return Relaxed::Any,
                Relaxed::Any => {}
                Relaxed::Query(q) => qs.push(q),
            }
        }
        match qs.len() {
            0 => Relaxed::Any,
            1 => Relaxed::Query(qs.remove(0)),
            _ => Relaxed::Query(format!("({})", qs.join(op))),
        }
    }
}

/// Reads `tsquery` text with the server's precedence (`!` over `<->` over `&` over `|`).
struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self.s.get(self.i).is_some_and(u8::is_ascii_whitespace) {
            self.i += 1;
        }
    }

    fn eat(&mut self, tok: &str) -> bool {
        self.skip_ws();
        if self
            .s
            .get(self.i..)
            .is_some_and(|r| r.starts_with(tok.as_bytes()))
        {
            self.i += tok.len();
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Option<Relaxed> {
        self.chain("|", Self::and, " | ", true)
    }

    fn and(&mut self) -> Option<Relaxed> {
        self.chain("&", Self::phrase, " & ", false)
    }

    /// A phrase's words need not be adjacent among the statements' words: a conjunction.
    fn phrase(&mut self) -> Option<Relaxed> {
        self.chain("<->", Self::unary, " & ", false)
    }

    /// Operands joined by `op`, relaxed and joined again by `joined`.
    fn chain(
        &mut self,
        op: &str,
        operand: fn(&mut Self) -> Option<Relaxed>,
        joined: &str,
        any_wins: bool,
    ) -> Option<Relaxed> {
        let mut parts = vec![operand(self)?];
        while self.eat(op) {
            parts.push(operand(self)?);
        }
        Some(Relaxed::join(parts, joined, any_wins))
    }

    fn unary(&mut self) -> Option<Relaxed> {
        if self.eat("!") {
            self.unary()?;
            return Some(Relaxed::Any);
        }
        if self.eat("(") {
            let r = self.or()?;
            return self.eat(")").then_some(r);
        }
        self.lexeme().map(Relaxed::Query)
    }

    /// A quoted lexeme (`''` and `\\` escapes) with its optional `:*`, as written.
    fn lexeme(&mut self) -> Option<String> {
        self.skip_ws();
        let start = self.i;
        if self.s.get(self.i) != Some(&b'\'') {
            return None;
        }
        self.i += 1;
        loop {
            match *self.s.get(self.i)? {
                b'\\' => self.i += 2,
                b'\'' if self.s.get(self.i + 1) == Some(&b'\'') => self.i += 2,
                b'\'' => {
                    self.i += 1;
                    break;
                }
                _ => self.i += 1,
            }
        }
        if self.s.get(self.i..).is_some_and(|r| r.starts_with(b":*")) {
            self.i += 2;
        }
        // Cut at ASCII bytes only, so the slice is whole UTF-8.
        std::str::from_utf8(self.s.get(start..self.i)?)
            .ok()
            .map(str::to_string)
    }
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

    fn relax(s: &str) -> Option<String> {
        relaxed(&q(s))
    }

    #[test]
    fn relaxed_queries_drop_word_order_and_exclusions() {
        assert_eq!(relax("tax cuts").as_deref(), Some("('tax' & 'cuts')"));
        assert_eq!(relax("\"tax cuts\"").as_deref(), Some("('tax' & 'cuts')"));
        assert_eq!(
            relax("\"rate hike\"*").as_deref(),
            Some("('rate' & 'hike':*)")
        );
        assert_eq!(relax("tax -cuts").as_deref(), Some("'tax'"));
        assert_eq!(
            relax("\"tax cuts\" OR levy").as_deref(),
            Some("(('tax' & 'cuts') | 'levy')")
        );
        assert_eq!(relax("Müller").as_deref(), Some("'muller'"));
        assert_eq!(relax("o'brien").as_deref(), Some("('o' & 'brien')"));
        // A negated alternative matches anything, so the whole OR does.
        assert_eq!(relaxed("'tax' | !'cuts'"), None);
        assert_eq!(relaxed("!'tax'"), None);
        // Escapes are kept as written.
        assert_eq!(
            relaxed("'it''s' <-> 'a\\\\b'").as_deref(),
            Some("('it''s' & 'a\\\\b')")
        );
        // Not this module's output: no narrowing rather than a wrong one.
        assert_eq!(relaxed("'tax' &"), None);
        assert_eq!(relaxed("('tax'"), None);
        assert_eq!(relaxed("tax"), None);
        assert_eq!(relaxed("'unterminated"), None);
        // Every cut of a query is read without panicking.
        let full = q("\"rate hike\"* OR (tax -\"it's\") OR o'brien");
        for (i, _) in full.char_indices() {
            let _ = relaxed(&full[..i]);
            let _ = relaxed(&full[i..]);
        }
    }
}
