//! Attribution: which spans are statements, which cue attributes each, and who the
//! speaker is. Direct quotes come from `quotes`; their cue and speaker sit right after
//! the closing mark ("…,” she said) or right before the opening one (He said: “…).
//! Reported speech comes from reporting verbs with a speaker on one side and the content
//! on the other ("X said that …", "…, X said.", "according to X, …"). Pronouns and
//! surnames resolve through `entities`. This step does not find dates or quantities.

use crate::bounds;
use crate::entities::{guess_kind, EntityTable};
use crate::gate::{self, Gate};
use crate::lexicon::{self, CueClass, Gender, Lex, VerbForm};
use crate::model::{Cue, DateMention, EntityKind, Speaker, Statement, StatementKind};
use crate::quotes::{find_quotes, Quote};
use crate::text::{possessive, strip_possessive, Document, Lowered, TokKind, Token};

/// A feature named by its pieces, in order: `feat!(sink; "w=", word, "|cap")`.
macro_rules! feat {
    ($sink:expr; $($piece:expr),+ $(,)?) => {{
        let sink: &mut FeatureSink = $sink;
        sink.begin();
        $( Piece::put(&$piece, sink); )+
        sink.end();
    }};
}

/// `feat!` for a feature whose name starts with what `begun` holds (see
/// [`FeatureSink::begun`]): only the pieces after it are written or hashed.
macro_rules! feat_from {
    ($sink:expr, $begun:expr; $($piece:expr),* $(,)?) => {{
        let sink: &mut FeatureSink = $sink;
        sink.resume($begun);
        $( Piece::put(&$piece, sink); )*
        sink.end();
    }};
}

/// A speaker mention as tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Np {
    start: usize,
    end: usize,
    kind: NpKind,
    /// The proper-name part, when there is one ("Maria Ortega" in "spokeswoman Maria Ortega").
    name: Option<(usize, usize)>,
    /// An appositive role after the name ("Kenji Sato, Japan's trade minister, said").
    role_after: Option<(usize, usize)>,
}

impl Np {
    /// The phrase's first token: a role apposed before the name opens it ("the
    /// harbourmaster, Dana Quill, said").
    fn first(&self) -> usize {
        self.role_after.map_or(self.start, |r| r.0.min(self.start))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NpKind {
    Pronoun,
    Name,
    Nominal,
}

impl NpKind {
    fn as_str(self) -> &'static str {
        match self {
            NpKind::Pronoun => "pron",
            NpKind::Name => "name",
            NpKind::Nominal => "nominal",
        }
    }
}

/// A statement before its speaker is resolved.
#[derive(Debug, Clone)]
struct Candidate {
    kind: StatementKind,
    start: usize,
    end: usize,
    cue: Option<(usize, usize)>,
    speaker: Option<Np>,
    /// Take the speaker of the statement before (a split or continued quote).
    inherit: bool,
    confidence: f32,
    /// How the boundary model moved the content's end: "rule" (no choice), "keep",
    /// "cut" or "ext".
    end_how: &'static str,
    /// Another candidate's content crosses or holds this one's.
    crossing: bool,
}

impl Candidate {
    /// A candidate whose content is tokens `a..b`: mixed when a quote lies inside,
    /// indirect otherwise.
    fn over(
        doc: &Document,
        (a, b): (usize, usize),
        in_quote: &[Option<u32>],
        cue: Option<(usize, usize)>,
        speaker: Option<Np>,
        confidence: f32,
    ) -> Candidate {
        Candidate {
            kind: span_kind(in_quote, a, b),
            start: doc.tokens[a].start,
            end: doc.tokens[b - 1].end,
            cue,
            speaker,
            inherit: false,
            confidence,
            end_how: "rule",
            crossing: false,
        }
    }

    /// A mixed statement around a quote: content `start..end` (bytes), cue tokens
    /// `cue.0..cue.1`, speaker `np`.
    fn mixed_quote(
        doc: &Document,
        (start, end): (usize, usize),
        cue: (usize, usize),
        np: Np,
        confidence: f32,
    ) -> Candidate {
        Candidate {
            kind: StatementKind::Mixed,
            start,
            end,
            cue: Some((doc.tokens[cue.0].start, doc.tokens[cue.1 - 1].end)),
            speaker: Some(np),
            inherit: false,
            confidence,
            end_how: "rule",
            crossing: false,
        }
    }
}

const MAX_NP: usize = 10;

/// A "sentence" of hundreds of words is no sentence: the open-verb and fallback rules,
/// which scan a sentence for each word they try, leave longer ones alone.
const MAX_SENTENCE: usize = 400;

// These two run for nearly every token: they compare bytes, so that no token's text is
// sliced out (with its char-boundary checks) only to differ in length.
fn lower_eq(doc: &Document, i: usize, w: &str) -> bool {
    let t = doc.tokens[i];
    doc.text
        .as_bytes()
        .get(t.start..t.end)
        .is_some_and(|b| b.eq_ignore_ascii_case(w.as_bytes()))
}

fn is_punct(doc: &Document, i: usize, p: &str) -> bool {
    let t = doc.tokens[i];
    t.kind == TokKind::Punct && doc.text.as_bytes().get(t.start..t.end) == Some(p.as_bytes())
}

fn is_dash(doc: &Document, i: usize) -> bool {
    matches!(doc.tok_text(i), "\u{2014}" | "\u{2013}" | "\u{2015}" | "-")
}

/// A reporting-verb token: its class, if it may act as a cue here.
#[inline]
fn cue_at(doc: &Document, i: usize) -> Option<lexicon::CueVerb> {
    // asked of nearly every token, and nearly every token is no cue word: that answer
    // inline, without a call
    let t = doc.tokens[i];
    if t.kind != TokKind::Word || !t.lex.contains(Lex::CUE) {
        return None;
    }
    cue_word_at(doc, i)
}

/// [`cue_at`] for a token the lexicon lists as a cue word.
fn cue_word_at(doc: &Document, i: usize) -> Option<lexicon::CueVerb> {
    let t = doc.tokens[i];
    // a capitalised "State" or "Report" is a name, not a verb — except a sentence opening
    // with an inverted attribution: "Said Ellis: “…”"
    if t.cap {
        let sent = doc.sentences[doc.sentence_at(t.start)];
        let opens = sent.tok_start == i && i + 1 < doc.tokens.len() && doc.tokens[i + 1].cap;
        let verb = lexicon::cue_verb(&Lowered::new(doc.tok_text(i))).filter(|v| {
            v.class == CueClass::Speech
                && (opens && v.form == VerbForm::Past
                    // a headline in title case: "Trump Could Embrace Clean Energy, Graham
                    // Says", "Obama Says Museum Will Tell of …"
                    || i > sent.tok_start
                        && matches!(v.form, VerbForm::Past | VerbForm::Third)
                        && title_case(doc, sent.tok_start, sent.tok_end))
        })?;
        return Some(verb);
    }
    let mut verb = lexicon::cue_verb_in(doc.text, t.start, t.end)?;
    if t.lex.contains(Lex::WEAK_CUE) && !(i + 1 < doc.tokens.len() && lower_eq(doc, i + 1, "that"))
    {
        // "endorsed Clinton", "support the plan": without "that" these forms only report
        // a stance, like the weak verbs
        verb.class = CueClass::Weak;
    }
    if i > 0 {
        let p = doc.tokens[i - 1];
        let ptxt = doc.tok_text(i - 1);
        // after a determiner or a possessive the word is a noun: "the plan", "his comments"
        if matches!(verb.form, VerbForm::Base | VerbForm::Third)
            && (p.lex.contains(Lex::DET) && !p.lex.contains(Lex::PRONOUN) || possessive(ptxt))
        {
            return None;
        }
        // "reports of the explosion", "claims of fraud": a noun before "of", where the
        // verb rarely stands ("warns of", "speaks of" do, and stay verbs)
        if matches!(verb.form, VerbForm::Base | VerbForm::Third)
            && i + 1 < doc.tokens.len()
            && lower_eq(doc, i + 1, "of")
            && matches!(
                verb.lemma,
                "report"
                    | "claim"
                    | "charge"
                    | "estimate"
                    | "forecast"
                    | "promise"
                    | "demand"
                    | "request"
                    | "comment"
                    | "remark"
                    | "plan"
                    | "call"
                    | "pledge"
                    | "question"
                    | "praise"
                    | "fear"
                    | "hope"
                    | "doubt"
                    | "account"
            )
        {
            return None;
        }
        // a bare base form needs a plural or modal subject: "officials say", "will say"
        if verb.form == VerbForm::Base {
            let pl = Lowered::new(ptxt);
            let plural_subject = p.lex.contains(Lex::GROUP)
                || matches!(
                    pl.as_str(),
                    "they"
                        | "we"
                        | "i"
                        | "you"
                        | "to"
                        | "will"
                        | "would"
                        | "did"
                        | "do"
                        | "does"
                        | "not"
                        | "can"
                        | "could"
                        | "may"
                        | "might"
                        | "should"
                        | "must"
                        | "who"
                        // "Those close to him say", "many of whom say"
                        | "him"
                        | "them"
                        | "whom"
                )
                || (p.cap && ptxt.ends_with('s'))
                // "67 percent of voters say", "those surveyed say", "Nearly a third say"
                || p.kind == TokKind::Number
                || matches!(
                    pl.as_str(),
                    "percent" | "%" | "third" | "half" | "majority" | "plurality" | "both"
                        | "all" | "most" | "many" | "some" | "people" | "others" | "surveyed"
                        | "polled" | "questioned" | "interviewed"
                )
                // "critics like Huffman say", "Forbes and Wealth-X say": a plural whose
                // last word is a name
                || (p.cap
                    && (i.saturating_sub(6)..i - 1).any(|k| {
                        matches!(doc.tok_text(k), "and" | "like" | "&")
                            || doc.tokens[k].lex.contains(Lex::GROUP)
                    }))
                // "observers in Virginia and around the country say": a plural group
                // whose phrase ends in another noun
                || (p.kind == TokKind::Word
                    && (i.saturating_sub(8)..i - 1).any(|k| {
                        doc.tokens[k].lex.contains(Lex::GROUP) && doc.tok_text(k).ends_with('s')
                    }))
                || (ptxt.ends_with('s')
                    && !p.lex.contains(Lex::ROLE)
                    && !is_aux(doc, i - 1)
                    && p.kind == TokKind::Word
                    && !p.cap
                    && ptxt.len() > 3);
            // "Data from the survey show that …", "Figures released on Monday suggest":
            // a plural of evidence heading a longer subject
            let evidence = (i.saturating_sub(7)..i - 1).any(|k| {
                matches!(
                    Lowered::new(doc.tok_text(k)).as_str(),
                    "data"
                        | "figures"
                        | "statistics"
                        | "results"
                        | "studies"
                        | "polls"
                        | "surveys"
                        | "records"
                        | "documents"
                        | "findings"
                        | "numbers"
                        | "estimates"
                        | "projections"
                )
            });
            if !plural_subject && !evidence {
                return None;
            }
        }
    } else if verb.form == VerbForm::Base {
        return None;
    }
    Some(verb)
}

/// Whether the tokens `lo..hi` are a headline in title case: every word of four letters
/// or more capitalised, and at least four of them.
fn title_case(doc: &Document, lo: usize, hi: usize) -> bool {
    if hi - lo > 40 {
        return false;
    }
    let mut long = 0;
    for k in lo..hi {
        let t = doc.tokens[k];
        if t.kind == TokKind::Word && doc.tok_text(k).len() >= 4 {
            if !t.cap {
                return false;
            }
            long += 1;
        }
    }
    long >= 4
}

/// Where the auxiliaries before token `v` start ("has also said"), not before `lo`.
fn aux_start(doc: &Document, v: usize, lo: usize) -> usize {
    let mut e = v;
    while e > lo && is_aux(doc, e - 1) {
        e -= 1;
    }
    e
}

/// Is the gerund at `v` a progressive: "is confirming", "were also saying", "has been
/// demanding"?
fn progressive(doc: &Document, v: usize, lo: usize) -> bool {
    let mut k = v;
    // an adverb or two between: "is now saying", "was not demanding"
    while k > lo && v - k < 3 {
        k -= 1;
        let t = doc.tokens[k];
        if t.kind != TokKind::Word || t.cap {
            return false;
        }
        if matches!(
            Lowered::new(doc.tok_text(k)).as_str(),
            "is" | "are" | "was" | "were" | "been" | "be"
        ) {
            return true;
        }
        if !matches!(
            Lowered::new(doc.tok_text(k)).as_str(),
            "also" | "now" | "not" | "still" | "already" | "increasingly" | "repeatedly"
        ) {
            return false;
        }
    }
    false
}

/// Words allowed between a speaker and its verb: "has also said", "had previously told".
fn is_aux(doc: &Document, i: usize) -> bool {
    let t = doc.tokens[i];
    t.kind == TokKind::Word && t.lex.contains(Lex::AUX) && !t.cap
}

/// A middle initial that spells a determiner: the "A." of "Julie A. Diaz".
fn initial(doc: &Document, i: usize) -> bool {
    let t = doc.tokens[i];
    t.cap
        && doc.tok_text(i).len() == 1
        && i + 1 < doc.tokens.len()
        && doc.tok_text(i + 1) == "."
        && doc.tokens[i + 1].start == t.end
}

/// Can token `i` be part of a speaker noun phrase?
fn np_word(doc: &Document, i: usize) -> bool {
    let t = doc.tokens[i];
    if age_noun(doc, i) {
        return true;
    }
    match t.kind {
        TokKind::Word => {
            if t.lex.intersects(Lex::CUE) && !t.cap && !t.lex.intersects(Lex::ROLE | Lex::GROUP) {
                return false;
            }
            !t.lex.contains(Lex::FUNC) || t.cap && !t.lex.contains(Lex::PRONOUN)
        }
        TokKind::Number => false,
        TokKind::Punct => {
            // "Rep." "Sen." — an abbreviation's dot glued to its word; an initial
            // ("Vann R. Newkirk"); a dot before a comma ("McConnell, R-Ky., said")
            doc.tok_text(i) == "."
                && i > 0
                && doc.tokens[i - 1].end == t.start
                && (doc.tokens[i - 1].lex.contains(Lex::ABBREV)
                    || doc.tok_text(i - 1).len() == 1 && doc.tokens[i - 1].cap
                    || i + 1 < doc.tokens.len() && matches!(doc.tok_text(i + 1), "," | ")"))
        }
        TokKind::Quote => false,
    }
}

fn is_head_word(doc: &Document, i: usize) -> bool {
    let t = doc.tokens[i];
    t.kind == TokKind::Word
        && (t.cap
            || t.lex
                .intersects(Lex::ROLE | Lex::GROUP | Lex::ORG | Lex::PRONOUN))
        || age_noun(doc, i)
}

/// "the 46-year-old": an age standing for a person.
fn age_noun(doc: &Document, i: usize) -> bool {
    let w = doc.tok_text(i);
    w.len() > 9 && w.ends_with("-year-old") && w.starts_with(|c: char| c.is_ascii_digit())
}

fn adjective_det(doc: &Document, i: usize) -> bool {
    matches!(
        Lowered::new(doc.tok_text(i)).as_str(),
        "top" | "senior" | "former" | "other" | "several" | "many" | "two" | "three" | "four"
    )
}

/// The speaker noun phrase that ends right before token `end` (exclusive), not reaching
/// before `lo`.
fn np_left(doc: &Document, end: usize, lo: usize) -> Option<Np> {
    if end <= lo {
        return None;
    }
    let mut e = end;
    // a parenthetical right before the verb: "Rep. Elijah E. Cummings (D-Md.) said"
    let mut paren_end = None;
    if doc.tok_text(e - 1) == ")" {
        let mut k = e - 1;
        while k > lo && e - k < 10 && doc.tok_text(k) != "(" {
            k -= 1;
        }
        if doc.tok_text(k) == "(" && k > lo {
            paren_end = Some(e);
            e = k;
        }
    }
    let last = e - 1;
    let t = doc.tokens[last];
    if t.kind == TokKind::Word && t.lex.contains(Lex::PRONOUN) {
        let w = Lowered::new(doc.tok_text(last));
        if matches!(
            w.as_str(),
            "he" | "she" | "they" | "i" | "we" | "it" | "who"
        ) {
            return Some(Np {
                start: last,
                end: paren_end.unwrap_or(e),
                kind: NpKind::Pronoun,
                name: None,
                role_after: None,
            });
        }
        return None;
    }
    if !is_head_word(doc, last) {
        return determined_np(doc, last, lo).map(|s| Np {
            start: s,
            end: paren_end.unwrap_or(e),
            kind: NpKind::Nominal,
            name: None,
            role_after: None,
        });
    }
    let mut s = last;
    while s > lo && e - s < MAX_NP {
        let k = s - 1;
        let tk = doc.tokens[k];
        if tk.kind == TokKind::Word && tk.lex.contains(Lex::DET) && !tk.cap
            || (tk.cap && tk.lex.contains(Lex::DET))
        {
            s = k;
            break;
        }
        if lower_eq(doc, k, "of")
            && k > lo
            && (doc.tokens[k - 1].cap || doc.tokens[k - 1].lex.intersects(Lex::ROLE | Lex::GROUP))
            && (doc.tokens[k + 1].cap)
        {
            s = k;
            continue;
        }
        if !np_word(doc, k) {
            break;
        }
        s = k;
    }
    // "a spokesman for the Jupiter Police Department": a role noun with its complement
    let mut through_prep = false;
    if s > lo + 1
        && matches!(
            Lowered::new(doc.tok_text(s - 1)).as_str(),
            "for" | "of" | "at" | "with" | "from" | "in"
        )
        && doc.tokens[s - 2].lex.intersects(Lex::ROLE | Lex::GROUP)
    {
        if let Some(outer) = np_left(doc, s - 1, lo) {
            if outer.kind != NpKind::Pronoun && e - outer.start <= 2 * MAX_NP {
                s = outer.start;
                through_prep = true;
            }
        }
    }
    // a capitalised sentence opener that is a function word is not part of the name
    while s < last
        && doc.tokens[s].lex.intersects(Lex::FUNC)
        && !doc.tokens[s].lex.contains(Lex::DET)
    {
        s += 1;
    }
    // "Following reports of …", "Citing sources, …": a participle opening an adjunct is
    // no name
    if doc.tokens[s].cap
        && matches!(
            Lowered::new(doc.tok_text(s)).as_str(),
            "following"
                | "including"
                | "regarding"
                | "concerning"
                | "considering"
                | "citing"
                | "responding"
                | "referring"
                | "speaking"
                | "during"
                | "pending"
                | "given"
                | "despite"
                | "amid"
                | "after"
                | "before"
        )
    {
        return None;
    }
    let name = if through_prep {
        None
    } else {
        name_part(doc, s, e)
    };
    let kind = if name.is_some() {
        NpKind::Name
    } else {
        NpKind::Nominal
    };
    // a name part alone must really look like a name, not a capitalised common word
    Some(Np {
        start: s,
        end: paren_end.unwrap_or(e),
        kind,
        name,
        role_after: None,
    })
}

/// A common noun phrase ending at `last` that starts with a determiner or a possessive
/// within a few words: "the senators", "other Republican candidates", "Clinton's aides".
fn determined_np(doc: &Document, last: usize, lo: usize) -> Option<usize> {
    let t = doc.tokens[last];
    if t.kind != TokKind::Word || t.lex.intersects(Lex::FUNC | Lex::CUE | Lex::AUX) || t.cap {
        return None;
    }
    let mut k = last;
    while k > lo && last - k < 4 {
        let j = k - 1;
        let tj = doc.tokens[j];
        if tj.kind != TokKind::Word {
            return None;
        }
        if tj.lex.contains(Lex::DET) || possessive(doc.tok_text(j)) {
            return Some(j);
        }
        if tj
            .lex
            .intersects(Lex::FUNC | Lex::CUE | Lex::AUX | Lex::PRONOUN)
        {
            return None;
        }
        k = j;
    }
    None
}

/// The speaker noun phrase starting at token `start`, not reaching `hi`.
fn np_right(doc: &Document, start: usize, hi: usize) -> Option<Np> {
    if start >= hi {
        return None;
    }
    let t = doc.tokens[start];
    if t.kind == TokKind::Word && t.lex.contains(Lex::PRONOUN) {
        let w = Lowered::new(doc.tok_text(start));
        if matches!(w.as_str(), "he" | "she" | "they" | "i" | "we" | "it") {
            return Some(Np {
                start,
                end: start + 1,
                kind: NpKind::Pronoun,
                name: None,
                role_after: None,
            });
        }
        return None;
    }
    let mut e = start;
    if doc.tokens[e].lex.contains(Lex::DET) {
        e += 1;
    }
    while e < hi && e - start < MAX_NP {
        if lower_eq(doc, e, "of")
            && e + 1 < hi
            && e > start
            && (doc.tokens[e + 1].cap
                || doc.tokens[e + 1].lex.contains(Lex::DET) && e + 2 < hi && doc.tokens[e + 2].cap)
            && (doc.tokens[e - 1].cap || doc.tokens[e - 1].lex.intersects(Lex::ROLE | Lex::GROUP))
        {
            e += 1;
            continue;
        }
        // a second determiner ends the phrase, unless it is one of the adjective-like
        // ones: "a senior adviser", "two former officials"
        if !np_word(doc, e)
            || doc.tokens[e].lex.contains(Lex::DET)
                && e > start
                && !adjective_det(doc, e)
                && !initial(doc, e)
        {
            break;
        }
        e += 1;
    }
    // the phrase must end in a head word
    while e > start && !is_head_word(doc, e - 1) {
        e -= 1;
    }
    if e == start {
        return None;
    }
    let mut np = Np {
        start,
        end: e,
        kind: NpKind::Nominal,
        name: name_part(doc, start, e),
        role_after: None,
    };
    if np.name.is_some() {
        np.kind = NpKind::Name;
    }
    // "said Kenji Sato, Japan's trade minister."
    if e + 1 < hi && is_punct(doc, e, ",") && np.name.is_some() {
        if let Some(r) = role_phrase(doc, e + 1, hi) {
            np.role_after = Some(r);
        }
    }
    Some(np)
}

/// A role phrase ("Japan's trade minister", "a spokeswoman for the ministry") starting at
/// `start`, ending at a comma or `hi`.
fn role_phrase(doc: &Document, start: usize, hi: usize) -> Option<(usize, usize)> {
    let mut e = start;
    let mut has_role = false;
    while e < hi && e - start < 12 {
        let t = doc.tokens[e];
        if t.kind == TokKind::Punct && doc.tok_text(e) != "." || t.kind == TokKind::Quote {
            break;
        }
        if t.lex.intersects(Lex::CUE) && !t.lex.intersects(Lex::ROLE) && !t.cap {
            break;
        }
        if t.lex.intersects(Lex::ROLE | Lex::TITLE) {
            has_role = true;
        }
        e += 1;
    }
    (has_role && e > start).then_some((start, e))
}

/// An appositive between commas describes the phrase before it: "a cook at the Taj",
/// "the president of the union", "who spoke on condition of anonymity".
fn appositive(doc: &Document, a: usize, b: usize) -> bool {
    if b <= a || b - a > 25 {
        return false;
    }
    if (a..b).any(|i| doc.tokens[i].kind == TokKind::Quote) {
        return false;
    }
    let t = doc.tokens[a];
    let w = Lowered::new(doc.tok_text(a));
    t.lex.intersects(Lex::DET | Lex::ROLE | Lex::TITLE)
        || t.cap
        || t.kind == TokKind::Number
        || matches!(
            w.as_str(),
            "who" | "whose" | "then" | "now" | "himself" | "herself" | "also"
        )
        || possessive(doc.tok_text(a))
        || (a..b).any(|i| doc.tokens[i].lex.intersects(Lex::ROLE))
}

/// The proper-name part of a phrase: its last run of capitalised words, without
/// leading titles ("Rep.", "Foreign Minister").
fn name_part(doc: &Document, s: usize, e: usize) -> Option<(usize, usize)> {
    name_part_with(doc, s, e, false)
}

/// [`name_part`]; with `possessor`, the last token may be the name in the possessive
/// ("Ngozi Okafor's claim"), which elsewhere marks a phrase headed by what follows.
fn name_part_with(doc: &Document, s: usize, e: usize, possessor: bool) -> Option<(usize, usize)> {
    // "Patricia Moran of Cheyenne": a person's name before "of" and a place after it
    // ("Secretary of State John Kerry" has no first name before "of")
    if let Some(o) = (s + 1..e).find(|&k| lower_eq(doc, k, "of")) {
        let first_name =
            (s..o).any(|k| doc.tokens[k].cap && doc.tokens[k].lex.contains(Lex::FIRST_NAME));
        if first_name && doc.tokens[o - 1].cap {
            return name_part_with(doc, s, o, false);
        }
    }
    // a phrase headed by a common noun is no name: "Aid agencies", "Clinton's aides"
    let head = doc.tokens[e - 1];
    if head.kind == TokKind::Word && !head.cap && head.lex.intersects(Lex::ROLE | Lex::GROUP) {
        return None;
    }
    let mut b = e;
    while b > s && !(doc.tokens[b - 1].cap && doc.tokens[b - 1].kind == TokKind::Word) {
        b -= 1;
    }
    if b == s {
        return None;
    }
    let mut a = b;
    while a > s {
        let k = a - 1;
        let t = doc.tokens[k];
        let name_tok = t.kind == TokKind::Word && t.cap
            || doc.tok_text(k) == "." && k > s && doc.tokens[k - 1].cap;
        if !name_tok || possessive(doc.tok_text(k)) && !(possessor && k + 1 == e) {
            break;
        }
        a = k;
    }
    // drop leading titles and role words ("Foreign Ministry spokeswoman" stays role)
    while a < b {
        let t = doc.tokens[a];
        let txt = doc.tok_text(a);
        if txt == "."
            || t.lex.intersects(Lex::TITLE | Lex::ABBREV | Lex::DET)
                && !t.lex.contains(Lex::FIRST_NAME)
            || t.lex.contains(Lex::ROLE) && !t.lex.contains(Lex::FIRST_NAME)
            // "Japanese Trade Minister Kenji Sato", but "the European Commission", "the
            // Russian Foreign Ministry": an organisation's name keeps its adjective
            || t.lex.contains(Lex::DEMONYM) && !doc.tokens[b - 1].lex.contains(Lex::ORG)
        {
            a += 1;
        } else {
            break;
        }
    }
    if a >= b {
        return None;
    }
    // a role word inside the run starts the name after it ("Interior Minister Alain Roux")
    let mut a = crate::entities::after_role(doc, a, b);
    // so does a first name after other capitalised words ("Secretary of State John Kerry")
    if !doc.tokens[a].lex.contains(Lex::FIRST_NAME) {
        if let Some(f) = (a + 1..b).find(|&k| doc.tokens[k].lex.contains(Lex::FIRST_NAME)) {
            if b - f >= 2 {
                a = f;
            }
        }
    }
    // capitalised role or organisation words alone are not a person's name, but an
    // organisation's name still is a name ("the State Department")
    Some((a, b))
}

pub fn attribute(doc: &Document, ents: &mut EntityTable) -> Vec<Statement> {
    let quotes = find_quotes(doc);
    let cands = candidates(doc, &quotes, bounds::builtin());
    let gate = Gate::builtin();
    if !gate.is_active() {
        return resolve(doc, ents, &cands);
    }
    let out = resolve(doc, ents, &cands);
    let mut memo = GateMemo::default();
    out.into_iter()
        .zip(&cands)
        .filter_map(|(mut st, c)| {
            let mut sink = FeatureSink::score(gate);
            features(doc, c, &st, &mut memo, &mut sink);
            let p = gate::sigmoid(sink.z());
            st.confidence = p;
            (p >= gate.threshold()).then_some(st)
        })
        .collect()
}

/// Token → index of the quote containing it (marks included). An index of 32 bits
/// (a text holds fewer quotes than that) halves the list made for every token.
fn quote_map(doc: &Document, quotes: &[Quote]) -> Vec<Option<u32>> {
    let n = doc.tokens.len();
    let mut in_quote: Vec<Option<u32>> = vec![None; n];
    for (qi, q) in (0u32..).zip(quotes) {
        let a = doc.token_at_or_after(q.open);
        let b = doc.token_at_or_after(q.close.map_or(q.end, |c| c + 1));
        for slot in &mut in_quote[a..b.min(n)] {
            *slot = Some(qi);
        }
    }
    in_quote
}

/// The rules' candidate statements, in text order, before speakers are resolved; with
/// a `bounds` model, each reported statement's content ends where the model puts it.
fn candidates(doc: &Document, quotes: &[Quote], bounds: Option<&Gate>) -> Vec<Candidate> {
    let n = doc.tokens.len();
    let in_quote = quote_map(doc, quotes);
    let mut used = vec![false; n];
    let mut cands: Vec<Candidate> = Vec::new();

    direct_quotes(doc, quotes, &in_quote, &mut used, &mut cands);
    reported_speech(doc, &in_quote, &mut used, &mut cands);
    if let Some(model) = bounds {
        let counts = TokenCounts::new(doc);
        let mut memo = EndMemo::new();
        for c in &mut cands {
            refine_end(doc, &in_quote, &counts, c, model, &mut memo);
        }
    }

    // a quote with no cue of its own inside reported speech is part of that statement;
    // spans sorted by start with a running maximum of ends keep this linear
    let mut reported: Vec<(usize, usize)> = cands
        .iter()
        .filter(|c| c.kind != StatementKind::Direct)
        .map(|c| (c.start, c.end))
        .collect();
    reported.sort_unstable();
    let mut max_end = Vec::with_capacity(reported.len());
    let mut m = 0;
    for &(_, b) in &reported {
        m = m.max(b);
        max_end.push(m);
    }
    let inside_reported = |c: &Candidate| {
        let i = reported.partition_point(|&(a, _)| a <= c.start);
        i > 0 && c.end <= max_end[i - 1] + 3
    };
    let text = doc.text;
    cands.retain(|c| {
        // content with no letter or digit ("“ ” « »") says nothing
        text[c.start..c.end].chars().any(char::is_alphanumeric)
            && (c.kind != StatementKind::Direct || c.cue.is_some() || !inside_reported(c))
    });
    cands.sort_by_key(|c| (c.start, c.end));
    // in start order, a content crosses another when it starts before the furthest end
    // so far (nested reported speech: "X said Y claimed that …")
    let mut max_end = 0;
    for i in 0..cands.len() {
        if i > 0 && cands[i].start < max_end {
            cands[i].crossing = true;
            if let Some(p) = (i.saturating_sub(50)..i)
                .rev()
                .find(|&p| cands[p].end > cands[i].start)
            {
                cands[p].crossing = true;
            }
        }
        max_end = max_end.max(cands[i].end);
    }
    cands
}

/// Words at which reported content often stops ("…, who", "… even though", "… and"):
/// the places the boundary model may end a content instead of the rules' end.
fn break_at(doc: &Document, j: usize) -> bool {
    let t = doc.tokens[j];
    match t.kind {
        TokKind::Punct => matches!(
            doc.tok_text(j),
            "," | ";" | ":" | "(" | "\u{2014}" | "\u{2013}" | "--" | "-"
        ),
        TokKind::Word => {
            !t.cap
                && (t.lex.contains(Lex::FUNC)
                    || matches!(
                        doc.tok_text(j),
                        "who" | "whom" | "whose" | "despite" | "amid" | "unless" | "saying"
                    ))
        }
        _ => false,
    }
}

/// How many tokens before and after the rules' end the boundary model looks for another.
const MAX_CUT: usize = 150;
const MAX_EXT: usize = 100;

/// A content's tokens `a..b` and the ends it may take: (token after the content, how).
struct EndChoices {
    a: usize,
    b: usize,
    alts: Vec<(usize, &'static str)>,
}

/// The ends a reported statement's content may take: its own (`keep`), an earlier break
/// (`cut`) or a later one up to the sentence's end (`ext`), each as the token after
/// the content. Only a content that follows its cue ("X said that …") has a choice: a
/// cue after the content fixes its end.
fn end_alternatives(
    doc: &Document,
    in_quote: &[Option<u32>],
    c: &Candidate,
    sentence: &mut usize,
) -> Option<EndChoices> {
    let (_, ce) = c.cue?;
    // (a nominal cue's clause ends where its rule found the sentence's own verb, which
    // the model, trained on verbs' contents, does not see)
    if c.kind == StatementKind::Direct || ce > c.start || c.inherit || c.confidence == NOMINAL_CONF
    {
        return None;
    }
    let a = doc.token_at_or_after(c.start);
    let b = doc.token_at_or_after(c.end);
    if b < a + 2 || b > doc.tokens.len() {
        return None;
    }
    let sent = doc.sentences[doc.sentence_at_from(doc.tokens[b - 1].start, sentence)];
    // a window around the rules' end keeps this linear in a sentence that never ends
    let s_end = trim_end(doc, a, sent.tok_end.max(b)).min(b + MAX_EXT);
    // a cut inside a quotation would split it
    let open_quote = |j: usize| in_quote[j].is_some() && in_quote[j - 1] == in_quote[j];
    // room for the ends most contents have, so that the list is not grown as it fills
    let mut alts = Vec::with_capacity(16);
    alts.push((b, "keep"));
    // a weak verb's object stops before an adjunct of time ("defended the plan | at a
    // meeting on Wednesday"): that end may move sooner, not later
    let cue_tok = doc.token_at_or_after(c.cue.map_or(0, |(s, _)| s));
    // (the preposition first: two to six bytes, then a few compares; the cue's class is
    // a lexicon lookup)
    let adjunct = b < doc.tokens.len()
        && cue_tok < doc.tokens.len()
        && (2..=6).contains(&(doc.tokens[b].end - doc.tokens[b].start))
        && [
            "at", "on", "in", "during", "after", "before", "since", "over", "amid",
        ]
        .iter()
        .any(|w| lower_eq(doc, b, w))
        && cue_at(doc, cue_tok).is_some_and(|v| v.class == CueClass::Weak)
        && (b..s_end).any(|k| doc.tokens[k].lex.contains(Lex::TIME));
    let s_end = if adjunct { b } else { s_end };
    for j in (a + 2).max(b.saturating_sub(MAX_CUT))..s_end {
        if j == b || !break_at(doc, j) || open_quote(j) {
            continue;
        }
        // "…, and": the comma's own cut is the same content once edge punctuation goes
        if doc.tokens[j - 1].kind == TokKind::Punct {
            continue;
        }
        alts.push((j, if j < b { "cut" } else { "ext" }));
    }
    if s_end > b && !open_quote(s_end.min(doc.tokens.len() - 1)) {
        alts.push((s_end, "ext"));
    }
    Some(EndChoices { a, b, alts })
}

/// Running counts of the tokens the boundary model asks about over a span (commas,
/// times, quotation marks), so that each of a content's many ends reads them in
/// constant time instead of rescanning up to `MAX_CUT` tokens. The four counts are kept
/// side by side and made in one pass over the tokens, not a pass and a list apiece.
struct TokenCounts {
    /// Before each token index (0 to the number of tokens): how many commas, times,
    /// quotation marks and words that look like a finite verb (an auxiliary, a cue
    /// verb, a word in "-ed").
    running: Vec<[u32; 4]>,
}

impl TokenCounts {
    const COMMAS: usize = 0;
    const TIMES: usize = 1;
    const QUOTES: usize = 2;
    const VERBS: usize = 3;

