//! Main-text extraction judged on pages that mimic real news layouts: each test checks
//! the article paragraphs are there, in order, as blank-line-separated paragraphs, and
//! that none of the page furniture is.

use chrono::NaiveDate;
use whosaid_ingest::html;

fn page(name: &str) -> html::Page {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).expect("test page exists");
    let (text, warning) = html::decode(&bytes, None);
    assert!(warning.is_none(), "{warning:?}");
    html::extract(&text)
}

fn assert_clean(p: &html::Page, must: &[&str], must_not: &[&str]) {
    let text = p.text();
    let mut last = 0;
    for m in must {
        let at = text
            .find(m)
            .unwrap_or_else(|| panic!("missing {m:?} in:\n{text}"));
        assert!(at >= last, "{m:?} out of order in:\n{text}");
        last = at;
    }
    for m in must_not {
        assert!(!text.contains(m), "boilerplate {m:?} leaked into:\n{text}");
    }
    for para in &p.paragraphs {
        assert!(!para.contains('\n'), "paragraph holds a newline: {para:?}");
    }
}

#[test]
fn classic_article_layout() {
    let p = page("news_article.html");
    assert_eq!(
        p.title.as_deref(),
        Some("Harbour bridge repairs to cost £40m, council says")
    );
    assert_eq!(p.published, NaiveDate::from_ymd_opt(2024, 3, 14));
    assert_eq!(
        p.canonical_url.as_deref(),
        Some("https://coastalherald.example/news/harbour-bridge-repairs")
    );
    assert_eq!(p.byline.as_deref(), Some("Priya Ramsden"));
    assert_eq!(p.paragraphs.len(), 5, "{:#?}", p.paragraphs);
    assert!(p.text().contains("transport. \"The alternative is a permanent closure, and nobody wants that.\"\n\nEngineers found"));
    assert_clean(
        &p,
        &[
            "Repairs to the town's ageing harbour bridge",
            "\"We have no choice but to act now,\" said Maureen Castell",
            "Engineers found corrosion",
            "Dev Anand, who chairs",
            "temporary footbridge.",
        ],
        &[
            "cookies",
            "Sport",
            "Share on",
            "Photograph",
            "closed to lorries",
            "Read more",
            "Ferry timetable",
            "Related stories",
            "Parking charges",
            "Typical.",
            "Comments",
            "Advertisement",
            "groceries",
            "All rights reserved",
            "Privacy policy",
            "Transport correspondent",
        ],
    );
}

#[test]
fn json_ld_and_div_paragraphs() {
    let p = page("jsonld_divs.html");
    assert_eq!(
        p.title.as_deref(),
        Some("Farmers protest over new water quotas")
    );
    assert_eq!(
        p.published,
        NaiveDate::from_ymd_opt(2023, 11, 2),
        "date as written in its own offset"
    );
    assert_eq!(p.byline.as_deref(), Some("Luis Ortega and Hannah Becker"));
    assert_eq!(
        p.canonical_url.as_deref(),
        Some("https://valleytimes.example/2023/11/02/farmers-protest-water-quotas/")
    );
    assert_eq!(p.paragraphs.len(), 5, "{:#?}", p.paragraphs);
    assert_clean(
        &p,
        &[
            "About two hundred farmers",
            "The quotas, which take effect",
            "\"You cannot grow alfalfa on promises,\"",
            "Alicia Brandt",
            "ended peacefully",
        ],
        &[
            "Subscribe",
            "Sign in",
            "Obituaries",
            "Advertisement",
            "morning briefing",
            "newsletter",
            "Tags:",
            "Most read",
            "bakery",
            "Ethics policy",
        ],
    );
}

