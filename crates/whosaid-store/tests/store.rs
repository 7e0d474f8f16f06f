//! The store's behaviour on real SQLite files in temporary folders: upserts, search and
//! its filters, pagination, syndication, repeated quotes, speakers, export and the errors
//! a user can meet (read-only, corrupt, locked, too new).

mod common;

use common::{day, temp_store, Doc};
use whosaid_core::{EntityKind, StatementKind};
use whosaid_store::*;

const FLOODS: &str = "Heavy rain flooded farmland across the river valley overnight, and \
    emergency crews evacuated two villages as water levels kept rising on Wednesday morning. \
    Forecasters warned that more storms were on the way and that the dikes near the old \
    bridge might not hold if the river rose another metre before the weekend.";
const TRAMS: &str = "The city council voted on Tuesday to expand the tram network to the \
    northern suburbs, a plan that will cost about 400 million and take six years to build. \
    Opponents said the money would be better spent on buses, while shop owners along the \
    route feared years of roadworks would drive their customers away.";
const BUDGET: &str = "Parliament began its debate on the national budget, with the finance \
    committee proposing deep cuts to regional subsidies and a new levy on large retailers. \
    Economists were divided on whether the measures would narrow the deficit.";

fn q(text: &str) -> SearchQuery {
    SearchQuery {
        text: Some(text.to_string()),
        ..Default::default()
    }
}

fn texts(page: &SearchPage) -> Vec<String> {
    page.hits.iter().map(|h| h.text.clone()).collect()
}

#[test]
fn reingest_is_a_no_op() {
    let (_dir, store) = temp_store();
    let (a, e) = Doc::new()
        .para(FLOODS)
        .quote("We have never seen water this high", "Maria Okafor")
        .build(
            "a1",
            Some("https://news.example.com/floods"),
            Some("Example News"),
            Some("2024-03-06"),
        );
    let first = store.upsert(&a, &e).unwrap();
    assert_eq!(first.action, UpsertAction::Inserted);
    let before = store.stats().unwrap();
    let again = store.upsert(&a, &e).unwrap();
    assert_eq!(again.action, UpsertAction::Unchanged);
    assert_eq!(again.article_id, first.article_id);
    assert_eq!(store.stats().unwrap(), before);
    // The same URL written differently is the same article.
    let mut a2 = a.clone();
    a2.url = Some("HTTPS://www.news.example.com/floods/?utm_source=feed#top".into());
    assert_eq!(
        store.upsert(&a2, &e).unwrap().action,
        UpsertAction::Unchanged
    );
    // Without a URL, identity is the normalised text.
    let mut a3 = a.clone();
    a3.url = None;
    let o3 = store.upsert(&a3, &e).unwrap();
    assert_eq!(o3.action, UpsertAction::Inserted);
    a3.text = a3.text.replace(['\u{201C}', '\u{201D}'], "\"");
    assert_eq!(
        store.upsert(&a3, &e).unwrap().action,
        UpsertAction::Unchanged
    );
}

#[test]
fn changed_article_is_replaced() {
    let (_dir, store) = temp_store();
    let url = Some("https://news.example.com/trams");
    let (a, e) = Doc::new()
        .para(TRAMS)
        .quote("This is a historic day for the city", "Lena Hart")
        .quote("We will fight this in court", "Omar Reyes")
        .build("t1", url, Some("Example News"), Some("2024-05-01"));
    let first = store.upsert(&a, &e).unwrap();
    let (a2, e2) = Doc::new()
        .para(TRAMS)
        .quote(
            "This is a historic day for everyone in the city",
            "Lena Hart",
        )
        .build("t1", url, Some("Example News"), Some("2024-05-01"));
    let second = store.upsert(&a2, &e2).unwrap();
    assert_eq!(second.action, UpsertAction::Replaced);
    assert_eq!(second.article_id, first.article_id);
    assert!(store.search(&q("court")).unwrap().hits.is_empty());
    assert_eq!(store.search(&q("everyone")).unwrap().hits.len(), 1);
    let stats = store.stats().unwrap();
    assert_eq!((stats.articles, stats.statements), (1, 1));
    let view = store.article("t1").unwrap().unwrap();
    assert_eq!(view.statements.len(), 1);
    assert_eq!(view.text, a2.text);
}