    fn new(doc: &Document) -> TokenCounts {
        let bytes = doc.text.as_bytes();
        let mut n = [0u32; 4];
        // collected from an exact-size iterator: one allocation, no capacity check a token
        let running = std::iter::once(n)
            .chain(doc.tokens.iter().map(|tok| {
                // a punctuation token is one char: a comma is its one byte
                let comma = tok.kind == TokKind::Punct && bytes.get(tok.start) == Some(&b',');
                let verb = tok.kind == TokKind::Word
                    && !tok.cap
                    && (tok.lex.intersects(Lex::AUX | Lex::CUE)
                        || bytes.get(tok.end.saturating_sub(2)..tok.end) == Some(b"ed"));
                n[TokenCounts::COMMAS] += u32::from(comma);
                n[TokenCounts::TIMES] += u32::from(tok.lex.contains(Lex::TIME));
                n[TokenCounts::QUOTES] += u32::from(tok.kind == TokKind::Quote);
                n[TokenCounts::VERBS] += u32::from(verb);
                n
            }))
            .collect();
        TokenCounts { running }
    }

    /// How many of the tokens `lo..hi` count as `which` (one of the constants).
    fn count(&self, which: usize, lo: usize, hi: usize) -> u32 {
        match (self.running.get(lo), self.running.get(hi)) {
            (Some(a), Some(b)) if hi > lo => b[which] - a[which],
            _ => 0,
        }
    }
}

/// Weights of the boundary model's features already looked up. Most of an end's
/// features name no word of the article, only how the end was chosen and a bucketed
/// count ("t=cut|len=5-8"), or only that and the candidate's own cue or first dropped
/// word: the same few dozen recur for every end, so each is hashed and looked up once.
/// A weight kept is the very value the lookup gives, added in the same order, so
/// the score is bit for bit the same.
struct EndMemo {
    /// By how (keep, cut, ext): the features of how alone, then of how and a bucket.
    article: [[Option<f32>; EndMemo::ARTICLE]; 3],
    /// By how, for the candidate being scored: its cue, its first dropped word.
    candidate: [[Option<f32>; 2]; 3],
    /// "cue=<its cue>|w=", begun once for the candidate being scored.
    cue_w: Option<Begun>,
    /// The sentence of the end last scored (see [`Document::sentence_at_from`]).
    sentence: usize,
}

impl EndMemo {
    // t=, cuef, time, quote; then len=, d=, rest=, commas= by bucket; then verb, and
    // w=END (the same for every how, kept by how for the one row index)
    const ARTICLE: usize = EndMemo::END + 1;
    const CUEF: usize = 1;
    const TIME: usize = 2;
    const QUOTE: usize = 3;
    const LEN: usize = 4;
    const D: usize = EndMemo::LEN + gate::BUCKETS.len();
    const REST: usize = EndMemo::D + gate::BUCKETS.len();
    const COMMAS: usize = EndMemo::REST + gate::BUCKETS.len();
    const VERB: usize = EndMemo::COMMAS + gate::BUCKETS.len();
    const END: usize = EndMemo::VERB + 1;
    const CUE: usize = 0;
    const DROPPED: usize = 1;

    fn new() -> EndMemo {
        EndMemo {
            article: [[None; EndMemo::ARTICLE]; 3],
            candidate: [[None; 2]; 3],
            cue_w: None,
            sentence: 0,
        }
    }

    /// The next candidate's own features are its own.
    fn next_candidate(&mut self) {
        self.candidate = [[None; 2]; 3];
        self.cue_w = None;
    }

    fn how(how: &str) -> Option<usize> {
        match how {
            "keep" => Some(0),
            "cut" => Some(1),
            "ext" => Some(2),
            _ => None,
        }
    }

    /// The slot of one of the article-wide features (`i`: see the constants) of the
    /// end kind `how` (see [`EndMemo::how`]; matched once per end, not once per slot).
    fn article(&mut self, how: Option<usize>, i: usize) -> Option<&mut Option<f32>> {
        Some(&mut self.article[how?][i])
    }

