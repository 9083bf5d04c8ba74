//! `jetson org export` and `jetson org import`: an organisation as one tar archive that another
//! Jetson (SQLite or PostgreSQL) can import. Inside: `manifest.json`, one `tables/TABLE.jsonl` per
//! table (a JSON object a row, column → value), and `conversations.csv` and `work_items.csv` for
//! people and spreadsheets.
//!
//! Original message bodies are opened on export and sealed again under the importing instance's
//! key, so the archive holds them readable (card numbers masked, as stored): keep it as safe as the
//! database. Not carried: sessions and API tokens (credentials of this instance), the Help Scout and
//! GitHub connections (their secrets are sealed under this instance's key; connect again), queued
//! jobs. People keep their password; a person who already has an account on the importing instance
//! keeps that one.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use anyhow::{Context, bail};
use jetson_domain::{Email, OrgId};
use jetson_store::archive::{self, Cell, ColumnType};
use jetson_store::{orgs, users};
use serde_json::{Value, json};

use crate::services::import::{MESSAGE_BODY, SUBJECT};
use crate::state::AppState;

const FORMAT: &str = "jetson-organization-archive";

/// A table's rows, each as (column, value) pairs.
type Rows = Vec<Vec<(String, Cell)>>;
const VERSION: u64 = 1;

/// In the order an import writes them (what a row refers to comes first; within a table, by id,
/// which is time-ordered), with what selects the organisation's rows.
const TABLES: &[(&str, &str, &str)] = &[
    ("organizations", "id = $1", "id"),
    ("users", "id IN (SELECT user_id FROM memberships WHERE org_id = $1)", "id"),
    ("memberships", "org_id = $1", "user_id"),
    ("products", "org_id = $1", "id"),
    ("membership_products", "org_id = $1", "product_id"),
    ("customers", "org_id = $1", "id"),
    ("conversations", "org_id = $1", "id"),
    ("messages", "org_id = $1", "id"),
    ("work_items", "org_id = $1", "id"),
    ("issue_links", "org_id = $1", "work_item_id"),
    ("reports", "org_id = $1", "id"),
    ("merges", "org_id = $1", "id"),
    ("product_examples", "org_id = $1", "id"),
    ("product_models", "org_id = $1", "product_id"),
    ("audit_events", "org_id = $1", "seq"),
    ("retention_policies", "org_id = $1", "org_id"),
    ("deletion_reports", "org_id = $1", "id"),
    ("privacy_operators", "org_id = $1", "kind"),
];

pub async fn export(state: &AppState, org: OrgId, out: &Path) -> anyhow::Result<HashMap<&'static str, usize>> {
    if out.exists() {
        bail!("{} already exists; choose a new file name", out.display());
    }
    let sealer = state.sealer()?;
    let name = orgs::get(&state.db, org).await?.name;
    let mut tables: Vec<(&str, Rows)> = Vec::new();
    for &(table, condition, order) in TABLES {
        let mut rows = archive::rows(&state.db, table, condition, order, org.as_uuid()).await?;
        // A two-factor secret is sealed under this instance's key and would not open elsewhere: a
        // person moved to another Jetson sets two-factor up again there.
        if table == "users" {
            for row in &mut rows {
                for (column, cell) in row.iter_mut() {
                    if column.starts_with("totp_") && column != "totp_last_step" {
                        *cell = Cell::Null;
                    }
                }
            }
        }
        // Originals are sealed under this instance's key: the archive carries them opened.
        if let Some((sealed_column, purpose)) = sealed_original(table) {
            for row in &mut rows {
                for (column, cell) in row.iter_mut() {
                    if let (true, Cell::Text(value)) = (column == sealed_column, &*cell)
                        && value.starts_with("v1.")
                    {
                        *cell = Cell::Text(
                            sealer.open(purpose, value).with_context(|| format!("{table}.{column} does not open"))?,
                        );
                    }
                }
            }
        }
        eprintln!("{table}: {} row(s)", rows.len());
        tables.push((table, rows));
    }
    let counts: HashMap<&'static str, usize> =
        TABLES.iter().map(|t| t.0).zip(tables.iter().map(|t| t.1.len())).collect();
    let manifest = json!({
        "format": FORMAT,
        "version": VERSION,
        "organization": { "id": org.to_string(), "name": name },
        "exported_at": chrono::Utc::now(),
        "migrations": jetson_store::MIGRATIONS.iter().map(|m| m.name).collect::<Vec<_>>(),
        "rows": counts,
    });
    let file = std::fs::File::create_new(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut tar = tar::Builder::new(std::io::BufWriter::new(file));
    append(&mut tar, "manifest.json", serde_json::to_vec_pretty(&manifest)?)?;
    for (table, rows) in &tables {
        let mut lines = Vec::new();
        for row in rows {
            let object: serde_json::Map<String, Value> = row.iter().map(|(c, v)| (c.clone(), to_json(v))).collect();
            serde_json::to_writer(&mut lines, &object)?;
            lines.push(b'\n');
        }
        append(&mut tar, &format!("tables/{table}.jsonl"), lines)?;
    }
    append(&mut tar, "conversations.csv", csv_of(&tables, "conversations", CONVERSATION_COLUMNS)?)?;
    append(&mut tar, "work_items.csv", csv_of(&tables, "work_items", WORK_ITEM_COLUMNS)?)?;
    tar.into_inner()?.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(counts)
}

