//! HTML pages → articles: main text plus metadata. Metadata (title, byline, publication
//! date, canonical URL) comes from JSON-LD (`NewsArticle` and friends, `@graph` too),
//! meta tags (Open Graph, `article:published_time`, parsely, Dublin Core, ...), and
//! `<time datetime>`. The main text is found by `dom_smoothie` (a port of Mozilla's
//! readability), whose output we then walk ourselves to emit one paragraph per block
//! element, separated by blank lines, and to drop what readability leaves in: figures and
//! captions, photo credits, "Read more" and related boxes, newsletter prompts, share
//! bars, bylines and datelines. When readability finds nothing we walk the whole body
//! with the same filter. Charsets: BOM, then the HTTP header, then `<meta charset>`, then
//! UTF-8, falling back to windows-1252 (what browsers do). It does not run scripts,
//! follow pagination, or keep links and images.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;
use scraper::{ElementRef, Html, Node, Selector};
use whosaid_core::Article;

use crate::date::parse_date;
use crate::origin::{Ingested, Origin};
use crate::text::{check_not_binary, read_file_limited};
use crate::{IngestError, IngestOptions};

/// What we learn from one HTML page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub title: Option<String>,
    pub byline: Option<String>,
    pub published: Option<NaiveDate>,
    pub canonical_url: Option<String>,
    pub site_name: Option<String>,
    /// Main-text paragraphs, in order.
    pub paragraphs: Vec<String>,
}

impl Page {
    /// The body text: paragraphs separated by blank lines (the extractor's unit).
    pub fn text(&self) -> String {
        self.paragraphs.join("\n\n")
    }
}

/// Reads an HTML file; the id is the path, the URL the page's canonical URL.
pub fn read(path: &Path, opts: &IngestOptions) -> Result<Ingested, IngestError> {
    let bytes = read_file_limited(path, opts.max_file_bytes)?;
    let input = path.display().to_string();
    if bytes.is_empty() {
        return Err(IngestError::Empty { input });
    }
    check_not_binary(&bytes, &input)?;
    let (mut article, warnings) = article_from_bytes(&bytes, None, &input, &input)?;
    article.source = Some(input);
    let mut item = Ingested::new(
        article,
        Origin::File {
            path: path.to_path_buf(),
        },
    );
    item.warnings = warnings;
    Ok(item)
}

/// Decodes and extracts an HTML body into an article with the given id; `input` names it
/// in errors. `content_type` is the HTTP header, if there was one (for its charset).
pub fn article_from_bytes(
    bytes: &[u8],
    content_type: Option<&str>,
    id: &str,
    input: &str,
) -> Result<(Article, Vec<String>), IngestError> {
    let (html, warning) = decode(bytes, content_type);
    let mut warnings: Vec<String> = warning
        .map(|w| format!("{input}: {w}"))
        .into_iter()
        .collect();
    let page = extract(&html);
    if page.paragraphs.is_empty() {
        return Err(IngestError::NoContent {
            input: input.to_string(),
        });
    }
    if page.published.is_none() {
        warnings.push(format!("{input}: no publication date found"));
    }
    let mut article = Article::new(id, page.text());
    article.title = page.title;
    article.published = page.published;
    article.url = page.canonical_url;
    Ok((article, warnings))
}

/// Decodes HTML bytes to text; returns a warning when it had to guess.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> (String, Option<String>) {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return (text.into_owned(), None);
    }
    let declared = content_type
        .and_then(charset_of)
        .or_else(|| {
            let head =
                String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]).to_ascii_lowercase();
            charset_of(&head)
        })
        .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()));
    match declared {
        Some(enc) if enc != encoding_rs::UTF_8 => {
            let (text, _, had_errors) = enc.decode(bytes);
            let warning = had_errors.then(|| format!("invalid {} bytes replaced", enc.name()));
            (text.into_owned(), warning)
        }
        _ => match std::str::from_utf8(bytes) {
            Ok(s) => (s.to_string(), None),
            Err(e) => {
                let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
                (
                    text.into_owned(),
                    Some(format!(
                        "invalid UTF-8 at byte offset {}, decoded as windows-1252",
                        e.valid_up_to()
                    )),
                )
            }
        },
    }
}