    fn candidate(&mut self, how: Option<usize>, i: usize) -> Option<&mut Option<f32>> {
        Some(&mut self.candidate[how?][i])
    }
}

/// `feat!` through a memo slot (see [`EndMemo`]): the weight kept there when there is
/// one, else the feature made and its weight kept.
macro_rules! memo_feat {
    ($sink:expr, $slot:expr; $($piece:expr),+ $(,)?) => {{
        let sink: &mut FeatureSink = $sink;
        let slot: Option<&mut Option<f32>> = $slot;
        if !sink.add_kept(slot.as_deref().copied().flatten()) {
            feat!(sink; $($piece),+);
            if let Some(slot) = slot {
                *slot = sink.last_weight();
            }
        }
    }};
}

/// The boundary model's features of ending content `a..` before token `j` (the rules
/// ended it before `b`).
fn end_features(
    doc: &Document,
    c: &Candidate,
    (a, b, j): (usize, usize, usize),
    how: &str,
    counts: &TokenCounts,
    memo: &mut EndMemo,
    sink: &mut FeatureSink,
) {
    use gate::bucket_index as bi;
    let n = doc.tokens.len();
    let low = |i: usize| Lower(doc.tok_text(i));
    let how_i = EndMemo::how(how);
    memo_feat!(sink, memo.article(how_i, 0); "t=", how);
    let len = j - a;
    memo_feat!(sink, memo.article(how_i, EndMemo::LEN + bi(len));
        "t=", how, "|len=", gate::bucket(len));
    let d = j.abs_diff(b);
    memo_feat!(sink, memo.article(how_i, EndMemo::D + bi(d));
        "t=", how, "|d=", gate::bucket(d));
    let sent = doc.sentences[doc.sentence_at_from(doc.tokens[j - 1].start, &mut memo.sentence)];
    let rest = sent.tok_end.saturating_sub(j);
    memo_feat!(sink, memo.article(how_i, EndMemo::REST + bi(rest));
        "t=", how, "|rest=", gate::bucket(rest));
    feat!(sink; "p=", low(j - 1));
    if j < n {
        let w = low(j);
        feat!(sink; "w=", w);
        feat!(sink; "t=", how, "|w=", w);
        feat!(sink; "pw=", low(j - 1), "|", w);
        if j + 1 < n {
            feat!(sink; "w2=", w, "|", low(j + 1));
            if doc.tokens[j + 1].cap {
                feat!(sink; "w=", w, "|cap");
            }
        }
        // ", she said" or ", said Ortega" after the end: another attribution begins
        if (j..(j + 4).min(n)).any(|k| cue_at(doc, k).is_some()) {
            memo_feat!(sink, memo.article(how_i, EndMemo::CUEF); "t=", how, "|cuef");
        }
    } else {
        memo_feat!(sink, memo.article(how_i, EndMemo::END); "w=END");
    }
    if let Some((cs, ce)) = c.cue {
        let cue = Lower(doc.slice(cs, ce));
        memo_feat!(sink, memo.candidate(how_i, EndMemo::CUE); "cue=", cue, "|t=", how);
        if j < n {
            let begun = memo.cue_w.get_or_insert_with(|| {
                sink.begin();
                sink.push("cue=");
                sink.push_lower(cue.0);
                sink.push("|w=");
                sink.begun()
            });
            feat_from!(sink, begun; low(j));
        }
    }
    // what the choice adds or drops: the rules' first dropped word, a date, a quotation
    if j != b && b < n {
        memo_feat!(sink, memo.candidate(how_i, EndMemo::DROPPED); "t=", how, "|b=", low(b));
    }
    let (lo, hi) = (j.min(b), j.max(b).min(n));
    if counts.count(TokenCounts::TIMES, lo, hi) > 0 {
        memo_feat!(sink, memo.article(how_i, EndMemo::TIME); "t=", how, "|time");
    }
    if counts.count(TokenCounts::QUOTES, lo, hi) > 0 {
        memo_feat!(sink, memo.article(how_i, EndMemo::QUOTE); "t=", how, "|quote");
    }
    // a clause of its own (a verb) in what the choice adds or drops
    if j != b && counts.count(TokenCounts::VERBS, lo, hi) > 0 {
        memo_feat!(sink, memo.article(how_i, EndMemo::VERB); "t=", how, "|verb");
    }
    let commas = counts.count(TokenCounts::COMMAS, j.saturating_sub(MAX_CUT).max(a), j) as usize;
    memo_feat!(sink, memo.article(how_i, EndMemo::COMMAS + bi(commas));
        "t=", how, "|commas=", gate::bucket(commas));
}

/// Ends the content of `c` where the boundary model scores best.
fn refine_end(
    doc: &Document,
    in_quote: &[Option<u32>],
    counts: &TokenCounts,
    c: &mut Candidate,
    model: &Gate,
    memo: &mut EndMemo,
) {
    let Some(EndChoices { a, b, alts }) = end_alternatives(doc, in_quote, c, &mut memo.sentence)
    else {
        return;
    };
    memo.next_candidate();
    let mut best = (f32::NEG_INFINITY, b, "keep");
    for (j, how) in alts {
        let mut sink = FeatureSink::score(model);
        end_features(doc, c, (a, b, j), how, counts, memo, &mut sink);
        let z = sink.z();
        if z > best.0 {
            best = (z, j, how);
        }
    }
    let (j, how) = (best.1, best.2);
    c.end_how = how;
    if j != b {
        c.end = doc.tokens[j - 1].end;
        c.kind = span_kind(in_quote, a, j);
    }
}

/// One end a content may take: (start, end) in bytes and the boundary model's features.
pub type EndChoice = (usize, usize, Vec<String>);

/// For each reported statement the rules propose (before the boundary model), every
/// end its content may take: (start, end) in bytes and the boundary model's features.
/// What `bounds::train` learns from.
pub fn end_choices(doc: &Document) -> Vec<Vec<EndChoice>> {
    let quotes = find_quotes(doc);
    let in_quote = quote_map(doc, &quotes);
    let cands = candidates(doc, &quotes, None);
    let counts = TokenCounts::new(doc);
    let mut out = Vec::new();
    for c in &cands {
        let Some(EndChoices { a, b, alts }) = end_alternatives(doc, &in_quote, c, &mut 0) else {
            continue;
        };
        let group = alts
            .into_iter()
            .map(|(j, how)| {
                let mut fs = Vec::with_capacity(16);
                let mut sink = FeatureSink::names(&mut fs);
                // names are never taken from the memo: every feature is written out
                end_features(
                    doc,
                    c,
                    (a, b, j),
                    how,
                    &counts,
                    &mut EndMemo::new(),
                    &mut sink,
                );
                (doc.tokens[a].start, doc.tokens[j - 1].end, fs)
            })
            .collect();
        out.push(group);
    }
    out
}

/// Every candidate statement, ungated, with the features the gate reads: what
/// `whosaid train-gate` learns from.
pub fn attribute_with_features(
    doc: &Document,
    ents: &mut EntityTable,
) -> (Vec<Statement>, Vec<Vec<String>>) {
    let quotes = find_quotes(doc);
    let cands = candidates(doc, &quotes, bounds::builtin());
    let out = resolve(doc, ents, &cands);
    let feats = out
        .iter()
        .zip(&cands)
        .map(|(st, c)| {
            let mut fs = Vec::with_capacity(24);
            // names are never taken from the memo: every feature is written out
            let mut sink = FeatureSink::names(&mut fs);
            features(doc, c, st, &mut GateMemo::default(), &mut sink);
            fs
        })
        .collect();
    (out, feats)
}

/// Formats each feature into one reused buffer and hands it on: features are made for
/// every candidate (and every end it may take) of every article.
/// Where a model's features go: into names (to learn from) or straight into a score,
/// each name hashed piece by piece as `feat!` assembles it (see `gate::FeatureHash`),
/// never written out: scoring runs for every end and every candidate, and going
/// through `format_args!` cost more than everything else the scoring does.
pub(crate) enum FeatureSink<'o> {
    Names {
        out: &'o mut Vec<String>,
        name: String,
    },
    Score {
        model: &'o Gate,
        z: f32,
        hash: gate::FeatureHash,
        /// The weight of the feature last ended, for [`EndMemo`].
        last: f32,
    },
}

impl<'o> FeatureSink<'o> {
    fn names(out: &'o mut Vec<String>) -> Self {
        FeatureSink::Names {
            out,
            name: String::new(),
        }
    }

    /// A score starting from the model's bias.
    fn score(model: &'o Gate) -> Self {
        FeatureSink::Score {
            model,
            z: model.bias(),
            hash: gate::FeatureHash::default(),
            last: 0.0,
        }
    }

    /// Adds a weight kept from an earlier lookup, when scoring and there is one: whether
    /// it did (names are always written out).
    #[inline]
    fn add_kept(&mut self, kept: Option<f32>) -> bool {
        match (self, kept) {
            (FeatureSink::Score { z, .. }, Some(w)) => {
                *z += w;
                true
            }
            _ => false,
        }
    }

    /// The weight of the feature last ended, when scoring.
    #[inline]
    fn last_weight(&self) -> Option<f32> {
        match self {
            FeatureSink::Score { last, .. } => Some(*last),
            FeatureSink::Names { .. } => None,
        }
    }

    fn z(&self) -> f32 {
        match self {
            FeatureSink::Score { z, .. } => *z,
            FeatureSink::Names { .. } => 0.0,
        }
    }

    #[inline]
    fn begin(&mut self) {
        match self {
            FeatureSink::Names { name, .. } => name.clear(),
            FeatureSink::Score { hash, .. } => *hash = gate::FeatureHash::default(),
        }
    }

    /// The feature being made, so far: several features starting with the same pieces
    /// ("cue=said", "cue=said|direct", "cue=said|after") write or hash them once.
    fn begun(&self) -> Begun {
        match self {
            FeatureSink::Names { name, .. } => Begun::Name(name.clone()),
            FeatureSink::Score { hash, .. } => Begun::Hash(*hash),
        }
    }

    /// Starts a feature from pieces already written (instead of `begin`).
    #[inline]
    fn resume(&mut self, begun: &Begun) {
        match (self, begun) {
            (FeatureSink::Names { name, .. }, Begun::Name(b)) => name.clone_from(b),
            (FeatureSink::Score { hash, .. }, Begun::Hash(b)) => *hash = *b,
            // a feature begun by a sink of the other kind: never made
            (sink, _) => sink.begin(),
        }
    }

    /// Inline when scoring, as `end` is.
    #[inline(always)]
    fn push(&mut self, piece: &str) {
        match self {
            FeatureSink::Names { .. } => self.push_name(piece),
            FeatureSink::Score { hash, .. } => hash.bytes(piece.as_bytes()),
        }
    }

    #[inline(never)]
    fn push_name(&mut self, piece: &str) {
        if let FeatureSink::Names { name, .. } = self {
            name.push_str(piece);
        }
    }

    /// A word lower-cased.
    #[inline(always)]
    fn push_lower(&mut self, word: &str) {
        // an ASCII word scored (nearly every one): lower-cased eight bytes at a time, the
        // test for ASCII made on the same words as they are hashed. Inline, as the call
        // cost a fifth of the work; the rest is not.
        if let FeatureSink::Score { hash, .. } = self {
            if hash.ascii_lower_if_ascii(word.as_bytes()) {
                return;
            }
        }
        self.push_lower_rest(word);
    }

    /// [`FeatureSink::push_lower`] for names, and for a word that is not ASCII.
    #[inline(never)]
    fn push_lower_rest(&mut self, word: &str) {
        match self {
            // not ASCII, as `push_lower` found
            FeatureSink::Score { .. } => {}
            FeatureSink::Names { name, .. } => {
                if word.is_ascii() {
                    name.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
                    return;
                }
            }
        }
        // "Trump’s", "Müller": char by char
        let mut buf = [0u8; 4];
        for ch in word.chars() {
            if ch.is_ascii() {
                self.push(ch.to_ascii_lowercase().encode_utf8(&mut buf));
            } else {
                for l in ch.to_lowercase() {
                    self.push(l.encode_utf8(&mut buf));
                }
            }
        }
    }

    /// Inline when scoring, as every feature ends here and the call cost a good part
    /// of the lookup; writing a name out is not.
    #[inline(always)]
    fn end(&mut self) {
        match self {
            FeatureSink::Names { .. } => self.end_name(),
            FeatureSink::Score {
                model,
                z,
                hash,
                last,
            } => {
                *last = model.weight_of(hash.finish());
                *z += *last;
            }
        }
    }

    #[inline(never)]
    fn end_name(&mut self) {
        if let FeatureSink::Names { out, name } = self {
            out.push(name.clone());
        }
    }
}

/// The first pieces of a feature's name, as [`FeatureSink::begun`] took them.
enum Begun {
    Name(String),
    Hash(gate::FeatureHash),
}

impl std::fmt::Write for FeatureSink<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.push(s);
        Ok(())
    }
}

/// One piece of a feature's name.
trait Piece {
    fn put(&self, sink: &mut FeatureSink);
}

impl Piece for &str {
    #[inline]
    fn put(&self, sink: &mut FeatureSink) {
        sink.push(self);
    }
}

impl Piece for String {
    #[inline]
    fn put(&self, sink: &mut FeatureSink) {
        sink.push(self);
    }
}

impl Piece for Lowered {
    #[inline]
    fn put(&self, sink: &mut FeatureSink) {
        sink.push(self);
    }
}

impl Piece for u8 {
    fn put(&self, sink: &mut FeatureSink) {
        // "{self}" without the formatter: its decimal digits, most significant first
        let n = *self;
        let digits = [b'0' + n / 100, b'0' + n / 10 % 10, b'0' + n % 10];
        let skip = if n >= 100 {
            0
        } else if n >= 10 {
            1
        } else {
            2
        };
        if let Ok(s) = std::str::from_utf8(&digits[skip..]) {
            sink.push(s);
        }
    }
}

impl Piece for bool {
    fn put(&self, sink: &mut FeatureSink) {
        sink.push(if *self { "true" } else { "false" });
    }
}

/// A rule's confidence, to two decimals.
struct Conf(f32);

impl Piece for Conf {
    fn put(&self, sink: &mut FeatureSink) {
        // "{:.2}" without the float formatter where rounding to hundredths is plain (no
        // value within a hair of a half-hundredth, where the formatter's exact decimal
        // expansion decides)
        let x = self.0 * 100.0;
        let r = x.round();
        if (0.0..1000.0).contains(&x) && ((x - r).abs() < 0.49 || x.fract() == 0.0) {
            let n = r as u32;
            let digits = [
                b'0' + (n / 100 % 10) as u8,
                b'.',
                b'0' + (n / 10 % 10) as u8,
                b'0' + (n % 10) as u8,
            ];
            let s = if n >= 1000 {
                None
            } else {
                std::str::from_utf8(&digits).ok()
            };
            if let Some(s) = s {
                sink.push(s);
                return;
            }
        }
        let _ = std::fmt::Write::write_fmt(sink, format_args!("{:.2}", self.0));
    }
}

impl Piece for Lower<'_> {
    #[inline]
    fn put(&self, sink: &mut FeatureSink) {
        sink.push_lower(self.0);
    }
}

/// A feature piece: a word, lower-cased as it goes into the name (no lower-cased copy).
#[derive(Clone, Copy)]
struct Lower<'a>(&'a str);

/// Weights of the gate's features that name no word of the article, only a candidate's
/// kind, rule end, speaker form or a bucketed length, looked up once per article (as
/// [`EndMemo`] does for the boundary model): a dozen of each candidate's features.
#[derive(Default)]
struct GateMemo {
    /// `[kind]`, `[rule end][kind]`, `[length bucket][kind]`, `[speaker form][kind]`
    k: [Option<f32>; 3],
    end: [[Option<f32>; 3]; 4],
    len: [[Option<f32>; 3]; 9],
    sp: [[Option<f32>; 3]; 3],
    /// `[opens the sentence][closes it]`, `[distance bucket][cue after, before, inside]`,
    /// then each by its one value
    sent: [[Option<f32>; 2]; 2],
    pos: [[Option<f32>; 3]; 9],
    nocue: [Option<f32>; 2],
    splen: [Option<f32>; 9],
    spk: [Option<f32>; 5],
    para0: Option<f32>,
    sph_name: Option<f32>,
    sp_none: Option<f32>,
    spk_none: Option<f32>,
    /// Per rule confidence met (by its bits; the rules use a few dozen):
    /// `r=…|kind` by kind, and `crossing|r=…`. Formatting the confidence cost more than
    /// the rest of the feature.
    conf: Vec<(u32, [Option<f32>; 3], Option<f32>)>,
    /// The sentence of the candidate last scored (see [`Document::sentence_at_from`]).
    sentence: usize,
}

impl GateMemo {
    fn conf(&mut self, confidence: f32) -> &mut (u32, [Option<f32>; 3], Option<f32>) {
        let bits = confidence.to_bits();
        let i = match self.conf.iter().position(|e| e.0 == bits) {
            Some(i) => i,
            None => {
                self.conf.push((bits, [None; 3], None));
                self.conf.len() - 1
            }
        };
        &mut self.conf[i]
    }
}

/// The features of one candidate for the gate (see `gate`): the rule that proposed it
/// (by its confidence), its kind, cue word, speaker form, content length and first word,
/// and the words on either side of the content and of the cue.
fn features(
    doc: &Document,
    c: &Candidate,
    st: &Statement,
    memo: &mut GateMemo,
    sink: &mut FeatureSink,
) {
    use gate::bucket_index as bi;
    let n = doc.tokens.len();
    let low = |i: usize| Lower(doc.tok_text(i));
    let kind = c.kind.as_str();
    let ki = c.kind as usize;
    memo_feat!(sink, Some(&mut memo.k[ki]); "k=", kind);
    memo_feat!(sink, Some(&mut memo.conf(c.confidence).1[ki]);
        "r=", Conf(c.confidence), "|", kind);
    let how = match c.end_how {
        "rule" => Some(0),
        "keep" => Some(1),
        "cut" => Some(2),
        "ext" => Some(3),
        _ => None,
    };
    memo_feat!(sink, how.map(|h: usize| &mut memo.end[h][ki]);
        "end=", c.end_how, "|", kind);
    if c.crossing {
        feat!(sink; "crossing|", kind);
        memo_feat!(sink, Some(&mut memo.conf(c.confidence).2);
            "crossing|r=", Conf(c.confidence));
    }
    let a = doc.token_at_or_after(c.start);
    let b = doc.token_at_or_after(c.end);
    let len = b.saturating_sub(a);
    memo_feat!(sink, Some(&mut memo.len[bi(len)][ki]);
        "len=", gate::bucket(len), "|", kind);
    let first = Lower(if a < n { doc.tok_text(a) } else { "" });
    feat!(sink; "c0=", first);
    if b > a && b <= n {
        feat!(sink; "cn=", low(b - 1));
    }
    if a > 0 {
        feat!(sink; "pre=", low(a - 1));
    }
    if b < n {
        feat!(sink; "post=", low(b));
    }
    let sent = doc.sentences[doc.sentence_at_from(c.start, &mut memo.sentence)];
    let (opens, closes) = (
        u8::from(a <= sent.tok_start + 1),
        u8::from(b + 1 >= sent.tok_end),
    );
    memo_feat!(sink, Some(&mut memo.sent[usize::from(opens)][usize::from(closes)]);
        "sent=", opens, closes);
    if sent.para == 0 {
        memo_feat!(sink, Some(&mut memo.para0); "para0");
    }
    match c.cue {
        Some((cs, ce)) => {
            let cue = Lowered::new(doc.slice(cs, ce));
            let (ct, cte) = (doc.token_at_or_after(cs), doc.token_at_or_after(ce));
            let (pos, pi, dist) = if cs >= c.end {
                ("after", 0, ct.saturating_sub(b))
            } else if ce <= c.start {
                ("before", 1, a.saturating_sub(cte))
            } else {
                ("inside", 2, 0)
            };
            sink.begin();
            sink.push("cue=");
            sink.push(&cue);
            let cue_feat = sink.begun();
            sink.end();
            feat_from!(sink, &cue_feat; "|", kind);
            feat_from!(sink, &cue_feat; "|", pos);
            feat_from!(sink, &cue_feat; "|c0=", first);
            memo_feat!(sink, Some(&mut memo.pos[bi(dist)][pi]);
                "pos=", pos, "|dist=", gate::bucket(dist));
            // an open verb (no lexicon entry) unseen in training is judged by its ending
            // and its subject: "-ed" with a name is more often a reported act
            if c.confidence < 0.12 {
                let suf = cue.get(cue.len().saturating_sub(2)..).unwrap_or("");
                let sk = c.speaker.map_or("none", |np| np.kind.as_str());
                feat!(sink; "open|suf=", suf);
                feat!(sink; "open|suf=", suf, "|sp=", sk);
            }
            if c.confidence == CUE_END_CONF {
                let rate = lexicon::cue_end_rate(&cue).unwrap_or(0);
                let sk = c.speaker.map_or("none", |np| np.kind.as_str());
                feat!(sink; "ce|rate=", rate);
                feat!(sink; "ce|rate=", rate, "|sp=", sk);
            }
            if ct > 0 {
                feat!(sink; "bc=", low(ct - 1));
            }
            if cte < n {
                feat!(sink; "ac=", low(cte));
                feat_from!(sink, &cue_feat; "|ac=", low(cte));
            }
        }
        None => memo_feat!(sink, Some(&mut memo.nocue[usize::from(c.inherit)]);
            "nocue|inherit=", c.inherit),
    }
    match c.speaker {
        Some(np) => {
            let sk = np.kind.as_str();
            memo_feat!(sink, Some(&mut memo.sp[np.kind as usize][ki]); "sp=", sk, "|", kind);
            if np.kind == NpKind::Name {
                memo_feat!(sink, Some(&mut memo.sph_name); "sph=NAME");
            } else {
                feat!(sink; "sph=", low(np.end.saturating_sub(1).max(np.start)));
            }
            let splen = np.end.saturating_sub(np.start);
            memo_feat!(sink, Some(&mut memo.splen[bi(splen)]);
                "splen=", gate::bucket(splen));
        }
        None => memo_feat!(sink, Some(&mut memo.sp_none); "sp=none"),
    }
    match &st.speaker {
        Some(s) => memo_feat!(sink, Some(&mut memo.spk[s.kind as usize]);
            "spk=", s.kind.as_str()),
        None => memo_feat!(sink, Some(&mut memo.spk_none); "spk=none"),
    }
}

