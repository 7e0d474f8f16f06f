//! The web UI: a few HTML pages (one layout, one body per page) and their script, style
//! and icon, all compiled into the binary so the server works offline with no CDN. The
//! pages are static; `assets/app.js` fills them from the JSON API. One exception, for the
//! first paint: the search page carries its first page of results as a JSON data block
//! (`<script type="application/json">`, never executed, every `<`, `>` and `&` escaped),
//! so the browser shows results without a second round trip. Nothing user-supplied is
//! ever written into the HTML as markup.

use std::sync::OnceLock;

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::api::dto::SearchParams;
use crate::error::error_response;
use crate::AppState;

const LAYOUT: &str = include_str!("../assets/layout.html");

/// (page name, title, body) for every page.
const PAGES: &[(&str, &str, &str)] = &[
    (
        "search",
        "Search statements",
        include_str!("../assets/pages/search.html"),
    ),
    (
        "speakers",
        "Speakers",
        include_str!("../assets/pages/speakers.html"),
    ),
    (
        "speaker",
        "Speaker",
        include_str!("../assets/pages/speaker.html"),
    ),
    (
        "article",
        "Article",
        include_str!("../assets/pages/article.html"),
    ),
    (
        "extract",
        "Paste an article",
        include_str!("../assets/pages/extract.html"),
    ),
    (
        "not_found",
        "Page not found",
        include_str!("../assets/pages/not_found.html"),
    ),
];

/// (file name, content type, bytes) for every asset under `/assets/`.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/app.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/app.css"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../assets/favicon.svg"),
    ),
];

/// Every UI route, for the router and for tests that visit them all.
pub const UI_ROUTES: &[&str] = &[
    "/",
    "/speakers",
    "/speakers/{id}",
    "/articles/{id}",
    "/extract",
    "/assets/{file}",
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(search_page))
        .route("/speakers", get(|| page("speakers")))
        .route("/speakers/{id}", get(|| page("speaker")))
        .route("/articles/{id}", get(|| page("article")))
        .route("/extract", get(|| page("extract")))
        .route("/assets/{file}", get(asset))
}

/// A page's full HTML, rendered once from the layout.
fn html(name: &str) -> &'static str {
    static RENDERED: OnceLock<Vec<(&'static str, String)>> = OnceLock::new();
    let all = RENDERED.get_or_init(|| {
        PAGES
            .iter()
            .map(|(name, title, body)| {
                let html = LAYOUT
                    .replace("{{title}}", title)
                    .replace("{{page}}", name)
                    .replace("{{main}}", body);
                (*name, html)
            })
            .collect()
    });
    all.iter()
        .find(|(n, _)| *n == name)
        .map(|(_, h)| h.as_str())
        .unwrap_or("")
}

async fn page(name: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            // The pages are the same for everyone and change only with the binary.
            (header::CACHE_CONTROL, "no-cache"),
        ],
        html(name),
    )
        .into_response()
}

/// The search page with the first page of its results embedded (see the module doc).
/// Only the fields the page's own form sends are used, as `app.js` would send them; if the
/// search fails the page goes out bare and the script shows the API's error.
async fn search_page(State(state): State<AppState>, uri: Uri) -> Response {
    let params = Query::<SearchParams>::try_from_uri(&uri)
        .map(|Query(p)| p)
        .unwrap_or_default();
    let params = SearchParams {
        limit: None,
        cursor: None,
        ..params
    };
    let Ok(first) = crate::api::search_page(&state, params).await else {
        return page("search").await;
    };
    let Ok(json) = serde_json::to_string(&first) else {
        return page("search").await;
    };
    // inside a script element only "</script" could end it; escaping every < > & keeps
    // the block inert whatever the statements say
    let json = json
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    let html = html("search").replacen(
        "</main>",
        &format!("<script type=\"application/json\" id=\"first-page\">{json}</script>\n</main>"),
        1,
    );
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        html,
    )
        .into_response()
}

async fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            *bytes,
        )
            .into_response(),
        None => not_found_page(),
    }
}

fn not_found_page() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html("not_found"),
    )
        .into_response()
}

/// Unknown routes: a JSON error under `/api/`, the "page not found" page elsewhere.
pub async fn not_found(uri: Uri) -> Response {
    let path = uri.path();
    if path == "/api" || path.starts_with("/api/") {
        // The path is echoed as JSON data, never as HTML.
        error_response(StatusCode::NOT_FOUND, format!("no such route: {path}"))
    } else {
        not_found_page()
    }
}
