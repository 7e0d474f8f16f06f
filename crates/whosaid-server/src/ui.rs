//! The web UI: a few HTML pages (one layout, one body per page) and their script, style
//! and icon, all compiled into the binary so the server works offline with no CDN. The
//! style sheet is inlined in every page (no render-blocking request; the CSP allows it by
//! its hash) and the script is linked with a content hash in its URL, so browsers may
//! keep it for a year. The pages are static; `assets/app.js` fills them from the JSON
//! API. One exception, for the first paint: the search page comes with its first page of
//! results already rendered as HTML (the same markup `app.js` builds, every stored or
//! user-supplied string escaped, the form filled in from the query), so results show
//! without the script and without a second round trip; the script takes the list over
//! as it is for paging and new searches.

use std::sync::OnceLock;

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::api::dto::{Kind, SearchPage, SearchParams, StatementHit};
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
    ("app.js", "text/javascript; charset=utf-8", SCRIPT),
    ("app.css", "text/css; charset=utf-8", STYLE.as_bytes()),
    // The pages link the PNG: chromium decodes a page's icon in the page's renderer,
    // often before a fast page's first paint, and for an SVG it builds a whole SVG
    // document (~3 ms of that renderer's CPU in traces of a first visit; a 32 px PNG
    // decodes in well under 0.1 ms). The PNG is favicon.svg rendered at 32 × 32 by
    // chromium (a screenshot with a transparent background); the SVG stays served.
    (
        "favicon.png",
        "image/png",
        include_bytes!("../assets/favicon.png"),
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

const STYLE: &str = include_str!("../assets/app.css");
const SCRIPT: &[u8] = include_bytes!("../assets/app.js");

/// The CSP source that allows the inline style sheet: `'sha256-…'` of its text.
pub fn style_hash_source() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        let digest = Sha256::digest(STYLE.as_bytes());
        format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(digest)
        )
    })
}

/// The script's version in its URL: the start of its SHA-256, in hex.
pub fn script_version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        Sha256::digest(SCRIPT)
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect()
    })
}