/// Finds `charset=LABEL` in a content type or the head of a page.
fn charset_of(s: &str) -> Option<String> {
    let lower = s.to_ascii_lowercase();
    let at = lower.find("charset=")? + "charset=".len();
    let label: String = lower[at..]
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        .collect();
    (!label.is_empty()).then_some(label)
}

/// Extracts metadata and main-text paragraphs from an HTML document. Never fails:
/// a page without text gives an empty `paragraphs`.
pub fn extract(html: &str) -> Page {
    let doc = Html::parse_document(html);
    let mut page = metadata(&doc);

    let readable = readability(html);
    if let Some(r) = &readable {
        if page.title.is_none() && !r.title.trim().is_empty() {
            page.title = Some(clean(&r.title));
        }
        if page.byline.is_none() {
            page.byline = r.byline.as_deref().map(clean).filter(|b| !b.is_empty());
        }
        if page.published.is_none() {
            page.published = r.published_time.as_deref().and_then(parse_date);
        }
    }
    let mut paragraphs = Vec::new();
    if let Some(r) = &readable {
        let fragment = Html::parse_fragment(&r.content);
        paragraphs = Walker::default().run(fragment.root_element());
    }
    if paragraphs.is_empty() {
        if let Some(body) = select_first(&doc, "body") {
            paragraphs = Walker::default().run(body);
        }
    }
    page.paragraphs = paragraphs
        .into_iter()
        .filter(|p| !is_boilerplate_paragraph(p, &page))
        .collect();
    page
}

/// Runs dom_smoothie, shielding us from a panic inside it on hostile input (we promise
/// never to panic on input, and cannot audit a dependency for that).
fn readability(html: &str) -> Option<dom_smoothie::Article> {
    let cfg = dom_smoothie::Config {
        // Keep classes so our walker can still spot captions, credits and promos.
        keep_classes: true,
        ..Default::default()
    };
    std::panic::catch_unwind(|| {
        let mut r = dom_smoothie::Readability::new(html, None, Some(cfg)).ok()?;
        r.parse().ok()
    })
    .ok()
    .flatten()
}

fn selector(s: &str) -> Option<Selector> {
    Selector::parse(s).ok()
}

fn select_first<'a>(doc: &'a Html, s: &str) -> Option<ElementRef<'a>> {
    doc.select(&selector(s)?).next()
}

