//! Entity mentions, roles and in-article merging: names found in the text become people,
//! organisations and places; a surname joins the full name seen earlier ("Okafor" →
//! "Ngozi Okafor"), an acronym joins its long name ("IEA" → "International Energy
//! Agency"), and roles gathered around a name ("Japan's trade minister") stay with it.
//! This step does not decide who said what; `attribution` asks it to register and
//! resolve the mentions it uses.

use crate::hash::FastMap;
use crate::lexicon::{self, Gender, Lex};
use crate::model::{Entity, EntityKind, Mention};
use crate::text::{Document, Lowered, TokKind};

pub struct EntityTable {
    entities: Vec<Entity>,
    genders: Vec<Option<Gender>>,
    /// Lower-cased full name → entity.
    by_name: FastMap<String, usize>,
    /// Lower-cased last word of a person's name → entities with it.
    by_surname: FastMap<String, Vec<usize>>,
    /// Lower-cased acronym → entity.
    by_acronym: FastMap<String, usize>,
    /// Lower-cased first word of an organisation's name ("acme" of "Acme Shipping") →
    /// the organisation, or None when two organisations share it.
    by_short: FastMap<String, Option<usize>>,
}

/// A name's tokens: kind guessed from its words.
pub fn guess_kind(doc: &Document, tok_start: usize, tok_end: usize) -> EntityKind {
    let name = doc.slice(doc.tokens[tok_start].start, doc.tokens[tok_end - 1].end);
    // a possessor ("the Fisheries Ministry's claim") is judged by its name
    let bare = crate::text::strip_possessive(name);
    if lexicon::is_place(bare) {
        return EntityKind::Place;
    }
    // a dateline in capitals: "LAGOS, March 6 (AFP) -", "BERLIN (Reuters) -"
    if tok_start == 0
        && tok_end == 1
        && bare.len() > 2
        && !bare.bytes().any(|c| c.is_ascii_lowercase())
    {
        let next = doc.tokens.get(1).map(|_| doc.tok_text(1));
        if matches!(next, Some("," | "(" | "-" | "\u{2013}" | "\u{2014}")) {
            return EntityKind::Place;
        }
    }
    let toks = &doc.tokens[tok_start..tok_end];
    if toks.iter().any(|t| t.lex.contains(Lex::ORG))
        || bare.len() < name.len()
            && bare
                .rsplit(' ')
                .next()
                .is_some_and(|w| lexicon::classes(&w.to_lowercase()).contains(Lex::ORG))
    {
        return EntityKind::Organization;
    }
    let first = toks[0];
    if first.lex.contains(Lex::FIRST_NAME) && toks.len() >= 2 {
        return EntityKind::Person;
    }
    // an all-capitals word of 2–6 letters is an acronym: "IEA", "NATO"
    if toks.len() == 1 {
        let w = doc.tok_text(tok_start);
        if (2..=6).contains(&w.len()) && w.chars().all(|c| c.is_ascii_uppercase()) {
            return EntityKind::Organization;
        }
    }
    if toks.len() >= 2 && toks.len() <= 4 && toks.iter().all(|t| t.cap || t.kind == TokKind::Punct)
    {
        return EntityKind::Person;
    }
    EntityKind::Unknown
}

impl EntityTable {
    pub fn new(doc: &Document) -> Self {
        // Sized for the names an article of this length usually holds (one for every
        // 50 tokens or so), so that the tables seldom grow, each growth a new allocation
        // and, for the maps, every key hashed again. The maps are never iterated: their
        // capacity changes nothing but speed.
        let n = (doc.tokens.len() / 32).max(8);
        let mut table = EntityTable {
            entities: Vec::with_capacity(n),
            genders: Vec::with_capacity(n),
            by_name: FastMap::with_capacity_and_hasher(n, Default::default()),
            by_surname: FastMap::with_capacity_and_hasher(n / 2, Default::default()),
            by_acronym: FastMap::default(),
            by_short: FastMap::default(),
        };
        table.scan_names(doc);
        table
    }

    pub fn into_entities(self) -> Vec<Entity> {
        self.entities
    }

    pub fn get(&self, i: usize) -> &Entity {
        &self.entities[i]
    }