/// A page's full HTML, rendered once from the layout.
fn html(name: &str) -> &'static str {
    static RENDERED: OnceLock<Vec<(&'static str, String)>> = OnceLock::new();
    let all = RENDERED.get_or_init(|| {
        PAGES
            .iter()
            .map(|(name, title, body)| {
                let html = LAYOUT
                    .replace("{{style}}", STYLE)
                    .replace("{{script_version}}", script_version())
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

/// Results per page of the search UI, the embedded first page and the script's pages
/// alike (`PAGE_SIZE` in `app.js`); the API's own default is 20. Ten fill a laptop's
/// screen, and every result below the fold is layout and text shaping a first visit pays
/// before its first paint.
pub const PAGE_SIZE: u32 = 10;

/// The search page with the first page of its results rendered in (see the module doc).
/// Only the fields the page's own form sends are used, as `app.js` would send them; if the
/// search fails the page goes out bare and the script shows the API's error.
async fn search_page(State(state): State<AppState>, uri: Uri) -> Response {
    let params = Query::<SearchParams>::try_from_uri(&uri)
        .map(|Query(p)| p)
        .unwrap_or_default();
    let params = SearchParams {
        limit: Some(PAGE_SIZE.to_string()),
        cursor: None,
        ..params
    };
    let form = params.clone();
    let Ok(first) = crate::api::search_page(&state, params).await else {
        return page("search").await;
    };
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        render_search(&form, &first),
    )
        .into_response()
}

/// The search page's HTML with the form filled in from `form` and `first` rendered as the
/// status line and the result list.
pub fn render_search(form: &SearchParams, first: &SearchPage) -> String {
    let mut html = html("search").to_string();
    for (id, value) in [
        ("q", &form.q),
        ("speaker", &form.speaker),
        ("since", &form.since),
        ("until", &form.until),
        ("outlet", &form.outlet),
    ] {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            let at = format!("id=\"{id}\" name=\"{id}\"");
            html = html.replacen(&at, &format!("{at} value=\"{}\"", escape(v)), 1);
        }
    }
    if let Some(k) = form.kind.as_deref().filter(|k| !k.is_empty()) {
        if let Some(kind) = [Kind::Direct, Kind::Indirect, Kind::Mixed]
            .into_iter()
            .find(|kind| kind_name(*kind) == k)
        {
            let at = format!("<option value=\"{}\"", kind_name(kind));
            html = html.replacen(&at, &format!("{at} selected"), 1);
        }
    }
    let shown = first.hits.len();
    let status = match (&first.next_cursor, shown) {
        (Some(_), n) => format!("Showing the {n} newest statements."),
        (None, 0) => "No statements found.".to_string(),
        (None, 1) => "1 statement.".to_string(),
        (None, n) => format!("{n} statements."),
    };
    let mut list = String::from("<ol id=\"results\" class=\"hits\" data-first-page");
    if let Some(c) = &first.next_cursor {
        list.push_str(&format!(" data-next-cursor=\"{}\"", escape(c)));
    }
    list.push('>');
    for h in &first.hits {
        hit_html(&mut list, h);
    }
    list.push_str("</ol>");
    html.replacen(
        "<p id=\"status\" role=\"status\" aria-live=\"polite\"></p>",
        &format!("<p id=\"status\" role=\"status\" aria-live=\"polite\">{status}</p>"),
        1,
    )
    .replacen("<ol id=\"results\" class=\"hits\"></ol>", &list, 1)
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Direct => "direct",
        Kind::Indirect => "indirect",
        Kind::Mixed => "mixed",
    }
}

/// One search result, exactly as `hitItem` in `app.js` builds it.
fn hit_html(out: &mut String, h: &StatementHit) {
    use std::fmt::Write;
    let nonempty = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
    let kind = kind_name(h.kind);
    let _ = write!(
        out,
        "<li class=\"hit {kind}\"><blockquote>{}</blockquote><p class=\"meta\">",
        escape(&h.text)
    );
    match h.speaker_id {
        Some(id) => {
            let who = nonempty(&h.speaker).unwrap_or_else(|| "unknown".into());
            let _ = write!(
                out,
                "<a class=\"who\" href=\"/speakers/{id}\">{}</a>",
                escape(&who)
            );
        }
        None => {
            let who = nonempty(&h.speaker).unwrap_or_else(|| "unknown speaker".into());
            let _ = write!(out, "<span class=\"who\">{}</span>", escape(&who));
        }
    }
    if let Some(role) = nonempty(&h.speaker_role) {
        let _ = write!(out, ", {}", escape(&role));
    }
    if let Some(d) = h.date {
        let _ = write!(out, " · <time datetime=\"{d}\">{d}</time>");
    }
    if let Some(outlet) = nonempty(&h.outlet) {
        let _ = write!(out, " · {}", escape(&outlet));
    }
    if h.outlets_with_quote > 1 {
        let _ = write!(
            out,
            "<span class=\"badge\">carried by {} outlets</span>",
            h.outlets_with_quote
        );
    }
    let label = match h.kind {
        Kind::Direct => "direct quote",
        Kind::Indirect => "reported speech",
        Kind::Mixed => "mixed",
    };
    let title = nonempty(&h.title).unwrap_or_else(|| "the article".into());
    let anchor = if h.statement_id != 0 {
        format!("#s{}", h.statement_id)
    } else {
        String::new()
    };
    let _ = write!(
        out,
        "<span class=\"badge\">{label}</span></p><p class=\"meta\">In <a href=\"/articles/{}{anchor}\">{}</a></p></li>",
        h.article_id,
        escape(&title)
    );
}

/// Text for HTML element content or a quoted attribute value.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An embedded file. Asked for with the version the pages link to (`?v=`, the script's
/// content hash) it may be cached for good: another script gets another URL.
async fn asset(Path(file): Path<String>, uri: Uri) -> Response {
    let versioned = file == "app.js"
        && uri
            .query()
            .is_some_and(|q| q == format!("v={}", script_version()));
    let cache = if versioned {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=3600"
    };
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, cache),
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