/// Whitespace collapsed to single spaces, trimmed.
fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn metadata(doc: &Html) -> Page {
    let mut meta: HashMap<String, String> = HashMap::new();
    if let Some(sel) = selector("meta") {
        for m in doc.select(&sel) {
            let el = m.value();
            let Some(content) = el.attr("content").map(clean).filter(|c| !c.is_empty()) else {
                continue;
            };
            for key in ["property", "name", "itemprop"] {
                if let Some(k) = el.attr(key) {
                    meta.entry(k.trim().to_ascii_lowercase())
                        .or_insert_with(|| content.clone());
                }
            }
        }
    }
    let get = |keys: &[&str]| keys.iter().find_map(|k| meta.get(*k).cloned());
    let ld = json_ld(doc);

    let h1 = select_first(doc, "h1")
        .map(|h| clean(&h.text().collect::<String>()))
        .filter(|t| !t.is_empty());
    let title_tag = select_first(doc, "title").map(|t| clean(&t.text().collect::<String>()));
    let title = ld
        .headline
        .clone()
        .or_else(|| get(&["og:title", "parsely-title", "twitter:title", "dc.title"]))
        .or(h1)
        .or_else(|| {
            title_tag
                .map(|t| strip_site_suffix(&t))
                .filter(|t| !t.is_empty())
        });

    let byline_el = selector("[rel=author], .byline, .author, .author-name, [itemprop=author]")
        .and_then(|s| doc.select(&s).next())
        .map(|e| clean(&e.text().collect::<String>()));
    let byline = ld
        .author
        .clone()
        .or_else(|| {
            get(&[
                "author",
                "parsely-author",
                "dc.creator",
                "byl",
                "sailthru.author",
            ])
        })
        .or_else(|| get(&["article:author"]).filter(|a| !a.starts_with("http")))
        .or(byline_el)
        .map(|b| strip_by(&b))
        .filter(|b| !b.is_empty());

    let date_keys = [
        "article:published_time",
        "og:published_time",
        "parsely-pub-date",
        "datepublished",
        "dc.date.issued",
        "dc.date",
        "dcterms.created",
        "dcterms.issued",
        "publishdate",
        "pubdate",
        "publish-date",
        "sailthru.date",
        "date",
        "article.published",
    ];
    let published = ld
        .published
        .as_deref()
        .and_then(parse_date)
        .or_else(|| {
            date_keys
                .iter()
                .find_map(|k| meta.get(*k).and_then(|v| parse_date(v)))
        })
        .or_else(|| {
            let sel = selector("[itemprop=datePublished], time[datetime]")?;
            doc.select(&sel).find_map(|e| {
                let v = e.value();
                v.attr("datetime")
                    .or(v.attr("content"))
                    .and_then(parse_date)
            })
        });

    let canonical = selector("link[rel=canonical]")
        .and_then(|s| {
            doc.select(&s)
                .find_map(|e| e.value().attr("href").map(str::trim).map(str::to_string))
        })
        .filter(|u| u.starts_with("http"))
        .or_else(|| get(&["og:url"]))
        .or(ld.url);

    Page {
        title,
        byline,
        published,
        canonical_url: canonical,
        site_name: get(&["og:site_name", "application-name"]),
        paragraphs: Vec::new(),
    }
}

/// "Headline | Site" → "Headline": the site name rides on most `<title>`s.
fn strip_site_suffix(title: &str) -> String {
    for sep in [" | ", " - ", " — ", " – "] {
        if let Some(i) = title.rfind(sep) {
            if i > 0 {
                return title[..i].trim().to_string();
            }
        }
    }
    title.to_string()
}

fn strip_by(byline: &str) -> String {
    let b = byline.trim();
    let b = b
        .strip_prefix("By ")
        .or_else(|| b.strip_prefix("by "))
        .or_else(|| b.strip_prefix("BY "))
        .unwrap_or(b);
    clean(b)
}

#[derive(Default)]
struct JsonLd {
    headline: Option<String>,
    author: Option<String>,
    published: Option<String>,
    url: Option<String>,
}

/// The first article-typed object among the page's JSON-LD blocks.
fn json_ld(doc: &Html) -> JsonLd {
    let mut out = JsonLd::default();
    let Some(sel) = selector("script[type='application/ld+json']") else {
        return out;
    };
    for script in doc.select(&sel) {
        let raw: String = script.text().collect();
        let Ok(value) = serde_json::from_str::<serde_json::Value>(raw.trim()) else {
            continue;
        };
        if let Some(article) = find_article(&value, 0) {
            let s = |k: &str| {
                article
                    .get(k)
                    .and_then(|v| v.as_str())
                    .map(clean)
                    .filter(|v| !v.is_empty())
            };
            out.headline = s("headline").or_else(|| s("name"));
            out.published = s("datePublished").or_else(|| s("dateCreated"));
            out.url = s("url").or_else(|| {
                let m = article.get("mainEntityOfPage")?;
                m.as_str()
                    .map(str::to_string)
                    .or_else(|| m.get("@id")?.as_str().map(str::to_string))
            });
            out.author = article.get("author").and_then(author_names);
            return out;
        }
    }
    out
}