    pub fn gender(&self, i: usize) -> Option<Gender> {
        self.genders.get(i).copied().flatten()
    }

    pub fn set_gender(&mut self, i: usize, g: Gender) {
        if let Some(slot) = self.genders.get_mut(i) {
            slot.get_or_insert(g);
        }
    }

    pub fn add_role(&mut self, i: usize, role: &str) {
        let role = role.trim();
        if role.is_empty() {
            return;
        }
        if let Some(e) = self.entities.get_mut(i) {
            if !e.roles.iter().any(|r| r.eq_ignore_ascii_case(role)) {
                e.roles.push(role.to_string());
            }
        }
    }

    /// The person last named before byte `before` with the role word `role` (lower-cased)
    /// next to the name: in a role before it ("central bank governor Tunde Bakare") or
    /// an appositive after it ("Tunde Bakare, the central bank governor,"), or among the
    /// roles recorded for them. For "the governor said": the role stands for the name.
    /// With `forward` (a headline, which names a role before the story names the
    /// person), the first such person named after it when none was before.
    pub fn person_with_role(
        &self,
        doc: &Document,
        role: &str,
        before: usize,
        forward: bool,
    ) -> Option<usize> {
        let near = |k: usize| Lowered::new(doc.tok_text(k)).as_str() == role;
        let mut best: Option<(usize, usize)> = None;
        let mut next: Option<(usize, usize)> = None;
        for (idx, e) in self.entities.iter().enumerate() {
            if e.kind != EntityKind::Person {
                continue;
            }
            let recorded = e.roles.iter().any(|r| {
                r.rsplit(' ')
                    .next()
                    .is_some_and(|w| w.eq_ignore_ascii_case(role))
            });
            for m in e.mentions.iter().take_while(|m| m.end <= before || forward) {
                let k = doc.token_at_or_after(m.start);
                let after = doc.token_at_or_after(m.end);
                // the role words right before the name: "central bank governor Tunde
                // Bakare", "Finance Minister Ngozi Okafor" (not "ran for president against
                // Senator John McCain")
                let mut ahead = false;
                for j in (k.saturating_sub(3)..k).rev() {
                    let t = doc.tokens[j];
                    if t.kind != TokKind::Word {
                        break;
                    }
                    if near(j) {
                        ahead = true;
                        break;
                    }
                    if !t.cap {
                        break;
                    }
                }
                // an appositive that opens with a determiner or a possessive: "Tunde
                // Bakare, the central bank governor,"
                let apposed = after + 1 < doc.tokens.len()
                    && doc.tok_text(after) == ","
                    && {
                        let t = doc.tokens[after + 1];
                        t.lex.contains(Lex::DET) || crate::text::possessive(doc.tok_text(after + 1))
                    }
                    && (after + 1..doc.tokens.len().min(after + 7))
                        .take_while(|&j| !matches!(doc.tok_text(j), "," | "." | ";"))
                        .any(near);
                if !(recorded || ahead || apposed) {
                    continue;
                }
                if m.end <= before {
                    if best.is_none_or(|(p, _)| m.start > p) {
                        best = Some((m.start, idx));
                    }
                } else if m.start >= before && next.is_none_or(|(p, _)| m.start < p) {
                    next = Some((m.start, idx));
                }
            }
        }
        best.or(next).map(|(_, idx)| idx)
    }

    /// Finds the entity a name refers to, registering it if new, and records the mention.
    pub fn register(
        &mut self,
        name: &str,
        kind: EntityKind,
        start: usize,
        end: usize,
        gender: Option<Gender>,
    ) -> usize {
        let key = Lowered::new(name);
        // the name's first and last words, when resolving read them: a new name is
        // indexed by them too
        let mut words = None;
        let Some(idx) = self.resolve_key_words(&key, kind, &mut words) else {
            let idx = self.entities.len();
            self.entities.push(Entity {
                name: name.to_string(),
                kind,
                roles: Vec::new(),
                // most names are mentioned once: room for that one, not the four a
                // first push would make
                mentions: vec![Mention { start, end }],
            });
            self.genders.push(gender);
            let (first, later) = words.unwrap_or_else(|| first_and_last_word(&key));
            self.index(idx, key.to_string(), first, later);
            return idx;
        };
        if let Some(g) = gender {
            self.set_gender(idx, g);
        }
        let e = &mut self.entities[idx];
        if e.kind == EntityKind::Unknown && kind != EntityKind::Unknown {
            e.kind = kind;
        }
        // binary search: a long article can mention one name many thousand times
        let pos = e.mentions.partition_point(|m| m.start < start);
        if e.mentions.get(pos).is_none_or(|m| m.start != start) {
            e.mentions.insert(pos, Mention { start, end });
        }
        idx
    }

