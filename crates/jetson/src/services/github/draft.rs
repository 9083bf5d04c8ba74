//! The issue Jetson proposes for a work item: a title, a body a developer can act on, and labels
//! from the product's mapping. People see and edit it before it is created; automatic creation
//! uses it as it is.
//!
//! The body is built only from what the work item already holds: its description, counts and
//! priority, sentences from the reports that read like steps (bugs) or expectations (requests),
//! and up to five short excerpts. Excerpts are the reports' stored text, which was redacted
//! before it was stored, so no customer's name, address or email reaches the repository.
//!
//! The product's instructions for issue text are applied as far as they can be without a language
//! model: `title prefix:`, `labels:` and `footer:` lines act; any other line is kept as a note to
//! triage at the end of the body.

use std::collections::BTreeMap;

use jetson_domain::Category;
use jetson_store::reports::Report;
use jetson_store::work_items::WorkItem;

const EXCERPTS: usize = 5;
const EXCERPT_CHARS: usize = 280;

#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub title: String,
    pub body: String,
    pub labels: Vec<String>,
}

/// `{"bug": ["bug"], "urgent": ["priority: urgent"], …}`: category and priority → labels.
pub fn parse_label_map(json: &str) -> Result<BTreeMap<String, Vec<String>>, String> {
    serde_json::from_str(json).map_err(|e| {
        format!("the label mapping must be JSON like {{\"bug\": [\"bug\"], \"urgent\": [\"priority: urgent\"]}} ({e})")
    })
}

pub fn draft(item: &WorkItem, reports: &[Report], companies: usize, label_map: &str, instructions: &str) -> Draft {
    let map = parse_label_map(label_map).unwrap_or_default();
    let mut labels: Vec<String> = [item.category.as_str(), item.priority.as_str()]
        .iter()
        .flat_map(|k| map.get(*k).cloned().unwrap_or_default())
        .collect();
    let mut title = item.title.clone();
    let mut footer = Vec::new();
    let mut notes = Vec::new();
    for line in instructions.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let lower = line.to_lowercase();
        if let Some(prefix) = lower.strip_prefix("title prefix:").map(|_| line["title prefix:".len()..].trim()) {
            title = format!("{prefix} {title}");
        } else if lower.starts_with("labels:") {
            labels.extend(line["labels:".len()..].split(',').map(|l| l.trim().to_string()).filter(|l| !l.is_empty()));
        } else if lower.starts_with("footer:") {
            footer.push(line["footer:".len()..].trim().to_string());
        } else {
            notes.push(line.to_string());
        }
    }
    labels.sort();
    labels.dedup();

    let mut body = String::new();
    body.push_str(&format!("## Summary\n\n{}\n\n", item.description.trim()));
    body.push_str(&format!(
        "**{} distinct customer{}** at **{} compan{}** reported this ({} report{}). Priority: **{}**. Category: {}.\n\n",
        item.customer_count,
        plural(item.customer_count, "s"),
        companies,
        if companies == 1 { "y" } else { "ies" },
        item.report_count,
        plural(item.report_count, "s"),
        item.priority.as_str(),
        item.category.label(),
    ));
    let lines = telling_sentences(item.category, reports);
    if !lines.is_empty() {
        let heading = if item.category == Category::Feature { "What customers expect" } else { "Steps and symptoms" };
        body.push_str(&format!("## {heading}\n\n"));
        for l in lines {
            body.push_str(&format!("- {l}\n"));
        }
        body.push('\n');
    }
    let excerpts: Vec<&Report> = reports.iter().take(EXCERPTS).collect();
    if !excerpts.is_empty() {
        body.push_str("## In customers' words (redacted)\n\n");
        for r in excerpts {
            body.push_str(&format!("> {}\n\n", shorten(&r.excerpt, EXCERPT_CHARS).replace('\n', "\n> ")));
        }
    }
    if !notes.is_empty() {
        body.push_str("## Notes for triage\n\n");
        for n in notes {
            body.push_str(&format!("- {n}\n"));
        }
        body.push('\n');
    }
    for f in footer {
        body.push_str(&format!("{f}\n\n"));
    }
    Draft { title: shorten(&title, 250), body, labels }
}