fn is_statement_quote(doc: &Document, q: &Quote) -> bool {
    if q.words >= 4 {
        return true;
    }
    // a short quote that is a whole sentence or paragraph ("“No,” he said.")
    let inner = doc.slice(q.start, q.end);
    inner.ends_with([',', '.', '!', '?']) || doc.paragraphs[q.para].start == q.open || q.continues
}

fn direct_quotes(
    doc: &Document,
    quotes: &[Quote],
    in_quote: &[Option<u32>],
    used: &mut [bool],
    cands: &mut Vec<Candidate>,
) {
    // the paragraph and sentence of the last quote kept, for split quotes ("“A,” he
    // said. “B.”"), whose short second part has no cue of its own
    let mut last_kept: Option<(usize, usize)> = None;
    for q in quotes.iter() {
        if !is_statement_quote(doc, q) {
            if let Some(c) = described_as(doc, q, in_quote) {
                cands.push(c);
            }
            continue;
        }
        let sent_idx = doc.sentence_at(q.open);
        let para = doc.paragraphs[q.para];
        let open_tok = doc.token_at_or_after(q.open);
        let after_close = q
            .close
            .map(|c| doc.token_at_or_after(c + 1))
            .unwrap_or(para.tok_end);
        let mut found: Option<((usize, usize), Np)> = None;
        let mut signed: Option<Np> = None;
        let mut conf = 0.9;
        // a transcript: “WALLACE: Governor, …” — the speaker's label opens the quote, the
        // colon stands for the verb (PolNeAR marks it as the cue)
        let label = open_tok + 1;
        let mut start = q.start;
        if label + 2 < after_close && is_punct(doc, label + 1, ":") {
            let w = doc.tok_text(label);
            if w.chars().count() >= 2 && w.chars().all(|c| c.is_uppercase()) {
                found = Some((
                    (label + 1, label + 2),
                    Np {
                        start: label,
                        end: label + 1,
                        kind: NpKind::Name,
                        name: Some((label, label + 1)),
                        role_after: None,
                    },
                ));
                start = doc.tokens[label + 2].start;
            }
        }
        // after the closing mark: “…,” she said / “…,” said Okafor / “…” — Okafor said
        if q.close.is_some() && found.is_none() {
            let mut k = after_close;
            while k < para.tok_end && (is_punct(doc, k, ",") || is_dash(doc, k)) {
                k += 1;
            }
            let limit = clause_end(doc, k, para.tok_end, in_quote);
            // the attribution must sit in the sentence the quote ends in: after
            // “… heart.” a new sentence "He said …" reports something else
            let close_tok = after_close.saturating_sub(1);
            let same_sentence = k < para.tok_end
                && doc.sentence_at(doc.tokens[k].start)
                    == doc.sentence_at(doc.tokens[close_tok].start);
            if same_sentence {
                found = attribution_at(doc, k, limit);
            } else if k < para.tok_end && doc.slice(q.start, q.end).ends_with(['?', '!']) {
                // “… our country?” Clinton said. — the question mark ended the sentence
                // for the splitter, but a bare attribution clause still belongs to it
                let sent = doc.sentences[doc.sentence_at(doc.tokens[k].start)];
                found = attribution_at(doc, k, limit).filter(|(c, np)| {
                    tail_is_adjunct(doc, c.1.max(np.end), sent.tok_end.min(para.tok_end))
                });
            }
            // a signature: “…” ― Ana Lima (a dash, then a name closing the paragraph)
            if found.is_none() && k > after_close && is_dash(doc, k - 1) {
                if let Some(np) = np_right(doc, k, para.tok_end) {
                    let end = np.role_after.map_or(np.end, |r| r.1);
                    let stop = trim_end(doc, end, para.tok_end);
                    // or with a description after a comma: "― Lena Brandt, harbour master"
                    let described = end < stop
                        && is_punct(doc, end, ",")
                        && stop - end <= 9
                        && (end + 1..stop).all(|j| {
                            doc.tokens[j].kind != TokKind::Quote && cue_at(doc, j).is_none()
                        });
                    if np.kind == NpKind::Name && np.start == k && (stop == end || described) {
                        signed = Some(np);
                    }
                }
            }
            // "The summit achieved “too little,” he added": a paraphrase opens the
            // sentence and the quote finishes it, so the statement is mixed and starts
            // with the sentence
            if let Some((cue, np)) = found {
                let sent = doc.sentences[sent_idx];
                let lo = sent.tok_start.max(para.tok_start);
                let words = (lo..open_tok)
                    .filter(|&i| doc.tokens[i].kind == TokKind::Word)
                    .count();
                if words >= 2
                    && in_quote[lo..open_tok].iter().all(Option::is_none)
                    && (lo..open_tok).all(|i| cue_at(doc, i).is_none())
                {
                    used[cue.0..cue.1].iter_mut().for_each(|u| *u = true);
                    cands.push(Candidate::mixed_quote(
                        doc,
                        (doc.tokens[lo].start, q.end),
                        cue,
                        np,
                        0.75,
                    ));
                    last_kept = Some((q.para, sent_idx));
                    continue;
                }
            }
        }
        // before the opening mark: He said: “…” / Okafor told reporters, “…”
        if found.is_none() {
            let sent = doc.sentences[doc.sentence_at(q.open)];
            let lo = sent.tok_start.max(para.tok_start);
            if let Some((cue, np, content_tok)) = attribution_before(doc, open_tok, lo, in_quote) {
                if let Some(ct) = content_tok {
                    // "said the budget would be “tough but fair”": the paraphrase holds
                    // the quote, so the statement is mixed and runs from the paraphrase
                    let end = q.close.map_or(q.end, |c| {
                        let after = doc.token_at_or_after(c + 1);
                        doc.tokens.get(after.saturating_sub(1)).map_or(c, |t| t.end)
                    });
                    used[cue.0..cue.1].iter_mut().for_each(|u| *u = true);
                    cands.push(Candidate::mixed_quote(
                        doc,
                        (doc.tokens[ct].start, end.max(q.end)),
                        cue,
                        np,
                        0.8,
                    ));
                    last_kept = Some((q.para, sent_idx));
                    continue;
                }
                // "He said “we will win” because the polls are close": the sentence
                // goes on past the closing mark, so the statement is mixed
                if let Some(close) = q.close {
                    let after = doc.token_at_or_after(close + 1);
                    let sent = doc.sentences[doc.sentence_at(close)];
                    let end = clause_cut(doc, after, trim_end(doc, after, sent.tok_end));
                    let words = (after..end)
                        .filter(|&k| doc.tokens[k].kind == TokKind::Word)
                        .count();
                    if words >= 2 && in_quote[after..end].iter().all(Option::is_none) {
                        used[cue.0..cue.1].iter_mut().for_each(|u| *u = true);
                        cands.push(Candidate::mixed_quote(
                            doc,
                            (q.start, doc.tokens[end - 1].end),
                            cue,
                            np,
                            0.75,
                        ));
                        last_kept = Some((q.para, sent_idx));
                        continue;
                    }
                }
                found = Some((cue, np));
            }
            conf = 0.85;
        }
        // "Jared Potts echoed:" closing the paragraph before the one the quote opens
        if found.is_none() && signed.is_none() && open_tok == para.tok_start && q.para > 0 {
            let prev = doc.paragraphs[q.para - 1];
            if prev.tok_end > prev.tok_start && is_punct(doc, prev.tok_end - 1, ":") {
                let s = doc.sentences[doc.sentence_at(doc.tokens[prev.tok_end - 1].start)];
                let lo = s.tok_start.max(prev.tok_start);
                if let Some((cue, np, None)) = attribution_before(doc, prev.tok_end, lo, in_quote) {
                    found = Some((cue, np));
                }
            }
        }
        // a short quote with no cue of its own is a title or a scare quote unless it
        // stands alone as a paragraph or continues a split quote a sentence earlier
        let split_part = last_kept.is_some_and(|(p, si)| p == q.para && sent_idx <= si + 2);
        if found.is_none() && q.words < 4 && doc.paragraphs[q.para].start != q.open && !split_part {
            if let Some(c) = described_as(doc, q, in_quote) {
                cands.push(c);
            }
            continue;
        }
        last_kept = Some((q.para, doc.sentence_at(q.end.saturating_sub(1))));
        let (cue, speaker, inherit) = match found {
            Some((c, np)) => (Some(c), Some(np), false),
            None if signed.is_some() => (None, signed, false),
            None => {
                conf = 0.6;
                (None, None, true)
            }
        };
        if let Some((a, b)) = cue {
            used[a..b].iter_mut().for_each(|u| *u = true);
        }
        cands.push(Candidate {
            kind: StatementKind::Direct,
            start,
            end: q.end,
            cue: cue.map(|(a, b)| (doc.tokens[a].start, doc.tokens[b - 1].end)),
            speaker,
            inherit,
            confidence: conf,
            end_how: "rule",
            crossing: false,
        });
    }
}

/// "Manafort dismissed the whole kerfuffle as “absurd.”", "Merkel hailed the deal as a
/// “breakthrough.”": a verb, its object and "as" before a short quote make a mixed
/// statement of the verb's subject, from the object to the quote's end.
fn described_as(doc: &Document, q: &Quote, in_quote: &[Option<u32>]) -> Option<Candidate> {
    let open_tok = doc.token_at_or_after(q.open);
    let sent = doc.sentences[doc.sentence_at(q.open)];
    let lo = sent.tok_start.max(doc.paragraphs[q.para].tok_start);
    let mut k = open_tok;
    if k > lo && doc.tokens[k - 1].lex.contains(Lex::DET) {
        k -= 1;
    }
    if k <= lo + 2 || !lower_eq(doc, k - 1, "as") {
        return None;
    }
    let as_tok = k - 1;
    // the verb: the nearest finite-looking word before the object
    let v = (lo + 1..as_tok).rev().take(10).find(|&i| {
        let t = doc.tokens[i];
        let w = doc.tok_text(i);
        t.kind == TokKind::Word
            && !t.cap
            && !t.lex.intersects(Lex::FUNC | Lex::DET | Lex::PRONOUN)
            && (w.ends_with("ed") || cue_at(doc, i).is_some())
    })?;
    if v + 1 >= as_tok
        || (v + 1..as_tok).any(|i| in_quote[i].is_some() || doc.tokens[i].kind == TokKind::Punct)
    {
        return None;
    }
    let np = speaker_before_verb(doc, v, lo)
        .or_else(|| subject_span(doc, v, lo))
        .filter(|np| np.start == lo || sentence_prefix_ok(doc, lo, np.start))?;
    Some(Candidate {
        kind: StatementKind::Mixed,
        start: doc.tokens[v + 1].start,
        end: q.end,
        cue: Some((doc.tokens[v].start, doc.tokens[v].end)),
        speaker: Some(np),
        inherit: false,
        confidence: 0.34,
        end_how: "rule",
        crossing: false,
    })
}

/// End of the attribution clause that starts at `k`: the sentence end or the next quote.
fn clause_end(doc: &Document, k: usize, hi: usize, in_quote: &[Option<u32>]) -> usize {
    let mut e = k;
    while e < hi && e - k < 30 {
        if in_quote[e].is_some() {
            break;
        }
        let t = doc.tok_text(e);
        if matches!(t, "." | "!" | "?" | ";" | ":") && !np_word(doc, e) {
            break;
        }
        e += 1;
    }
    e
}

/// "she said" / "said Okafor" / "Okafor, the minister, said" starting at token `k`.
fn attribution_at(doc: &Document, k: usize, limit: usize) -> Option<((usize, usize), Np)> {
    if k >= limit {
        return None;
    }
    // verb first: "said Okafor"
    if cue_at(doc, k).is_some() {
        let np = np_right(doc, k + 1, limit)?;
        return Some(((k, k + 1), np));
    }
    // speaker first: find the verb within the next few tokens
    let mut v = k;
    // a long appositive may stand between the name and the verb: "“…,” Michael McFaul, a
    // senior fellow at the Hoover Institution and a former ambassador to Russia, said"
    while v < limit && v - k < 30 {
        if cue_at(doc, v).is_some() && v > k {
            let mut np = speaker_before_verb(doc, v, k)?;
            if v - k >= 14 && np.role_after.is_none() {
                return None;
            }
            let first = np.first();
            if first > k && !only_commas(doc, k, first) {
                // modifiers the phrase scan stopped at: "state Sen. Jason Holsman said"
                if first - k <= 3 && (k..first).all(|i| doc.tokens[i].kind == TokKind::Word) {
                    match np.role_after {
                        Some((a, b)) if a < np.start => np.role_after = Some((k, b)),
                        _ => np.start = k,
                    }
                } else {
                    return None;
                }
            }
            return Some(((v, v + 1), np));
        }
        v += 1;
    }
    None
}

fn only_commas(doc: &Document, a: usize, b: usize) -> bool {
    (a..b).all(|i| is_punct(doc, i, ","))
}

/// The speaker before verb `v`: skips auxiliaries and handles an appositive
/// ("Kenji Sato, Japan's trade minister, said").
fn speaker_before_verb(doc: &Document, v: usize, lo: usize) -> Option<Np> {
    let mut e = aux_start(doc, v, lo);
    // a time between the speaker and the verb: "Sanders on Tuesday said", "Obama last
    // week said"
    if let Some(t) = time_before(doc, e, lo) {
        e = aux_start(doc, t, lo);
    }
    // dashes around an appositive: "Kall -- co-editor of a book on the debates -- said"
    // a dash set off by a space, not the hyphen of "co-editor"
    let dash = |i: usize| {
        (is_dash(doc, i) || doc.tok_text(i) == "--")
            && (i == 0
                || doc.tokens[i - 1].end < doc.tokens[i].start
                || doc
                    .tokens
                    .get(i + 1)
                    .is_some_and(|t| t.start > doc.tokens[i].end))
    };
    if e > lo + 2 && dash(e - 1) {
        // "--" may come as two tokens
        let mut role_end = e - 1;
        while role_end > lo && dash(role_end - 1) {
            role_end -= 1;
        }
        let mut k = role_end;
        while k > lo && !dash(k - 1) && role_end - k < 25 {
            k -= 1;
        }
        let mut d = k.saturating_sub(1);
        while d > lo && dash(d - 1) {
            d -= 1;
        }
        if d > lo && k < role_end && appositive(doc, k, role_end) {
            let mut np = np_left(doc, d, lo)?;
            if np.kind == NpKind::Name {
                np.role_after = Some((k, role_end));
                return Some(apposed_name(doc, np));
            }
        }
        return None;
    }
    if e > lo && is_punct(doc, e - 1, ",") {
        // appositive: NAME , ROLE , verb
        let role_end = e - 1;
        let mut k = role_end;
        while k > lo && !is_punct(doc, k - 1, ",") && role_end - k < 25 {
            k -= 1;
        }
        if k > lo && is_punct(doc, k - 1, ",") && appositive(doc, k, role_end) {
            let mut np = np_left(doc, k - 1, lo)?;
            if np.kind != NpKind::Pronoun {
                np.role_after = Some((k, role_end));
                return Some(apposed_name(doc, np));
            }
        }
        return None;
    }
    np_left(doc, e, lo)
}

/// The subject of a sentence whose verb follows a longer insertion between commas than
/// an appositive: "Biden, who was to travel to Ohio on Wednesday, said …", "Sen. Marco
/// Rubio, R-Fla., appearing on Fox News, said …", "Murphy, though, said …". Not when a
/// name alone follows the verb: "The contrast, said Doyle, would be clear" inverts.
fn inserted_subject(doc: &Document, v: usize, lo: usize) -> Option<Np> {
    let e = aux_start(doc, v, lo);
    if e <= lo + 2 || !is_punct(doc, e - 1, ",") {
        return None;
    }
    let mut k = v + 1;
    while k < doc.tokens.len() && doc.tokens[k].cap && !doc.tokens[k].lex.contains(Lex::TIME) {
        k += 1;
    }
    if k > v + 1
        && doc
            .tokens
            .get(k)
            .is_none_or(|t| t.kind == TokKind::Punct || matches!(doc.tok_text(k), "and" | "of"))
    {
        return None;
    }
    let comma = e - 1;
    let np = clause_subject(doc, lo, comma)?;
    if np.end >= comma || !is_punct(doc, np.end, ",") || comma - np.end > 40 {
        return None;
    }
    // the insertion holds no quotation, clause break or verb of its own that reports
    if (np.end + 1..comma).any(|k| {
        let t = doc.tokens[k];
        t.kind == TokKind::Quote
            || matches!(doc.tok_text(k), ";" | ":")
            || cue_at(doc, k).is_some_and(|c| c.form != VerbForm::Gerund)
    }) {
        return None;
    }
    Some(np)
}

/// Where a time adjunct ending before token `e` starts ("on Tuesday", "Monday", "last
/// week", "earlier this month"), if one does, with a word before it.
fn time_before(doc: &Document, e: usize, lo: usize) -> Option<usize> {
    let time = |i: usize| {
        let t = doc.tokens[i];
        t.kind == TokKind::Word && t.lex.contains(Lex::TIME) && (t.cap || !t.lex.contains(Lex::AUX))
    };
    if e <= lo + 1 || !time(e - 1) {
        return None;
    }
    let mut t = e - 1;
    while t > lo + 1
        && e - t < 4
        && (time(t - 1)
            || ["on", "last", "this", "earlier", "late"]
                .iter()
                .any(|w| lower_eq(doc, t - 1, w)))
    {
        t -= 1;
    }
    (doc.tokens[t - 1].kind == TokKind::Word).then_some(t)
}