    /// The entity a name refers to, if one is known: exact name, acronym, or a surname
    /// (or shorter form) of exactly one known person.
    pub fn resolve(&self, name: &str, kind: EntityKind) -> Option<usize> {
        self.resolve_key(&Lowered::new(name), kind)
    }

    /// [`EntityTable::resolve`] for a name already lower-cased.
    fn resolve_key(&self, key: &str, kind: EntityKind) -> Option<usize> {
        self.resolve_key_words(key, kind, &mut None)
    }

    /// [`EntityTable::resolve_key`], leaving in `words` the key's first and last words
    /// (see [`first_and_last_word`]) when it read them.
    fn resolve_key_words<'k>(
        &self,
        key: &'k str,
        kind: EntityKind,
        words: &mut Option<(Option<&'k str>, Option<&'k str>)>,
    ) -> Option<usize> {
        if let Some(&i) = self.by_name.get(key) {
            return Some(i);
        }
        if let Some(&i) = self.by_acronym.get(key) {
            return Some(i);
        }

        if kind != EntityKind::Organization && kind != EntityKind::Place {
            // only the first and last words and whether there is one word matter: no
            // need to collect them
            let (first, later) = first_and_last_word(key);
            *words = Some((first, later));
            let single = later.is_none();
            if let Some(last) = later.or(first) {
                if let Some(cands) = self.by_surname.get(last) {
                    // a single surname, or a first name + surname matching one person
                    let mut fits = cands.iter().copied().filter(|&c| {
                        single
                            || Lowered::new(&self.entities[c].name)
                                .split_whitespace()
                                .next()
                                == first
                    });
                    if let (Some(only), None) = (fits.next(), fits.next()) {
                        return Some(only);
                    }
                }
            }
        }
        // "Acme" after "Acme Shipping": one word that opens one organisation's name (a
        // person's surname, above, comes first: "Obama" beside "Obama Foundation")
        if !key.contains(' ') && !self.by_surname.contains_key(key) {
            if let Some(&Some(i)) = self.by_short.get(key) {
                return Some(i);
            }
        }
        None
    }

    /// Indexes entity `idx` under `key`, its lower-cased name, whose first word is
    /// `first` and last word (if it has more than one, see [`first_and_last_word`])
    /// `later`.
    fn index(&mut self, idx: usize, key: String, first: Option<&str>, later: Option<&str>) {
        let e = &self.entities[idx];
        let several = later.is_some();
        if e.kind == EntityKind::Person && several {
            if let Some(last) = later {
                self.by_surname
                    .entry(last.to_string())
                    .or_default()
                    .push(idx);
            }
        }
        if e.kind == EntityKind::Organization && several {
            let acro: String = e
                .name
                .split_whitespace()
                .filter_map(|w| w.chars().next())
                .filter(|c| c.is_uppercase())
                .collect::<String>()
                .to_lowercase();
            if acro.len() >= 2 {
                self.by_acronym.entry(acro).or_insert(idx);
            }
        }
        // an organisation's distinctive first word ("Acme" of "Acme Shipping", "Goldman"
        // of "Goldman Sachs"), not a generic, national or given one ("Bank of …",
        // "European …", "The …", "Maria …"); capitalised pairs with no organisation
        // word read as people, so theirs count too unless the first is a given name
        if several && matches!(e.kind, EntityKind::Organization | EntityKind::Person) {
            if let Some(first) = first {
                if first.len() >= 3 && lexicon::classes(first) == Lex::default() {
                    self.by_short
                        .entry(first.to_string())
                        .and_modify(|e| {
                            if *e != Some(idx) {
                                *e = None;
                            }
                        })
                        .or_insert(Some(idx));
                }
            }
        }
        self.by_name.entry(key).or_insert(idx);
    }

    /// Mentions of people whose gender is known (from a first name or a title), sorted
    /// by position: what a pronoun can point back to before anyone has spoken.
    pub fn gendered_person_mentions(&self) -> Vec<(usize, usize, Gender)> {
        let mut out = Vec::new();
        for (i, e) in self.entities.iter().enumerate() {
            if e.kind != EntityKind::Person {
                continue;
            }
            if let Some(g) = self.gender(i) {
                out.extend(e.mentions.iter().map(|m| (m.start, i, g)));
            }
        }
        out.sort_unstable_by_key(|&(p, i, _)| (p, i));
        out
    }

    /// Links an acronym to its long name: "The International Energy Agency (IEA)".
    pub fn alias(&mut self, acronym: &str, idx: usize) {
        self.by_acronym.insert(acronym.to_lowercase(), idx);
        self.by_name.entry(acronym.to_lowercase()).or_insert(idx);
    }

    /// A first pass over the text: capitalised runs that look like people,
    /// organisations or places become entities, so later surnames and acronyms resolve.
    fn scan_names(&mut self, doc: &Document) {
        for s in &doc.sentences {
            let mut i = s.tok_start;
            while i < s.tok_end {
                // most tokens start no name: test that here rather than in a call per token
                let t = doc.tokens[i];
                if t.kind != TokKind::Word || !t.cap {
                    i += 1;
                    continue;
                }
                let Some((a, b)) = name_run(doc, i, s.tok_end) else {
                    i += 1;
                    continue;
                };
                // a capitalised sentence opener that is a common word is not a name
                let (a, b) = if a == s.tok_start || is_after_quote_open(doc, a) {
                    let t = doc.tokens[a];
                    if t.lex
                        .intersects(Lex::FUNC | Lex::DET | Lex::PRONOUN | Lex::AUX | Lex::CUE)
                    {
                        (a + 1, b)
                    } else {
                        (a, b)
                    }
                } else {
                    (a, b)
                };
                let a = if a < b { after_role(doc, a, b) } else { a };
                if a < b {
                    let kind = guess_kind(doc, a, b);
                    if kind != EntityKind::Unknown {
                        let (st, en) = (doc.tokens[a].start, doc.tokens[b - 1].end);
                        // "Nigeria's economy": the name, not its possessive
                        let en = st + crate::text::strip_possessive(doc.slice(st, en)).len();
                        let name = doc.slice(st, en);
                        let gender = if kind == EntityKind::Person {
                            lexicon::first_name_gender(&Lowered::new(doc.tok_text(a)))
                        } else {
                            None
                        };
                        let idx = self.register(name, kind, st, en, gender);
                        // "(IEA)" right after a long name
                        if b + 2 < s.tok_end
                            && doc.tok_text(b) == "("
                            && doc.tok_text(b + 2) == ")"
                            && doc.tokens[b + 1].kind == TokKind::Word
                            && doc.tok_text(b + 1).chars().all(|c| c.is_ascii_uppercase())
                        {
                            self.alias(doc.tok_text(b + 1), idx);
                        }
                    }
                }
                i = b.max(i + 1);
            }
        }
    }
}

