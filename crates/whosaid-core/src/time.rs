//! Date expressions ("on Thursday", "last week", "March 6, 2025") and their calendar
//! values, resolved against the publication date. Byte offsets; no statement logic.

use crate::model::DateMention;
use chrono::NaiveDate;

/// Every date expression in `text`, in order, with byte offsets.
pub fn find_dates(_text: &str, _published: Option<NaiveDate>) -> Vec<DateMention> {
    Vec::new()
}