/// The attribution before a quote's opening mark, in the same sentence:
/// "He said: “…”", "Okafor told reporters, “…”", "According to the ministry, “…”".
/// The attribution before a quote's opening mark, in the same sentence: "He said: “…”",
/// "Okafor told reporters, “…”". When a paraphrase stands between the verb and the mark
/// ("said the budget would be “…”"), also returns where that paraphrase starts.
#[allow(clippy::type_complexity)]
fn attribution_before(
    doc: &Document,
    open_tok: usize,
    lo: usize,
    in_quote: &[Option<u32>],
) -> Option<((usize, usize), Np, Option<usize>)> {
    let mut k = open_tok;
    // the mark may follow ":" or "," or "that"
    while k > lo && (matches!(doc.tok_text(k - 1), ":" | ",") || lower_eq(doc, k - 1, "that")) {
        k -= 1;
    }
    let bare = k;
    // the verb: right before the mark, after a short adjunct ("said on Monday:"), or
    // before a short paraphrase that leads into the quote
    let mut v = k;
    while v > lo && k - v < 12 {
        let i = v - 1;
        if in_quote[i].is_some() || matches!(doc.tok_text(i), "." | ";" | "!" | "?") {
            return None;
        }
        if let Some(verb) = cue_at(doc, i) {
            // the words between the verb and the mark: an adjunct, or a paraphrase
            let mut c = i + 1;
            while c < bare && (lower_eq(doc, c, "that") || matches!(doc.tok_text(c), ":" | ",")) {
                c += 1;
            }
            let between_adjunct =
                (c..bare).all(|j| adjunct_word(doc, j) && !lower_eq(doc, j, "that"));
            let content =
                if c < bare && !between_adjunct && !is_punct(doc, bare.saturating_sub(1), ":") {
                    if verb.class == CueClass::Weak && !(i + 1..c).any(|j| lower_eq(doc, j, "that"))
                    {
                        return None;
                    }
                    Some(c)
                } else {
                    None
                };
            if content.is_none() && k - i > 8 {
                return None;
            }
            if verb.form == VerbForm::Gerund {
                // "…, saying: “…”" — the clause's subject speaks
                return clause_subject(doc, lo, i).map(|np| ((i, i + 1), np, content));
            }
            if let Some(np) = speaker_before_verb(doc, i, lo) {
                return Some(((i, i + 1), np, content));
            }
            if content.is_none() {
                if let Some(np) = np_right(doc, i + 1, k) {
                    return Some(((i, i + 1), np, None));
                }
            }
            // a longer subject: "Levine, who has given money to Rubio, said, “…”"
            return subject_span(doc, i, lo)
                .filter(|np| np.start == lo || sentence_prefix_ok(doc, lo, np.start))
                .map(|np| ((i, i + 1), np, content));
        }
        v -= 1;
    }
    None
}

/// Reported speech in every sentence, around verbs the direct pass did not use.
fn reported_speech(
    doc: &Document,
    in_quote: &[Option<u32>],
    used: &mut [bool],
    cands: &mut Vec<Candidate>,
) {
    // cue span → the speaker a quote gave it
    let quote_speakers: crate::hash::FastMap<(usize, usize), Np> = cands
        .iter()
        .filter_map(|c| Some((c.cue?, c.speaker?)))
        .collect();
    let quote_cues: crate::hash::FastSet<(usize, usize)> =
        cands.iter().filter_map(|c| c.cue).collect();
    for s in &doc.sentences {
        let (lo, hi) = (s.tok_start, s.tok_end);
        let before = cands.len();
        // the sentence's first relative pronoun, once one of its verbs asks
        let mut first_relative = None;
        let mut i = lo;
        while i < hi {
            if in_quote[i].is_some() {
                i += 1;
                continue;
            }
            // a verb a quote already used may still introduce reported speech after
            // "that": "“…,” she told the paper that Gore plans to skip it."
            if used[i] {
                // "The golf industry, she said, is ''doing much better''": the words before
                // the attribution a quote took report the same speaker
                if let Some(c) = before_parenthetical(doc, i, lo, hi, in_quote, &quote_speakers) {
                    cands.push(c);
                }
                if let Some(verb) = cue_at(doc, i) {
                    if let Some(t) = (i + 1..hi.min(i + 8)).find(|&k| lower_eq(doc, k, "that")) {
                        let end = trim_end(doc, t + 1, hi);
                        if end > t + 3
                            && (i + 1..t).all(|k| adjunct_word(doc, k) || is_punct(doc, k, ","))
                        {
                            let _ = verb;
                            let sp = quote_speakers
                                .get(&(doc.tokens[i].start, doc.tokens[i].end))
                                .copied();
                            if let Some(np) = sp {
                                cands.push(Candidate::over(
                                    doc,
                                    (t + 1, end),
                                    in_quote,
                                    Some((doc.tokens[i].start, doc.tokens[i].end)),
                                    Some(np),
                                    0.7,
                                ));
                            }
                        }
                    }
                }
                i += 1;
                continue;
            }
            // a headline "Clinton camp: Trump's plan threatens security"
            if is_punct(doc, i, ":") {
                if let Some(c) = colon_statement(doc, i, lo, hi, in_quote) {
                    cands.push(c);
                    i += 1;
                    continue;
                }
            }
            // "according to X, …" / "…, according to X."
            if lower_eq(doc, i, "according") && i + 1 < hi && lower_eq(doc, i + 1, "to") {
                if let Some(c) = according_to(doc, i, lo, hi, in_quote) {
                    used[i..i + 2].iter_mut().for_each(|u| *u = true);
                    cands.push(c);
                    i += 2;
                    continue;
                }
            }
            // "the ministry's statement that …", "his claim that …"
            if doc.tokens[i].lex.contains(Lex::NOMINAL_CUE) {
                if let Some(c) = nominal_statement(doc, i, (lo, hi), in_quote) {
                    used[i] = true;
                    cands.push(c);
                    i += 1;
                    continue;
                }
            }
            let Some(mut verb) = cue_at(doc, i) else {
                i += 1;
                continue;
            };
            // "The attorney general is confirming that …": a progressive is a finite verb
            // with its subject before the "is", not a participle after a comma
            if verb.form == VerbForm::Gerund && progressive(doc, i, lo) {
                verb.form = VerbForm::Third;
            }
            let mut extra = Vec::new();
            if let Some(c) = verb_statement(doc, i, verb, lo, hi, in_quote, &mut extra) {
                used[i] = true;
                cands.push(c);
                cands.append(&mut extra);
            } else if let Some(c) = fallback_statement(doc, i, verb, lo, hi, in_quote) {
                // a quote's rule may have taken this cue already ("dismissed it as “…”")
                if !c.cue.is_some_and(|cue| quote_cues.contains(&cue)) {
                    cands.push(c);
                }
            }
            if let Some(c) = relative_content(doc, i, verb, (lo, hi), in_quote, &mut first_relative)
            {
                cands.push(c);
            }
            i += 1;
        }
        // a sentence no cue word opened and no quote touches may still report a stance
        if cands.len() == before && (lo..hi).all(|k| in_quote[k].is_none() && !used[k]) {
            if let Some(c) = open_verb_statement(doc, lo, hi, in_quote) {
                cands.push(c);
            }
        }
        if hi - lo <= MAX_SENTENCE {
            cue_end_statements(doc, (lo, hi), before, in_quote, used, &quote_cues, cands);
        }
    }
}

/// The confidence that marks a statement proposed by [`nominal_statement`] for the gate.
const NOMINAL_CONF: f32 = 0.64;

/// A nominal cue (`lexicon/nominal_cues.txt`) after its possessor, with a "that" clause
/// as its content: "The ministry's statement that talks would go on", "her earlier
/// claim that …", "Okafor's warning that …". The possessor is the speaker.
fn nominal_statement(
    doc: &Document,
    i: usize,
    (lo, hi): (usize, usize),
    in_quote: &[Option<u32>],
) -> Option<Candidate> {
    let t = doc.tokens[i];
    if t.cap || i + 2 >= hi || i == lo || !lower_eq(doc, i + 1, "that") {
        return None;
    }
    // up to two modifiers between the possessor and the noun: "Trump's false claims"
    let mut p = i - 1;
    let mut mods = 0;
    while p > lo && mods < 2 && {
        let u = doc.tokens[p];
        u.kind == TokKind::Word
            && !u.cap
            && !u.lex.intersects(Lex::FUNC | Lex::DET | Lex::PRONOUN)
            && !possessive(doc.tok_text(p))
    } {
        p -= 1;
        mods += 1;
    }
    let u = doc.tokens[p];
    if u.kind != TokKind::Word {
        return None;
    }
    let np = if matches!(
        Lowered::new(doc.tok_text(p)).as_str(),
        "his" | "her" | "their" | "its"
    ) {
        Np {
            start: p,
            end: p + 1,
            kind: NpKind::Pronoun,
            name: None,
            role_after: None,
        }
    } else if possessive(doc.tok_text(p)) {
        let np = np_left(doc, p + 1, lo)?;
        match u
            .cap
            .then(|| name_part_with(doc, np.start, p + 1, true))
            .flatten()
        {
            Some(name) => Np {
                kind: NpKind::Name,
                name: Some(name),
                ..np
            },
            None => np,
        }
    } else {
        return None;
    };
    let a = i + 2;
    let mut b = clause_cut(doc, a, trim_end(doc, a, hi));
    // the phrase is the sentence's subject: its verb ends the content ("… that talks
    // would continue surprised analysts")
    if sentence_prefix_ok(doc, lo, np.start) {
        if let Some(k) = verb_after_clause(doc, a, b) {
            b = k;
        }
    }
    if b <= a {
        return None;
    }
    Some(Candidate::over(
        doc,
        (a, b),
        in_quote,
        Some((t.start, t.end)),
        Some(np),
        NOMINAL_CONF,
    ))
}

/// In tokens `a..b`, a clause with its own verb, then another verb not joined to the
/// first by an auxiliary or a conjunction: where the embedded clause ends ("talks would
/// continue | surprised analysts", "the figures were wrong | was rejected").
fn verb_after_clause(doc: &Document, a: usize, b: usize) -> Option<usize> {
    let mut seen = false;
    for k in a + 1..b {
        let t = doc.tokens[k];
        if t.kind != TokKind::Word || t.cap {
            continue;
        }
        let w = doc.tok_text(k);
        if !(is_aux(doc, k) || w.len() > 4 && w.ends_with("ed")) {
            continue;
        }
        let joined = is_aux(doc, k - 1)
            || matches!(
                Lowered::new(doc.tok_text(k - 1)).as_str(),
                "and" | "or" | "but" | "not" | "never" | "to" | "who" | "which" | "that" | ","
            );
        if seen && !joined {
            return Some(k);
        }
        seen = true;
    }
    None
}

/// Words that often end a cue and that no rule used (see [`cue_end_statement`]), each
/// outside every statement proposed for its sentence so far.
fn cue_end_statements(
    doc: &Document,
    (lo, hi): (usize, usize),
    before: usize,
    in_quote: &[Option<u32>],
    used: &[bool],
    quote_cues: &crate::hash::FastSet<(usize, usize)>,
    cands: &mut Vec<Candidate>,
) {
    for v in lo..hi {
        let lex = doc.tokens[v].lex;
        if !lex.intersects(Lex::CUE_END | Lex::CUE_END_PAIR) || used[v] || in_quote[v].is_some() {
            continue;
        }
        // a pair ("called for") is its own cue when its first word is not
        let first = if lex.contains(Lex::CUE_END) {
            v
        } else if v > lo && cue_end_pair(doc, v - 1).is_some() && !used[v - 1] {
            v - 1
        } else {
            continue;
        };
        let (cs, ce) = (doc.tokens[first].start, doc.tokens[v].end);
        let taken = quote_cues.contains(&(cs, ce))
            || cands[before..].iter().any(|o| {
                o.cue.is_some_and(|(a, b)| a <= cs && cs < b) || o.start <= cs && cs < o.end
            });
        if !taken {
            // "X talked about … and railed against …": the subject of the verb before
            let e = aux_start(doc, first, lo);
            let coordinated = e > lo
                && (is_punct(doc, e - 1, ",")
                    || matches!(
                        Lowered::new(doc.tok_text(e - 1)).as_str(),
                        "and" | "but" | "or"
                    ));
            let shared = cands[before..]
                .iter()
                .rev()
                .find(|o| o.end <= cs)
                .and_then(|o| o.speaker)
                .filter(|_| coordinated);
            if let Some(c) = cue_end_statement(doc, (first, v), (lo, hi), shared, in_quote) {
                cands.push(c);
            }
        }
    }
}

/// The rate of the pair of words at `i`, `i + 1` in `lexicon/cue_ends.txt`.
fn cue_end_pair(doc: &Document, i: usize) -> Option<u8> {
    // asked after nearly every preposition: most words before one begin no pair. The
    // class is the lower-cased word's (the word as the lexicon holds it), and every
    // first word of a pair is a short ASCII word, which the tokenizer looks up
    if !doc.tokens[i].lex.contains(Lex::CUE_END_PAIR_FIRST) {
        return None;
    }
    let (a, b) = (doc.tok_text(i), doc.tok_text(i + 1));
    // asked of every preposition after a word: the key is built on the stack (ASCII
    // words, nearly all of them), not allocated
    let mut buf = [0u8; 48];
    let n = a.len() + 1 + b.len();
    if n <= buf.len() && a.is_ascii() && b.is_ascii() {
        buf[..a.len()].copy_from_slice(a.as_bytes());
        buf[a.len()] = b' ';
        buf[a.len() + 1..n].copy_from_slice(b.as_bytes());
        buf[..n].make_ascii_lowercase();
        return lexicon::cue_end_rate(std::str::from_utf8(&buf[..n]).ok()?);
    }
    let key = format!("{} {}", Lowered::new(a).as_str(), Lowered::new(b).as_str());
    lexicon::cue_end_rate(&key)
}

/// The content before a parenthetical attribution whose verb a quote after it took:
/// "Her countrymen, she said, should not listen to “those with coldness”" gives "Her
/// countrymen" to the quote's speaker.
fn before_parenthetical(
    doc: &Document,
    v: usize,
    lo: usize,
    hi: usize,
    in_quote: &[Option<u32>],
    quote_speakers: &crate::hash::FastMap<(usize, usize), Np>,
) -> Option<Candidate> {
    let cue = (doc.tokens[v].start, doc.tokens[v].end);
    let sp = *quote_speakers.get(&cue)?;
    cue_at(doc, v)?;
    // the verb closes the parenthetical with a comma, and a quote follows soon after
    if !(v + 1 < hi && is_punct(doc, v + 1, ",")) {
        return None;
    }
    if !(v + 2..hi.min(v + 8)).any(|k| doc.tokens[k].kind == TokKind::Quote) {
        return None;
    }
    let np = speaker_before_verb(doc, v, lo)?;
    let first = np.first();
    if first < lo + 2 || !is_punct(doc, first - 1, ",") {
        return None;
    }
    let (a, b) = strip_conj(doc, lo, first - 1);
    // "As a phone rang, the announcer said, “…”": an adjunct sets the scene
    if b <= a || (a..b).any(|k| in_quote[k].is_some()) || adjunct_only(doc, a, b) {
        return None;
    }
    Some(Candidate::over(
        doc,
        (a, b),
        in_quote,
        Some(cue),
        Some(sp),
        0.6,
    ))
}

/// The relative pronoun a reporting verb's clause hangs on, as the content: "the
/// changes, which officials said will take effect", "what analysts said was a sign",
/// "hackers who officials say are tied to …" — PolNeAR annotates the pronoun itself as
/// the content (229 times in train, "that" aside), beside any reading of the verb phrase
/// after it. Not "that", more often a complementizer than a relative pronoun here
/// (measured on train: with it, 284 more candidates, 75 right; without, 175 and 68).
fn relative_content(
    doc: &Document,
    v: usize,
    verb: lexicon::CueVerb,
    (lo, hi): (usize, usize),
    in_quote: &[Option<u32>],
    first_relative: &mut Option<Option<usize>>,
) -> Option<Candidate> {
    // a naming verb names, it reports nothing: "what he called a “witch hunt”"
    if verb.class == CueClass::Weak
        || verb.form == VerbForm::Gerund
        || matches!(
            verb.lemma,
            "call" | "describe" | "dub" | "term" | "label" | "brand"
        )
    {
        return None;
    }
    let relative = |r: usize| {
        ["which", "what", "who", "whom"]
            .iter()
            .any(|w| lower_eq(doc, r, w))
    };
    // the pronoun opens the speaker's phrase, so it comes before the verb: most verbs
    // have none before them, known before the phrase is read. The sentence's first
    // such word is found once, for all its verbs (`first_relative`), so that a sentence
    // of many verbs is not read again for each
    let first = *first_relative.get_or_insert_with(|| (lo..hi).find(|&r| relative(r)));
    if first.is_none_or(|r| r >= v) {
        return None;
    }
    let np = speaker_before_verb(doc, v, lo)?;
    let r = np.start.checked_sub(1).filter(|&r| r >= lo)?;
    if !relative(r) {
        return None;
    }
    // right after a reporting verb the word opens that verb's content: "asked what
    // officials said …"
    if r > lo && cue_at(doc, r - 1).is_some() {
        return None;
    }
    let cue = Some((doc.tokens[v].start, doc.tokens[v].end));
    Some(Candidate::over(
        doc,
        (r, r + 1),
        in_quote,
        cue,
        Some(np),
        0.3,
    ))
}

/// Whether a lowercase word reads as an adverb by its "-ly" ending: most do, but a few
/// common nouns end so too, and cutting one off a subject leaves "The" of "The family
/// said" as the speaker.
fn adverb_like(w: &str) -> bool {
    w.ends_with("ly")
        && !matches!(
            w,
            "family"
                | "ally"
                | "assembly"
                | "rally"
                | "supply"
                | "monopoly"
                | "anomaly"
                | "reply"
                | "bully"
                | "homily"
                | "panoply"
                | "belly"
        )
}

/// "the", "a", "Scott's" — but not "that", more often a relative pronoun here.
fn determiner_or_possessive(doc: &Document, k: usize) -> bool {
    let det = doc.tokens[k].lex.contains(Lex::DET);
    det && !lower_eq(doc, k, "that") || possessive(doc.tok_text(k))
}

/// An auxiliary or an adverb between a subject and its verb: "has long opposed", "is
/// not expected".
fn verb_modifier(doc: &Document, k: usize) -> bool {
    let t = doc.tokens[k];
    let w = doc.tok_text(k);
    t.kind == TokKind::Word
        && !t.cap
        && (t.lex.intersects(Lex::AUX | Lex::ADVERB)
            || adverb_like(w)
            || matches!(w, "not" | "also" | "never" | "still" | "long"))
}

/// The confidence that marks a statement proposed by [`cue_end_statement`] for the gate.
const CUE_END_CONF: f32 = 0.13;

/// A word that often ends a cue (`lexicon/cue_ends.txt`) and that no rule used: the clause
/// after it as content, the nearest subject before it as speaker.
fn cue_end_statement(
    doc: &Document,
    (first, v): (usize, usize),
    (lo, hi): (usize, usize),
    shared: Option<Np>,
    in_quote: &[Option<u32>],
) -> Option<Candidate> {
    let t = doc.tokens[v];
    // a capitalised word is a name, except in a headline in title case ("Retired General
    // Reveals …")
    if v + 1 >= hi || doc.tokens[first].cap && (first == lo || !title_case(doc, lo, hi)) {
        return None;
    }
    if anonymity(doc, v + 1, hi) {
        return None;
    }
    let mut a = v + 1;
    if lower_eq(doc, a, "that") {
        a += 1;
    }
    let at = *doc.tokens.get(a)?;
    if a >= hi || at.kind == TokKind::Punct {
        return None;
    }
    // a passive's content is its subject: "the plan is considered a failure"
    let w = Lowered::new(doc.tok_text(first));
    if (w.ends_with("ed") || w.ends_with("en")) && aux_start(doc, first, lo) < first && {
        let be = Lowered::new(doc.tok_text(first - 1));
        matches!(
            be.as_str(),
            "is" | "are" | "was" | "were" | "be" | "been" | "being"
        )
    } {
        return None;
    }
    let b = clause_cut(doc, a, trim_end(doc, a, hi));
    if b <= a {
        return None;
    }
    // the subject right before the word, or before the verb a preposition ends ("called
    // for", "spoke about"), else the clause's
    let verb_before = first > lo && doc.tokens[first].lex.contains(Lex::FUNC);
    let speaker = shared
        .or_else(|| speaker_before_verb(doc, first, lo))
        .or_else(|| {
            verb_before
                .then(|| speaker_before_verb(doc, first - 1, lo))
                .flatten()
        })
        .or_else(|| clause_subject(doc, lo, first));
    Some(Candidate::over(
        doc,
        (a, b),
        in_quote,
        Some((doc.tokens[first].start, t.end)),
        speaker,
        CUE_END_CONF,
    ))
}