/// The first of `s`'s words as `split_whitespace` splits them and, when there is more
/// than one, the last: a scan from each end for an ASCII name (nearly all), rather than
/// the general splitter, which cost more than the lookups these words are for.
fn first_and_last_word(s: &str) -> (Option<&str>, Option<&str>) {
    if !s.is_ascii() {
        let mut words = s.split_whitespace();
        let first = words.next();
        return (first, words.next_back());
    }
    // `char::is_whitespace` of an ASCII char
    let space = |c: &u8| matches!(c, b' ' | b'\t'..=b'\r');
    let b = s.as_bytes();
    let Some(a) = b.iter().position(|c| !space(c)) else {
        return (None, None);
    };
    let a_end = b[a..].iter().position(space).map_or(b.len(), |n| a + n);
    // a word exists, so a last non-space byte does
    let z_end = b.iter().rposition(|c| !space(c)).map_or(b.len(), |n| n + 1);
    let z = b[..z_end].iter().rposition(space).map_or(0, |n| n + 1);
    let later = (z > a).then(|| &s[z..z_end]);
    (Some(&s[a..a_end]), later)
}

fn is_after_quote_open(doc: &Document, i: usize) -> bool {
    i > 0 && doc.tokens[i - 1].kind == TokKind::Quote
}

