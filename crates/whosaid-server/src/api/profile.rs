//! What the speaker page draws beyond the store's record: statements per week and the
//! words that recur most in a speaker's statements. Pure functions over statement hits;
//! does not query the store (the handler pages through the speaker's statements and
//! hands them here).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use chrono::{Datelike, Duration, NaiveDate};

use super::dto::{TermCount, WeekCount};

const STOPWORDS: &str = include_str!("../../data/stopwords.txt");

fn stopwords() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        STOPWORDS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// The Monday starting the week of `d`.
pub fn week_of(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// Counts dated statements per week, oldest week first; returns the weeks and how many
/// statements had no date.
pub fn weekly(dates: impl IntoIterator<Item = Option<NaiveDate>>) -> (Vec<WeekCount>, usize) {
    let mut weeks: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    let mut undated = 0;
    for d in dates {
        match d {
            Some(d) => *weeks.entry(week_of(d)).or_default() += 1,
            None => undated += 1,
        }
    }
    let weeks = weeks
        .into_iter()
        .map(|(week, count)| WeekCount { week, count })
        .collect();
    (weeks, undated)
}

/// The `n` words used in the most statements (each statement counts a word once, so one
/// long speech does not dominate), ties broken alphabetically. Words of fewer than three
/// letters, numbers and stop words are left out.
pub fn top_terms<'a>(texts: impl IntoIterator<Item = &'a str>, n: usize) -> Vec<TermCount> {
    let stop = stopwords();
    let mut counts: HashMap<String, usize> = HashMap::new();
    for text in texts {
        let mut seen: HashSet<String> = HashSet::new();
        for word in text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '\u{2019}')) {
            let word = word.trim_matches(|c| c == '\'' || c == '\u{2019}');
            if word.chars().count() < 3 || word.chars().any(|c| c.is_numeric()) {
                continue;
            }
            let lower = word.to_lowercase();
            if stop.contains(lower.as_str()) || lower.contains('\'') || lower.contains('\u{2019}') {
                continue;
            }
            if seen.insert(lower.clone()) {
                *counts.entry(lower).or_default() += 1;
            }
        }
    }
    let mut terms: Vec<TermCount> = counts
        .into_iter()
        .map(|(term, count)| TermCount { term, count })
        .collect();
    terms.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.term.cmp(&b.term)));
    terms.truncate(n);
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn weeks_start_on_monday() {
        assert_eq!(week_of(d("2024-03-10")), d("2024-03-04")); // a Sunday
        assert_eq!(week_of(d("2024-03-04")), d("2024-03-04"));
        let (weeks, undated) = weekly([
            Some(d("2024-03-05")),
            None,
            Some(d("2024-03-07")),
            Some(d("2024-01-02")),
        ]);
        assert_eq!(undated, 1);
        assert_eq!(
            weeks,
            vec![
                WeekCount {
                    week: d("2024-01-01"),
                    count: 1
                },
                WeekCount {
                    week: d("2024-03-04"),
                    count: 2
                },
            ]
        );
    }

    #[test]
    fn terms_skip_stop_words_and_count_once_per_statement() {
        let terms = top_terms(
            [
                "The bridge will open, the bridge is safe",
                "We said the bridge budget is 2024 money",
                "Budget talks",
            ],
            3,
        );
        assert_eq!(
            terms,
            vec![
                TermCount {
                    term: "bridge".into(),
                    count: 2
                },
                TermCount {
                    term: "budget".into(),
                    count: 2
                },
                TermCount {
                    term: "money".into(),
                    count: 1
                },
            ]
        );
    }
}
