//! The date formats exports use: RFC 3339, `YYYY-MM-DD HH:MM[:SS]` (UTC) and `YYYY-MM-DD`.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

pub fn parse(s: &str) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Ok(d.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, fmt) {
            return Ok(d.and_utc());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc());
    }
    Err(format!(
        "`{}` is not a date (expected RFC 3339 or YYYY-MM-DD HH:MM:SS)",
        s.chars().take(40).collect::<String>()
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn common_formats_parse_as_utc() {
        let want = "2026-03-01T10:00:00Z";
        for s in ["2026-03-01T10:00:00Z", "2026-03-01T11:00:00+01:00", "2026-03-01 10:00:00", "2026-03-01 10:00"] {
            assert_eq!(super::parse(s).unwrap().to_rfc3339_opts(chrono::SecondsFormat::Secs, true), want, "{s}");
        }
        assert!(super::parse("yesterday").is_err());
    }
}