const CONVERSATION_COLUMNS: &[&str] =
    &["id", "product_id", "external_id", "subject", "customer_id", "status", "created_at", "category", "priority"];
const WORK_ITEM_COLUMNS: &[&str] =
    &["id", "product_id", "title", "category", "priority", "status", "customer_count", "report_count"];

fn csv_of(tables: &[(&str, Rows)], table: &str, columns: &[&str]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(columns)?;
    let rows = tables.iter().find(|t| t.0 == table).map(|t| t.1.as_slice()).unwrap_or_default();
    for row in rows {
        let cells = columns.iter().map(|c| {
            row.iter().find(|(n, _)| n == c).map_or(String::new(), |(_, v)| match to_json(v) {
                Value::String(s) => crate::csv_safe::cell(&s).into_owned(),
                Value::Null => String::new(),
                other => other.to_string(),
            })
        });
        w.write_record(cells)?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

fn append<W: std::io::Write>(tar: &mut tar::Builder<W>, path: &str, data: Vec<u8>) -> anyhow::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(data.len() as u64);
    header.set_mode(0o600);
    header.set_mtime(chrono::Utc::now().timestamp().max(0) as u64);
    header.set_cksum();
    tar.append_data(&mut header, path, data.as_slice())?;
    Ok(())
}

fn to_json(cell: &Cell) -> Value {
    match cell {
        Cell::Null => Value::Null,
        Cell::Uuid(u) => Value::String(u.to_string()),
        Cell::Time(t) => Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)),
        Cell::Json(v) => v.clone(),
        Cell::Bytes(b) => Value::String(hex::encode(b)),
        Cell::Bool(b) => Value::Bool(*b),
        Cell::Int(i) => json!(i),
        Cell::Float(f) => json!(f),
        Cell::Text(s) => Value::String(s.clone()),
    }
}

fn from_json(table: &str, column: &str, value: &Value) -> anyhow::Result<Cell> {
    let kind = archive::column_type(table, column)
        .with_context(|| format!("{table}.{column} is not a column this version of Jetson knows"))?;
    if value.is_null() {
        return Ok(Cell::Null);
    }
    let text = || value.as_str().with_context(|| format!("{table}.{column}: expected a string, found {value}"));
    Ok(match kind {
        ColumnType::Uuid => Cell::Uuid(text()?.parse().with_context(|| format!("{table}.{column}: not a UUID"))?),
        ColumnType::Time => Cell::Time(
            chrono::DateTime::parse_from_rfc3339(text()?)
                .with_context(|| format!("{table}.{column}: not a time"))?
                .with_timezone(&chrono::Utc),
        ),
        ColumnType::Json => Cell::Json(value.clone()),
        ColumnType::Bytes => Cell::Bytes(hex::decode(text()?).with_context(|| format!("{table}.{column}: not hex"))?),
        ColumnType::Bool => Cell::Bool(value.as_bool().with_context(|| format!("{table}.{column}: not true/false"))?),
        ColumnType::Int => Cell::Int(value.as_i64().with_context(|| format!("{table}.{column}: not an integer"))?),
        ColumnType::Float => Cell::Float(value.as_f64().with_context(|| format!("{table}.{column}: not a number"))?),
        ColumnType::Text => Cell::Text(text()?.to_string()),
    })
}

