//! The JSON API under `/api/v1`: one handler per route, each documented for the OpenAPI
//! document ([`ApiDoc`], served at `/api/v1/openapi.json`). Handlers check and convert
//! parameters (every bad value is a 400 naming the parameter), run the store call on the
//! reader pool and convert the answer to the wire types of [`dto`]. Search syntax,
//! storage and extraction live in the store and core crates, not here.

pub mod dto;
pub mod profile;

use std::sync::OnceLock;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{self, MethodRouter};
use axum::{Json, Router};
use chrono::NaiveDate;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use whosaid_core::Article;
use whosaid_store::{SearchQuery, SpeakerLookup, SpeakersQuery, Store};

use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use dto::*;

/// Longest accepted free-text parameter (query, speaker, outlet, path id), in characters.
const MAX_PARAM_CHARS: usize = 500;
/// How many of a speaker's newest statements the weekly chart and top terms look at.
const PROFILE_CAP: usize = 20_000;

/// Every API route: (method, path, handler). The router is built from this table and the
/// OpenAPI test compares it with the document's paths, so neither can drift.
pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/api/v1/health", routing::get(health)),
        (Method::GET, "/api/v1/stats", routing::get(stats)),
        (Method::GET, "/api/v1/statements", routing::get(search)),
        (Method::GET, "/api/v1/speakers", routing::get(speakers)),
        (Method::GET, "/api/v1/speakers/{id}", routing::get(speaker)),
        (Method::GET, "/api/v1/articles/{id}", routing::get(article)),
        (
            Method::POST,
            "/api/v1/articles",
            routing::post(create_article),
        ),
        (Method::POST, "/api/v1/extract", routing::post(extract)),
        (
            Method::GET,
            "/api/v1/openapi.json",
            routing::get(openapi_json),
        ),
    ]
}

pub fn router() -> Router<AppState> {
    routes()
        .into_iter()
        .fold(Router::new(), |r, (_, path, handler)| {
            r.route(path, handler)
        })
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "whosaid API",
        version = "1",
        description = "Who said what, about whom, when: search statements extracted from news reports."
    ),
    paths(health, stats, search, speakers, speaker, article, create_article, extract, openapi_json),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI document as JSON (built once).
pub fn openapi_document() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| {
        ApiDoc::openapi().to_json().unwrap_or_else(|e| {
            format!("{{\"error\": \"cannot render the OpenAPI document: {e}\"}}")
        })
    })
}

// ---------------------------------------------------------------------------------------
// Parameters

/// A parameter's value, trimmed; blank counts as absent. Over-long values are refused.
fn text_param(name: &str, value: Option<String>) -> Result<Option<String>, ApiError> {
    let Some(v) = value else { return Ok(None) };
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().count() > MAX_PARAM_CHARS {
        return Err(ApiError::BadRequest(format!(
            "parameter {name} is too long: at most {MAX_PARAM_CHARS} characters"
        )));
    }
    Ok(Some(v.to_string()))
}

fn date_param(name: &str, value: Option<String>) -> Result<Option<NaiveDate>, ApiError> {
    match text_param(name, value)? {
        None => Ok(None),
        Some(v) => NaiveDate::parse_from_str(&v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                ApiError::BadRequest(format!(
                    "parameter {name} must be a date YYYY-MM-DD, not {v:?}"
                ))
            }),
    }
}

fn number_param(
    name: &str,
    value: Option<String>,
    range: std::ops::RangeInclusive<usize>,
    default: usize,
) -> Result<usize, ApiError> {
    match text_param(name, value)? {
        None => Ok(default),
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                ApiError::BadRequest(format!(
                    "parameter {name} must be a whole number from {} to {}, not {v:?}",
                    range.start(),
                    range.end()
                ))
            }),
    }
}

