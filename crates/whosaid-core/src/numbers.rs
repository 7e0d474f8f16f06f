//! Quantities: numbers (digits or words, with scale words such as "million") and the noun
//! they count. Byte offsets; no statement logic.

use crate::model::Quantity;

/// Every quantity in `text`, in order, with byte offsets.
pub fn find_quantities(_text: &str) -> Vec<Quantity> {
    Vec::new()
}