/// An open verb (`lexicon/open_cues.txt`) right after a sentence's subject, proposed as a
/// report or a stance whose content follows it ("Obama lambasted Romney as …", "the Post
/// released a 1995 story"): PolNeAR annotates attributions through many verbs the
/// reporting lexicon does not list (measured on dev: most indirect statements no rule
/// proposed have such a verb). The gate learns, by verb, which of these to keep;
/// confidence 0.1 marks them for it.
fn open_verb_statement(
    doc: &Document,
    lo: usize,
    hi: usize,
    in_quote: &[Option<u32>],
) -> Option<Candidate> {
    if hi - lo > MAX_SENTENCE {
        return None;
    }
    // the verb is an open cue word: a sentence with none (most) is no statement of this
    // rule, known before its subject is read
    let open_cue = |ts: &[Token]| ts.iter().any(|t| t.lex.contains(Lex::OPEN_CUE));
    if !doc.tokens.get(lo..hi).is_some_and(open_cue) {
        return None;
    }
    let np = clause_subject(doc, lo, hi)?;
    let mut v = np.end;
    let mut be = false;
    while v < hi && v < np.end + 3 {
        if !verb_modifier(doc, v) {
            break;
        }
        be |= matches!(
            doc.tok_text(v),
            "is" | "was" | "are" | "were" | "be" | "been" | "being"
        );
        v += 1;
    }
    let t = *doc.tokens.get(v)?;
    let w = doc.tok_text(v);
    if v >= hi
        || t.kind != TokKind::Word
        || t.cap
        || !t.lex.contains(Lex::OPEN_CUE)
        // a passive's content is its subject, not what follows: "the bill was passed by"
        || be && (w.ends_with("ed") || w.ends_with("en"))
    {
        return None;
    }
    let cue = Some((t.start, t.end));
    let stance = !that_follows(doc, v, hi) && !weak_complement(doc, v + 1, hi);
    let (a, b) = verb_content(doc, v, hi, "", stance)?;
    // "walked to the harbour": a place, no content (but "pressed to delay the vote")
    let noun_at = |k: usize| {
        doc.tokens
            .get(k)
            .is_some_and(|t| t.cap || t.lex.intersects(Lex::DET | Lex::PRONOUN))
    };
    if ["after", "before", "at", "during", "since", "by"]
        .iter()
        .any(|x| lower_eq(doc, a, x))
        || lower_eq(doc, a, "to") && noun_at(a + 1)
        || lower_eq(doc, v + 1, "to") && noun_at(v + 2)
    {
        return None;
    }
    Some(Candidate::over(doc, (a, b), in_quote, cue, Some(np), 0.1))
}

/// A cue for which no construction above holds, proposed anyway: the clause after it as
/// content, the clause's subject as speaker. PolNeAR annotates attributions in many
/// more shapes than the rules name; the gate learns, by cue word, how far to trust these.
fn fallback_statement(
    doc: &Document,
    v: usize,
    verb: lexicon::CueVerb,
    lo: usize,
    hi: usize,
    in_quote: &[Option<u32>],
) -> Option<Candidate> {
    if hi - lo > MAX_SENTENCE {
        return None;
    }
    // only a verb right after its subject, give or take an auxiliary or an adverb ("the
    // party has long opposed"): a word in between makes the cue a noun ("the ministry's
    // new rules") or the subject another's. Tested before the content is read, as it
    // fails for nearly every verb this rule is left with (both tests only read the text)
    let mut e = v;
    while e > lo && v - e < 3 && verb_modifier(doc, e - 1) {
        e -= 1;
    }
    let np = match clause_subject(doc, lo, v) {
        Some(np) if np.end == e => np,
        // the subject of a second clause: "…, and the board is saying that …"
        _ => {
            let np = np_left(doc, e, lo)?;
            let joined = np.start > lo
                && (is_punct(doc, np.start - 1, ",")
                    || matches!(doc.tok_text(np.start - 1), "and" | "but" | ";"));
            if np.end != e || !joined {
                return None;
            }
            np
        }
    };
    // a weak verb's noun object is a stance, its adjuncts cut off (as in verb_statement)
    let stance = verb.class == CueClass::Weak
        && !that_follows(doc, v, hi)
        && !weak_complement(doc, v + 1, hi);
    let (a, b) = verb_content(doc, v, hi, verb.lemma, stance)?;
    // an adjunct is no content: "spoke after the meeting", "responded to the proposal"
    // (but "wants to leave")
    let noun_next = doc
        .tokens
        .get(a + 1)
        .is_some_and(|t| t.cap || t.lex.intersects(Lex::DET | Lex::PRONOUN));
    if ["after", "before", "at", "during", "since"]
        .iter()
        .any(|w| lower_eq(doc, a, w))
        || lower_eq(doc, a, "to") && noun_next
    {
        return None;
    }
    let cue = Some((doc.tokens[v].start, doc.tokens[v].end));
    Some(Candidate::over(doc, (a, b), in_quote, cue, Some(np), 0.15))
}

/// The last content token of a sentence (before its final punctuation).
fn trim_end(doc: &Document, a: usize, mut b: usize) -> usize {
    while b > a {
        let t = doc.tokens[b - 1];
        if t.kind == TokKind::Punct
            && matches!(doc.tok_text(b - 1), "." | "!" | "?" | "," | ";" | ":")
        {
            b -= 1;
        } else {
            break;
        }
    }
    b
}

/// Mixed when a quotation mark's span lies inside tokens `a..b`, indirect otherwise.
fn span_kind(in_quote: &[Option<u32>], a: usize, b: usize) -> StatementKind {
    if in_quote[a..b].iter().any(Option::is_some) {
        StatementKind::Mixed
    } else {
        StatementKind::Indirect
    }
}

fn according_to(
    doc: &Document,
    i: usize,
    lo: usize,
    hi: usize,
    in_quote: &[Option<u32>],
) -> Option<Candidate> {
    let cue = Some((doc.tokens[i].start, doc.tokens[i + 1].end));
    // a source the noun-phrase scan does not take ("ouest-france.fr", "early results
    // of exit polls conducted for …") runs to the sentence end or the next comma
    let np = np_right(doc, i + 2, hi).or_else(|| {
        let e = (i + 2..hi.min(i + 27))
            .find(|&k| is_punct(doc, k, ","))
            .unwrap_or_else(|| trim_end(doc, i + 2, hi));
        (e > i + 2 && (i + 2..e).all(|k| doc.tokens[k].kind != TokKind::Quote)).then_some(Np {
            start: i + 2,
            end: e,
            kind: NpKind::Nominal,
            name: None,
            role_after: None,
        })
    })?;
    // "…, according to X." — content before
    let before_start = lo;
    let (a, b) = if i > lo + 2 && (is_punct(doc, i - 1, ",") || is_dash(doc, i - 1)) {
        (before_start, i - 1)
    } else {
        // "According to X, …" — content after the comma following the phrase
        // an appositive counts only when a comma closes it ("According to Ana Lima, a
        // spokeswoman, …"); otherwise what follows the first comma is the content
        let mut k = np.end;
        if let Some((_, re)) = np.role_after {
            if re < hi && is_punct(doc, re, ",") {
                k = re;
            }
        }
        while k < hi && !is_punct(doc, k, ",") && k - np.end < 25 {
            k += 1;
        }
        if k >= hi || !is_punct(doc, k, ",") {
            return None;
        }
        (k + 1, trim_end(doc, k + 1, hi))
    };
    if b <= a || b - a < 3 {
        return None;
    }
    let (a, b) = strip_conj(doc, a, b);
    Some(Candidate::over(doc, (a, b), in_quote, cue, Some(np), 0.75))
}

/// "Name: content" opening a paragraph, the way headlines and live blogs attribute
/// ("Report: Walker to speak at convention"). The gate learns how far to trust it.
fn colon_statement(
    doc: &Document,
    i: usize,
    lo: usize,
    hi: usize,
    in_quote: &[Option<u32>],
) -> Option<Candidate> {
    let para = doc.paragraphs[doc.sentences[doc.sentence_at(doc.tokens[lo].start)].para];
    if lo != para.tok_start || i == lo || i - lo > 6 || in_quote[lo..i].iter().any(Option::is_some)
    {
        return None;
    }
    let np = np_left(doc, i, lo).filter(|np| np.start == lo && np.kind != NpKind::Pronoun)?;
    let (a, b) = (i + 1, trim_end(doc, i + 1, hi));
    if b < a + 3 || doc.tokens[a].kind == TokKind::Quote {
        return None;
    }
    Some(Candidate::over(
        doc,
        (a, b),
        in_quote,
        Some((doc.tokens[i].start, doc.tokens[i].end)),
        Some(np),
        0.32,
    ))
}

/// Drops a leading "But", "And", "So" from content.
fn strip_conj(doc: &Document, mut a: usize, b: usize) -> (usize, usize) {
    // a dateline is no part of the content: "LAGOS (Reuters) - The tariffs …"
    if let Some(d) = (a..b.min(a + 10)).find(|&k| is_dash(doc, k)) {
        let dateline = d > a
            && doc.tok_text(d - 1) == ")"
            && (a..d).any(|k| doc.tok_text(k) == "(")
            && doc.tok_text(a).chars().all(|c| !c.is_lowercase());
        if dateline {
            a = d + 1;
        }
    }
    while a < b
        && (matches!(
            Lowered::new(doc.tok_text(a)).as_str(),
            "but" | "and" | "so" | "yet" | "still"
        ) || is_punct(doc, a, ",")
            || is_dash(doc, a))
    {
        a += 1;
    }
    (a, b)
}

#[allow(clippy::too_many_arguments)]
fn verb_statement(
    doc: &Document,
    v: usize,
    verb: lexicon::CueVerb,
    lo: usize,
    hi: usize,
    in_quote: &[Option<u32>],
    extra: &mut Vec<Candidate>,
) -> Option<Candidate> {
    let speech = verb.class == CueClass::Speech;
    let lemma = verb.lemma;
    let cue_span = Some((doc.tokens[v].start, doc.tokens[v].end));
    // every candidate of this verb shares its cue
    let over = |span, speaker, conf| Candidate::over(doc, span, in_quote, cue_span, speaker, conf);
    // verbs that take a noun object report speech only through a "that" clause:
    // "defended the plan" is no statement, "argued that the plan works" is
    // "asked whether …", "asked him why …": a question reported as content
    let asks = lemma == "ask"
        && (v + 1..hi.min(v + 5)).any(|k| {
            matches!(
                Lowered::new(doc.tok_text(k)).as_str(),
                "whether" | "why" | "if" | "how" | "what" | "when" | "where" | "who" | "about"
            )
        });
    let weak_bare = verb.class == CueClass::Weak && !asks && !that_follows(doc, v, hi);
    // without "that", a weak verb with a noun object reports a stance: "rejected the
    // latest offer", "endorsed Clinton" (PolNeAR annotates these; the content is the
    // object, without the adjuncts that follow it)
    let stance = weak_bare && !weak_complement(doc, v + 1, hi);
    // a stance's object follows its verb: "After the Times report, Trump has …" makes
    // "report" a noun whose comma ends an adjunct
    if stance && verb.form != VerbForm::Gerund && v + 1 < hi && is_punct(doc, v + 1, ",") {
        return None;
    }

    // gerund: "…, saying (that) …" — the speaker is the clause's subject
    if verb.form == VerbForm::Gerund {
        if v <= lo || !is_punct(doc, v - 1, ",") {
            return None;
        }
        // "…, referring to the committee", "…, hoping to postpone the vote": a weak or
        // belief verb's complement or stance, like its finite form's
        let (a, b) = if speech {
            content_right(doc, v, hi, lemma, 3)?
        } else {
            verb_content(doc, v, hi, lemma, stance)?
        };
        let subj = clause_subject(doc, lo, v);
        return Some(Candidate {
            kind: span_kind(in_quote, a, b),
            start: doc.tokens[a].start,
            end: doc.tokens[b - 1].end,
            cue: cue_span,
            speaker: subj,
            inherit: subj.is_none(),
            confidence: if speech { 0.6 } else { 0.33 },
            end_how: "rule",
            crossing: false,
        });
    }

    // "…, X said." / "…, said X." — content before a comma
    let left_np = speaker_before_verb(doc, v, lo).or_else(|| inserted_subject(doc, v, lo));
    if let Some(np) = left_np {
        let np_first = np.first();
        // the comma (or closing quote, or dash) before the speaker
        if !weak_bare
            && np_first > lo + 1
            && (is_punct(doc, np_first - 1, ",") || is_dash(doc, np_first - 1))
        {
            if let Some(k) = parenthetical_close(doc, v + 1, hi) {
                // "…, he said, …": content on both sides
                let (a, b) = strip_conj(doc, lo, np_first - 1);
                let (c, d) = (k + 1, trim_end(doc, k + 1, hi));
                for (x, y) in [(a, b), (c, d)] {
                    // measured on train: one-word parts ("Sorry, Sanders said.") are
                    // annotated too; the gate weighs them by length
                    if y > x {
                        extra.push(over((x, y), Some(np), 0.75));
                    }
                }
                return extra.pop().and_then(|last| {
                    if extra.is_empty() {
                        Some(last)
                    } else {
                        let first = extra.pop();
                        extra.push(last);
                        first
                    }
                });
            }
        }
        if !weak_bare
            && np_first > lo + 1
            && (is_punct(doc, np_first - 1, ",") || is_dash(doc, np_first - 1))
            && tail_is_adjunct(doc, v + 1, hi)
        {
            let (a, b) = strip_conj(doc, lo, np_first - 1);
            if b > a + 2 {
                return Some(over((a, b), Some(np), 0.8));
            }
        }
        // "X said (that) …"
        if np.start == lo || np.start > lo && sentence_prefix_ok(doc, lo, np.start) {
            let (a, b) = verb_content(doc, v, hi, lemma, stance)?;
            let conf = if stance {
                0.42
            } else if verb.class == CueClass::Weak && !has_that(doc, v + 1, hi) {
                0.45
            } else if speech {
                0.8
            } else {
                0.55
            };
            return Some(over((a, b), Some(np), conf));
        }
    }
    // "a finish that he said defied expectations", "which they argue spur demand": in a
    // relative clause the content is the verb phrase whose subject the clause took
    if let Some(np) = left_np {
        if np.start > lo
            && matches!(
                Lowered::new(doc.tok_text(np.start - 1)).as_str(),
                "that" | "which"
            )
            && !weak_bare
        {
            if let Some((a, b)) = content_right(doc, v, hi, lemma, 2) {
                let t = doc.tokens[a];
                let w = doc.tok_text(a);
                if a == v + 1
                    && t.kind == TokKind::Word
                    && !t.cap
                    && (t.lex.contains(Lex::AUX) || w.ends_with("ed"))
                {
                    return Some(over((a, b), Some(np), 0.36));
                }
            }
        }
    }
    // a longer subject: "Some delegates at the convention said …"
    if left_np.is_none()
        || left_np.is_some_and(|np| !(np.start == lo || sentence_prefix_ok(doc, lo, np.start)))
    {
        if let Some(np) = subject_span(doc, v, lo) {
            if np.start == lo || sentence_prefix_ok(doc, lo, np.start) {
                let weak = verb.class == CueClass::Weak && !has_that(doc, v + 1, hi);
                if let Some((a, b)) = verb_content(doc, v, hi, lemma, stance) {
                    return Some(over(
                        (a, b),
                        Some(np),
                        if stance {
                            0.38
                        } else if weak {
                            0.4
                        } else if speech {
                            0.7
                        } else {
                            0.5
                        },
                    ));
                }
            }
        }
    }
    // the second of two joined verbs: "denied paying him and said the group acted alone"
    if !weak_bare && left_np.is_none() && v > lo + 1 && matches!(doc.tok_text(v - 1), "and" | "but")
    {
        if let Some(np) = clause_subject(doc, lo, v - 1) {
            if let Some((a, b)) = content_right(doc, v, hi, lemma, 3) {
                return Some(over((a, b), Some(np), 0.6));
            }
        }
    }
    // inverted: "…, said X."
    if speech && v > lo + 2 && (is_punct(doc, v - 1, ",") || is_dash(doc, v - 1)) {
        if let Some(np) = np_right(doc, v + 1, hi) {
            let after = np.role_after.map_or(np.end, |r| r.1);
            // "…, said Okonkwo, who has led the project since 2019."
            let relative = after + 1 < hi
                && is_punct(doc, after, ",")
                && matches!(
                    Lowered::new(doc.tok_text(after + 1)).as_str(),
                    "who" | "whose"
                );
            // "…, said Wilcox, an Orlando Republican who founded …": a named speaker
            // with an appositive that runs on to the sentence end
            let apposed = np.kind == NpKind::Name && np.end < hi && is_punct(doc, np.end, ",");
            let relative = relative || apposed;
            if relative || tail_is_adjunct(doc, after, hi) {
                let (a, b) = strip_conj(doc, lo, v - 1);
                if b > a + 2 {
                    return Some(over((a, b), Some(np), 0.8));
                }
            }
        }
    }
    None
}

/// The content right of verb `v`: the reported clause, or for a stance its noun object
/// (which may be a single word).
fn verb_content(
    doc: &Document,
    v: usize,
    hi: usize,
    lemma: &str,
    stance: bool,
) -> Option<(usize, usize)> {
    if anonymity(doc, v + 1, hi) {
        return None;
    }
    if stance {
        let (a, b) = content_right(doc, v, hi, lemma, 1)?;
        stance_object(doc, a, b, hi)
    } else {
        content_right(doc, v, hi, lemma, 3)
    }
}

/// How many tokens at `a` are a time or a setting of the reporting verb ("on Monday",
/// "Monday night", "last week", "yesterday", "in a statement", "in an interview"),
/// followed by more; 0 when none.
fn verb_adjunct(doc: &Document, a: usize, end: usize) -> usize {
    if a >= end {
        return 0;
    }
    let time = |k: usize| k < end && doc.tokens[k].lex.contains(Lex::TIME);
    let w = Lowered::new(doc.tok_text(a));
    let n = match w.as_str() {
        "on" | "last" | "this" | "late" | "early" | "earlier" if time(a + 1) => 2,
        "in" if a + 2 < end
            && matches!(doc.tok_text(a + 1), "a" | "an")
            && doc.tokens[a + 2].lex.contains(Lex::NOMINAL_CUE) =>
        {
            3
        }
        // a bare weekday, US style ("said Monday it would"), or "yesterday"; not a
        // month ("said March sales fell")
        "monday" | "tuesday" | "wednesday" | "thursday" | "friday" | "saturday" | "sunday"
        | "yesterday" | "today" | "tonight" | "earlier" | "later" => 1,
        _ => 0,
    };
    // "Monday night", "last week's"
    if n > 0 && time(a + n) && !lower_eq(doc, a + n, "may") {
        n + 1
    } else {
        n
    }
}

/// Whether tokens `a..b` are one prepositional phrase with no comma in it ("At the
/// rally", "In a statement", "As for RT's bent"), rather than a sentence. (Before an
/// attribution and a quotation, such a phrase sets the scene: on PolNeAR train 4 of 21
/// are annotated as content. A subordinate clause there is content about half the
/// time, 9 of 16, and stays.)
fn adjunct_only(doc: &Document, a: usize, b: usize) -> bool {
    a < b
        && (matches!(
            Lowered::new(doc.tok_text(a)).as_str(),
            "during"
                | "in"
                | "on"
                | "at"
                | "for"
                | "with"
                | "without"
                | "despite"
                | "amid"
                | "following"
                | "throughout"
                | "upon"
        ) || a + 1 < b && lower_eq(doc, a, "as") && lower_eq(doc, a + 1, "for"))
        && !(a + 1..b).any(|k| is_punct(doc, k, ",") || doc.tokens[k].kind == TokKind::Quote)
}

