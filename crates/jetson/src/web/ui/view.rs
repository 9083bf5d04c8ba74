//! Small display helpers shared by the templates.

use jetson_domain::Category;

/// "87%" for a confidence, "–" when there is none.
pub fn percent(v: &Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), |v| format!("{:.0}%", v * 100.0))
}

pub fn category_label(c: Option<&str>) -> &'static str {
    c.and_then(|c| Category::parse(c).ok()).map_or("Not analysed", |c| c.label())
}

/// A screening flag's category in words.
pub fn flag_label(category: &str) -> &'static str {
    match jetson_privacy::screen::Category::parse(category) {
        Some(jetson_privacy::screen::Category::SelfHarm) => "self-harm",
        Some(jetson_privacy::screen::Category::Threat) => "threat",
        Some(jetson_privacy::screen::Category::Hate) => "hate",
        Some(jetson_privacy::screen::Category::Harassment) => "harassment",
        Some(jetson_privacy::screen::Category::Sexual) => "sexual content",
        None => "flagged",
    }
}

/// Parses an optional form or query value, treating "" as absent.
pub fn opt<T>(v: &Option<String>, parse: impl Fn(&str) -> Result<T, jetson_domain::ParseError>) -> Option<T> {
    v.as_deref().filter(|s| !s.is_empty()).and_then(|s| parse(s).ok())
}

/// Whether a filter parameter currently has this value (for `selected` in templates).
pub fn is(field: &Option<String>, value: &str) -> bool {
    field.as_deref() == Some(value)
}

/// A query string of the non-empty filters plus a `before` cursor, with values URL-encoded.
pub fn query_with_before(filters: &[(&str, &Option<String>)], before: &str) -> String {
    let encode = |v: &str| -> String {
        v.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    let mut q: Vec<String> = filters
        .iter()
        .filter_map(|(k, v)| v.as_deref().filter(|v| !v.is_empty()).map(|v| format!("{k}={}", encode(v))))
        .collect();
    q.push(format!("before={}", encode(before)));
    q.join("&")
}

#[cfg(test)]
mod tests {
    #[test]
    fn cursor_links_keep_filters_and_encode_values() {
        let q = super::query_with_before(
            &[("category", &Some("bug".into())), ("x", &Some("a&b=c".into())), ("y", &None)],
            "id-1",
        );
        assert_eq!(q, "category=bug&x=a%26b%3Dc&before=id-1");
    }
}