/// Imports an archive in one transaction: all of it, or (on any error) nothing. Returns the
/// organisation's name and the rows written per table.
pub async fn import(state: &AppState, from: &Path) -> anyhow::Result<(String, Vec<(&'static str, usize)>)> {
    let sealer = state.sealer()?;
    let files = read_archive(from)?;
    let manifest: Value = serde_json::from_slice(
        files.get("manifest.json").context("no manifest.json: not a Jetson organisation archive")?,
    )
    .context("manifest.json is not JSON")?;
    if manifest["format"] != FORMAT || manifest["version"].as_u64() != Some(VERSION) {
        bail!("not a Jetson organisation archive of a version this Jetson reads (format {FORMAT}, version {VERSION})");
    }
    let known: Vec<&str> = jetson_store::MIGRATIONS.iter().map(|m| m.name).collect();
    for m in manifest["migrations"].as_array().context("manifest.json: no migrations")? {
        if !m.as_str().is_some_and(|m| known.contains(&m)) {
            bail!("the archive comes from a newer Jetson (migration {m}); import it with that version");
        }
    }
    let name = manifest["organization"]["name"].as_str().context("manifest.json: no organisation name")?.to_string();
    let org: uuid::Uuid = manifest["organization"]["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .context("manifest.json: no organisation id")?;
    if orgs::find_by_name(&state.db, &name).await?.is_some() || orgs::get(&state.db, org.into()).await.is_ok() {
        bail!("an organisation named `{name}` (or with its id) is already here; delete it first or import elsewhere");
    }
    let mut tx = state.db.begin().await?;
    let mut written = Vec::new();
    // People who already have an account here keep it: their memberships point at it.
    let mut user_ids: HashMap<uuid::Uuid, uuid::Uuid> = HashMap::new();
    let mut legacy_links = Vec::new();
    for &(table, _, _) in TABLES {
        let text = files
            .get(&format!("tables/{table}.jsonl"))
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default();
        let mut n = 0;
        for (line_no, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let at = || format!("tables/{table}.jsonl line {}", line_no + 1);
            let object: serde_json::Map<String, Value> = serde_json::from_str(line).with_context(at)?;
            let owner = match table {
                "organizations" => object.get("id"),
                "users" => None,
                _ => object.get("org_id"),
            };
            if table != "users" && owner.and_then(Value::as_str) != Some(&org.to_string()) {
                bail!("{}: a row of another organisation than the manifest's", at());
            }
            let mut row = Vec::with_capacity(object.len());
            for (column, value) in &object {
                let mut cell = from_json(table, column, value).with_context(at)?;
                match (table, column.as_str(), &cell) {
                    (_, column, Cell::Text(value))
                        if !value.is_empty() && sealed_original(table).is_some_and(|(c, _)| c == column) =>
                    {
                        let purpose = sealed_original(table).map(|(_, p)| p).unwrap_or_default();
                        cell = Cell::Text(sealer.seal(purpose, &jetson_privacy::mask_cards(value)));
                    }
                    ("memberships" | "membership_products", "user_id", Cell::Uuid(u)) => {
                        cell = Cell::Uuid(*user_ids.get(u).unwrap_or(u))
                    }
                    _ => {}
                }
                row.push((column.clone(), cell));
            }
            if table == "users" {
                let (Some(Value::String(id)), Some(Value::String(email))) = (object.get("id"), object.get("email"))
                else {
                    bail!("{}: a person without an id or email", at());
                };
                let email = Email::parse(email).map_err(|e| anyhow::anyhow!("{}: {}", at(), e.0))?;
                if let Some(existing) = users::find_by_email(&state.db, &email).await? {
                    user_ids.insert(id.parse()?, existing.id.as_uuid());
                    continue;
                }
            }
            if table == "work_items"
                && let Some(link) = legacy_issue_link(&mut row)
            {
                legacy_links.push(link);
            }
            archive::insert(&mut tx, table, &row).await.with_context(at)?;
            n += 1;
        }
        if table == "issue_links" {
            for link in legacy_links.drain(..) {
                archive::insert(&mut tx, table, &link).await.context("a work item's GitHub issue")?;
                n += 1;
            }
        }
        written.push((table, n));
    }
    tx.commit().await?;
    // An archive made before subjects were redacted carries them as they came.
    crate::services::redaction::redact_stored(state, Some(org.into()))
        .await
        .context("redacting the archive's subjects")?;
    Ok((name, written))
}

/// The column of a table that holds an original sealed under the instance key, and its purpose.
fn sealed_original(table: &str) -> Option<(&'static str, &'static str)> {
    match table {
        "messages" => Some(("body_html", MESSAGE_BODY)),
        "conversations" => Some(("subject_sealed", SUBJECT)),
        _ => None,
    }
}

/// Archives made before migration 0012 keep a work item's GitHub issue in columns of its own row
/// (old name, `issue_links` name).
const LEGACY_ISSUE_COLUMNS: &[(&str, &str)] = &[
    ("github_repo", "repo"),
    ("github_number", "number"),
    ("github_url", "url"),
    ("github_state", "state"),
    ("github_linked_by", "linked_by"),
    ("github_created_at", "created_at"),
    ("github_pending_at", "pending_at"),
    ("github_closing_commit", "closing_commit"),
    ("github_told_customers", "told_customers"),
    ("github_commented_at", "commented_at"),
    ("shipped_release", "shipped_release"),
    ("shipped_at", "shipped_at"),
    ("approval", "approval"),
];

/// Takes an old archive's issue columns out of a `work_items` row; its `issue_links` row when any
/// of them holds a value.
fn legacy_issue_link(row: &mut Vec<(String, Cell)>) -> Option<Vec<(String, Cell)>> {
    let mut link = Vec::new();
    row.retain(|(column, cell)| match LEGACY_ISSUE_COLUMNS.iter().find(|(old, _)| old == column) {
        Some((_, new)) => {
            if !matches!(cell, Cell::Null) {
                link.push((new.to_string(), cell.clone()));
            }
            false
        }
        None => true,
    });
    if link.is_empty() {
        return None;
    }
    let get = |name: &str| row.iter().find(|(c, _)| c == name).map(|(_, v)| v.clone());
    link.insert(0, ("work_item_id".to_string(), get("id")?));
    link.insert(1, ("org_id".to_string(), get("org_id")?));
    Some(link)
}

/// The archive's files by path. Refuses archives over a sane size and entries that are not
/// plain files.
fn read_archive(path: &Path) -> anyhow::Result<HashMap<String, Vec<u8>>> {
    const LIMIT: u64 = 16 * 1024 * 1024 * 1024;
    let file = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut archive = tar::Archive::new(std::io::BufReader::new(file));
    let mut files = HashMap::new();
    let mut total = 0u64;
    for entry in archive.entries().with_context(|| format!("{} is not a tar archive", path.display()))? {
        let mut entry = entry.with_context(|| format!("{} is not a readable tar archive", path.display()))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        total += entry.size();
        if total > LIMIT {
            bail!("{} is larger than an organisation archive can be", path.display());
        }
        let name = entry.path()?.to_string_lossy().into_owned();
        let mut data = Vec::with_capacity(entry.size() as usize);
        entry.read_to_end(&mut data)?;
        files.insert(name, data);
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_old_archives_issue_columns_become_the_items_issue_link() {
        let (id, org) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let mut row = vec![
            ("id".to_string(), Cell::Uuid(id)),
            ("org_id".to_string(), Cell::Uuid(org)),
            ("title".to_string(), Cell::Text("Export fails".into())),
            ("github_repo".to_string(), Cell::Text("acme/widgets".into())),
            ("github_number".to_string(), Cell::Int(7)),
            ("approval".to_string(), Cell::Null),
        ];
        let link = legacy_issue_link(&mut row).expect("a link");
        assert_eq!(row.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(), ["id", "org_id", "title"]);
        assert_eq!(
            link,
            vec![
                ("work_item_id".to_string(), Cell::Uuid(id)),
                ("org_id".to_string(), Cell::Uuid(org)),
                ("repo".to_string(), Cell::Text("acme/widgets".into())),
                ("number".to_string(), Cell::Int(7)),
            ]
        );
        let mut plain = vec![("id".to_string(), Cell::Uuid(id)), ("github_repo".to_string(), Cell::Null)];
        assert_eq!(legacy_issue_link(&mut plain), None, "no issue, no link; the old column still goes");
        assert_eq!(plain.len(), 1);
    }
}