fn kind_param(value: Option<String>) -> Result<Option<whosaid_core::StatementKind>, ApiError> {
    use whosaid_core::StatementKind as K;
    match text_param("kind", value)?.as_deref() {
        None => Ok(None),
        Some("direct") => Ok(Some(K::Direct)),
        Some("indirect") => Ok(Some(K::Indirect)),
        Some("mixed") => Ok(Some(K::Mixed)),
        Some(other) => Err(ApiError::BadRequest(format!(
            "parameter kind must be direct, indirect or mixed, not {other:?}"
        ))),
    }
}

fn id_param(path: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    let Path(id) = path?;
    text_param("id", Some(id))?.ok_or_else(|| ApiError::BadRequest("empty id".into()))
}

// ---------------------------------------------------------------------------------------
// Handlers

/// Whether the server is up and its database readable.
#[utoipa::path(get, path = "/api/v1/health", tag = "meta",
    responses((status = 200, description = "Up", body = Health)))]
async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    // A round trip through the reader pool: a wedged database shows here.
    state.db.read(|_store| Ok(())).await?;
    Ok(Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        writes_enabled: state.config.token.is_some(),
    }))
}

/// Counts of what the store holds.
#[utoipa::path(get, path = "/api/v1/stats", tag = "meta",
    responses((status = 200, description = "Counts", body = Stats)))]
async fn stats(State(state): State<AppState>) -> Result<Json<Stats>, ApiError> {
    let s = state.db.read(|store| Ok(store.stats()?)).await?;
    Ok(Json(s.into()))
}

/// Search statements, newest first, one page at a time.
#[utoipa::path(get, path = "/api/v1/statements", tag = "statements",
    params(SearchParams),
    responses(
        (status = 200, description = "A page of statements", body = SearchPage),
        (status = 400, description = "A parameter is invalid", body = ErrorBody),
    ))]
async fn search(
    State(state): State<AppState>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Json<SearchPage>, ApiError> {
    let Query(p) = params?;
    Ok(Json(search_page(&state, p).await?))
}

/// One page of a statement search: the API's, and the first page the search UI embeds.
pub(crate) async fn search_page(state: &AppState, p: SearchParams) -> Result<SearchPage, ApiError> {
    let query = SearchQuery {
        text: text_param("q", p.q)?,
        speaker: text_param("speaker", p.speaker)?,
        since: date_param("since", p.since)?,
        until: date_param("until", p.until)?,
        kind: kind_param(p.kind)?,
        outlet: text_param("outlet", p.outlet)?,
        limit: Some(number_param("limit", p.limit, 1..=100, 20)?),
        cursor: text_param("cursor", p.cursor)?,
    };
    let page = state
        .db
        .read(move |store| Ok(store.search(&query)?))
        .await?;
    Ok(SearchPage {
        hits: page.hits.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    })
}

/// Speakers by number of statements.
#[utoipa::path(get, path = "/api/v1/speakers", tag = "speakers",
    params(SpeakersParams),
    responses(
        (status = 200, description = "Speakers, most statements first", body = SpeakerList),
        (status = 400, description = "A parameter is invalid", body = ErrorBody),
    ))]
async fn speakers(
    State(state): State<AppState>,
    params: Result<Query<SpeakersParams>, QueryRejection>,
) -> Result<Json<SpeakerList>, ApiError> {
    let Query(p) = params?;
    let query = SpeakersQuery {
        top: Some(number_param("top", p.top, 1..=500, 50)?),
        org: text_param("org", p.org)?,
    };
    let list = state
        .db
        .read(move |store| Ok(store.speakers(&query)?))
        .await?;
    Ok(Json(SpeakerList {
        speakers: list.into_iter().map(Into::into).collect(),
    }))
}

/// One speaker: aliases, roles, latest statements, statements per week, top terms.
#[utoipa::path(get, path = "/api/v1/speakers/{id}", tag = "speakers",
    params(("id" = String, Path, description = "Speaker id, or a name or alias"), SpeakerParams),
    responses(
        (status = 200, description = "The speaker", body = SpeakerDetail),
        (status = 400, description = "A parameter is invalid", body = ErrorBody),
        (status = 404, description = "No such speaker", body = ErrorBody),
        (status = 409, description = "Several speakers answer to the name", body = Ambiguous),
    ))]
