//! The wire credit of an article: the agency that supplied it, from a dateline
//! ("LONDON (Reuters) -", "WASHINGTON (AP) —", "(AFP/dpa)"), a byline ("By Jane Doe,
//! Associated Press"), or a sign-off ("(Reporting by …; Editing by …)", "— Reuters",
//! "The Associated Press contributed to this report.").
//!
//! It looks only where credits sit: the first ~300 and the last ~500 bytes. An agency
//! mentioned in the running text ("Reuters reported", "told AFP") is not a credit, and
//! neither is a photo credit ("(AP Photo/Jane Doe)"). The agencies and their aliases are
//! data: `lexicon/agencies.txt`. The answer is the agency's canonical name ("Associated
//! Press" for "AP"); with several agencies in one bracket ("(AFP/dpa)") the first wins.

use std::sync::OnceLock;

const HEAD: usize = 300;
const TAIL: usize = 500;

/// The wire service credited by `text`, if any.
pub fn find_credit(text: &str) -> Option<String> {
    let agencies = agencies();
    let head = &text[..floor_boundary(text, HEAD)];
    let tail = &text[ceil_boundary(text, text.len().saturating_sub(TAIL))..];
    bracketed(agencies, head, false)
        .or_else(|| byline(agencies, head))
        .or_else(|| signed_off_reuters(tail))
        .or_else(|| bracketed(agencies, tail, true))
        .or_else(|| last_line(agencies, tail))
        .or_else(|| contributed(agencies, tail))
        .map(str::to_string)
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    if i >= text.len() {
        return text.len();
    }
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

struct Agencies {
    /// (alias, canonical name), longest alias first so "Associated Press" is tried before
    /// "AP" and "PA Media" before "PA".
    aliases: Vec<(String, String)>,
}

impl Agencies {
    fn parse(src: &str) -> Agencies {
        let mut aliases = Vec::new();
        for line in crate::gate::lines(src) {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let names: Vec<&str> = line
                .split('|')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            let Some(canonical) = names.first() else {
                continue;
            };
            for name in &names {
                aliases.push((name.to_string(), canonical.to_string()));
                let upper = name.to_uppercase();
                if upper != *name {
                    aliases.push((upper, canonical.to_string()));
                }
            }
        }
        aliases.sort_by_key(|(a, _)| std::cmp::Reverse(a.len()));
        Agencies { aliases }
    }

    /// The agency `s` names exactly.
    fn exact(&self, s: &str) -> Option<&str> {
        self.aliases
            .iter()
            .find(|(a, _)| a == s)
            .map(|(_, c)| c.as_str())
    }

    /// The agency named as a whole word at the end of `s`, and where that name starts.
    fn at_end(&self, s: &str) -> Option<(&str, usize)> {
        self.aliases.iter().find_map(|(a, c)| {
            let start = s.len().checked_sub(a.len())?;
            (s.ends_with(a.as_str()) && !alnum_before(s, start)).then_some((c.as_str(), start))
        })
    }

    /// The first agency named as a whole word anywhere in `s`.
    fn anywhere(&self, s: &str) -> Option<&str> {
        self.aliases.iter().find_map(|(a, c)| {
            s.match_indices(a.as_str())
                .any(|(i, _)| !alnum_before(s, i) && !alnum_after(s, i + a.len()))
                .then_some(c.as_str())
        })
    }
}

fn alnum_before(s: &str, i: usize) -> bool {
    s[..i]
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric)
}

fn alnum_after(s: &str, i: usize) -> bool {
    s[i..].chars().next().is_some_and(char::is_alphanumeric)
}

fn agencies() -> &'static Agencies {
    static AGENCIES: OnceLock<Agencies> = OnceLock::new();
    AGENCIES.get_or_init(|| Agencies::parse(include_str!("../lexicon/agencies.txt")))
}

