//! Helpers for statements that carry many rows at once. Each statement is one round trip to the
//! database, which dominates the cost of small statements (SQLite runs on a worker thread), so bulk
//! paths insert and load rows in chunks.

/// Rows per multi-row statement. Small enough that SQLite's parameter lookup (a linear scan per
/// `$N`, so quadratic in a statement's parameters) stays cheap; large enough to save round trips.
pub const CHUNK: usize = 32;

/// `($1, $2, $3), ($4, $5, $6)` for `rows` rows of `cols` values.
pub fn values(rows: usize, cols: usize) -> String {
    let mut out = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..cols {
            if c > 0 {
                out.push_str(", ");
            }
            out.push('$');
            out.push_str(&(r * cols + c + 1).to_string());
        }
        out.push(')');
    }
    out
}

/// `$from, $from+1, …` for an `IN (…)` list of `n` values.
pub fn list(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_are_numbered_row_by_row() {
        assert_eq!(super::values(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(super::list(2, 3), "$2, $3, $4");
    }
}