#[test]
fn parsely_meta_captions_read_more_and_long_comments() {
    let p = page("meta_parsely_comments.html");
    assert_eq!(
        p.title.as_deref(),
        Some("Museum returns looted bronzes to Benin City")
    );
    assert_eq!(p.published, NaiveDate::from_ymd_opt(2022, 6, 9));
    assert_eq!(
        p.canonical_url.as_deref(),
        Some("https://artsdaily.example/museum-returns-bronzes")
    );
    assert_eq!(p.byline.as_deref(), Some("Adaeze Okafor"));
    assert_eq!(p.paragraphs.len(), 4, "{:#?}", p.paragraphs);
    assert_clean(
        &p,
        &[
            "A university museum has handed back",
            "Graham Lisle, told reporters",
            "National Commission for Museums",
            "Campaigners say",
        ],
        &[
            "Adaeze Okafor",
            "Read more",
            "rethinking",
            "returned plaques",
            "Credit:",
            "You might also like",
            "Finally.",
            "climate control",
            "transparent process",
            "Share this",
            "Registered in England",
            "Cookie settings",
        ],
    );
}

#[test]
fn minimal_wire_story_with_dateline_and_time() {
    let p = page("minimal_wire.html");
    assert_eq!(p.title.as_deref(), Some("Quake shakes northern island"));
    assert_eq!(p.published, NaiveDate::from_ymd_opt(2021, 1, 20));
    assert_eq!(p.paragraphs.len(), 3, "{:#?}", p.paragraphs);
    assert_clean(
        &p,
        &[
            "TOKYO (Wire) - A strong earthquake",
            "preliminary magnitude of 6.1",
            "\"There are no reports of damage",
        ],
        &["Published", "Markets", "quotes delayed", "Terms"],
    );
}

#[test]
fn br_separated_paragraphs_without_p_tags() {
    let html = "<html><body><div id='main'>Paragraph one says the mayor spoke on Monday about the new tram line.<br><br>Paragraph two adds that the tram line opens in May.<br>Still paragraph two.</div></body></html>";
    let p = html::extract(html);
    assert_eq!(
        p.paragraphs,
        vec![
            "Paragraph one says the mayor spoke on Monday about the new tram line.",
            "Paragraph two adds that the tram line opens in May. Still paragraph two."
        ]
    );
}

#[test]
fn truncated_html_still_yields_the_text_before_the_cut() {
    let full = std::fs::read_to_string(format!(
        "{}/tests/data/news_article.html",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let cut = full.find("Local business groups").unwrap();
    let p = html::extract(&full[..cut + 30]);
    assert!(
        p.text().contains("Engineers found corrosion"),
        "{}",
        p.text()
    );
    assert_eq!(
        p.title.as_deref(),
        Some("Harbour bridge repairs to cost £40m, council says")
    );
    // Cut inside the head: no body, no text, no panic.
    let p = html::extract(&full[..200]);
    assert!(p.paragraphs.is_empty());
}

#[test]
fn malformed_markup_does_not_panic_and_keeps_text() {
    let html = "<html><body><p>Unclosed <b>bold <i>mixed</b> tags</i> in a paragraph that the mayor said was fine.<p>Second <div>nested</p> oddly</div></table></body></html></html>";
    let p = html::extract(html);
    assert!(
        p.text().contains("Unclosed bold mixed tags"),
        "{}",
        p.text()
    );
}

#[test]
fn page_without_text_is_a_clear_error() {
    let err = html::article_from_bytes(
        b"<html><body><nav><a href='/'>Home</a></nav></body></html>",
        None,
        "x",
        "empty.html",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "empty.html: no article text found in the HTML"
    );
}

#[test]
fn declared_legacy_charset_is_decoded() {
    let mut bytes = b"<html><head><meta charset=\"windows-1252\"></head><body><p>Caf".to_vec();
    bytes.push(0xe9); // é in windows-1252
    bytes.extend_from_slice(b" owners said business was good this year.</p></body></html>");
    let (article, warnings) = html::article_from_bytes(&bytes, None, "x", "cafe.html").unwrap();
    assert!(
        article.text.starts_with("Café owners said"),
        "{}",
        article.text
    );
    assert!(warnings.iter().all(|w| !w.contains("UTF-8")));
}
