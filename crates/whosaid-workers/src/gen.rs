//! A deterministic generator of news-like articles for the scale-out tests and bench:
//! varied lengths (a few sentences to dozens of paragraphs), a mix of direct, indirect
//! and mixed statements, titles before names, spelling variants and bare surnames, wire
//! copies under other URLs (syndication) and quotes repeated across articles. Article
//! `i` depends only on `(seed, i)`, so every process generates the same corpus.

use chrono::NaiveDate;
use whosaid_core::Article;

const NAMES: &[&str] = &[
    "Maria Lopez",
    "John Smith",
    "Jane Smith",
    "Volodymyr Zelensky",
    "Angela Weber",
    "Ken Tanaka",
    "Amina Diallo",
    "Pierre Martin",
    "Sofia Rossi",
    "David Cohen",
    "Lars Nilsson",
    "Priya Sharma",
    "Tom Brennan",
    "Elena Petrova",
    "Omar Haddad",
];
const VARIANTS: &[(&str, &str)] = &[("Volodymyr Zelensky", "Volodymyr Zelenskyy")];
const TITLES: &[&str] = &[
    "Finance Minister",
    "Mayor",
    "Senator",
    "President",
    "Health Minister",
    "Prime Minister",
    "Governor",
    "Chief Executive",
];
const ORGS: &[&str] = &[
    "the Central Bank",
    "the Port Authority",
    "the Health Ministry",
];
const TOPICS: &[&str] = &[
    "the budget",
    "the new tram line",
    "interest rates",
    "the flood defences",
    "school funding",
    "the harbour expansion",
    "energy prices",
    "the hospital plan",
];
const VERBS: &[&str] = &["said", "told reporters", "added", "warned", "argued"];
const CLAUSES: &[&str] = &[
    "the plan would be delayed until next year",
    "costs had risen far beyond the original estimate",
    "the government would not change course",
    "talks with the unions had broken down",
    "the decision was taken after months of consultation",
    "more money would be needed before the winter",
];
const QUOTES: &[&str] = &[
    "We have done everything we can to keep the schools open this winter",
    "This is not the time to cut spending on public services",
    "The numbers speak for themselves and they are not good",
    "We will keep working until every family has a safe home",
    "Nobody expected the costs to rise this quickly",
    "Our priority is to protect jobs in every region of the country",
];
const FILLER: &[&str] = &[
    "The meeting ran late into the evening.",
    "Officials declined to give further details.",
    "The figures were published on the ministry's website.",
    "Opposition parties have criticised the proposal.",
    "Markets reacted calmly to the announcement.",
    "A vote is expected later this month.",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

fn body(rng: &mut Rng, i: u64) -> String {
    // Lengths: mostly short, some long (up to ~40 paragraphs).
    let paragraphs = match rng.below(10) {
        0 => 25 + rng.below(16),
        1..=3 => 6 + rng.below(8),
        _ => 2 + rng.below(4),
    };
    let mut text = String::new();
    let mut named: Vec<&str> = Vec::new();
    for p in 0..paragraphs {
        let mut para = Vec::new();
        for _ in 0..(1 + rng.below(3)) {
            let mut name = rng.pick(NAMES);
            if let Some((_, v)) = VARIANTS.iter().find(|(n, _)| *n == name) {
                if rng.below(3) == 0 {
                    name = v;
                }
            }
            let title = rng.pick(TITLES);
            let topic = rng.pick(TOPICS);
            let clause = rng.pick(CLAUSES);
            let quote = if rng.below(20) == 0 {
                rng.pick(QUOTES).to_string()
            } else {
                format!(
                    "We will look again at {topic} and report back in {} weeks",
                    2 + (i + p as u64) % 9
                )
            };
            let surname = name.rsplit(' ').next().unwrap_or(name);
            let verb = rng.pick(VERBS);
            let s = match rng.below(7) {
                0 => format!("\u{201c}{quote},\u{201d} {title} {name} said."),
                1 => format!("{name} {verb} that {clause}."),
                2 if named.contains(&name) => format!("\u{201c}{quote},\u{201d} {surname} said."),
                3 => format!("{title} {name} said on Tuesday that {clause}, calling it \u{201c}{quote}.\u{201d}"),
                4 => format!("{} said {clause}.", rng.pick(ORGS)),
                5 => format!("\u{201c}{quote},\u{201d} {name} told reporters. \u{201c}It is about {topic}.\u{201d}"),
                _ => rng.pick(FILLER).to_string(),
            };
            named.push(name);
            para.push(s);
        }
        text.push_str(&para.join(" "));
        text.push_str("\n\n");
    }
    text
}

/// Article `i` of the corpus with this seed.
pub fn article(seed: u64, i: u64) -> Article {
    let mut rng = Rng(seed ^ i.wrapping_mul(0x2545_F491_4F6C_DD1D));
    // One in ten is a wire copy of an earlier article under another outlet's URL.
    let (text, title) = if i > 10 && rng.below(10) == 0 {
        let src = i - 1 - (rng.next() % 10);
        let orig = article(seed, src);
        (
            format!("{}\n\n(Reporting by Wire Service)", orig.text.trim_end()),
            orig.title,
        )
    } else {
        let text = body(&mut rng, i);
        (text, Some(format!("Report {i} on {}", rng.pick(TOPICS))))
    };
    let day = NaiveDate::from_ymd_opt(2024, 1, 1)
        .and_then(|d| d.checked_add_days(chrono::Days::new(i % 300)));
    Article {
        id: format!("gen-{seed}-{i}"),
        url: Some(format!("https://news{}.example/{seed}/{i}", i % 7)),
        source: Some(format!("News {}", i % 7)),
        published: day,
        title,
        text,
    }
}

/// Articles `0..n`.
pub fn corpus(seed: u64, n: u64) -> impl Iterator<Item = Article> {
    (0..n).map(move |i| article(seed, i))
}