/// The run of capitalised words (a proper name) starting at token `i`: initials
/// ("E."), particles inside organisation names ("Bank of England") and hyphenated parts.
/// Where a person's name starts inside a capitalised run that holds a role word before
/// it: "Harbor City Mayor Lena Voss" → "Lena Voss", "Interior Minister Alain Roux" →
/// "Alain Roux". The rest must be two or more words with no role or organisation word
/// among them, so "Prime Minister" or "Minister Council" stay as they are.
pub fn after_role(doc: &Document, a: usize, b: usize) -> usize {
    let role = |j: usize| {
        let t = doc.tokens[j];
        t.lex.intersects(Lex::ROLE | Lex::TITLE) && !t.lex.contains(Lex::FIRST_NAME)
    };
    if b < a + 3 {
        return a;
    }
    match (a..b - 2).rev().find(|&j| role(j)) {
        Some(r)
            if (r + 1..b).all(|j| {
                let t = doc.tokens[j];
                t.kind == TokKind::Word && !role(j) && !t.lex.contains(Lex::ORG)
            }) =>
        {
            r + 1
        }
        _ => a,
    }
}

pub fn name_run(doc: &Document, i: usize, end: usize) -> Option<(usize, usize)> {
    let t = doc.tokens[i];
    if t.kind != TokKind::Word || !t.cap {
        return None;
    }
    let mut j = i + 1;
    let mut last_word = i;
    while j < end {
        let u = doc.tokens[j];
        let txt = doc.tok_text(j);
        if u.kind == TokKind::Word && u.cap {
            last_word = j;
            j += 1;
        } else if txt == "."
            && doc.tokens[j - 1].end == u.start
            && crate::text::one_char(doc.tok_text(j - 1))
        {
            // middle initial "E."
            j += 1;
        } else if matches!(
            txt,
            "of" | "for" | "de" | "al" | "bin" | "van" | "von" | "la" | "le" | "du" | "and" | "on"
        ) && j + 1 < end
            && doc.tokens[j + 1].cap
            && doc.tokens[j + 1].kind == TokKind::Word
            // "The Times on Saturday": a day or a month after the connector is no part
            && !doc.tokens[j + 1].lex.contains(Lex::TIME)
            && (matches!(
                txt,
                "de" | "al" | "bin" | "van" | "von" | "la" | "le" | "du"
            ) || doc.tokens[i..j].iter().any(|k| k.lex.contains(Lex::ORG))
                || doc.tokens[j + 1].lex.contains(Lex::ORG)
                || lexicon::is_place(doc.tok_text(j + 1)))
        {
            j += 1;
        } else {
            break;
        }
    }
    Some((i, last_word + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_and_last_word_split_as_split_whitespace_does() {
        for s in [
            "",
            " ",
            "okafor",
            " okafor ",
            "ngozi okafor",
            "ngozi  okonjo-iweala\t",
            "\u{b}a\u{c}b\rc\n",
            "a\u{1c}b",
            "jean\u{a0}dupont",
            "müller hans",
            "  a b c  ",
        ] {
            let mut words = s.split_whitespace();
            let first = words.next();
            let want = (first, words.next_back());
            assert_eq!(first_and_last_word(s), want, "{s:?}");
        }
        // and random strings of spaces of every ASCII kind, letters and a few others
        for s in crate::test_strings::random(" \t\n\u{b}\u{c}\rab\u{1c}\u{a0}é", 99, 5000, 3) {
            let mut words = s.split_whitespace();
            let first = words.next();
            let want = (first, words.next_back());
            assert_eq!(first_and_last_word(&s), want, "{s:?}");
        }
    }
}
