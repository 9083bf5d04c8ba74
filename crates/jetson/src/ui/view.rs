//! Small display helpers shared by the templates.

use jetson_domain::{Category, Priority, WorkItemStatus};

pub const CATEGORIES: &[Category] = Category::ALL;
pub const PRIORITIES: &[Priority] = Priority::ALL;
pub const STATUSES: &[WorkItemStatus] = WorkItemStatus::ALL;

/// "87%" for a confidence, "–" when there is none.
pub fn percent(v: &Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), |v| format!("{:.0}%", v * 100.0))
}

pub fn category_label(c: Option<&str>) -> &'static str {
    c.and_then(|c| Category::parse(c).ok()).map_or("Not analysed", |c| c.label())
}

/// Parses an optional form or query value, treating "" as absent.
pub fn opt<T>(v: &Option<String>, parse: impl Fn(&str) -> Result<T, jetson_domain::ParseError>) -> Option<T> {
    v.as_deref().filter(|s| !s.is_empty()).and_then(|s| parse(s).ok())
}
