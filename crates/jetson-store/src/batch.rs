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

/// Counts the rows of `table` in the organisation whose `conversation_id` is one of `ids` and that
/// meet `condition` (SQL, or `TRUE`), a chunk of ids per statement.
pub(crate) async fn count_of_conversations(
    tx: &mut crate::Tx,
    table: &'static str,
    condition: &'static str,
    org: jetson_domain::OrgId,
    ids: &[jetson_domain::ConversationId],
) -> crate::Result<u64> {
    let mut total = 0i64;
    for chunk in ids.chunks(CHUNK * 5) {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {table} WHERE org_id = $1 AND {condition} AND conversation_id IN ({})",
            list(2, chunk.len())
        ));
        let n: i64 = crate::db::on_tx!(tx, |c| {
            let mut q = sqlx::query_scalar(sql).bind(org.as_uuid());
            for id in chunk {
                q = q.bind(id.as_uuid());
            }
            q.fetch_one(c).await
        })?;
        total += n;
    }
    Ok(total as u64)
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
