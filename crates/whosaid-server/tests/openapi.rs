//! The OpenAPI document is kept true: its paths are exactly the router's API routes, each
//! documented operation answers (no 404/405), and a sample answer of each validates
//! structurally against the schema documented for its status.

mod common;

use std::collections::BTreeSet;

use axum::http::StatusCode;
use serde_json::Value;
use whosaid_server::Config;

fn doc() -> Value {
    serde_json::from_str(whosaid_server::api::openapi_document()).expect("document is JSON")
}

fn documented_operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete", "head", "options"] {
            if item.get(method).is_some() {
                ops.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    ops
}

#[test]
fn document_paths_equal_router_routes() {
    let doc = doc();
    let routed: BTreeSet<(String, String)> = whosaid_server::api::routes()
        .into_iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(documented_operations(&doc), routed);
    assert!(routed.iter().all(|(_, p)| p.starts_with("/api/v1/")));
}

/// A request that should succeed for each documented operation, on the seeded store.
fn sample(method: &str, path: &str, speaker_id: i64, article_id: i64) -> (String, Option<String>) {
    match (method, path) {
        ("GET", "/api/v1/statements") => ("/api/v1/statements?q=bridge&limit=2".into(), None),
        ("GET", "/api/v1/speakers/{id}") => (format!("/api/v1/speakers/{speaker_id}"), None),
        ("GET", "/api/v1/articles/{id}") => (format!("/api/v1/articles/{article_id}"), None),
        ("POST", "/api/v1/extract") => (
            path.into(),
            Some(r#"{"text": "\u201cWe will win,\u201d said Mayor Ana Silva on Monday, adding that 40 people came.", "published": "2024-05-01"}"#.into()),
        ),
        ("POST", "/api/v1/articles") => (
            path.into(),
            Some(r#"{"id": "posted-1", "text": "\u201cThe dam is safe,\u201d said engineer Olga Petrov.", "source": "Lake Sentinel"}"#.into()),
        ),
        (_, p) => (p.into(), None),
    }
}

#[tokio::test]
async fn every_operation_answers_and_validates() {
    let doc = doc();
    let app = common::app_with(
        Config {
            token: Some("s3cret".into()),
            ..Config::default()
        },
        0,
    );
    let speakers = app.get("/api/v1/speakers").await.json();
    let speaker_id = speakers["speakers"][0]["speaker_id"]
        .as_i64()
        .expect("a speaker");
    let hits = app.get("/api/v1/statements").await.json();
    let article_id = hits["hits"][0]["article_id"].as_i64().expect("an article");

    for (method, path) in documented_operations(&doc) {
        let (uri, body) = sample(&method, &path, speaker_id, article_id);
        let res = match &body {
            Some(b) => app.post_json(&uri, b, Some("s3cret")).await,
            None => app.get(&uri).await,
        };
        assert!(
            res.status != StatusCode::NOT_FOUND && res.status != StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path} is documented but not routed ({})",
            res.status
        );
        let op = &doc["paths"][&path][method.to_lowercase()];
        let documented = &op["responses"][res.status.as_str()];
        assert!(
            !documented.is_null(),
            "{method} {path} answered {} which is not documented",
            res.status
        );
        let schema = &documented["content"]["application/json"]["schema"];
        assert!(
            !schema.is_null(),
            "{method} {path}: no JSON schema for {}",
            res.status
        );
        common::schema::validate(&doc, schema, &res.json(), &format!("{method} {path}"))
            .unwrap_or_else(|e| panic!("{e}\nbody: {}", res.body));
        assert!(
            res.status.is_success(),
            "{method} {path}: {} {}",
            res.status,
            res.body
        );
    }
}

#[tokio::test]
async fn error_answers_validate_too() {
    let doc = doc();
    let app = common::app();
    let cases = [
        (
            "GET",
            "/api/v1/statements",
            "/api/v1/statements?since=yesterday",
            None,
        ),
        (
            "GET",
            "/api/v1/speakers/{id}",
            "/api/v1/speakers/999999",
            None,
        ),
        (
            "GET",
            "/api/v1/articles/{id}",
            "/api/v1/articles/nope",
            None,
        ),
        (
            "POST",
            "/api/v1/extract",
            "/api/v1/extract",
            Some("{\"text\": "),
        ),
        ("POST", "/api/v1/articles", "/api/v1/articles", Some("{}")),
    ];
    for (method, path, uri, body) in cases {
        let res = match body {
            Some(b) => app.post_json(uri, b, None).await,
            None => app.get(uri).await,
        };
        let documented =
            &doc["paths"][path][method.to_lowercase()]["responses"][res.status.as_str()];
        assert!(
            !documented.is_null(),
            "{method} {uri}: undocumented {}",
            res.status
        );
        let schema = &documented["content"]["application/json"]["schema"];
        common::schema::validate(&doc, schema, &res.json(), uri).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[tokio::test]
async fn document_is_served() {
    let app = common::app();
    let res = app.get("/api/v1/openapi.json").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.header("content-type").starts_with("application/json"));
    let v = res.json();
    assert!(v["openapi"].as_str().is_some_and(|s| s.starts_with("3.")));
    assert_eq!(v, doc());
}
