//! Speakers across the corpus: turning the name an extractor gave ("Ukrainian President
//! Volodymyr Zelensky") into a normalised person (given name "volodymyr", surname
//! "zelensky", role "Ukrainian President"), and deciding which stored speaker, if any, a
//! new name belongs to. Pure decisions over candidates the backend fetched; no storage.
//!
//! Rules: same first name and the same or a close spelling of the surname ("Zelensky",
//! "Zelenskyy") → same person; different first names ("John Smith", "Jane Smith") →
//! different people; a bare surname joins the one full-name speaker with that surname,
//! stays unresolved when several share it (unless a role singles one out), and becomes a
//! surname-only placeholder when none does (absorbed later by the first full name).

use whosaid_core::EntityKind;

const TITLES_TXT: &str = include_str!("../data/titles.txt");

fn titles() -> &'static std::collections::HashSet<&'static str> {
    static T: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    T.get_or_init(|| {
        TITLES_TXT
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

const PARTICLES: &[&str] = &[
    "von", "van", "der", "den", "de", "da", "di", "du", "del", "della", "la", "le", "bin", "al",
    "el", "ibn", "ter", "dos", "das",
];
const SUFFIXES: &[&str] = &["jr", "sr", "ii", "iii", "iv"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpeakerClass {
    Person,
    Organization,
}

impl SpeakerClass {
    pub fn as_str(self) -> &'static str {
        match self {
            SpeakerClass::Person => "person",
            SpeakerClass::Organization => "organization",
        }
    }
}

/// A speaker name in normal form.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedName {
    pub class: SpeakerClass,
    /// The name without titles, as written ("Volodymyr Zelensky").
    pub display: String,
    /// Lower-cased first name; `None` for a bare surname (and for organisations).
    pub given: Option<String>,
    /// Lower-cased surname with its particles ("von der leyen"); an organisation's whole
    /// lower-cased name.
    pub surname: String,
    /// The title or role written before the name ("Ukrainian President").
    pub title: Option<String>,
}

impl ParsedName {
    pub fn surname3(&self) -> String {
        self.surname.chars().take(3).collect()
    }

    /// Whether a stored speaker (its first name and surname) answers to this name: the
    /// same first name and surname, or — for a bare surname — any full name with it.
    /// Both backends look speakers up with this one rule.
    pub fn answers(&self, given: Option<&str>, surname: &str) -> bool {
        match &self.given {
            Some(g) => given == Some(g.as_str()) && surname_matches(surname, &self.surname),
            None => given.is_some() && surname_matches(surname, &self.surname),
        }
    }
}

fn is_title(word: &str) -> bool {
    let w = word.trim_end_matches('.').to_lowercase();
    titles().contains(w.as_str())
}

fn starts_upper(word: &str) -> bool {
    word.chars().next().is_some_and(|c| c.is_uppercase())
}

/// Parses an extracted speaker name. `None` for what is not a corpus speaker: groups
/// ("officials"), places, pronouns and other lower-case descriptions.
pub fn parse(raw: &str, kind: EntityKind) -> Option<ParsedName> {
    let class = match kind {
        EntityKind::Person | EntityKind::Unknown => SpeakerClass::Person,
        EntityKind::Organization => SpeakerClass::Organization,
        EntityKind::Group | EntityKind::Place => return None,
    };
    let mut s = raw.trim();
    // "Jane Doe, a spokeswoman for …": the part after a comma is a description.
    if let Some((head, _)) = s.split_once(',') {
        s = head.trim();
    }
    for suffix in ["'s", "\u{2019}s"] {
        if let Some(h) = s.strip_suffix(suffix) {
            s = h;
        }
    }
    let s = s.trim_matches(|c: char| !c.is_alphanumeric() && c != '.');
    if class == SpeakerClass::Organization {
        let display = s.strip_prefix("the ").unwrap_or(s).trim().to_string();
        if display.is_empty() || !starts_upper(&display) {
            return None;
        }
        let surname = crate::normalize::words(&display).join(" ");
        return Some(ParsedName {
            class,
            surname,
            given: None,
            title: None,
            display,
        });
    }
    let tokens: Vec<&str> = s.split_whitespace().collect();
    if tokens.is_empty() {
        return None;
    }
    // The role prefix ends at the last title word before the final token.
    let mut name_from = 0;
    for (i, t) in tokens[..tokens.len() - 1].iter().enumerate() {
        if is_title(t) {
            name_from = i + 1;
        }
    }
    let title = (name_from > 0).then(|| tokens[..name_from].join(" "));
    let mut name: Vec<&str> = tokens[name_from..].to_vec();
    while name.len() > 1
        && name
            .last()
            .is_some_and(|t| SUFFIXES.contains(&t.trim_end_matches('.').to_lowercase().as_str()))
    {
        name.pop();
    }
    let first = name.first()?;
    // A name is capitalised words (and particles such as "von"); anything else — a
    // clause, a description — is not a name we can match across articles.
    let looks_like_name = starts_upper(first)
        && name.len() <= 6
        && name
            .iter()
            .all(|t| starts_upper(t) || PARTICLES.contains(&t.to_lowercase().as_str()));
    if !looks_like_name {
        return None;
    }
    let display = name.join(" ");
    let lower: Vec<String> = name
        .iter()
        .map(|t| t.trim_end_matches('.').to_lowercase())
        .collect();
    if lower.len() == 1 {
        return Some(ParsedName {
            class,
            display,
            given: None,
            surname: lower[0].clone(),
            title,
        });
    }
    // Surname: from the first particle after the given name, else the last token.
    let start = (1..lower.len())
        .find(|&i| PARTICLES.contains(&lower[i].as_str()) && i + 1 < lower.len())
        .unwrap_or(lower.len() - 1);
    Some(ParsedName {
        class,
        display,
        given: Some(lower[0].clone()),
        surname: lower[start..].join(" "),
        title,
    })
}

/// A stored speaker considered for a new name.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: i64,
    pub given: Option<String>,
    pub surname: String,
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// The name belongs to this speaker.
    Join(i64),
    /// This surname-only speaker is the same person: give it the full name.
    Absorb(i64),
    /// A new speaker.
    New,
    /// Ambiguous: several speakers could be meant; leave the statement unresolved.
    Unresolved,
}

/// Whether two normalised surnames are the same or spelling variants of each other.
pub fn surname_matches(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (la, lb) = (a.chars().count(), b.chars().count());
    if la < 4 || lb < 4 || la.abs_diff(lb) > 2 {
        return false;
    }
    if a.chars().take(3).ne(b.chars().take(3)) {
        return false;
    }
    strsim::jaro_winkler(a, b) >= 0.93 || strsim::levenshtein(a, b) <= 1
}

fn given_matches(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    // An initial matches a first name that starts with it.
    let (ca, cb) = (a.chars().count(), b.chars().count());
    (ca == 1 && b.starts_with(a)) || (cb == 1 && a.starts_with(b))
}

fn role_words(role: &str) -> Vec<String> {
    crate::normalize::words(role)
        .into_iter()
        .filter(|w| w.len() > 2 && !matches!(w.as_str(), "the" | "and" | "for" | "former"))
        .collect()
}

fn shares_role(c: &Candidate, roles: &[&str]) -> bool {
    let mine: Vec<String> = roles.iter().flat_map(|r| role_words(r)).collect();
    !mine.is_empty()
        && c.roles
            .iter()
            .flat_map(|r| role_words(r))
            .any(|w| mine.contains(&w))
}

/// Decides which speaker `name` (with the roles this article gives it) belongs to, among
/// `candidates`: the stored speakers of the same class whose surname starts with the same
/// three letters.
pub fn resolve(name: &ParsedName, roles: &[&str], candidates: &[Candidate]) -> Resolution {
    if name.class == SpeakerClass::Organization {
        return candidates
            .iter()
            .find(|c| c.surname == name.surname)
            .map_or(Resolution::New, |c| Resolution::Join(c.id));
    }
    let exact: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| c.surname == name.surname)
        .collect();
    let similar: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| surname_matches(&c.surname, &name.surname))
        .collect();
    match &name.given {
        Some(given) => {
            let same_person: Vec<&&Candidate> = similar
                .iter()
                .filter(|c| c.given.as_deref().is_some_and(|g| given_matches(g, given)))
                .collect();
            if !same_person.is_empty() {
                // Prefer the exact spelling, then shared roles, then the oldest.
                let best = same_person
                    .iter()
                    .max_by_key(|c| {
                        (
                            c.surname == name.surname,
                            c.given.as_deref() == Some(given.as_str()),
                            shares_role(c, roles),
                            std::cmp::Reverse(c.id),
                        )
                    })
                    .map(|c| c.id);
                return best.map_or(Resolution::New, Resolution::Join);
            }
            let placeholders: Vec<&&Candidate> =
                similar.iter().filter(|c| c.given.is_none()).collect();
            let other_people = similar.iter().any(|c| c.given.is_some());
            match placeholders.as_slice() {
                [p] if !other_people => Resolution::Absorb(p.id),
                _ => Resolution::New,
            }
        }
        None => {
            // A bare surname: exact spellings first, close spellings only if none.
            let pool = if exact.iter().any(|c| c.given.is_some()) {
                exact.clone()
            } else {
                similar.clone()
            };
            let mut people: Vec<&Candidate> =
                pool.into_iter().filter(|c| c.given.is_some()).collect();
            if people.len() > 1 {
                people.retain(|c| shares_role(c, roles));
                return match people.as_slice() {
                    [one] => Resolution::Join(one.id),
                    _ => Resolution::Unresolved,
                };
            }
            if let [one] = people.as_slice() {
                return Resolution::Join(one.id);
            }
            exact
                .iter()
                .find(|c| c.given.is_none())
                .map_or(Resolution::New, |c| Resolution::Join(c.id))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> ParsedName {
        parse(s, EntityKind::Person).unwrap()
    }

    #[test]
    fn titles_are_roles() {
        let n = p("Ukrainian President Volodymyr Zelensky");
        assert_eq!(n.display, "Volodymyr Zelensky");
        assert_eq!(n.given.as_deref(), Some("volodymyr"));
        assert_eq!(n.surname, "zelensky");
        assert_eq!(n.title.as_deref(), Some("Ukrainian President"));
        let n = p("Secretary of State Ann Lee");
        assert_eq!(
            (n.display.as_str(), n.title.as_deref()),
            ("Ann Lee", Some("Secretary of State"))
        );
        assert_eq!(p("Ursula von der Leyen").surname, "von der leyen");
        assert_eq!(p("Zelensky").given, None);
        assert!(parse("he", EntityKind::Person).is_none());
        assert!(parse("The port authority approved a plan", EntityKind::Person).is_none());
        assert!(parse("officials", EntityKind::Group).is_none());
    }

    #[test]
    fn spelling_variants() {
        assert!(surname_matches("zelensky", "zelenskyy"));
        assert!(surname_matches("zelensky", "zelenskiy"));
        assert!(!surname_matches("smith", "smyth") || !surname_matches("lee", "li"));
        assert!(!surname_matches("johnson", "jackson"));
    }

    #[test]
    fn smiths_stay_apart() {
        let john = Candidate {
            id: 1,
            given: Some("john".into()),
            surname: "smith".into(),
            roles: vec![],
        };
        assert_eq!(
            resolve(&p("Jane Smith"), &[], std::slice::from_ref(&john)),
            Resolution::New
        );
        let jane = Candidate {
            id: 2,
            given: Some("jane".into()),
            surname: "smith".into(),
            roles: vec!["senator".into()],
        };
        assert_eq!(
            resolve(&p("Smith"), &[], &[john.clone(), jane.clone()]),
            Resolution::Unresolved
        );
        assert_eq!(
            resolve(&p("Smith"), &["Senator"], &[john, jane]),
            Resolution::Join(2)
        );
    }
}