fn corpus(store: &SqliteStore) {
    let items = vec![
        Doc::new()
            .para(FLOODS)
            .quote(
                "The dikes will hold if the rain stops by Friday",
                "Maria Okafor",
            )
            .statement(
                StatementKind::Indirect,
                "the evacuation went smoothly",
                "Tom Berg",
                EntityKind::Person,
                Some("police chief"),
                Some(day("2024-03-05")),
            )
            .build(
                "f1",
                Some("https://valley.example.org/f1"),
                Some("Valley Post"),
                Some("2024-03-06"),
            ),
        Doc::new()
            .para(TRAMS)
            .quote("Tram lines bring shops and jobs", "Lena Hart")
            .statement(
                StatementKind::Mixed,
                "the plan was \u{201C}a waste of money\u{201D}",
                "Omar Reyes",
                EntityKind::Person,
                None,
                None,
            )
            .build(
                "t1",
                Some("https://city.example.com/t1"),
                Some("City Daily"),
                Some("2024-05-01"),
            ),
        Doc::new()
            .para(BUDGET)
            .quote("Taxation without growth is a dead end", "Maria Okafor")
            .quote("DROP TABLE is not a policy", "Paul Kim")
            .build(
                "b1",
                Some("https://nation.example.net/b1"),
                Some("Nation Times"),
                Some("2024-07-10"),
            ),
    ];
    store.upsert_batch(&items).unwrap();
}