/// Sentences that read like steps to reproduce or symptoms (bugs), or like what the customer
/// wants (requests): at most five, one per report first, no repeats.
fn telling_sentences(category: Category, reports: &[Report]) -> Vec<String> {
    const BUG: &[&str] = &[
        "when i",
        "when we",
        "after ",
        "click",
        "tried",
        "try to",
        "steps",
        "every time",
        "error",
        "fails",
        "crash",
        "doesn't",
        "does not",
        "won't",
        "can't",
        "cannot",
        "stuck",
        "blank",
    ];
    const FEATURE: &[&str] = &[
        "would like",
        "would love",
        "wish",
        "could you",
        "please add",
        "it would be",
        "we need",
        "option to",
        "ability to",
        "support for",
    ];
    let cues = if category == Category::Feature { FEATURE } else { BUG };
    let mut out: Vec<String> = Vec::new();
    for r in reports {
        let found = r.excerpt.split(['.', '!', '?', '\n']).map(str::trim).filter(|s| s.len() >= 12).find(|s| {
            let l = s.to_lowercase();
            cues.iter().any(|c| l.contains(c))
        });
        if let Some(s) = found {
            let s = shorten(s, 160);
            if !out.iter().any(|o| o.eq_ignore_ascii_case(&s)) {
                out.push(s);
            }
        }
        if out.len() == 5 {
            break;
        }
    }
    out
}

fn plural(n: i64, suffix: &str) -> &str {
    if n == 1 { "" } else { suffix }
}

fn shorten(text: &str, max: usize) -> String {
    let t = text.trim();
    if t.chars().count() <= max {
        return t.to_string();
    }
    let cut: String = t.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a).to_string();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;
    use jetson_domain::{Priority, WorkItemStatus};

    fn item() -> WorkItem {
        WorkItem {
            id: jetson_domain::WorkItemId::new(),
            org_id: jetson_domain::OrgId::new(),
            product_id: jetson_domain::ProductId::new(),
            product_name: "Ledgerly".into(),
            category: Category::Bug,
            title: "CSV export fails".into(),
            description: "Exports of large ledgers fail with a timeout.".into(),
            priority: Priority::Urgent,
            status: WorkItemStatus::Open,
            customer_count: 4,
            company_count: 3,
            report_count: 5,
            merged_into: None,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        }
    }

    fn report(text: &str) -> Report {
        Report {
            id: jetson_domain::ReportId::new(),
            work_item_id: jetson_domain::WorkItemId::new(),
            conversation_id: jetson_domain::ConversationId::new(),
            conversation_subject: "s".into(),
            customer_name: "Ann Example".into(),
            customer_email: "ann@acme.io".into(),
            category: Category::Bug,
            excerpt: text.into(),
            similarity: None,
            source: jetson_domain::Decider::Model,
            created_at: chrono::Utc::now(),
            match_text: text.into(),
            matched_subject: None,
            matched_text: None,
        }
    }

    #[test]
    fn the_draft_carries_counts_steps_excerpts_and_labels_but_no_customer_details() {
        let reports: Vec<Report> = (0..7)
            .map(|i| {
                report(&format!("Hi [NAME]. When I click Export on ledger {i} the page fails with an error. Thanks"))
            })
            .collect();
        let d = draft(&item(), &reports, 3, super::super::connect::DEFAULT_LABELS, "");
        assert_eq!(d.title, "CSV export fails");
        assert_eq!(d.labels, vec!["bug", "priority: urgent"]);
        assert!(d.body.contains("**4 distinct customers** at **3 companies**"), "{}", d.body);
        assert!(d.body.contains("Priority: **urgent**"));
        assert!(d.body.contains("## Steps and symptoms\n\n- When I click Export on ledger 0"));
        assert_eq!(d.body.matches("\n> ").count() + usize::from(d.body.starts_with("> ")), 5, "five excerpts at most");
        assert!(!d.body.contains("ann@acme.io") && !d.body.contains("Ann Example"));
    }

    #[test]
    fn instructions_set_a_title_prefix_labels_a_footer_and_keep_the_rest_as_notes() {
        let text = "Title prefix: [Support]\nlabels: from-support, triage\nfooter: cc @acme/support\nMention the plan.";
        let d = draft(&item(), &[], 1, r#"{"bug": ["bug"]}"#, text);
        assert_eq!(d.title, "[Support] CSV export fails");
        assert_eq!(d.labels, vec!["bug", "from-support", "triage"]);
        assert!(d.body.contains("cc @acme/support"));
        assert!(d.body.contains("## Notes for triage\n\n- Mention the plan."));
        assert!(d.body.contains("at **1 company**"));
    }

    #[test]
    fn a_broken_label_map_is_reported_when_saved_and_ignored_when_drafting() {
        assert!(parse_label_map("{not json").is_err());
        assert!(draft(&item(), &[], 1, "{not json", "").labels.is_empty());
    }
}