/// An agency alone in brackets, or first of several: "(Reuters)", "(AFP/dpa)",
/// "(AP, Reuters)". At the end (`at_end`), the bracket must close the text, so that a
/// name glossed in passing ("the Associated Press (AP) said") is not taken.
fn bracketed<'a>(agencies: &'a Agencies, s: &str, at_end: bool) -> Option<&'a str> {
    for (open, _) in s.match_indices('(') {
        let inner = &s[open + 1..];
        // A credit bracket is short; a longer one is prose.
        let Some(close) = inner.find(')').filter(|&c| c <= 60) else {
            continue;
        };
        if at_end {
            let rest = &inner[close + 1..];
            if !rest.chars().all(|c| c.is_whitespace() || ".,;".contains(c)) {
                continue;
            }
        }
        let found = inner[..close]
            .split(['/', ',', ';', '&', '+'])
            .map(str::trim)
            .find_map(|part| agencies.exact(part));
        if found.is_some() {
            return found;
        }
    }
    None
}

/// A byline in the head: "By Jane Doe, Associated Press", "By JANE DOE AP Writer", or a
/// line that is just the agency ("Associated Press").
fn byline<'a>(agencies: &'a Agencies, head: &str) -> Option<&'a str> {
    for line in head.lines() {
        let line = line.trim();
        let by = line.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("by "));
        if by {
            if let Some(c) = agencies.anywhere(&line[3..]) {
                return Some(c);
            }
        } else if let Some(c) = agencies.exact(line.trim_end_matches(['.', ':'])) {
            return Some(c);
        }
    }
    None
}

/// Reuters' house sign-off: "(Reporting by Jane Doe; Editing by John Roe)".
fn signed_off_reuters(tail: &str) -> Option<&'static str> {
    // every mark holds "ing by": most tails, without it, need no search for each
    if !tail.contains("ing by") {
        return None;
    }
    [
        "(Reporting by",
        "; Editing by",
        "(Editing by",
        "(Writing by",
    ]
    .iter()
    .any(|m| tail.contains(m))
    .then_some("Reuters")
}

/// The last line ends with the agency after a dash, a copyright sign or "Source:", or
/// is the agency alone: "— Reuters", "-- AFP", "© 2025 AFP", "Source: Xinhua".
fn last_line<'a>(agencies: &'a Agencies, tail: &str) -> Option<&'a str> {
    let line = tail.trim_end().lines().last()?.trim();
    let line = line.trim_end_matches(['.', ')']).trim_end();
    let (agency, start) = agencies.at_end(line)?;
    let before = line[..start].trim_end();
    let credit_mark = before.is_empty()
        || before.ends_with(['-', '–', '—', '|', '/', ':', '('])
        || before.starts_with('©')
        || before.starts_with("(c)")
        || before.starts_with("Copyright");
    credit_mark.then_some(agency)
}