#[test]
fn search_with_each_filter() {
    let (_dir, store) = temp_store();
    corpus(&store);
    let all = store.search(&SearchQuery::default()).unwrap();
    assert_eq!(all.hits.len(), 6);
    // Newest first.
    assert_eq!(all.hits[0].article_ext_id, "b1");

    let by_speaker = store
        .search(&SearchQuery {
            speaker: Some("maria okafor".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(by_speaker.hits.len(), 2);
    assert!(by_speaker
        .hits
        .iter()
        .all(|h| h.speaker.as_deref() == Some("Maria Okafor")));
    let by_surname = store
        .search(&SearchQuery {
            speaker: Some("Okafor".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(by_surname.hits.len(), 2);

    let since = store
        .search(&SearchQuery {
            since: Some(day("2024-05-01")),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(since.hits.len(), 4);
    let until = store
        .search(&SearchQuery {
            until: Some(day("2024-03-05")),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        texts(&until),
        vec!["the evacuation went smoothly"],
        "said_on wins over published"
    );
    assert_eq!(until.hits[0].said_on, Some(day("2024-03-05")));

    let kind = store
        .search(&SearchQuery {
            kind: Some(StatementKind::Mixed),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(kind.hits.len(), 1);
    let outlet = store
        .search(&SearchQuery {
            outlet: Some("city daily".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(outlet.hits.len(), 2);

    let combined = store
        .search(&SearchQuery {
            text: Some("rain OR taxation".into()),
            speaker: Some("Okafor".into()),
            since: Some(day("2024-06-01")),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        texts(&combined),
        vec!["Taxation without growth is a dead end"]
    );
    let h = &combined.hits[0];
    assert_eq!(h.outlet.as_deref(), Some("Nation Times"));
    assert_eq!(h.url.as_deref(), Some("https://nation.example.net/b1"));
    assert_eq!(h.outlets_with_quote, 1);
}

#[test]
fn query_syntax_and_hostile_input() {
    let (_dir, store) = temp_store();
    corpus(&store);
    let n = |s: &str| store.search(&q(s)).map(|p| p.hits.len());
    assert_eq!(n("\"dead end\"").unwrap(), 1);
    assert_eq!(n("\"end dead\"").unwrap(), 0);
    assert_eq!(n("dikes OR trams OR tram").unwrap(), 2);
    assert_eq!(n("the -rain").unwrap(), 2);
    assert_eq!(n("tax*").unwrap(), 1);
    assert_eq!(n("TAXATION").unwrap(), 1);
    // FTS5 syntax typed by a user is searched as words, never an SQL error.
    for hostile in [
        "NEAR(",
        "NEAR(dikes rain)",
        "'; DROP TABLE statements; --",
        "text:rain",
        "rain AND",
        "^rain",
        "(rain",
        "rain)",
        "\"rain",
        "a\"b\"c",
        "OR",
        "NOT rain",
        "**",
        "DROP TABLE",
    ] {
        match store.search(&q(hostile)) {
            Ok(_) => {}
            Err(StoreError::InvalidQuery { .. }) => {}
            Err(e) => panic!("{hostile:?} gave {e}"),
        }
    }
    assert_eq!(n("DROP TABLE").unwrap(), 1, "literal words");
    assert_eq!(n("'; DROP TABLE statements; --").unwrap(), 0);
    assert_eq!(store.stats().unwrap().statements, 6, "nothing dropped");
    for bad in ["\"", "*", "-rain", "  \"  \"  "] {
        let err = store.search(&q(bad)).unwrap_err();
        assert!(
            matches!(err, StoreError::InvalidQuery { .. }),
            "{bad:?}: {err}"
        );
        assert!(err.to_string().contains("invalid search query"));
    }
    assert!(matches!(
        store.search(&SearchQuery {
            cursor: Some("nonsense".into()),
            ..Default::default()
        }),
        Err(StoreError::InvalidCursor { .. })
    ));
    assert_eq!(store.search_articles("dikes", 10).unwrap().len(), 1);
    assert_eq!(store.search_articles("Title", 10).unwrap().len(), 3);
}

#[test]
fn keyset_pagination_visits_everything_once() {
    let (_dir, store) = temp_store();
    let mut items = Vec::new();
    for i in 0..25 {
        let date = format!("2024-01-{:02}", 1 + i % 5);
        items.push(
            Doc::new()
                .para(&format!(
                    "Story number {i} about topic {i}, unlike any other."
                ))
                .quote(&format!("Statement number {i} on the record"), "Ada Lund")
                .build(&format!("p{i}"), None, Some("Paged"), Some(&date)),
        );
    }
    store.upsert_batch(&items).unwrap();
    let mut seen = Vec::new();
    let mut query = SearchQuery {
        text: Some("statement".into()),
        limit: Some(10),
        ..Default::default()
    };
    let mut pages = 0;
    loop {
        let page = store.search(&query).unwrap();
        pages += 1;
        for h in &page.hits {
            seen.push((h.date, h.statement_id));
        }
        match page.next_cursor {
            Some(c) => query.cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 25);
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted, "newest first, no repeats");
    sorted.dedup();
    assert_eq!(sorted.len(), 25);
}

#[test]
fn syndicated_copies_are_grouped_and_other_stories_are_not() {
    let (_dir, store) = temp_store();
    let wire = Doc::new()
        .para(FLOODS)
        .quote("We have never seen water this high", "Maria Okafor")
        .credit("Reuters");
    let (a, e) = wire.build(
        "w1",
        Some("https://one.example.com/floods"),
        Some("One"),
        Some("2024-03-06"),
    );
    let o1 = store.upsert(&a, &e).unwrap();
    assert_eq!(o1.syndication_group, None);
    // A copy at another outlet, with an extra line and a new headline.
    let mut a2 = a.clone();
    a2.url = Some("https://two.example.com/weather/river".into());
    a2.source = Some("Two".into());
    a2.text = format!("{}\nAdditional reporting by our correspondent.", a2.text);
    a2.published = Some(day("2024-03-07"));
    let mut e2 = e.clone();
    e2.credit = None;
    let o2 = store.upsert(&a2, &e2).unwrap();
    let group = o2.syndication_group.expect("copy joins a group");
    // A different story at the same outlet.
    let (b, eb) = Doc::new()
        .para(TRAMS)
        .quote("Tram lines bring shops and jobs", "Lena Hart")
        .build(
            "t1",
            Some("https://one.example.com/trams"),
            Some("One"),
            Some("2024-03-06"),
        );
    assert_eq!(store.upsert(&b, &eb).unwrap().syndication_group, None);
    let g = store.syndication_group(group).unwrap().unwrap();
    assert_eq!(g.credit.as_deref(), Some("Reuters"));
    let ids: Vec<_> = g.articles.iter().map(|a| a.ext_id.as_str()).collect();
    assert_eq!(ids, vec!["w1", "w1"]);
    assert_eq!(
        g.articles[0].outlet.as_deref(),
        Some("One"),
        "earliest first"
    );
    assert_eq!(store.stats().unwrap().syndication_groups, 1);
    // The quote both copies carry counts two outlets.
    let hit = &store.search(&q("\"never seen water\"")).unwrap().hits[0];
    assert_eq!(hit.outlets_with_quote, 2);
}

#[test]
fn repeated_quotes_and_excerpts_become_one_quote() {
    let (_dir, store) = temp_store();
    let long = "We have done everything we can to keep the schools open this winter, and we will keep doing it";
    let items = vec![
        Doc::new().para(BUDGET).quote(long, "Sara Mendes").build("q1", None, Some("Alpha"), Some("2024-02-02")),
        // Same words, different quotation marks, case and punctuation.
        Doc::new().para(TRAMS).quote("we have done EVERYTHING we can to keep the schools open this winter -- and we will keep doing it!", "Sara Mendes").build("q2", None, Some("Beta"), Some("2024-02-01")),
        // A shorter excerpt inside the longer quote.
        Doc::new().para(FLOODS).quote("keep the schools open this winter, and we will keep", "Sara Mendes").build("q3", None, Some("Gamma"), Some("2024-02-03")),
        // Unrelated.
        Doc::new().para("A short note.").quote("The schools will close early for the holidays this year", "Ivo Dahl").build("q4", None, Some("Delta"), Some("2024-02-04")),
    ];
    store.upsert_batch(&items).unwrap();
    let hit = store.search(&q("everything")).unwrap().hits[0].clone();
    let qid = hit.quote_id.unwrap();
    let rec = store.quote(qid).unwrap().unwrap();
    let ids: Vec<_> = rec
        .occurrences
        .iter()
        .map(|h| h.article_ext_id.as_str())
        .collect();
    assert_eq!(ids, vec!["q2", "q1", "q3"], "earliest first");
    assert_eq!(rec.first_seen, Some(day("2024-02-01")));
    assert_eq!(hit.outlets_with_quote, 3);
    let other = store.search(&q("holidays")).unwrap().hits[0].clone();
    assert_ne!(other.quote_id, Some(qid));

    // Excerpt first, then the longer quote that contains it: they merge.
    let (_d2, s2) = temp_store();
    s2.upsert_batch(&[
        Doc::new()
            .para(FLOODS)
            .quote("the river will not break the dikes this time", "Ana Voss")
            .build("e1", None, Some("A"), Some("2024-01-01")),
        Doc::new()
            .para(TRAMS)
            .quote(
                "I promise you that the river will not break the dikes this time, whatever happens",
                "Ana Voss",
            )
            .build("e2", None, Some("B"), Some("2024-01-02")),
    ])
    .unwrap();
    let stats = s2.stats().unwrap();
    assert_eq!((stats.quotes, stats.repeated_quotes), (1, 1));
    let qid = s2.search(&q("promise")).unwrap().hits[0].quote_id.unwrap();
    let rec = s2.quote(qid).unwrap().unwrap();
    assert!(
        rec.text.starts_with("I promise"),
        "the longest form names the quote"
    );
    assert_eq!(rec.occurrences.len(), 2);
    assert_eq!(rec.occurrences[0].article_ext_id, "e1");
}

#[test]
fn speakers_merge_across_spellings_and_titles() {
    let (_dir, store) = temp_store();
    let items = vec![
        Doc::new()
            .para(FLOODS)
            .quote(
                "We will rebuild every bridge",
                "Ukrainian President Volodymyr Zelensky",
            )
            .build("z1", None, Some("A"), Some("2023-01-10")),
        Doc::new()
            .para(TRAMS)
            .quote("Our cities will be whole again", "Volodymyr Zelenskyy")
            .build("z2", None, Some("B"), Some("2023-06-01")),
        Doc::new()
            .para(BUDGET)
            .quote("The budget must fund the army first", "Zelensky")
            .build("z3", None, Some("C"), Some("2024-02-01")),
    ];
    store.upsert_batch(&items).unwrap();
    let top = store.speakers(&SpeakersQuery::default()).unwrap();
    assert_eq!(top.len(), 1, "{top:?}");
    assert_eq!(top[0].statements, 3);
    assert_eq!(top[0].first_seen, Some(day("2023-01-10")));
    assert_eq!(top[0].last_seen, Some(day("2024-02-01")));
    let SpeakerLookup::Found(rec) = store.speaker("zelenskyy", 10).unwrap() else {
        panic!("not found")
    };
    assert_eq!(rec.statements.len(), 3);
    assert!(rec.roles.iter().any(|r| r.role == "Ukrainian President"));
    assert!(rec.aliases.iter().any(|a| a == "Volodymyr Zelenskyy"));
    assert_eq!(
        store
            .speakers(&SpeakersQuery {
                org: Some("ukrainian".into()),
                ..Default::default()
            })
            .unwrap()
            .len(),
        1
    );
    assert!(store
        .speakers(&SpeakersQuery {
            org: Some("Reuters".into()),
            ..Default::default()
        })
        .unwrap()
        .is_empty());
}

#[test]
fn different_people_sharing_a_surname_stay_apart() {
    let (_dir, store) = temp_store();
    let items = vec![
        Doc::new()
            .para(FLOODS)
            .quote("The river is my whole life", "John Smith")
            .build("s1", None, Some("A"), Some("2024-01-01")),
        Doc::new()
            .para(TRAMS)
            .statement(
                StatementKind::Direct,
                "I will vote against the trams",
                "Jane Smith",
                EntityKind::Person,
                Some("senator"),
                None,
            )
            .build("s2", None, Some("B"), Some("2024-01-02")),
        Doc::new()
            .para(BUDGET)
            .quote("Nobody asked us about it", "Smith")
            .build("s3", None, Some("C"), Some("2024-01-03")),
        Doc::new()
            .para("A later note on the vote.")
            .statement(
                StatementKind::Direct,
                "The vote was close",
                "Smith",
                EntityKind::Person,
                Some("senator"),
                None,
            )
            .build("s4", None, Some("D"), Some("2024-01-04")),
    ];
    store.upsert_batch(&items).unwrap();
    let top = store.speakers(&SpeakersQuery::default()).unwrap();
    let names: Vec<_> = top
        .iter()
        .map(|s| (s.name.as_str(), s.statements))
        .collect();
    assert!(names.contains(&("John Smith", 1)), "{names:?}");
    assert!(
        names.contains(&("Jane Smith", 2)),
        "role singles out the senator: {names:?}"
    );
    let bare = store.search(&q("asked")).unwrap().hits[0].clone();
    assert_eq!(
        bare.speaker_id, None,
        "ambiguous bare surname stays unresolved"
    );
    assert_eq!(bare.speaker.as_deref(), Some("Smith"));
    assert!(
        matches!(store.speaker("Smith", 5).unwrap(), SpeakerLookup::Ambiguous { candidates } if candidates.len() == 2)
    );
    assert!(matches!(
        store.speaker("Nobody Here", 5).unwrap(),
        SpeakerLookup::NotFound
    ));
}

#[test]
fn bare_surname_first_is_absorbed_by_the_full_name() {
    let (_dir, store) = temp_store();
    store
        .upsert_batch(&[
            Doc::new()
                .para(FLOODS)
                .quote("We are ready", "Okonjo")
                .build("o1", None, Some("A"), Some("2024-01-01")),
            Doc::new()
                .para(TRAMS)
                .quote("We were always ready", "Ngozi Okonjo")
                .build("o2", None, Some("B"), Some("2024-01-02")),
        ])
        .unwrap();
    let top = store.speakers(&SpeakersQuery::default()).unwrap();
    assert_eq!(top.len(), 1, "{top:?}");
    assert_eq!(
        (top[0].name.as_str(), top[0].statements),
        ("Ngozi Okonjo", 2)
    );
}

#[test]
fn exports_round_trip() {
    let (_dir, store) = temp_store();
    corpus(&store);
    let mut buf = Vec::new();
    let n = export::write_jsonl(&store, &SearchQuery::default(), &mut buf, "memory").unwrap();
    assert_eq!(n, 6);
    let rows: Vec<serde_json::Value> = std::str::from_utf8(&buf)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 6);
    assert!(rows.iter().any(|r| r["speaker"] == "Tom Berg"
        && r["said_on"] == "2024-03-05"
        && r["kind"] == "indirect"
        && r["outlet"] == "Valley Post"));

    let mut buf = Vec::new();
    let query = SearchQuery {
        speaker: Some("Okafor".into()),
        ..Default::default()
    };
    assert_eq!(
        export::write_csv(&store, &query, &mut buf, "memory").unwrap(),
        2
    );
    let mut rdr = csv::Reader::from_reader(buf.as_slice());
    assert_eq!(
        rdr.headers().unwrap().iter().collect::<Vec<_>>(),
        export::HEADER.to_vec()
    );
    let recs: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(recs.len(), 2);
    assert_eq!(&recs[0][6], "Maria Okafor");
    assert_eq!(&recs[0][2], "Taxation without growth is a dead end");

    let mut buf = Vec::new();
    let none = SearchQuery {
        text: Some("zebra".into()),
        ..Default::default()
    };
    assert_eq!(
        export::write_csv(&store, &none, &mut buf, "memory").unwrap(),
        0
    );
    assert!(String::from_utf8(buf)
        .unwrap()
        .starts_with("statement_id,kind"));
}

#[test]
fn feed_state_round_trips() {
    let (_dir, store) = temp_store();
    assert_eq!(store.feed_state("https://f.example.com/rss").unwrap(), None);
    let st = FeedState {
        etag: Some("\"abc\"".into()),
        last_modified: Some("Wed, 21 Oct 2015 07:28:00 GMT".into()),
    };
    store
        .set_feed_state("https://f.example.com/rss", &st)
        .unwrap();
    assert_eq!(
        store.feed_state("https://f.example.com/rss").unwrap(),
        Some(st)
    );
}

#[test]
fn show_finds_an_article_by_any_id() {
    let (_dir, store) = temp_store();
    corpus(&store);
    let v = store.article("f1").unwrap().unwrap();
    assert_eq!(
        store
            .article(&v.article_id.to_string())
            .unwrap()
            .unwrap()
            .ext_id,
        "f1"
    );
    assert_eq!(
        store
            .article("http://valley.example.org/f1/")
            .unwrap()
            .unwrap()
            .ext_id,
        "f1"
    );
    assert!(store.article("missing").unwrap().is_none());
    let s = &v.statements[0];
    let chars: Vec<char> = v.text.chars().collect();
    let span: String = chars[s.start..s.end].iter().collect();
    assert_eq!(span, s.text, "offsets are code points into the text");
    let sp = s.speaker_span.as_ref().unwrap();
    assert_eq!(
        chars[sp.start..sp.end].iter().collect::<String>(),
        "Maria Okafor"
    );
}

#[test]
fn the_same_url_twice_in_one_batch_keeps_the_index_sound() {
    let (_dir, store) = temp_store();
    let url = Some("https://news.example.com/twice");
    let v1 = Doc::new()
        .para(TRAMS)
        .quote("First version of the words", "Lena Hart")
        .build("x", url, Some("N"), Some("2024-01-01"));
    let v2 = Doc::new()
        .para(TRAMS)
        .quote("Second version of the words", "Lena Hart")
        .build("x", url, Some("N"), Some("2024-01-01"));
    let out = store.upsert_batch(&[v1.clone(), v2]).unwrap();
    assert_eq!(out[1].action, UpsertAction::Replaced);
    assert!(store.search(&q("first")).unwrap().hits.is_empty());
    assert_eq!(store.search(&q("second")).unwrap().hits.len(), 1);
    // And replaced again in a later batch, after it was indexed.
    assert_eq!(
        store.upsert(&v1.0, &v1.1).unwrap().action,
        UpsertAction::Replaced
    );
    assert_eq!(store.search(&q("first")).unwrap().hits.len(), 1);
    assert!(store.search(&q("second")).unwrap().hits.is_empty());
    assert_eq!(store.search_articles("tram", 5).unwrap().len(), 1);
    store.integrity_check().unwrap();
    let conn = rusqlite::Connection::open(store.path()).unwrap();
    for t in ["statements_fts", "articles_fts"] {
        conn.execute(
            &format!("INSERT INTO {t} ({t}, rank) VALUES ('integrity-check', 1)"),
            [],
        )
        .unwrap_or_else(|e| panic!("{t}: {e}"));
    }
}

#[test]
fn two_writers_on_one_file_see_each_others_articles_and_quotes() {
    // The writer keeps its syndication and quote lookups in memory; a commit by another
    // connection must be seen before the next batch.
    let (dir, a) = temp_store();
    let b = SqliteStore::open(dir.path().join("whosaid.db").as_path()).unwrap();
    assert_eq!(a.path(), b.path());
    let words = "We have done everything we can to keep the schools open this winter";
    let doc = |outlet: &str, url: &str| {
        Doc::new().para(FLOODS).quote(words, "Sara Mendes").build(
            outlet,
            Some(url),
            Some(outlet),
            Some("2024-03-06"),
        )
    };
    let (a1, e1) = doc("One", "https://one.example.com/floods");
    let o1 = a.upsert(&a1, &e1).unwrap();
    let (a2, e2) = doc("Two", "https://two.example.com/floods");
    let o2 = b.upsert(&a2, &e2).unwrap();
    let group = o2.syndication_group.expect("b sees a's article");
    // `a` loaded its lookups before `b` wrote; it must reload them.
    let (a3, e3) = doc("Three", "https://three.example.com/floods");
    let o3 = a.upsert(&a3, &e3).unwrap();
    assert_eq!(o3.syndication_group, Some(group));
    assert_ne!(o1.article_id, o3.article_id);
    let stats = a.stats().unwrap();
    assert_eq!((stats.quotes, stats.repeated_quotes), (1, 1));
    let hit = &a.search(&q("schools")).unwrap().hits[0];
    assert_eq!(hit.outlets_with_quote, 3);
    // And again the other way round, after a replaced article changed `a`'s lookups.
    let (mut a3b, e3b) = doc("Three", "https://three.example.com/floods");
    a3b.text = format!("{TRAMS}\n\n{BUDGET}");
    assert_eq!(a.upsert(&a3b, &e3b).unwrap().action, UpsertAction::Replaced);
    let (a4, e4) = doc("Four", "https://four.example.com/floods");
    let o4 = b.upsert(&a4, &e4).unwrap();
    assert_eq!(o4.syndication_group, Some(group));
    assert_eq!(
        b.syndication_group(group).unwrap().unwrap().articles.len(),
        3
    );
    let (a5, e5) = Doc::new().para(TRAMS).para(BUDGET).build(
        "Five",
        Some("https://five.example.com/trams"),
        Some("Five"),
        None,
    );
    let o5 = b.upsert(&a5, &e5).unwrap();
    assert!(o5.syndication_group.is_some(), "b sees a's replaced text");
}

/// Every page of a search, in order.
fn all_pages(store: &SqliteStore, mut query: SearchQuery) -> Vec<StatementHit> {
    let mut out = Vec::new();
    loop {
        let page = store.search(&query).unwrap();
        out.extend(page.hits);
        match page.next_cursor {
            Some(c) => query.cursor = Some(c),
            None => return out,
        }
    }
}

#[test]
fn common_terms_read_the_date_index_and_agree_with_the_plain_plan() {
    // A term in thousands of statements is searched by walking the date index (with the
    // matching ids collected first, or, for a quarter or more of the store with no other
    // filter, probing the full-text index per statement); a speaker filter keeps the
    // plain plan (every match, sorted). All three must return the same pages.
    let (_dir, store) = temp_store();
    let mut items = Vec::new();
    for i in 0..550 {
        let date = format!("2024-{:02}-{:02}", 1 + i % 12, 1 + i % 28);
        let mut doc = Doc::new().para(&format!("Harbour report number {i} from the coast."));
        for j in 0..4 {
            let kind = if (i + j) % 3 == 0 {
                StatementKind::Indirect
            } else {
                StatementKind::Direct
            };
            let extra = if j == 0 { " tide" } else { "" };
            doc = doc.statement(
                kind,
                &format!("the harbour plan {i} part {j} will hold{extra}"),
                "Ada Lund",
                EntityKind::Person,
                None,
                None,
            );
        }
        items.push(doc.build(&format!("h{i}"), None, Some("Coast News"), Some(&date)));
    }
    for chunk in items.chunks(200) {
        store.upsert_batch(chunk).unwrap();
    }
    let ids = |hits: &[StatementHit]| -> Vec<(Option<chrono::NaiveDate>, i64)> {
        hits.iter().map(|h| (h.date, h.statement_id)).collect()
    };
    let base = SearchQuery {
        text: Some("harbour".into()),
        limit: Some(250),
        ..Default::default()
    };
    let with_speaker = |q: &SearchQuery| SearchQuery {
        speaker: Some("Ada Lund".into()),
        ..q.clone()
    };
    // 2,200 matches in 2,200 statements: the probing plan
    let probe = all_pages(&store, base.clone());
    let plain = all_pages(&store, with_speaker(&base));
    assert_eq!(probe.len(), 2200);
    assert_eq!(ids(&probe), ids(&plain));
    let mut sorted = ids(&probe);
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(ids(&probe), sorted, "newest first, each statement once");
    // a kind filter: the collected-ids plan
    let indirect = SearchQuery {
        kind: Some(StatementKind::Indirect),
        ..base.clone()
    };
    let set = all_pages(&store, indirect.clone());
    let plain = all_pages(&store, with_speaker(&indirect));
    assert!(set.len() > 700 && set.len() < 800, "{}", set.len());
    assert!(set.iter().all(|h| h.kind == StatementKind::Indirect));
    assert_eq!(ids(&set), ids(&plain));
    // a rarer term: the plain plan on both sides
    let rare = all_pages(&store, q("tide"));
    assert_eq!(rare.len(), 550);
    assert_eq!(
        ids(&rare),
        ids(&all_pages(&store, with_speaker(&q("tide"))))
    );
}