fn find_article(v: &serde_json::Value, depth: usize) -> Option<&serde_json::Value> {
    if depth > 8 {
        return None;
    }
    match v {
        serde_json::Value::Array(items) => items.iter().find_map(|i| find_article(i, depth + 1)),
        serde_json::Value::Object(map) => {
            let is_article = |t: &serde_json::Value| {
                t.as_str()
                    .is_some_and(|t| t.ends_with("Article") || t == "BlogPosting" || t == "Report")
            };
            let typed = match map.get("@type") {
                Some(serde_json::Value::Array(ts)) => ts.iter().any(is_article),
                Some(t) => is_article(t),
                None => false,
            };
            if typed {
                return Some(v);
            }
            map.get("@graph").and_then(|g| find_article(g, depth + 1))
        }
        _ => None,
    }
}

fn author_names(v: &serde_json::Value) -> Option<String> {
    let names: Vec<String> = match v {
        serde_json::Value::Array(items) => items.iter().filter_map(author_names).collect(),
        serde_json::Value::String(s) => vec![clean(s)],
        serde_json::Value::Object(m) => m
            .get("name")
            .and_then(|n| n.as_str())
            .map(clean)
            .into_iter()
            .collect(),
        _ => Vec::new(),
    };
    let names: Vec<String> = names.into_iter().filter(|n| !n.is_empty()).collect();
    (!names.is_empty()).then(|| names.join(" and "))
}

/// Tags whose whole subtree is never article text.
const SKIP_TAGS: &[&str] = &[
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "aside",
    "footer",
    "header",
    "form",
    "button",
    "figure",
    "figcaption",
    "iframe",
    "svg",
    "select",
    "input",
    "textarea",
    "object",
    "video",
    "audio",
    "canvas",
    "picture",
    "img",
    "menu",
    "dialog",
    "head",
    "title",
    "meta",
    "link",
];

/// Tags that start and end a paragraph.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "hr",
    "address",
    "center",
    "body",
    "html",
];

/// Class/id words that mark boilerplate (matched against whole words of class and id).
const BOILERPLATE_WORDS: &[&str] = &[
    "ad",
    "ads",
    "adslot",
    "advert",
    "advertisement",
    "advertising",
    "banner",
    "breadcrumb",
    "breadcrumbs",
    "byline",
    "caption",
    "comment",
    "comments",
    "commentlist",
    "consent",
    "cookie",
    "cookies",
    "credit",
    "credits",
    "dateline",
    "disqus",
    "footer",
    "masthead",
    "menu",
    "nav",
    "navbar",
    "navigation",
    "newsletter",
    "outbrain",
    "paywall",
    "popular",
    "promo",
    "recirculation",
    "recommended",
    "related",
    "share",
    "sharing",
    "sidebar",
    "signup",
    "social",
    "sponsor",
    "sponsored",
    "subscribe",
    "subscription",
    "tags",
    "taboola",
    "toolbar",
    "trending",
    "widget",
    "dateline",
    "timestamp",
    "author",
    "topbar",
    "hidden",
];

fn is_boilerplate_element(el: &scraper::node::Element) -> bool {
    if el.attr("hidden").is_some() || el.attr("aria-hidden") == Some("true") {
        return true;
    }
    if let Some(role) = el.attr("role") {
        if matches!(
            role,
            "navigation" | "banner" | "contentinfo" | "complementary" | "dialog" | "alert"
        ) {
            return true;
        }
    }
    let names = format!(
        "{} {}",
        el.attr("class").unwrap_or(""),
        el.attr("id").unwrap_or("")
    );
    names
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .any(|w| BOILERPLATE_WORDS.contains(&w.to_ascii_lowercase().as_str()))
}

/// Walks a subtree, turning block elements into paragraphs and skipping boilerplate.
#[derive(Default)]
struct Walker {
    paragraphs: Vec<String>,
    current: String,
    link_chars: usize,
    has_time: bool,
    in_link: usize,
}

impl Walker {
    fn run(mut self, root: ElementRef) -> Vec<String> {
        self.visit(root, 0);
        self.flush();
        self.paragraphs
    }

