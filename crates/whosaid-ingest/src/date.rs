//! Publication dates as they appear in the wild (RFC 3339, bare dates, RFC 2822, ISO
//! without a zone) → `NaiveDate`. A timestamp with an offset keeps the calendar date
//! written in that offset: that is the day the publisher says the article appeared, and
//! the day relative dates ("on Thursday") count from. Does no guessing of
//! locale-formatted dates ("14 March 2024"): those are left to the caller.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// Parses a machine-readable publication date; `None` when the format is not recognised.
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.date_naive());
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(s) {
        return Some(dt.date_naive());
    }
    // "2024-03-14T08:30:00+0000" (no colon in the offset) is common in meta tags.
    if let Ok(dt) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%z") {
        return Some(dt.date_naive());
    }
    if let Ok(dt) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Some(dt.date_naive());
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(dt.date());
        }
    }
    // A bare date, possibly followed by something we do not understand.
    let head = s.get(..10).unwrap_or(s);
    for fmt in ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(head, fmt) {
            return Some(d);
        }
    }
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(s, "%Y%m%d").ok();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn formats() {
        assert_eq!(parse_date("2024-03-14"), d(2024, 3, 14));
        assert_eq!(parse_date("2024-03-14T23:30:00-05:00"), d(2024, 3, 14));
        assert_eq!(parse_date("2024-03-14T08:30:00Z"), d(2024, 3, 14));
        assert_eq!(parse_date("2024-03-14T08:30:00+0000"), d(2024, 3, 14));
        assert_eq!(parse_date("Thu, 14 Mar 2024 08:30:00 GMT"), d(2024, 3, 14));
        assert_eq!(parse_date("2024-03-14 08:30"), d(2024, 3, 14));
        assert_eq!(parse_date("20240314"), d(2024, 3, 14));
        assert_eq!(parse_date("March 14"), None);
        assert_eq!(parse_date(""), None);
        assert_eq!(parse_date("2024-13-45"), None);
    }
}