async fn speaker(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    params: Result<Query<SpeakerParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let id = id_param(path)?;
    let Query(p) = params?;
    let latest = number_param("statements", p.statements, 1..=200, 20)?;
    let lookup = state
        .db
        .read(move |store| {
            let record = match store.speaker(&id, latest)? {
                SpeakerLookup::Found(r) => r,
                SpeakerLookup::NotFound => {
                    return Err(ApiError::NotFound(format!("no speaker {id:?}")));
                }
                SpeakerLookup::Ambiguous { candidates } => {
                    return Ok(Err(Ambiguous {
                        error: format!("several speakers answer to {id:?}; pick one by id"),
                        candidates: candidates.into_iter().map(Into::into).collect(),
                    }));
                }
            };
            // All of the speaker's statements (to a cap) for the chart and the terms; by
            // id, so only this speaker's.
            let mut query = SearchQuery {
                speaker: Some(record.summary.speaker_id.to_string()),
                limit: Some(1000),
                ..Default::default()
            };
            let mut dates = Vec::new();
            let mut texts = Vec::new();
            let mut truncated = false;
            loop {
                let page = store.search(&query)?;
                for h in page.hits {
                    dates.push(h.date);
                    texts.push(h.text);
                }
                if dates.len() >= PROFILE_CAP {
                    truncated = page.next_cursor.is_some();
                    break;
                }
                match page.next_cursor {
                    Some(c) => query.cursor = Some(c),
                    None => break,
                }
            }
            let (weekly, undated) = profile::weekly(dates);
            let top_terms = profile::top_terms(texts.iter().map(String::as_str), 12);
            let r = *record;
            Ok(Ok(SpeakerDetail {
                summary: r.summary.into(),
                aliases: r.aliases,
                roles: r
                    .roles
                    .into_iter()
                    .map(|x| SpeakerRole {
                        role: x.role,
                        first_seen: x.first_seen,
                        last_seen: x.last_seen,
                        count: x.count,
                    })
                    .collect(),
                statements: r.statements.into_iter().map(Into::into).collect(),
                weekly,
                undated,
                top_terms,
                profile_truncated: truncated,
            }))
        })
        .await?;
    Ok(match lookup {
        Ok(detail) => Json(detail).into_response(),
        Err(ambiguous) => (StatusCode::CONFLICT, Json(ambiguous)).into_response(),
    })
}

/// A stored article: text, statements with spans, entities.
#[utoipa::path(get, path = "/api/v1/articles/{id}", tag = "articles",
    params(("id" = String, Path, description = "Store id, source id or URL")),
    responses(
        (status = 200, description = "The article", body = ArticleDetail),
        (status = 404, description = "No such article", body = ErrorBody),
    ))]
