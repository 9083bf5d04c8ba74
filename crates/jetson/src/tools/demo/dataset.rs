//! Parsing `demo/dataset.txt` (its format is described at the top of the file).

use jetson_domain::Category;

#[derive(Debug, Clone)]
pub struct Phrase {
    pub subject: String,
    pub body: String,
}

#[derive(Debug, Clone)]
pub struct Problem {
    pub category: Category,
    pub id: String,
    pub count: usize,
    pub phrases: Vec<Phrase>,
}

#[derive(Debug, Clone, Default)]
pub struct ProductScript {
    pub name: String,
    pub problems: Vec<Problem>,
    pub no_action: Vec<Phrase>,
}

#[derive(Debug, Clone, Default)]
pub struct Dataset {
    pub products: Vec<ProductScript>,
}

pub fn parse(text: &str) -> Result<Dataset, String> {
    let mut data = Dataset::default();
    // Where phrases go: Some(index of problem) or None for no-action.
    let mut target: Option<Option<usize>> = None;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        let err = |m: &str| format!("dataset line {}: {m}", n + 1);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix("@product ") {
            data.products.push(ProductScript { name: name.trim().to_string(), ..Default::default() });
            target = None;
        } else if let Some(rest) = line.strip_prefix("@problem ") {
            let product = data.products.last_mut().ok_or_else(|| err("@problem before @product"))?;
            let parts: Vec<&str> = rest.split_whitespace().collect();
            let [kind, id, count] = parts[..] else { return Err(err("expected @problem KIND ID COUNT")) };
            product.problems.push(Problem {
                category: Category::parse(kind).map_err(|e| err(&e.0))?,
                id: id.to_string(),
                count: count.parse().map_err(|_| err("COUNT must be a number"))?,
                phrases: Vec::new(),
            });
            target = Some(Some(product.problems.len() - 1));
        } else if line == "@noaction" {
            data.products.last().ok_or_else(|| err("@noaction before @product"))?;
            target = Some(None);
        } else {
            let (subject, body) = line.split_once(" :: ").ok_or_else(|| err("expected `Subject :: Body`"))?;
            let phrase = Phrase { subject: subject.trim().to_string(), body: body.trim().replace("\\n", "\n") };
            let product = data.products.last_mut().ok_or_else(|| err("phrase before @product"))?;
            match target {
                Some(Some(i)) => product.problems[i].phrases.push(phrase),
                Some(None) => product.no_action.push(phrase),
                None => return Err(err("phrase before @problem or @noaction")),
            }
        }
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_bundled_dataset_parses_and_every_problem_has_phrases() {
        let d = super::parse(crate::tools::demo::DATASET).unwrap();
        assert_eq!(d.products.len(), 2);
        for p in &d.products {
            assert!(p.no_action.len() >= 20);
            for pr in &p.problems {
                assert!(!pr.phrases.is_empty(), "{}", pr.id);
                assert!((2..=30).contains(&pr.count), "{}", pr.id);
            }
        }
    }
}