/// The wire formula a source's anonymity is granted in, which reports nothing: "(who)
/// asked not to be identified", "declined to be named", "requested anonymity".
fn anonymity(doc: &Document, a: usize, hi: usize) -> bool {
    let mut k = a;
    if k < hi && lower_eq(doc, k, "not") {
        k += 1;
    }
    let formula = k + 2 < hi
        && lower_eq(doc, k, "to")
        && lower_eq(doc, k + 1, "be")
        && matches!(
            Lowered::new(doc.tok_text(k + 2)).as_str(),
            "named" | "identified" | "quoted" | "cited"
        );
    formula || a < hi && lower_eq(doc, a, "anonymity")
}

/// A stance's noun object in the content `a..b`: without a verb particle ("ruled out a
/// deal", "responded to the proposal") and ending before the first adjunct ("at a
/// meeting", "on Tuesday", ", …"). None when a quotation follows ("dismissed the plan as
/// “absurd”" is a mixed quote), when an adjunct stands where the object would, or when a
/// ", saying …" follows.
fn stance_object(doc: &Document, a: usize, b: usize, hi: usize) -> Option<(usize, usize)> {
    if (a..b).any(|i| doc.tokens[i].kind == TokKind::Quote) {
        return None;
    }
    // "responded to the proposal, saying that …": the verb frames the statement after it
    if (b..hi.saturating_sub(1)).any(|i| {
        is_punct(doc, i, ",") && cue_at(doc, i + 1).is_some_and(|c| c.form == VerbForm::Gerund)
    }) {
        return None;
    }
    let a = if a + 1 < b
        && matches!(
            Lowered::ascii(doc.tok_text(a)).as_str(),
            "out" | "up" | "down" | "off" | "back" | "to"
        ) {
        a + 1
    } else {
        a
    };
    // "spoke after the meeting", "asked her on Friday": an adjunct, no object
    if matches!(
        Lowered::ascii(doc.tok_text(a)).as_str(),
        "after"
            | "before"
            | "at"
            | "in"
            | "on"
            | "during"
            | "with"
            | "for"
            | "from"
            | "since"
            | "when"
            | "while"
            | "as"
            | "into"
            | "over"
            | "through"
            | "again"
            | "today"
    ) || doc.tokens[a].lex.contains(Lex::TIME)
    {
        return None;
    }
    let end = (a + 1..b)
        .find(|&i| {
            matches!(
                Lowered::ascii(doc.tok_text(i)).as_str(),
                "," | "at"
                    | "in"
                    | "on"
                    | "during"
                    | "after"
                    | "before"
                    | "when"
                    | "while"
                    | "since"
                    | "because"
                    | "as"
                    | "amid"
                    | "despite"
                    | "following"
                    | "--"
            )
        })
        .map_or(b, |i| trim_end(doc, a, i));
    // "ruled :on, …": nothing but punctuation before the cut
    (end > a).then_some((a, end))
}

/// Whether the words after a weak reporting verb at `k` open a complement that reports
/// something said or meant: "to" + verb, a question word, or a topic preposition.
fn weak_complement(doc: &Document, k: usize, hi: usize) -> bool {
    if k >= hi {
        return false;
    }
    match Lowered::ascii(doc.tok_text(k)).as_str() {
        "to" => {
            k + 1 < hi && {
                let t = doc.tokens[k + 1];
                t.kind == TokKind::Word && !t.cap && !t.lex.intersects(Lex::DET | Lex::PRONOUN)
            }
        }
        "about" | "whether" | "why" | "how" | "what" | "for" | "against" | "on" | "of" => true,
        _ => false,
    }
}

/// Whether the tokens before a speaker in a sentence allow the speaker to be the
/// subject: nothing, a conjunction, a time or place adjunct followed by a comma.
fn sentence_prefix_ok(doc: &Document, lo: usize, np_start: usize) -> bool {
    if np_start == lo {
        return true;
    }
    let w = Lowered::new(doc.tok_text(lo));
    if np_start == lo + 1
        && matches!(
            w.as_str(),
            "but" | "and" | "so" | "yet" | "now" | "still" | "also"
        )
    {
        return true;
    }
    // "Last week the ministry said", "On Monday the council said": a time with no comma
    let timed = np_start - lo <= 4
        && (lo..np_start).any(|k| doc.tokens[k].lex.contains(Lex::TIME))
        && (lo..np_start).all(|k| {
            doc.tokens[k].lex.contains(Lex::TIME)
                || matches!(
                    Lowered::new(doc.tok_text(k)).as_str(),
                    "on" | "last" | "this" | "next" | "earlier" | "late" | "early" | "in"
                )
        });
    // "On Monday, X said …" / "…, and some families said …" / "…: He said …"
    timed || clause_boundary(doc, np_start - 1)
}

/// A token after which a new clause (with its own subject) may start.
fn clause_boundary(doc: &Document, i: usize) -> bool {
    let t = doc.tokens[i];
    match t.kind {
        TokKind::Quote => true,
        TokKind::Punct => matches!(
            doc.tok_text(i),
            "," | ";" | ":" | "\u{2014}" | "\u{2013}" | "(" | "-"
        ),
        TokKind::Number => false,
        TokKind::Word => matches!(
            Lowered::new(doc.tok_text(i)).as_str(),
            "and"
                | "but"
                | "because"
                | "while"
                | "as"
                | "so"
                | "although"
                | "though"
                | "when"
                | "after"
                | "before"
                | "if"
                | "since"
                | "whereas"
                | "yet"
                | "where"
                | "until"
                | "once"
        ),
    }
}

/// The subject of verb `v` when it is longer than a plain noun phrase: "27 percent of
/// those polled said", "Some delegates at the convention in Philadelphia said",
/// "Sen. Marco Rubio, R-Fla., appearing on Fox News, said". It runs back to the start of
/// the clause, with no quote and no other reporting verb inside.
/// Tokens `lo..k` (before an "and") are a noun opening the sentence and a
/// prepositional phrase after it, with no verb: "Experts on North Korea",
/// "Political observers in Virginia".
fn subject_with_phrase(doc: &Document, lo: usize, k: usize) -> bool {
    if k < lo + 3 || k - lo > 8 {
        return false;
    }
    let Some(p) = (lo + 1..k - 1).find(|&j| {
        ["on", "in", "of", "from", "at", "for", "across", "around"]
            .iter()
            .any(|w| lower_eq(doc, j, w))
    }) else {
        return false;
    };
    let head = doc.tokens[p - 1];
    head.kind == TokKind::Word
        && (head.lex.intersects(Lex::GROUP | Lex::ROLE) || doc.tok_text(p - 1).ends_with('s'))
        && (lo..k).all(|j| {
            let t = doc.tokens[j];
            t.kind == TokKind::Word
                && !t.lex.intersects(Lex::AUX | Lex::CUE | Lex::PRONOUN)
                && !doc.tok_text(j).ends_with("ed")
        })
}

fn subject_span(doc: &Document, v: usize, lo: usize) -> Option<Np> {
    let e = aux_start(doc, v, lo);
    if e == lo {
        return None;
    }
    let mut s = e;
    let mut after_intro = false;
    while s > lo && e - s < 24 {
        let k = s - 1;
        let t = doc.tokens[k];
        if t.kind == TokKind::Quote || cue_at(doc, k).is_some() {
            return None;
        }
        // "Around that time, 47 percent said …", "In Nevada, exit polls suggested …": an
        // opening adjunct ends at its comma and the subject starts after it
        if is_punct(doc, k, ",") && s < e && intro_adjunct(doc, lo, k) {
            after_intro = true;
            break;
        }
        if t.kind == TokKind::Punct && matches!(doc.tok_text(k), ";" | ":" | "\u{2014}") {
            break;
        }
        // "Federal and state officials said", "Republicans and Democrats say": a short
        // coordination opening the sentence is one subject
        let coordinated = matches!(doc.tok_text(k), "and" | "or")
            && k > lo
            && k - lo <= 3
            && (lo..k).all(|j| {
                let u = doc.tokens[j];
                u.kind == TokKind::Word
                    && (u.cap || u.lex.intersects(Lex::GROUP | Lex::ROLE | Lex::DET))
                    && !u.lex.contains(Lex::PRONOUN)
            });
        // "Experts on North Korea and nuclear nonproliferation said": the coordination
        // is inside a prepositional phrase of the subject, which opens the sentence
        let inner = matches!(doc.tok_text(k), "and" | "or")
            && !(k + 1..e).any(|j| doc.tokens[j].lex.intersects(Lex::AUX | Lex::PRONOUN))
            && subject_with_phrase(doc, lo, k);
        if t.kind == TokKind::Word
            && !t.cap
            && !coordinated
            && !inner
            && matches!(
                doc.tok_text(k),
                "and"
                    | "but"
                    | "that"
                    | "because"
                    | "while"
                    | "so"
                    | "although"
                    | "though"
                    | "when"
                    | "if"
            )
        {
            break;
        }
        s = k;
    }
    if s == e || e - s >= 24 {
        return None;
    }
    // "However, the brief said": a sentence adverb before the subject
    if s + 2 < e && doc.tokens[s].lex.contains(Lex::ADVERB) && is_punct(doc, s + 1, ",") {
        s += 2;
    }
    // skip a leading adjunct ending in a comma when it precedes the subject proper
    let first = doc.tokens[s];
    let starts_ok =
        after_intro && first.kind == TokKind::Word && !first.lex.intersects(Lex::FUNC | Lex::AUX)
            || first.cap
            || first.kind == TokKind::Number
            || first
                .lex
                .intersects(Lex::DET | Lex::PRONOUN | Lex::GROUP | Lex::ROLE)
            || matches!(
                Lowered::new(doc.tok_text(s)).as_str(),
                "almost"
                    | "nearly"
                    | "about"
                    | "more"
                    | "fewer"
                    | "half"
                    | "most"
                    | "some"
                    | "many"
                    | "few"
            );
    if !starts_ok {
        return None;
    }
    if first.cap && s + 1 < e {
        match Lowered::new(doc.tok_text(s)).as_str() {
            // "In the wake of the Times report, …": a preposition opens an adjunct
            "in" | "on" | "at" | "for" | "with" | "after" | "before" | "from" | "by" | "during"
            | "under" | "over" | "between" | "among" | "since" | "following" | "despite"
            | "without" | "through" | "into" | "to" | "of" => return None,
            // "As many tax experts have noted", "Although Scott says": the subordinator
            // is no part of the subject that follows it; "Although she was the top
            // student, administrators said": nor is its clause, up to the comma
            "as" | "if" | "when" | "although" | "though" | "while" | "because" | "once"
            | "unless" | "whether" | "until" => {
                // (a clause has its verb; "When Guajardo, the economy secretary, came"
                // is a name with its appositive)
                s = (s + 1..e - 1)
                    .find(|&k| is_punct(doc, k, ","))
                    .filter(|&c| (s + 1..c).any(|k| is_aux(doc, k)))
                    .map_or(s + 1, |c| c + 1);
            }
            _ => {}
        }
    }
    // "Yet critics say": the conjunction joins the sentence, it is not the subject's
    if s + 1 < e
        && matches!(
            Lowered::new(doc.tok_text(s)).as_str(),
            "and" | "but" | "yet" | "so" | "still" | "also"
        )
    {
        s += 1;
    }
    // a verb-like word ending the span means this is not a subject ("he won, said")
    let last = doc.tokens[e - 1];
    if last.kind != TokKind::Word && doc.tok_text(e - 1) != ")" && doc.tok_text(e - 1) != "," {
        return None;
    }
    let (end, role_after) = if doc.tok_text(e - 1) == "," {
        // "NAME, ROLE …," — the name and the appositive
        let c = (s..e - 1).find(|&i| is_punct(doc, i, ","))?;
        (c, Some((c + 1, e - 1)))
    } else {
        (e, None)
    };
    if end <= s {
        return None;
    }
    let name = name_part(
        doc,
        s,
        (s..end)
            .find(|&i| {
                matches!(
                    doc.tok_text(i),
                    "of" | "at" | "in" | "for" | "from" | "who" | "like" | "including" | "," | "("
                )
            })
            .unwrap_or(end),
    );
    // a name only when the phrase starts with it: "Sen. Marco Rubio", not "27 percent of Republicans"
    let name = name.filter(|&(a, _)| {
        (s..a).all(|i| {
            doc.tokens[i].cap
                || doc.tokens[i]
                    .lex
                    .intersects(Lex::TITLE | Lex::ROLE | Lex::ABBREV)
                || doc.tok_text(i) == "."
        })
    });
    Some(apposed_name(
        doc,
        Np {
            start: s,
            end,
            kind: if name.is_some() {
                NpKind::Name
            } else {
                NpKind::Nominal
            },
            name,
            role_after: role_after.filter(|&(a, b)| b > a),
        },
    ))
}

/// Tokens `lo..comma` open the sentence with an adjunct (a preposition, a time or a
/// sentence adverb first): "Around that time", "In Nevada", "By big margins", "Even so".
fn intro_adjunct(doc: &Document, lo: usize, comma: usize) -> bool {
    let mut a = lo;
    if a < comma
        && matches!(
            Lowered::new(doc.tok_text(a)).as_str(),
            "and" | "but" | "yet" | "so"
        )
    {
        a += 1;
    }
    if a >= comma || comma - a > 8 || (a..comma).any(|i| doc.tokens[i].kind == TokKind::Quote) {
        return false;
    }
    let t = doc.tokens[a];
    t.lex.intersects(Lex::TIME | Lex::ADVERB)
        || matches!(
            Lowered::new(doc.tok_text(a)).as_str(),
            "in" | "on"
                | "at"
                | "after"
                | "before"
                | "during"
                | "around"
                | "by"
                | "among"
                | "for"
                | "since"
                | "with"
                | "under"
                | "over"
                | "following"
                | "despite"
                | "from"
                | "amid"
                | "like"
                | "unlike"
                | "even"
                | "still"
                | "meanwhile"
                | "instead"
                | "now"
                | "then"
                | "overall"
                | "nationally"
                | "elsewhere"
                | "across"
                | "within"
                | "earlier"
                | "later"
                | "last"
                | "this"
                | "until"
        )
}

/// "The town's mayor, Oskar Lund, said": a common noun phrase whose appositive is a
/// proper name (every word capitalised) names its speaker by that name; the noun phrase
/// becomes the role.
fn apposed_name(doc: &Document, np: Np) -> Np {
    let Some((a, b)) = np.role_after else {
        return np;
    };
    if np.kind != NpKind::Nominal || b - a > 5 {
        return np;
    }
    let all_cap = (a..b).all(|i| {
        let t = doc.tokens[i];
        t.kind == TokKind::Word && t.cap && !t.lex.intersects(Lex::DET | Lex::PRONOUN)
    });
    if !all_cap || name_part(doc, a, b) != Some((a, b)) {
        return np;
    }
    Np {
        start: a,
        end: b,
        kind: NpKind::Name,
        name: Some((a, b)),
        role_after: Some((np.start, np.end)),
    }
}

/// After "…, X said" only adjuncts may follow: "on Monday", "in a statement", "told
/// reporters", or the end of the sentence.
fn tail_is_adjunct(doc: &Document, k: usize, hi: usize) -> bool {
    let end = trim_end(doc, k, hi);
    if end <= k {
        return true;
    }
    if end - k > 14 {
        return false;
    }
    // a comma opens the continuation of a parenthetical ("…, he said, was …"); the
    // caller handles that
    (k..end).all(|i| adjunct_word(doc, i))
}

/// Words of a short adjunct after a cue: "on Monday", "in a statement to Reuters",
/// "told reporters at a news conference", "on Twitter".
fn adjunct_word(doc: &Document, i: usize) -> bool {
    let t = doc.tokens[i];
    match t.kind {
        TokKind::Quote => false,
        TokKind::Number => true,
        TokKind::Punct => matches!(doc.tok_text(i), "." | "-" | "(" | ")" | "'" | "\u{2019}"),
        TokKind::Word => {
            if t.cap
                || t.lex
                    .intersects(Lex::TIME | Lex::DET | Lex::ROLE | Lex::GROUP | Lex::ORG)
            {
                return true;
            }
            // a hot path: one lexicon lookup already made for the token, no allocation
            t.lex.contains(Lex::ADJUNCT) || adverb_like(doc.tok_text(i))
        }
    }
}

/// The comma that closes a parenthetical attribution ("…, he said on Monday, …"), when
/// more content follows it.
fn parenthetical_close(doc: &Document, k: usize, hi: usize) -> Option<usize> {
    let end = trim_end(doc, k, hi);
    let mut i = k;
    while i < end && i - k < 10 {
        if is_punct(doc, i, ",") {
            return (end > i + 3).then_some(i);
        }
        if !adjunct_word(doc, i) {
            return None;
        }
        i += 1;
    }
    None
}

/// "that" after the verb, with only an adjunct between: "said on Monday that".
fn that_follows(doc: &Document, v: usize, hi: usize) -> bool {
    (v + 1..hi.min(v + 9))
        .find(|&k| lower_eq(doc, k, "that"))
        .is_some_and(|t| (v + 1..t).all(|k| adjunct_word(doc, k)))
}

fn has_that(doc: &Document, a: usize, b: usize) -> bool {
    (a..b.min(a + 10)).any(|i| lower_eq(doc, i, "that"))
}

/// Verbs whose first complement is the person addressed ("told reporters …").
fn takes_object(lemma: &str) -> bool {
    matches!(
        lemma,
        "tell"
            | "inform"
            | "assure"
            | "reassure"
            | "warn"
            | "remind"
            | "advise"
            | "notify"
            | "brief"
            | "ask"
            | "urge"
            | "caution"
            | "promise"
            | "convince"
            | "persuade"
    )
}

/// The subject of the clause that starts at `lo`, for a gerund further on ("Germany
/// responded …, saying that …"): after a leading conjunction or adjunct ("But",
/// "Early in his campaign,", "Reached by phone,"), a pronoun, a name or a noun phrase.
fn clause_subject(doc: &Document, lo: usize, v: usize) -> Option<Np> {
    let mut s = lo;
    while s < v
        && doc.tokens[s].lex.contains(Lex::FUNC)
        && !doc.tokens[s].lex.contains(Lex::PRONOUN)
    {
        // "But he …", "And the ministry …"; a preposition opens an adjunct, below
        if !matches!(
            Lowered::new(doc.tok_text(s)).as_str(),
            "but" | "and" | "so" | "yet" | "still" | "also" | "then"
        ) {
            break;
        }
        s += 1;
    }
    let t = doc.tokens.get(s)?;
    let opens_adjunct = t.lex.contains(Lex::FUNC) && !t.lex.intersects(Lex::PRONOUN | Lex::DET)
        || !t.lex.intersects(
            Lex::PRONOUN | Lex::DET | Lex::FIRST_NAME | Lex::ROLE | Lex::GROUP | Lex::TITLE,
        ) && {
            let w = Lowered::new(doc.tok_text(s));
            w.ends_with("ing")
                || w.ends_with("ed")
                || adverb_like(&w)
                || matches!(
                    w.as_str(),
                    "early"
                        | "late"
                        | "later"
                        | "earlier"
                        | "last"
                        | "meanwhile"
                        | "now"
                        | "asked"
                        | "reached"
                )
        };
    if opens_adjunct {
        let comma = (s..v.min(s + 14)).find(|&k| is_punct(doc, k, ","))?;
        s = comma + 1;
    }
    let np = np_right(doc, s, v)?;
    if np.start != s
        || doc.tokens[np.start].lex.contains(Lex::FUNC)
            && !doc.tokens[np.start].lex.intersects(Lex::PRONOUN | Lex::DET)
    {
        return None;
    }
    // a capitalised word alone at the clause start is more often an adverb or a
    // dateline than a name, unless the text names it elsewhere as an entity
    if np.kind == NpKind::Name
        && np.end - np.start == 1
        && doc
            .tok_text(np.start)
            .chars()
            .all(|c| c.is_uppercase() || !c.is_alphabetic())
    {
        return None;
    }
    Some(np)
}

