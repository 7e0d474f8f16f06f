//! The API in process (tower's `oneshot` on the real router over a real SQLite file):
//! every route, pagination cursors, 404s, the token gate, body limits, bad input in every
//! parameter, security headers and the UI pages.

mod common;

use std::collections::HashSet;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use whosaid_server::Config;

use common::{app, app_with};

#[tokio::test]
async fn health_and_stats() {
    let app = app();
    let h = app.get("/api/v1/health").await;
    assert_eq!(h.status, StatusCode::OK);
    assert_eq!(h.json()["status"], "ok");
    assert_eq!(h.json()["writes_enabled"], false);
    let s = app.get("/api/v1/stats").await.json();
    assert_eq!(s["articles"], 5);
    assert!(s["statements"].as_u64().unwrap() >= 8, "{s}");
}

#[tokio::test]
async fn search_filters() {
    let app = app();
    let all = app.get("/api/v1/statements?limit=100").await.json();
    let hits = all["hits"].as_array().unwrap();
    assert!(hits.len() >= 8);
    // Newest first.
    let dates: Vec<&str> = hits.iter().filter_map(|h| h["date"].as_str()).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");

    let bridge = app.get("/api/v1/statements?q=bridge").await.json();
    let bridge = bridge["hits"].as_array().unwrap();
    assert!(!bridge.is_empty());
    assert!(bridge.iter().all(|h| h["text"]
        .as_str()
        .unwrap()
        .to_lowercase()
        .contains("bridge")));
    // The same quote in two outlets is counted.
    assert!(
        bridge.iter().any(|h| h["outlets_with_quote"] == 2),
        "{bridge:?}"
    );

    let okafor = app
        .get("/api/v1/statements?speaker=Maria%20Okafor")
        .await
        .json();
    let okafor = okafor["hits"].as_array().unwrap();
    assert!(okafor.len() >= 3);
    assert!(okafor
        .iter()
        .all(|h| h["speaker"].as_str().unwrap().contains("Okafor")));

    let indirect = app.get("/api/v1/statements?kind=indirect").await.json();
    assert!(indirect["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["kind"] == "indirect"));

    let may = app
        .get("/api/v1/statements?since=2024-05-01&until=2024-05-31")
        .await
        .json();
    let may = may["hits"].as_array().unwrap();
    assert!(!may.is_empty());
    assert!(may
        .iter()
        .all(|h| h["date"].as_str().unwrap().starts_with("2024-05")));

    let outlet = app
        .get("/api/v1/statements?outlet=north%20gazette")
        .await
        .json();
    let outlet = outlet["hits"].as_array().unwrap();
    assert!(!outlet.is_empty());
    assert!(outlet.iter().all(|h| h["outlet"] == "North Gazette"));
}

#[tokio::test]
async fn cursors_walk_every_page_once() {
    let app = app_with(Config::default(), 30);
    let total = app.get("/api/v1/statements?limit=100").await.json()["hits"]
        .as_array()
        .unwrap()
        .len();
    assert!(total > 40);
    let mut seen = HashSet::new();
    let mut uri = "/api/v1/statements?limit=7".to_string();
    let mut pages = 0;
    loop {
        let page = app.get(&uri).await.json();
        for h in page["hits"].as_array().unwrap() {
            assert!(
                seen.insert(h["statement_id"].as_i64().unwrap()),
                "repeated hit"
            );
        }
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(c) => uri = format!("/api/v1/statements?limit=7&cursor={}", urlencode(c)),
            None => break,
        }
    }
    assert_eq!(seen.len(), total);
    assert_eq!(pages, total.div_ceil(7));
    // Cursors work with a query too.
    let p1 = app.get("/api/v1/statements?q=cranes&limit=5").await.json();
    let c = p1["next_cursor"].as_str().expect("more than one page");
    let p2 = app
        .get(&format!(
            "/api/v1/statements?q=cranes&limit=5&cursor={}",
            urlencode(c)
        ))
        .await
        .json();
    assert_eq!(p2["hits"].as_array().unwrap().len(), 5);
    assert_ne!(p1["hits"][0], p2["hits"][0]);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn bad_parameters_are_400() {
    let app = app();
    for q in [
        "since=yesterday",
        "until=2024-13-01",
        "kind=rumour",
        "limit=0",
        "limit=101",
        "limit=ten",
        "cursor=garbage",
        "cursor=2024-01-01~x",
        "q=-onlyexcluded",
        "q=%22",
    ] {
        app.get(&format!("/api/v1/statements?{q}"))
            .await
            .assert_error(StatusCode::BAD_REQUEST);
    }
    let long = "a".repeat(600);
    app.get(&format!("/api/v1/statements?q={long}"))
        .await
        .assert_error(StatusCode::BAD_REQUEST);
    app.get("/api/v1/speakers?top=0")
        .await
        .assert_error(StatusCode::BAD_REQUEST);
    app.get("/api/v1/speakers?top=x")
        .await
        .assert_error(StatusCode::BAD_REQUEST);
    app.get("/api/v1/speakers/1?statements=1000")
        .await
        .assert_error(StatusCode::BAD_REQUEST);
    // Invalid UTF-8 in the query string.
    app.get("/api/v1/statements?q=%FF%FE")
        .await
        .assert_error(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn speakers_and_speaker() {
    let app = app();
    let list = app.get("/api/v1/speakers").await.json();
    let list = list["speakers"].as_array().unwrap();
    let okafor = list
        .iter()
        .find(|s| s["name"].as_str().unwrap().contains("Okafor"))
        .expect("Okafor listed");
    assert_eq!(
        list[0]["speaker_id"], okafor["speaker_id"],
        "most statements first"
    );
    let id = okafor["speaker_id"].as_i64().unwrap();

    let s = app.get(&format!("/api/v1/speakers/{id}")).await.json();
    assert_eq!(s["summary"]["speaker_id"], id);
    assert!(!s["statements"].as_array().unwrap().is_empty());
    let weekly_total: u64 = s["weekly"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["count"].as_u64().unwrap())
        .sum();
    assert_eq!(
        weekly_total + s["undated"].as_u64().unwrap(),
        s["summary"]["statements"].as_u64().unwrap()
    );
    let terms: Vec<&str> = s["top_terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["term"].as_str().unwrap())
        .collect();
    assert!(terms.contains(&"bridge"), "{terms:?}");
    assert!(!terms.contains(&"the"));

    // By name, case-insensitive.
    let by_name = app.get("/api/v1/speakers/maria%20okafor").await;
    assert_eq!(by_name.status, StatusCode::OK, "{}", by_name.body);
    assert_eq!(by_name.json()["summary"]["speaker_id"], id);

    app.get("/api/v1/speakers/999999")
        .await
        .assert_error(StatusCode::NOT_FOUND);
    app.get("/api/v1/speakers/Nobody%20Atall")
        .await
        .assert_error(StatusCode::NOT_FOUND);
    let filtered = app.get("/api/v1/speakers?org=minister").await.json();
    assert!(filtered["speakers"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["name"].as_str().unwrap().contains("Okafor")
            || s["role"]
                .as_str()
                .unwrap_or("")
                .to_lowercase()
                .contains("minister")));
}

#[tokio::test]
async fn article_with_spans_and_entities() {
    let app = app();
    let a = app.get("/api/v1/articles/harbour-bridge-1").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let a = a.json();
    let text: Vec<char> = a["text"].as_str().unwrap().chars().collect();
    let statements = a["statements"].as_array().unwrap();
    assert!(statements.len() >= 3);
    for s in statements {
        let (start, end) = (
            s["start"].as_u64().unwrap() as usize,
            s["end"].as_u64().unwrap() as usize,
        );
        let slice: String = text[start..end].iter().collect();
        assert_eq!(
            slice,
            s["text"].as_str().unwrap(),
            "spans are code points into the text"
        );
        if let Some(cue) = s["cue"].as_object() {
            let c: String = text
                [cue["start"].as_u64().unwrap() as usize..cue["end"].as_u64().unwrap() as usize]
                .iter()
                .collect();
            assert_eq!(c, cue["text"].as_str().unwrap());
        }
    }
    assert!(statements.iter().any(|s| s["kind"] == "direct"));
    assert!(statements.iter().any(|s| s["kind"] == "indirect"));
    let entities = a["entities"].as_array().unwrap();
    assert!(
        entities
            .iter()
            .any(|e| e["name"].as_str().unwrap().contains("Okafor")),
        "{entities:?}"
    );
    // By store id and by URL too.
    let id = a["article_id"].as_i64().unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/articles/{id}")).await.json()["ext_id"],
        "harbour-bridge-1"
    );
    let by_url = app
        .get("/api/v1/articles/https%3A%2F%2Fvalleypost.example%2Fharbour-bridge")
        .await;
    assert_eq!(by_url.status, StatusCode::OK, "{}", by_url.body);
    app.get("/api/v1/articles/missing")
        .await
        .assert_error(StatusCode::NOT_FOUND);
    app.get("/api/v1/articles/999999")
        .await
        .assert_error(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn extract_runs_without_storing() {
    let app = app();
    let before = app.get("/api/v1/stats").await.json();
    let res = app
        .post_json(
            "/api/v1/extract",
            &json!({"text": "\u{201C}We will rebuild the pier,\u{201D} said Mayor Ana Silva on Monday.", "published": "2024-05-08"}).to_string(),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let x = res.json();
    let s = &x["statements"][0];
    assert_eq!(s["text"], "We will rebuild the pier,");
    assert_eq!(
        s["speaker"]["name"].as_str().map(|n| n.contains("Silva")),
        Some(true),
        "{x}"
    );
    assert_eq!(s["cue"]["text"], "said");
    assert_eq!(
        app.get("/api/v1/stats").await.json(),
        before,
        "nothing stored"
    );
}

#[tokio::test]
async fn extract_rejects_bad_bodies() {
    let app = app_with(
        Config {
            max_body_bytes: 4096,
            ..Config::default()
        },
        0,
    );
    app.post_json("/api/v1/extract", "{\"text\": ", None)
        .await
        .assert_error(StatusCode::BAD_REQUEST);
    app.post_json("/api/v1/extract", "[1,2,3]", None)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY);
    app.post_json("/api/v1/extract", "{\"text\": 5}", None)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY);
    app.post_json("/api/v1/extract", "{\"text\": \"  \"}", None)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY);
    app.post_json("/api/v1/extract", "{\"text\": \"x\", \"evil\": 1}", None)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY);
    app.post_json(
        "/api/v1/extract",
        "{\"text\": \"x\", \"published\": \"soon\"}",
        None,
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY);
    app.post_json("/api/v1/extract", "", None)
        .await
        .assert_error(StatusCode::BAD_REQUEST);
    // Not JSON.
    let res = app
        .send(
            Request::post("/api/v1/extract")
                .header("content-type", "text/plain")
                .body(Body::from("hello"))
                .unwrap(),
        )
        .await;
    res.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Over the limit, with and without a Content-Length.
    let big = json!({"text": "word ".repeat(2000)}).to_string();
    app.post_json("/api/v1/extract", &big, None)
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE);
    let stream = futures_stream(big);
    let res = app
        .send(
            Request::post("/api/v1/extract")
                .header("content-type", "application/json")
                .body(stream)
                .unwrap(),
        )
        .await;
    res.assert_error(StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.json()["error"].as_str().unwrap().contains("4096"));
}

/// A body without a known length (as a chunked upload arrives).
fn futures_stream(s: String) -> Body {
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = s
        .into_bytes()
        .chunks(1000)
        .map(|c| Ok(c.to_vec()))
        .collect();
    Body::from_stream(futures_util::stream::iter(chunks))
}

#[tokio::test]
async fn writes_are_off_without_a_token() {
    let app = app();
    let body =
        json!({"id": "new-1", "text": "\u{201C}Hello,\u{201D} said Mayor Ana Silva."}).to_string();
    app.post_json("/api/v1/articles", &body, None)
        .await
        .assert_error(StatusCode::FORBIDDEN);
    app.post_json("/api/v1/articles", &body, Some("anything"))
        .await
        .assert_error(StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/stats").await.json()["articles"], 5);
}

#[tokio::test]
async fn token_gate() {
    let app = app_with(
        Config {
            token: Some("s3cret-token".into()),
            ..Config::default()
        },
        0,
    );
    assert_eq!(
        app.get("/api/v1/health").await.json()["writes_enabled"],
        true
    );
    let body = json!({
        "id": "new-1",
        "text": "\u{201C}The ferry will run all winter,\u{201D} said Harbour Master Ingrid Larsen.",
        "published": "2024-07-01",
        "source": "Coast Courier",
        "url": "https://coastcourier.example/ferry"
    })
    .to_string();
    let missing = app.post_json("/api/v1/articles", &body, None).await;
    missing.assert_error(StatusCode::UNAUTHORIZED);
    assert!(missing.header("www-authenticate").starts_with("Bearer"));
    app.post_json("/api/v1/articles", &body, Some("wrong"))
        .await
        .assert_error(StatusCode::UNAUTHORIZED);
    app.post_json("/api/v1/articles", &body, Some("s3cret-token-longer"))
        .await
        .assert_error(StatusCode::UNAUTHORIZED);
    let basic = app
        .send(
            Request::post("/api/v1/articles")
                .header("content-type", "application/json")
                .header("authorization", "Basic czNjcmV0LXRva2Vu")
                .body(Body::from(body.clone()))
                .unwrap(),
        )
        .await;
    basic.assert_error(StatusCode::UNAUTHORIZED);

    let created = app
        .post_json("/api/v1/articles", &body, Some("s3cret-token"))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.json()["action"], "inserted");
    assert!(created.json()["statements"].as_u64().unwrap() >= 1);
    let again = app
        .post_json("/api/v1/articles", &body, Some("s3cret-token"))
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json()["action"], "unchanged");
    // Readers see the write.
    let found = app.get("/api/v1/statements?q=ferry").await.json();
    assert_eq!(found["hits"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.get("/api/v1/articles/new-1").await.status,
        StatusCode::OK
    );
    // Storing needs an id and text.
    app.post_json("/api/v1/articles", r#"{"text": "x"}"#, Some("s3cret-token"))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY);
    app.post_json(
        "/api/v1/articles",
        r#"{"id": "a", "text": ""}"#,
        Some("s3cret-token"),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY);
}

/// Hostile strings go into every parameter: answers are 200 or a JSON 4xx, never a 500,
/// and the database is intact afterwards.
#[tokio::test]
async fn injection_attempts_in_every_parameter() {
    let app = app();
    let attacks = [
        "'; DROP TABLE statements; --",
        "\" OR 1=1 --",
        "1 OR 1=1",
        "NEAR(bridge budget, 2)",
        "text:bridge",
        "bridge AND NOT",
        "^bridge*",
        "\"unclosed",
        "*",
        "(bridge OR",
        "{bridge}",
        "%_%",
        "\\",
        "<script>alert(1)</script>",
        "\u{0000}",
        "💥\u{202E}rtl",
        "2024-01-01~1 UNION SELECT 1",
        "../../etc/passwd",
    ];
    for a in attacks {
        let e = urlencode(a);
        let uris = [
            format!("/api/v1/statements?q={e}"),
            format!("/api/v1/statements?speaker={e}"),
            format!("/api/v1/statements?outlet={e}"),
            format!("/api/v1/statements?since={e}"),
            format!("/api/v1/statements?until={e}"),
            format!("/api/v1/statements?kind={e}"),
            format!("/api/v1/statements?limit={e}"),
            format!("/api/v1/statements?cursor={e}"),
            format!("/api/v1/speakers?org={e}"),
            format!("/api/v1/speakers?top={e}"),
            format!("/api/v1/speakers/{e}"),
            format!("/api/v1/speakers/{e}?statements={e}"),
            format!("/api/v1/articles/{e}"),
        ];
        for uri in &uris {
            let res = app.get(uri).await;
            assert!(
                res.status == StatusCode::OK || res.status.is_client_error(),
                "{uri} -> {} {}",
                res.status,
                res.body
            );
            assert!(
                res.header("content-type").starts_with("application/json"),
                "{uri}"
            );
            let v = res.json();
            if res.status != StatusCode::OK {
                assert!(v["error"].is_string(), "{uri}: {v}");
            }
        }
        let body = json!({"id": a, "text": a, "title": a, "source": a, "url": a}).to_string();
        let res = app.post_json("/api/v1/extract", &body, None).await;
        assert!(
            res.status == StatusCode::OK || res.status.is_client_error(),
            "{}",
            res.body
        );
    }
    let stats = app.get("/api/v1/stats").await.json();
    assert_eq!(stats["articles"], 5, "database intact");
}

#[tokio::test]
async fn unknown_routes_and_methods() {
    let app = app();
    let res = app.get("/api/v1/nope").await;
    res.assert_error(StatusCode::NOT_FOUND);
    assert!(res.json()["error"]
        .as_str()
        .unwrap()
        .contains("/api/v1/nope"));
    app.get("/api/v2/statements")
        .await
        .assert_error(StatusCode::NOT_FOUND);
    app.get("/api").await.assert_error(StatusCode::NOT_FOUND);
    let res = app.post_json("/api/v1/statements", "{}", None).await;
    res.assert_error(StatusCode::METHOD_NOT_ALLOWED);
    assert!(res.header("allow").contains("GET"));
    app.send(
        Request::delete("/api/v1/articles/1")
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .assert_error(StatusCode::METHOD_NOT_ALLOWED);
    let page = app.get("/no/such/page").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.header("content-type").starts_with("text/html"));
    assert!(page.body.contains("Page not found"));
    // The unknown path is not reflected into the HTML.
    let page = app.get("/%3Cscript%3Ealert(1)%3C/script%3E").await;
    assert!(!page.body.contains("<script>alert"));
    assert_eq!(
        app.get("/assets/nope.js").await.status,
        StatusCode::NOT_FOUND
    );
}

fn assert_security_headers(res: &common::Resp, what: &str) {
    let csp = res.header("content-security-policy");
    assert!(csp.contains("script-src 'self'"), "{what}: {csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{what}: {csp}"
    );
    assert_eq!(res.header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(res.header("referrer-policy"), "no-referrer", "{what}");
    assert_eq!(res.header("x-frame-options"), "DENY", "{what}");
}

#[tokio::test]
async fn security_headers_everywhere() {
    let app = app();
    for uri in [
        "/",
        "/api/v1/health",
        "/api/v1/nope",
        "/assets/app.js",
        "/nope",
        "/api/v1/statements?since=x",
    ] {
        let res = app.get(uri).await;
        assert_security_headers(&res, uri);
    }
    let res = app.post_json("/api/v1/extract", "{", None).await;
    assert_security_headers(&res, "bad JSON");
}

#[tokio::test]
async fn ui_pages_and_assets() {
    let app = app();
    for (uri, page) in [
        ("/", "search"),
        ("/speakers", "speakers"),
        ("/speakers/1", "speaker"),
        ("/articles/harbour-bridge-1", "article"),
        ("/extract", "extract"),
    ] {
        let res = app.get(uri).await;
        assert_eq!(res.status, StatusCode::OK, "{uri}");
        assert!(res.header("content-type").starts_with("text/html"), "{uri}");
        assert!(res.body.contains(&format!("data-page=\"{page}\"")), "{uri}");
        // No inline script (the CSP would block it): every <script> has a src.
        for tag in res.body.split("<script").skip(1) {
            let open = &tag[..tag.find('>').unwrap()];
            assert!(open.contains("src=\"/assets/"), "{uri}: inline script");
        }
        // One inline style sheet, which the CSP allows by its hash; no style attributes.
        let (_, rest) = res
            .body
            .split_once("<style>")
            .expect("an inline style sheet");
        let (style, rest) = rest.split_once("</style>").unwrap();
        assert!(
            !rest.contains("<style") && !res.body.contains(" style="),
            "{uri}"
        );
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(style));
        let csp = res.header("content-security-policy");
        assert!(
            csp.contains(&format!("style-src 'self' 'sha256-{hash}';")),
            "{uri}: {csp}"
        );
        assert!(
            !res.body.contains("http://") && !res.body.contains("https://"),
            "{uri}: external resource"
        );
        assert!(
            res.body.contains("<main")
                && res.body.contains("<nav")
                && res.body.contains("lang=\"en\""),
            "{uri}"
        );
    }
    for (file, ct) in [
        ("app.js", "text/javascript"),
        ("app.css", "text/css"),
        ("favicon.png", "image/png"),
        ("favicon.svg", "image/svg+xml"),
    ] {
        let res = app.get(&format!("/assets/{file}")).await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(res.header("content-type").starts_with(ct), "{file}");
    }
    // The script never writes markup from data.
    let js = app.get("/assets/app.js").await.body;
    assert!(
        !js.contains(".innerHTML")
            && !js.contains("outerHTML")
            && !js.contains("insertAdjacentHTML")
            && !js.contains("document.write")
    );
    // Every form control on every page has a label.
    for uri in ["/", "/speakers", "/extract"] {
        let body = app.get(uri).await.body;
        for part in body.split(" id=\"").skip(1) {
            let id = &part[..part.find('"').unwrap()];
            let tag_start = body[..body.find(&format!(" id=\"{id}\"")).unwrap()]
                .rfind('<')
                .unwrap();
            let tag = &body[tag_start..tag_start + 10];
            if tag.starts_with("<input")
                || tag.starts_with("<select")
                || tag.starts_with("<textarea")
            {
                assert!(
                    body.contains(&format!("for=\"{id}\"")),
                    "{uri}: #{id} has no label"
                );
            }
        }
    }
}

#[tokio::test]
async fn stored_html_comes_back_as_data() {
    let app = app();
    let a = app.get("/api/v1/articles/injection-test").await.json();
    assert!(a["title"].as_str().unwrap().contains("<script>"));
    // JSON, with its content type and nosniff: a browser will not run it as HTML.
    let res = app.get("/api/v1/articles/injection-test").await;
    assert!(res.header("content-type").starts_with("application/json"));
    let found: Value = app.get("/api/v1/statements?q=script").await.json();
    assert!(found["hits"].as_array().is_some());
}

/// The `<li>`s of the server-rendered result list, or None if the page has none.
fn rendered_hits(body: &str) -> Option<Vec<&str>> {
    let (_, rest) = body.split_once("<ol id=\"results\" class=\"hits\" data-first-page")?;
    let (_, rest) = rest.split_once('>')?;
    let (list, _) = rest.split_once("</ol>")?;
    Some(list.split("<li ").skip(1).collect())
}

#[tokio::test]
async fn search_page_renders_its_first_results_as_escaped_html() {
    let app = app();
    // the page shows the UI's page size, not the API's default (20)
    for (page_uri, api_uri) in [
        ("/", "/api/v1/statements?limit=10"),
        ("/?q=bridge", "/api/v1/statements?q=bridge&limit=10"),
        (
            "/?q=bridge&kind=direct&limit=1&cursor=x",
            "/api/v1/statements?q=bridge&kind=direct&limit=10",
        ),
        (
            "/?q=%3Cscript%3E",
            "/api/v1/statements?q=%3Cscript%3E&limit=10",
        ),
        ("/?q=zebra", "/api/v1/statements?q=zebra&limit=10"),
    ] {
        let page = app.get(page_uri).await;
        assert_eq!(page.status, StatusCode::OK, "{page_uri}");
        let api = app.get(api_uri).await;
        assert_eq!(api.status, StatusCode::OK, "{api_uri}");
        let api = api.json();
        let hits = api["hits"].as_array().unwrap();
        let items = rendered_hits(&page.body).expect("a rendered result list");
        assert_eq!(
            items.len(),
            hits.len(),
            "{page_uri} renders what {api_uri} answers"
        );
        for (item, hit) in items.iter().zip(hits) {
            let id = format!("#s{}\"", hit["statement_id"]);
            assert!(item.contains(&id), "{page_uri}: {item} is not {hit}");
        }
        match api["next_cursor"].as_str() {
            Some(c) => assert!(page.body.contains(&format!("data-next-cursor=\"{c}\""))),
            None => assert!(!page.body.contains("data-next-cursor")),
        }
        let status = match (hits.len(), api["next_cursor"].is_string()) {
            (n, true) => format!("Showing the {n} newest statements."),
            (0, false) => "No statements found.".into(),
            (1, false) => "1 statement.".into(),
            (n, false) => format!("{n} statements."),
        };
        assert!(
            page.body
                .contains(&format!("aria-live=\"polite\">{status}</p>")),
            "{page_uri}"
        );
    }
    // the form comes back filled in, its values escaped
    let page = app.get("/?q=%3Cscript%3E%22x&kind=direct").await;
    assert!(page
        .body
        .contains("name=\"q\" value=\"&lt;script&gt;&quot;x\""));
    assert!(page.body.contains("<option value=\"direct\" selected>"));
    // hostile stored text (the fixture "injection-test") comes out as text, never markup
    let page = app.get("/?q=script").await;
    let items = rendered_hits(&page.body).expect("a rendered result list");
    let hostile = items
        .iter()
        .find(|i| i.contains("&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;"))
        .expect("the search found the hostile article, escaped");
    assert!(hostile.contains(
        "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; Markets &amp; &quot;quotes&quot;"
    ));
    for tag in page.body.split("<script").skip(1) {
        let open = &tag[..tag.find('>').unwrap()];
        assert!(open.contains("src=\"/assets/"), "inline script: {tag}");
    }
    assert!(!page.body.contains("<b>Evil") && !page.body.contains("<b>fall"));
    assert!(!page.body.contains("javascript:"));
    // the date filters are text fields (YYYY-MM-DD), filled in and applied like the rest
    let page = app.get("/?since=2024-05-01&until=2024-05-31").await;
    assert!(page.body.contains("name=\"since\" value=\"2024-05-01\""));
    assert!(page.body.contains("name=\"until\" value=\"2024-05-31\""));
    let api = app
        .get("/api/v1/statements?since=2024-05-01&until=2024-05-31&limit=10")
        .await
        .json();
    assert_eq!(
        rendered_hits(&page.body).unwrap().len(),
        api["hits"].as_array().unwrap().len()
    );
    // a search the API refuses leaves the page bare: the script shows the API's error
    let page = app.get("/?since=not-a-date").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(rendered_hits(&page.body).is_none());
}

/// The search UI shows `ui::PAGE_SIZE` results a page: the server-rendered first page and
/// the script's requests (`PAGE_SIZE` in app.js) alike, and the first page's cursor leads
/// on through the API without repeats or gaps.
#[tokio::test]
async fn search_page_shows_a_page_of_ten_and_its_cursor_leads_on() {
    use whosaid_server::ui::PAGE_SIZE;
    let app = app_with(Config::default(), 30);
    let script = app.get("/assets/app.js").await.body;
    assert!(
        script.contains(&format!("const PAGE_SIZE = {PAGE_SIZE};")),
        "app.js pages by ui::PAGE_SIZE"
    );
    let all: Value = app.get("/api/v1/statements?limit=100").await.json();
    let all: Vec<i64> = all["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["statement_id"].as_i64().unwrap())
        .collect();
    assert!(all.len() > 2 * PAGE_SIZE as usize);
    let page = app.get("/").await;
    let items = rendered_hits(&page.body).expect("a rendered result list");
    assert_eq!(items.len(), PAGE_SIZE as usize);
    assert!(page
        .body
        .contains(&format!("Showing the {PAGE_SIZE} newest statements.")));
    let mut seen: Vec<i64> = all[..PAGE_SIZE as usize].to_vec();
    for (item, id) in items.iter().zip(&seen) {
        assert!(item.contains(&format!("#s{id}\"")), "{item} is not {id}");
    }
    let (_, rest) = page.body.split_once("data-next-cursor=\"").unwrap();
    let mut cursor = Some(rest[..rest.find('"').unwrap()].replace("&quot;", "\""));
    while let Some(c) = cursor {
        let next: Value = app
            .get(&format!(
                "/api/v1/statements?limit={PAGE_SIZE}&cursor={}",
                urlencode(&c)
            ))
            .await
            .json();
        let hits = next["hits"].as_array().unwrap();
        assert!(hits.len() <= PAGE_SIZE as usize);
        seen.extend(hits.iter().map(|h| h["statement_id"].as_i64().unwrap()));
        cursor = next["next_cursor"].as_str().map(str::to_string);
    }
    assert_eq!(&seen[..all.len()], &all[..]);
    let mut unique = seen.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no repeats");
}