/// "The Associated Press contributed to this report.", "Associated Press writer Jane Doe
/// contributed.", "AFP writers": an agency named next to "contributed" or "writer".
fn contributed<'a>(agencies: &'a Agencies, tail: &str) -> Option<&'a str> {
    // both words hold "ontribut": most tails, without it, need no sentence searched
    if !tail.contains("ontribut") {
        return None;
    }
    for sentence in tail.split_inclusive(['.', '\n']) {
        if !(sentence.contains("contributed") || sentence.contains("ontributing")) {
            continue;
        }
        if let Some(c) = agencies.anywhere(sentence) {
            return Some(c);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "The committee met for six hours on the proposal, which would \
        change how the region's water is shared between farms and towns. Several members \
        said they wanted more time to study the figures before any vote. A spokeswoman \
        for the ministry said the plan had been misunderstood and would be explained again \
        at a public meeting. Farmers' groups said they would attend in large numbers. ";

    fn article(head: &str, tail: &str) -> String {
        format!("{head}{}{tail}", BODY.repeat(3))
    }

    fn credit(head: &str, tail: &str) -> Option<String> {
        find_credit(&article(head, tail))
    }

    #[test]
    fn datelines() {
        assert_eq!(
            credit("LONDON (Reuters) - The ", "").as_deref(),
            Some("Reuters")
        );
        assert_eq!(
            credit("WASHINGTON (AP) — The ", "").as_deref(),
            Some("Associated Press")
        );
        assert_eq!(
            credit("PARIS, March 6 (AFP) - ", "").as_deref(),
            Some("AFP")
        );
        assert_eq!(credit("BERLIN (AFP/dpa) - ", "").as_deref(), Some("AFP"));
        assert_eq!(
            credit("BEIJING, March 6 (XINHUA) -- ", "").as_deref(),
            Some("Xinhua")
        );
        assert_eq!(
            credit("(Bloomberg) -- Stocks ", "").as_deref(),
            Some("Bloomberg")
        );
    }

    #[test]
    fn bylines() {
        assert_eq!(
            credit("By Jane Okafor, Associated Press\n\nThe ", "").as_deref(),
            Some("Associated Press")
        );
        assert_eq!(
            credit("By JANE OKAFOR AP Diplomatic Writer\nThe ", "").as_deref(),
            Some("Associated Press")
        );
        assert_eq!(
            credit("Associated Press\nThe ", "").as_deref(),
            Some("Associated Press")
        );
    }

    #[test]
    fn sign_offs() {
        assert_eq!(
            credit("", "(Reporting by Jane Okafor; Editing by John Roe)").as_deref(),
            Some("Reuters")
        );
        assert_eq!(
            credit("", "the talks would resume. (AFP)").as_deref(),
            Some("AFP")
        );
        assert_eq!(
            credit("", "talks resume.\n— Reuters").as_deref(),
            Some("Reuters")
        );
        assert_eq!(
            credit("", "talks resume.\n© 2025 AFP").as_deref(),
            Some("AFP")
        );
        assert_eq!(
            credit("", "talks resume.\nSource: Xinhua").as_deref(),
            Some("Xinhua")
        );
        assert_eq!(
            credit("", "The Associated Press contributed to this report.").as_deref(),
            Some("Associated Press")
        );
        assert_eq!(
            credit("", "Kyodo News writer Ken Sato contributed.").as_deref(),
            Some("Kyodo")
        );
    }

    #[test]
    fn mentions_are_not_credits() {
        assert_eq!(credit("Reuters reported on Monday that ", ""), None);
        assert_eq!(credit("The minister told AFP that ", ""), None);
        let mid = format!(
            "{}As Reuters reported (Reuters) earlier, {}",
            BODY.repeat(2),
            BODY.repeat(2)
        );
        assert_eq!(find_credit(&mid), None);
        assert_eq!(
            credit("", "the Associated Press (AP) said the ban ended."),
            None
        );
        assert_eq!(
            credit("", "A protester waves. (AP Photo/Jane Okafor) The end."),
            None
        );
        assert_eq!(credit("", "he said, according to Reuters"), None);
        assert_eq!(credit("(CNN) - ", ""), None);
    }

    #[test]
    fn multibyte_edges_are_safe() {
        let text = "é".repeat(400) + " (Reuters) " + &"ü".repeat(400);
        assert_eq!(find_credit(&text), None);
        // The head ends inside "(AFP)", three bytes into the bracket.
        let text = "€".repeat(99) + "(AFP) said " + &"€".repeat(200);
        assert_eq!(find_credit(&text), None);
        let text = "€".repeat(99) + " (AFP)";
        assert_eq!(find_credit(&text).as_deref(), Some("AFP"));
    }

    #[test]
    fn never_panics_on_adversarial_text() {
        for text in [
            String::new(),
            "(".repeat(10_000),
            ")".repeat(10_000),
            "(Reuters".into(),
            "By ".into(),
            "b".into(),
            "é".into(),
            "9".repeat(1_000_000),
            "March ".repeat(10_000),
            "\u{feff}\u{301}(\u{301}AP\u{301})".into(),
            "—".repeat(1000) + "Reuters",
        ] {
            let _ = find_credit(&text);
        }
    }
}