    fn visit(&mut self, el: ElementRef, depth: usize) {
        // html5ever caps nesting, but we bound recursion ourselves as well.
        if depth > 200 {
            return;
        }
        let value = el.value();
        let tag = value.name();
        let is_root = matches!(tag, "html" | "body") || depth == 0;
        if !is_root && (SKIP_TAGS.contains(&tag) || is_boilerplate_element(value)) {
            return;
        }
        let block = BLOCK_TAGS.contains(&tag);
        if block {
            self.flush();
        }
        match tag {
            "a" => self.in_link += 1,
            "time" => self.has_time = true,
            _ => {}
        }
        for child in el.children() {
            match child.value() {
                Node::Text(t) => {
                    let t: &str = t;
                    // Source newlines are whitespace in HTML; only <br> breaks lines.
                    self.current.extend(t.chars().map(|c| {
                        if c == '\n' || c == '\r' {
                            ' '
                        } else {
                            c
                        }
                    }));
                    if self.in_link > 0 {
                        self.link_chars += t.trim().chars().count();
                    }
                }
                Node::Element(e) if e.name() == "br" => self.current.push('\n'),
                Node::Element(_) => {
                    if let Some(c) = ElementRef::wrap(child) {
                        self.visit(c, depth + 1);
                    }
                }
                _ => {}
            }
        }
        if tag == "a" {
            self.in_link = self.in_link.saturating_sub(1);
        }
        if block {
            self.flush();
        }
    }

    /// Ends the current paragraph; `<br><br>` inside it splits it into several.
    fn flush(&mut self) {
        let raw = std::mem::take(&mut self.current);
        let link_chars = std::mem::take(&mut self.link_chars);
        let has_time = std::mem::take(&mut self.has_time);
        let chunks: Vec<String> = split_on_blank_lines(&raw)
            .into_iter()
            .map(|c| clean(&c))
            .filter(|c| !c.is_empty())
            .collect();
        let total: usize = chunks.iter().map(|c| c.chars().count()).sum();
        if total == 0 {
            return;
        }
        // Mostly-link paragraphs are "read more" and related-story teasers.
        if link_chars * 2 > total {
            return;
        }
        // A short paragraph holding a <time> is a dateline, not prose.
        if has_time && total < 100 {
            return;
        }
        self.paragraphs.extend(chunks);
    }
}

fn split_on_blank_lines(raw: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut newlines = 0;
    for line in raw.split('\n') {
        if line.trim().is_empty() {
            newlines += 1;
            continue;
        }
        // Two breaks in a row (<br><br>) end a paragraph; a single <br> is a space.
        if newlines >= 1 && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        newlines = 0;
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(line);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Drops paragraphs that are page furniture by their wording.
fn is_boilerplate_paragraph(p: &str, page: &Page) -> bool {
    let lower = p.to_lowercase();
    const PREFIXES: &[&str] = &[
        "read more",
        "related:",
        "related stories",
        "see also",
        "advertisement",
        "sign up",
        "subscribe",
        "share this",
        "follow us",
        "click here",
        "most read",
        "you might also like",
        "recommended",
        "get the ",
        "download our app",
        "this article was",
        "share on ",
        "photograph:",
        "photo:",
        "image:",
        "credit:",
        "copyright ",
        "©",
    ];
    if PREFIXES.iter().any(|pre| lower.starts_with(pre)) && p.chars().count() < 200 {
        return true;
    }
    if let Some(title) = &page.title {
        if p == title {
            return true;
        }
    }
    if let Some(byline) = &page.byline {
        let stripped = strip_by(p);
        if stripped == *byline || (p.chars().count() < 80 && stripped.starts_with(byline.as_str()))
        {
            return true;
        }
    }
    p.chars().count() < 80 && (lower.starts_with("by ") || lower.starts_with("published "))
}

/// The paragraphs of an HTML fragment (a feed entry's content), with the same
/// boilerplate filter as pages but no readability pass: a fragment is all content.
pub fn fragment_text(fragment: &str) -> String {
    let doc = Html::parse_fragment(fragment);
    Walker::default().run(doc.root_element()).join("\n\n")
}
