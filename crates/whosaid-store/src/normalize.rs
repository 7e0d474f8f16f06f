//! Normal forms used for identity and matching: the article text hash, canonical URLs,
//! and the word sequence of a quote. Pure functions; no storage.

/// Maps typographic quotation marks, apostrophes and dashes to ASCII.
fn fold_char(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '`' | '\u{00B4}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{00AB}' | '\u{00BB}'
        | '\u{2033}' => '"',
        '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
        '\u{00A0}' | '\u{2007}' | '\u{202F}' => ' ',
        c => c,
    }
}

/// Article text in normal form: quotation marks and dashes folded, whitespace collapsed,
/// lower case. Two texts that differ only in these ways hash alike.
pub fn normalize_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars().map(fold_char) {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// blake3 of the normalised text, as 64 hex digits. A cryptographic hash, so a crafted
/// article cannot collide with (and so shadow) another one.
pub fn text_hash(text: &str) -> String {
    blake3::hash(normalize_text(text).as_bytes())
        .to_hex()
        .to_string()
}

/// The lower-cased alphanumeric words of a text (apostrophes inside words kept), in
/// order. Punctuation, quotation marks and case do not matter to quote matching.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_word(text, |w| out.push(w.to_string()));
    out
}

/// Calls `f` with each of [`words`]' words in turn, without allocating a string for each.
pub(crate) fn for_each_word(text: &str, mut f: impl FnMut(&str)) {
    let mut cur = String::new();
    let mut flush = |cur: &mut String| {
        // A closing apostrophe is dropped.
        while cur.ends_with('\'') {
            cur.pop();
        }
        if !cur.is_empty() {
            f(cur);
        }
        cur.clear();
    };
    for c in text.chars().map(fold_char) {
        if c.is_ascii_alphanumeric() {
            cur.push(c.to_ascii_lowercase());
        } else if !c.is_ascii() && c.is_alphanumeric() {
            cur.extend(c.to_lowercase());
        } else if c == '\'' && !cur.is_empty() {
            // "don't" stays one word.
            cur.push('\'');
        } else if !cur.is_empty() {
            flush(&mut cur);
        }
    }
    if !cur.is_empty() {
        flush(&mut cur);
    }
}

/// A quote's normal form: its words joined by single spaces.
pub fn normalize_quote(text: &str) -> String {
    words(text).join(" ")
}

/// 64-bit xxh3 of a string, as the signed integer SQLite stores.
pub fn hash64(s: &str) -> i64 {
    xxhash_rust::xxh3::xxh3_64(s.as_bytes()) as i64
}

/// The URL in canonical form: scheme and host lower-cased, default port, fragment,
/// tracking parameters (utm_*, fbclid, gclid) and a trailing slash removed. Returns
/// `None` for something that is not an http(s) URL.
pub fn canonical_url(url: &str) -> Option<String> {
    let url = url.trim();
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let rest = rest.split('#').next().unwrap_or("");
    let (authority, path_query) = match rest.find(['/', '?']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let mut host = authority.to_ascii_lowercase();
    if let Some(h) = host.strip_suffix(":80").filter(|_| scheme == "http") {
        host = h.to_string();
    } else if let Some(h) = host.strip_suffix(":443").filter(|_| scheme == "https") {
        host = h.to_string();
    }
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    if host.is_empty() {
        return None;
    }
    let (path, query) = match path_query.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path_query, None),
    };
    let path = path.trim_end_matches('/');
    let params: Vec<&str> = query
        .unwrap_or("")
        .split('&')
        .filter(|p| {
            let name = p.split('=').next().unwrap_or("").to_ascii_lowercase();
            !p.is_empty() && !name.starts_with("utm_") && name != "fbclid" && name != "gclid"
        })
        .collect();
    // Scheme is folded to https: the same page served over both is one article.
    let mut out = format!("https://{host}{path}");
    if !params.is_empty() {
        out.push('?');
        out.push_str(&params.join("&"));
    }
    Some(out)
}

/// The host of a URL, without "www.", for use as an outlet name.
pub fn url_host(url: &str) -> Option<String> {
    let c = canonical_url(url)?;
    let rest = c.strip_prefix("https://")?;
    let host = rest.split(['/', '?']).next()?;
    Some(host.split(':').next().unwrap_or(host).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `words` as first written (allocating per word), the reference for the fast path.
    fn words_reference(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut cur = String::new();
        for c in text.chars().map(fold_char) {
            if c.is_alphanumeric() {
                cur.extend(c.to_lowercase());
            } else if c == '\'' && !cur.is_empty() {
                cur.push('\'');
            } else if !cur.is_empty() {
                out.push(std::mem::take(&mut cur).trim_end_matches('\'').to_string());
            }
        }
        if !cur.is_empty() {
            out.push(cur.trim_end_matches('\'').to_string());
        }
        out.retain(|w| !w.is_empty());
        out
    }

    #[test]
    fn fast_words_match_the_reference() {
        for t in [
            "",
            "'''",
            "Don't stop', she said — \u{201C}it's 100% ÜBER-cool\u{201D}!",
            "İstanbul ΣΟΦΊΑ straße rock'n'roll 'quoted' ends'' x'",
            "  tabs\tand\nnewlines\u{00A0}nbsp 3.14 e-mail ",
            "日本語のテキスト、中文。",
        ] {
            assert_eq!(words(t), words_reference(t), "{t:?}");
        }
    }

    #[test]
    fn quote_forms_match() {
        assert_eq!(
            normalize_quote("\u{201C}We  will NOT back down,\u{201D} "),
            normalize_quote("\"we will not back down\"")
        );
        assert_eq!(normalize_quote("Don\u{2019}t go."), "don't go");
    }

    #[test]
    fn canonical_urls() {
        assert_eq!(
            canonical_url("HTTP://WWW.Example.com:80/a/b/?utm_source=x&id=3#top").as_deref(),
            Some("https://example.com/a/b?id=3")
        );
        assert_eq!(canonical_url("file:///tmp/x"), None);
        assert_eq!(
            url_host("https://news.example.org/x").as_deref(),
            Some("news.example.org")
        );
    }

    #[test]
    fn text_hash_ignores_typography() {
        assert_eq!(text_hash("A \u{201C}b\u{201D}\n c"), text_hash("a \"b\" c"));
        assert_ne!(text_hash("a b"), text_hash("a c"));
    }
}