/// Where reported content stops before the sentence does: at a semicolon, or where a
/// new clause joins on ("…, but the minister said …", "…, adding that …").
fn clause_cut(doc: &Document, a: usize, end: usize) -> usize {
    let mut i = a + 2;
    while i < end {
        // every token this looks for is three bytes or fewer (";", ",", "and", "but", a
        // dash): a longer word is passed without its text being read
        let tk = doc.tokens[i];
        if tk.end - tk.start > 3 {
            i += 1;
            continue;
        }
        let t = doc.tok_text(i);
        if t == ";" {
            return trim_end(doc, a, i);
        }
        if t == "," && i + 1 < end {
            let w = Lowered::new(doc.tok_text(i + 1));
            if matches!(
                w.as_str(),
                "but" | "while" | "although" | "though" | "whereas" | "which"
            ) {
                return trim_end(doc, a, i);
            }
            if cue_at(doc, i + 1).is_some_and(|c| c.form == VerbForm::Gerund) {
                return trim_end(doc, a, i);
            }
            if w == "and" && i + 2 < end && doc.tokens[i + 2].lex.contains(Lex::PRONOUN) {
                return trim_end(doc, a, i);
            }
        }
        // a second reporting verb joined by "and"/"but": "denied A and said B"
        if matches!(t, "and" | "but")
            && i + 1 < end
            && cue_at(doc, i + 1)
                .is_some_and(|c| matches!(c.form, VerbForm::Past | VerbForm::Third))
        {
            return trim_end(doc, a, i);
        }
        // a dash sets off an aside; a hyphen does only with spaces round it ("A - B")
        let spaced = || {
            let tk = doc.tokens[i];
            doc.text[..tk.start].ends_with(' ') && doc.text[tk.end..].starts_with(' ')
        };
        if matches!(t, "\u{2014}" | "--") || t == "-" && spaced() {
            return trim_end(doc, a, i);
        }
        i += 1;
    }
    end
}

/// The content to the right of verb `v`: after "that", a colon, an addressee or a
/// short adjunct, to the end of the sentence or of its first clause.
fn content_right(
    doc: &Document,
    v: usize,
    hi: usize,
    lemma: &str,
    min_len: usize,
) -> Option<(usize, usize)> {
    let end = trim_end(doc, v + 1, hi);
    let end = clause_cut(doc, v + 1, end);
    let mut a = v + 1;
    // "said in a statement that …", "told reporters on Monday that …"
    if let Some(t) = (a..end.min(a + 10)).find(|&i| lower_eq(doc, i, "that")) {
        let between_ok = (a..t).all(|i| {
            let tk = doc.tokens[i];
            tk.cap
                || tk.kind == TokKind::Number
                || tk.lex.intersects(
                    Lex::TIME
                        | Lex::DET
                        | Lex::ROLE
                        | Lex::GROUP
                        | Lex::FUNC
                        | Lex::AUX
                        | Lex::PRONOUN,
                )
                || matches!(
                    doc.tok_text(i),
                    "," | "reporters"
                        | "interview"
                        | "statement"
                        | "him"
                        | "her"
                        | "them"
                        | "us"
                        | "me"
                )
        });
        if between_ok {
            a = t + 1;
        }
    } else {
        while a < end && matches!(doc.tok_text(a), ":" | "," | "\u{2014}" | "\u{2013}") {
            a += 1;
        }
        // "said on Monday it would close", "said in a statement the plan …": the
        // verb's own adjuncts before the reported clause
        for _ in 0..2 {
            let skip = verb_adjunct(doc, a, end);
            if skip == 0 || a + skip + 2 > end {
                break;
            }
            a += skip;
            while a < end && is_punct(doc, a, ",") {
                a += 1;
            }
        }
        if takes_object(lemma) {
            // skip the addressee: a pronoun, a name or a short noun phrase — one phrase:
            // a second determiner or a name after a common noun opens the content's
            // subject ("told reporters the budget …", "told him Okafor would …")
            let mut obj_end = a;
            for i in a..end.min(a + 6) {
                let tk = doc.tokens[i];
                let det = tk.lex.contains(Lex::DET);
                // ("host Alex Marlow": a role word goes with the name after it)
                let after_common = i > a
                    && !doc.tokens[i - 1].cap
                    && !doc.tokens[i - 1].lex.intersects(Lex::DET | Lex::ROLE);
                if det && i > a || tk.cap && after_common {
                    break;
                }
                let addressee = tk.cap
                    || det
                    || tk.lex.intersects(Lex::ROLE | Lex::GROUP | Lex::ORG)
                    || matches!(
                        Lowered::new(doc.tok_text(i)).as_str(),
                        "him" | "her" | "them" | "us" | "me" | "reporters" | "journalists"
                    );
                if !addressee {
                    break;
                }
                obj_end = i + 1;
            }
            // a determiner has its noun: "told the congregation …" (but "promised a
            // veto" promised the thing)
            if obj_end > a && lemma != "promise" && doc.tokens[obj_end - 1].lex.contains(Lex::DET) {
                let noun = |k: usize| {
                    let t = doc.tokens[k];
                    t.kind == TokKind::Word
                        && !t.cap
                        && !t
                            .lex
                            .intersects(Lex::FUNC | Lex::AUX | Lex::DET | Lex::PRONOUN)
                };
                let stop = end.min(obj_end + 3);
                while obj_end < stop && noun(obj_end) {
                    obj_end += 1;
                }
            }
            // and a time after it: "told the congregation this weekend (that) …"
            if obj_end > a && obj_end + 1 < end {
                let timed = |k: usize| doc.tokens[k].lex.contains(Lex::TIME);
                if timed(obj_end) {
                    obj_end += 1;
                } else if matches!(
                    Lowered::new(doc.tok_text(obj_end)).as_str(),
                    "this" | "last" | "on" | "late" | "early" | "earlier"
                ) && timed(obj_end + 1)
                {
                    obj_end += 2;
                }
            }
            a = obj_end;
        }
        // a quote right after the verb is a direct statement, handled elsewhere
        if a < end && doc.tokens[a].kind == TokKind::Quote {
            return None;
        }
        // a particle of the verb, not the start of a phrase: "wrote in as well", "spoke
        // out against"
        if a == v + 1
            && a + 1 < end
            && matches!(
                doc.tok_text(a),
                "in" | "back" | "up" | "out" | "off" | "away"
            )
            && !doc.tokens[a + 1].cap
            && !doc.tokens[a + 1].lex.intersects(Lex::DET | Lex::PRONOUN)
        {
            a += 1;
        }
    }
    // "to" after a verb is an infinitive of intention, not a report: "said to be"
    if a < end && lower_eq(doc, a, "to") && lemma == "say" {
        return None;
    }
    // "welcomed by allies", "saw during his bid": a passive agent or a time is no report
    // (measured on train: "by"/"during" only; other prepositions start real contents,
    // "spoke about …", "called for …")
    if a < end && a == v + 1 && matches!(doc.tok_text(a), "by" | "during") {
        return None;
    }
    if end <= a || end - a < min_len {
        return None;
    }
    Some((a, end))
}

/// Resolves speakers in text order: names register as entities, surnames join full
/// names, pronouns take the latest compatible speaker.
fn resolve(doc: &Document, ents: &mut EntityTable, cands: &[Candidate]) -> Vec<Statement> {
    let mut out: Vec<Statement> = Vec::with_capacity(cands.len());
    // the statements with a speaker so far, latest last: (index in `out`, gender); the
    // speakers stay in `out` rather than being copied here
    // (one for each statement at most: the list never grows)
    let mut history: Vec<(usize, Option<Gender>)> = Vec::with_capacity(cands.len());
    let mut prev_para: Option<usize> = None;
    let mut continued: Vec<bool> = Vec::with_capacity(cands.len());
    let persons = ents.gendered_person_mentions();
    // candidates come in text order (see `Document::sentence_at_from`)
    let mut sentence = 0;
    for c in cands {
        let para = doc.sentences[doc.sentence_at_from(c.start, &mut sentence)].para;
        let speaker = match (c.speaker, c.inherit) {
            (Some(np), _) => speaker_of(doc, ents, np, (&out, &history), &persons),
            (None, true) => {
                // a split or continued quote: the latest speaker, in this paragraph or
                // the one before
                // measured on train: 2 paragraphs back beats 1 (0.5552 -> 0.5558), more adds nothing
                let near = prev_para.is_some_and(|p| para <= p + 2);
                if near {
                    history.last().and_then(|&(i, _)| out[i].speaker.clone())
                } else {
                    None
                }
            }
            (None, false) => None,
        };
        if let Some(sp) = &speaker {
            let g = sp.entity.and_then(|e| ents.gender(e));
            history.push((out.len(), g));
        }
        prev_para = Some(para);
        let text = doc.slice(c.start, c.end).to_string();
        continued.push(c.kind == StatementKind::Direct && c.inherit);
        out.push(Statement {
            kind: c.kind,
            start: c.start,
            end: c.end,
            text,
            cue: c.cue.map(|(a, b)| Cue {
                text: doc.slice(a, b).to_string(),
                start: a,
                end: b,
            }),
            speaker,
            said_on: None,
            confidence: c.confidence,
        });
    }
    speaker_from_later_part(doc, &mut out, &continued);
    out
}

/// A quote that runs over paragraphs (“… ¶ “… ¶ “…,” Achebe said) names its speaker
/// only in its last part: the earlier parts, left without a speaker, take it from the
/// part that follows them, back to front.
fn speaker_from_later_part(doc: &Document, out: &mut [Statement], continued: &[bool]) {
    for i in (0..out.len().saturating_sub(1)).rev() {
        if out[i].kind != StatementKind::Direct || out[i].speaker.is_some() || !continued[i] {
            continue;
        }
        let next = &out[i + 1];
        if next.kind != StatementKind::Direct || next.speaker.is_none() {
            continue;
        }
        // this part ends its paragraph with no closing mark …
        let rest = &doc.text[out[i].end..];
        let tail = rest.split('\n').next().unwrap_or("");
        if tail.trim().chars().any(crate::text::is_quote_char) || !rest.contains('\n') {
            continue;
        }
        // … and the next part opens the paragraph right after it
        let pi = doc.sentences[doc.sentence_at(out[i].start)].para;
        let Some(np) = doc.paragraphs.get(pi + 1) else {
            continue;
        };
        if next.start < np.start || next.start > np.start + 4 {
            continue;
        }
        out[i].speaker = out[i + 1].speaker.clone();
    }
}

/// Entity `idx` as the speaker of the mention at bytes `start..end`.
fn entity_speaker(ents: &EntityTable, idx: usize, (start, end): (usize, usize)) -> Speaker {
    let e = ents.get(idx);
    Speaker {
        name: e.name.clone(),
        kind: e.kind,
        role: e.roles.first().cloned(),
        entity: Some(idx),
        start,
        end,
    }
}

fn speaker_of(
    doc: &Document,
    ents: &mut EntityTable,
    np: Np,
    (said, history): (&[Statement], &[(usize, Option<Gender>)]),
    persons: &[(usize, usize, Gender)],
) -> Option<Speaker> {
    let mut np = np;
    // an adverb caught at the end of a subject: "Jeb Bush increasingly sees", "he formally
    // announced"
    while np.end > np.start + 1 && {
        let t = doc.tokens[np.end - 1];
        t.kind == TokKind::Word
            && !t.cap
            && adverb_like(doc.tok_text(np.end - 1))
            // a determiner or a possessive is followed by its noun, whatever its ending
            && !determiner_or_possessive(doc, np.end - 2)
    } {
        np.end -= 1;
        if let Some((a, b)) = np.name {
            np.name = (b <= np.end).then_some((a, b));
        }
    }
    // "Murphy, who thinks …": the relative pronoun stands for the noun phrase before it
    if np.kind == NpKind::Pronoun
        && np.end == np.start + 1
        && lower_eq(doc, np.start, "who")
        && np.start >= 2
        && is_punct(doc, np.start - 1, ",")
    {
        let lo = doc.sentences[doc.sentence_at(doc.tokens[np.start].start)].tok_start;
        if let Some(ante) = np_left(doc, np.start - 1, lo).filter(|a| a.kind != NpKind::Pronoun) {
            let mut sp = speaker_of(doc, ents, ante, (said, history), persons)?;
            sp.start = doc.tokens[np.start].start;
            sp.end = doc.tokens[np.start].end;
            return Some(sp);
        }
    }
    let start = doc.tokens[np.start].start;
    let end = doc.tokens[np.end - 1].end;
    let role_after = np.role_after.map(|(a, b)| {
        doc.slice(doc.tokens[a].start, doc.tokens[b - 1].end)
            .to_string()
    });
    match np.kind {
        NpKind::Pronoun => {
            let w = Lowered::new(doc.tok_text(np.start));
            // the possessives stand for their pronouns: "his claim that …"
            let want = match w.as_str() {
                "he" | "his" => Some(Gender::Male),
                "she" | "her" => Some(Gender::Female),
                _ => None,
            };
            let personal = want.is_some();
            let found = history
                .iter()
                .rev()
                .take(8)
                .filter_map(|&(i, g)| Some((said[i].speaker.as_ref()?, g)))
                .find(|(sp, g)| {
                    if personal {
                        sp.kind == EntityKind::Person && (g.is_none() || *g == want)
                    } else {
                        sp.kind != EntityKind::Person || w == "we" || w == "i"
                    }
                });
            // a person mentioned before the pronoun though not yet a speaker, when the
            // name's gender is known (first name or title)
            let mentioned = if personal {
                let i = persons.partition_point(|&(p, _, _)| p < start);
                persons[..i]
                    .iter()
                    .rev()
                    .take(12)
                    .find(|&&(_, _, g)| Some(g) == want)
                    .map(|&(p, idx, _)| (p, idx))
            } else {
                None
            };
            // the later of the last compatible speaker and the last compatible person
            // named: "Councillor Tomas Brandt was unimpressed. “…,” he said."
            let mentioned = mentioned
                .filter(|&(p, idx)| {
                    found.is_none_or(|(sp, _)| p > sp.start && sp.entity != Some(idx))
                })
                .map(|(_, idx)| idx);
            if let Some(idx) = mentioned {
                return Some(entity_speaker(ents, idx, (start, end)));
            }
            match found {
                Some((sp, _)) => {
                    if let (Some(e), Some(g)) = (sp.entity, want) {
                        ents.set_gender(e, g);
                    }
                    Some(Speaker {
                        name: sp.name.clone(),
                        kind: sp.kind,
                        role: sp.role.clone(),
                        entity: sp.entity,
                        start,
                        end,
                    })
                }
                None => Some(Speaker {
                    name: doc.slice(start, end).to_string(),
                    kind: EntityKind::Unknown,
                    role: None,
                    entity: None,
                    start,
                    end,
                }),
            }
        }
        NpKind::Name => {
            let (a, b) = np.name?;
            let (ns, ne) = (doc.tokens[a].start, doc.tokens[b - 1].end);
            // "Okafor's claim that …": the name without its possessive ending
            let ne = ns + strip_possessive(doc.slice(ns, ne)).len();
            let name = doc.slice(ns, ne);
            let mut kind = guess_kind(doc, a, b);
            let has_role = np.start < a || role_after.is_some();
            if kind == EntityKind::Unknown {
                kind = EntityKind::Person;
            }
            if kind == EntityKind::Place && np.start < a {
                // "the Japanese government" is not the place
                kind = EntityKind::Organization;
            }
            let role_before = (np.start < a)
                .then(|| {
                    let mut r = np.start;
                    while r < a && doc.tokens[r].lex.contains(Lex::DET) {
                        r += 1;
                    }
                    (r < a).then(|| {
                        doc.slice(doc.tokens[r].start, doc.tokens[a - 1].end)
                            .trim_end_matches('.')
                            .trim()
                            .to_string()
                    })
                })
                .flatten();
            let role = role_after.or(role_before).filter(|r| !r.is_empty());
            let gender = lexicon::first_name_gender(&Lowered::new(doc.tok_text(a))).or_else(|| {
                let before = (np.start..a).map(|i| Lowered::new(doc.tok_text(i)));
                let mut g = None;
                for w in before {
                    g = match w.as_str() {
                        "mr" | "sir" | "lord" | "king" | "prince" | "father" | "brother" => {
                            Some(Gender::Male)
                        }
                        "mrs" | "ms" | "miss" | "dame" | "lady" | "queen" | "princess"
                        | "sister" => Some(Gender::Female),
                        _ => g,
                    };
                }
                g
            });
            let idx = ents.register(name, kind, ns, ne, gender);
            if let Some(r) = &role {
                ents.add_role(idx, r);
            }
            let e = ents.get(idx);
            let _ = has_role;
            Some(Speaker {
                name: e.name.clone(),
                kind: e.kind,
                role: role.or_else(|| e.roles.first().cloned()),
                entity: Some(idx),
                start,
                end,
            })
        }
        NpKind::Nominal => {
            // "the governor said": the person named earlier with that role; a headline's
            // "Finance minister warns …": the one the story names
            let head = doc.tokens[np.end - 1];
            let role_head = head.kind == TokKind::Word
                && head.lex.contains(Lex::ROLE)
                && !head.lex.intersects(Lex::ORG | Lex::GROUP);
            let the_role =
                role_head && !head.cap && np.end == np.start + 2 && lower_eq(doc, np.start, "the");
            let headline = role_head
                && !the_role
                && np.end - np.start <= 3
                && (np.start..np.end).all(|k| {
                    let t = doc.tokens[k];
                    t.kind == TokKind::Word
                        && !t.lex.intersects(Lex::DET | Lex::PRONOUN)
                        // "Trump's Son: …" is someone else's relative
                        && !possessive(doc.tok_text(k))
                })
                && doc.sentences[doc.sentence_at(start)].para == 0;
            if the_role || headline {
                let role = Lowered::new(doc.tok_text(np.end - 1));
                if let Some(idx) = ents.person_with_role(doc, role.as_str(), start, headline) {
                    return Some(entity_speaker(ents, idx, (start, end)));
                }
            }
            // "The ministry's statement that …" (but "McDonald's said" keeps its name)
            let text = if np.end < doc.tokens.len() && cue_at(doc, np.end).is_none() {
                strip_possessive(doc.slice(start, end))
            } else {
                doc.slice(start, end)
            };
            let head = doc.tokens[np.end - 1];
            let kind = if head.lex.contains(Lex::GROUP) {
                EntityKind::Group
            } else if head.lex.contains(Lex::ORG) {
                EntityKind::Organization
            } else if head.lex.contains(Lex::ROLE) {
                EntityKind::Person
            } else {
                EntityKind::Unknown
            };
            Some(Speaker {
                name: text.to_string(),
                kind,
                role: None,
                entity: None,
                start,
                end,
            })
        }
    }
}

/// Gives each statement the date said in its sentence ("said on Thursday").
pub fn assign_dates(doc: &Document, statements: &mut [Statement], dates: &[DateMention]) {
    for s in statements.iter_mut() {
        let anchor = s.cue.as_ref().map_or(s.start, |c| c.start);
        let si = doc.sentence_at(anchor);
        let sent = doc.sentences[si];
        // the date nearest the cue inside the sentence, outside the content
        // dates come in text order: only those inside this sentence are looked at
        let first = dates.partition_point(|d| d.start < sent.start);
        let last = dates.partition_point(|d| d.start < sent.end);
        let best = dates[first..last.max(first)]
            .iter()
            .filter(|d| d.value.is_some() && d.end <= sent.end)
            .filter(|d| d.end <= s.start || d.start >= s.end)
            .min_by_key(|d| d.start.abs_diff(anchor));
        if let Some(d) = best {
            s.said_on = d.value;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_piece_is_its_decimal_form() {
        for n in 0..=u8::MAX {
            let mut names = Vec::new();
            let mut sink = FeatureSink::names(&mut names);
            feat!(&mut sink; "x=", n);
            assert_eq!(names, [format!("x={n}")]);
        }
    }
}