async fn article(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<ArticleDetail>, ApiError> {
    let id = id_param(path)?;
    let detail = state
        .db
        .read(move |store| {
            let Some(v) = store.article(&id)? else {
                return Err(ApiError::NotFound(format!("no article {id:?}")));
            };
            // The store keeps statements, not entities: extraction is deterministic, so
            // running it again on the stored text gives the entities it saw at ingest.
            let source = Article {
                id: v.ext_id.clone(),
                text: v.text.clone(),
                published: v.published,
                title: v.title.clone(),
                url: v.url.clone(),
                source: v.source.clone(),
            };
            let entities = whosaid_core::extract(&source).entities;
            Ok(ArticleDetail {
                article_id: v.article_id,
                ext_id: v.ext_id,
                url: v.url,
                source: v.source,
                outlet: v.outlet,
                title: v.title,
                published: v.published,
                credit: v.credit,
                text: v.text,
                ingested_at: v.ingested_at,
                syndication_group: v.syndication_group,
                statements: v.statements.into_iter().map(Into::into).collect(),
                entities: entities.into_iter().map(Into::into).collect(),
            })
        })
        .await?;
    Ok(Json(detail))
}

fn to_article(input: ArticleInput, need_id: bool) -> Result<Article, ApiError> {
    if input.text.trim().is_empty() {
        return Err(ApiError::Unprocessable("text is empty".into()));
    }
    let id = match input
        .id
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
    {
        Some(id) if id.chars().count() > MAX_PARAM_CHARS => {
            return Err(ApiError::Unprocessable(format!(
                "id is too long: at most {MAX_PARAM_CHARS} characters"
            )))
        }
        Some(id) => id,
        None if need_id => return Err(ApiError::Unprocessable("id is required".into())),
        None => "posted".to_string(),
    };
    Ok(Article {
        id,
        text: input.text,
        published: input.published,
        title: input.title,
        url: input.url,
        source: input.source,
    })
}

/// Runs extraction on a posted article and returns what it found. Nothing is stored.
#[utoipa::path(post, path = "/api/v1/extract", tag = "extract",
    request_body = ArticleInput,
    responses(
        (status = 200, description = "What extraction found", body = Extraction),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 413, description = "Body over the size limit", body = ErrorBody),
        (status = 415, description = "Not application/json", body = ErrorBody),
        (status = 422, description = "Valid JSON, invalid article", body = ErrorBody),
    ))]
async fn extract(
    body: Result<Json<ArticleInput>, JsonRejection>,
) -> Result<Json<Extraction>, ApiError> {
    let Json(input) = body?;
    let article = to_article(input, false)?;
    let extraction = tokio::task::spawn_blocking(move || whosaid_core::extract(&article))
        .await
        .map_err(|e| ApiError::Internal(format!("extraction task failed: {e}")))?;
    Ok(Json(extraction.into()))
}

/// Proof that the request carries the configured write token.
pub struct WriteAccess;

impl FromRequestParts<AppState> for WriteAccess {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(token) = state.config.token.as_deref() else {
            return Err(ApiError::Forbidden(
                "writes are disabled: start the server with --token (or WHOSAID_TOKEN) to enable them"
                    .into(),
            ));
        };
        let given = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        match given {
            Some(g) if constant_time_eq(g.as_bytes(), token.as_bytes()) => Ok(WriteAccess),
            Some(_) => Err(ApiError::Unauthorized("wrong token".into())),
            None => Err(ApiError::Unauthorized(
                "this route needs `Authorization: Bearer TOKEN`".into(),
            )),
        }
    }
}

/// Compares without stopping at the first difference, so timing does not reveal how much
/// of a guessed token was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Extracts and stores an article (needs the write token).
#[utoipa::path(post, path = "/api/v1/articles", tag = "articles",
    request_body = ArticleInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored as a new article", body = UpsertOutcome),
        (status = 200, description = "Already stored (unchanged or replaced)", body = UpsertOutcome),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing or wrong token", body = ErrorBody),
        (status = 403, description = "Writes are disabled", body = ErrorBody),
        (status = 413, description = "Body over the size limit", body = ErrorBody),
        (status = 422, description = "Valid JSON, invalid article", body = ErrorBody),
    ))]
async fn create_article(
    _access: WriteAccess,
    State(state): State<AppState>,
    body: Result<Json<ArticleInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(input) = body?;
    let article = to_article(input, true)?;
    let outcome = state
        .db
        .write(move |store| {
            let extraction = whosaid_core::extract(&article);
            Ok(store.upsert(&article, &extraction)?)
        })
        .await?;
    let status = if outcome.action == whosaid_store::UpsertAction::Inserted {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(UpsertOutcome::from(outcome))).into_response())
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json", body = Object)))]
async fn openapi_json() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        openapi_document(),
    )
        .into_response()
}
