//! The wire credit of an article: "(Reuters)", "(AFP)", "— Associated Press".

/// The wire service credited by `text`, if any.
pub fn find_credit(_text: &str) -> Option<String> {
    None
}
