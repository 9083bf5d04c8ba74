//! Bug / feature request / no action: a multinomial logistic regression over hashed n-grams.
//!
//! Training is plain SGD with L2 regularisation and a fixed shuffle seed, so the same examples
//! always give the same model. The softmax output is the confidence; explanations are the features
//! whose weights pushed the text towards the chosen class.

use jetson_domain::Category;

use crate::features::{self, DIM, SparseVec};

pub const CLASSES: [Category; 3] = [Category::Bug, Category::Feature, Category::NoAction];
const K: usize = CLASSES.len();

pub(crate) fn class_index(c: Category) -> usize {
    CLASSES.iter().position(|x| *x == c).expect("every category is a class")
}

#[derive(Clone)]
pub struct Classifier {
    /// `DIM × K`, row-major by feature.
    weights: Vec<f32>,
    bias: [f32; K],
    /// Logits are divided by this before the softmax, so that confidence matches accuracy
    /// (fitted by [`Classifier::train_calibrated`]).
    temperature: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    pub category: Category,
    pub confidence: f64,
    /// Probability per class, in [`CLASSES`] order.
    pub probabilities: [f64; K],
}

#[derive(Debug, Clone, Copy)]
pub struct TrainOptions {
    pub epochs: usize,
    pub learning_rate: f32,
    pub l2: f32,
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions { epochs: 30, learning_rate: 0.5, l2: 1e-5, seed: 0x5eed }
    }
}

impl Classifier {
    pub fn train(examples: &[(Category, String)], opts: TrainOptions) -> Classifier {
        let data: Vec<(usize, SparseVec)> =
            examples.iter().map(|(c, t)| (class_index(*c), features::classifier_vector(t))).collect();
        let mut model = Classifier { weights: vec![0.0; DIM as usize * K], bias: [0.0; K], temperature: 1.0 };
        let mut order: Vec<usize> = (0..data.len()).collect();
        let mut rng = opts.seed | 1;
        for epoch in 0..opts.epochs {
            shuffle(&mut order, &mut rng);
            let lr = opts.learning_rate / (1.0 + epoch as f32 * 0.2);
            for &i in &order {
                let (y, x) = &data[i];
                let p = model.probabilities_of(x);
                for (k, pk) in p.iter().enumerate() {
                    let g = *pk as f32 - if k == *y { 1.0 } else { 0.0 };
                    model.bias[k] -= lr * g * 0.1;
                    for &(f, v) in &x.entries {
                        let w = &mut model.weights[f as usize * K + k];
                        *w -= lr * (g * v + opts.l2 * *w);
                    }
                }
            }
        }
        model
    }

    /// Trains on all examples, with a temperature fitted by 5-fold cross-validation on the same
    /// examples: each fold's held-out logits come from a model that never saw them, and the
    /// temperature minimising their log-loss is kept. Deterministic.
    pub fn train_calibrated(examples: &[(Category, String)], opts: TrainOptions) -> Classifier {
        const FOLDS: usize = 5;
        let mut held_out: Vec<(usize, [f64; K])> = Vec::new();
        for fold in 0..FOLDS {
            let train: Vec<(Category, String)> =
                examples.iter().enumerate().filter(|(i, _)| i % FOLDS != fold).map(|(_, e)| e.clone()).collect();
            let model = Classifier::train(&train, opts);
            for (_, (c, text)) in examples.iter().enumerate().filter(|(i, _)| i % FOLDS == fold) {
                held_out.push((class_index(*c), model.logits(&features::classifier_vector(text))));
            }
        }
        let log_loss = |t: f64| -> f64 {
            held_out.iter().map(|(y, z)| -softmax(z, t)[*y].max(1e-12).ln()).sum::<f64>() / held_out.len().max(1) as f64
        };
        let temperature =
            (4..=60).map(|i| f64::from(i) * 0.05).min_by(|a, b| log_loss(*a).total_cmp(&log_loss(*b))).unwrap_or(1.0);
        let mut model = Classifier::train(examples, opts);
        model.temperature = temperature;
        model
    }

    fn logits(&self, x: &SparseVec) -> [f64; K] {
        let mut z = [0f64; K];
        for (k, zk) in z.iter_mut().enumerate() {
            *zk = f64::from(self.bias[k]);
        }
        for &(f, v) in &x.entries {
            let row = &self.weights[f as usize * K..f as usize * K + K];
            for k in 0..K {
                z[k] += f64::from(row[k] * v);
            }
        }
        z
    }

    fn probabilities_of(&self, x: &SparseVec) -> [f64; K] {
        softmax(&self.logits(x), self.temperature)
    }

    pub fn predict(&self, text: &str) -> Prediction {
        if text.trim().is_empty() {
            return Prediction { category: Category::NoAction, confidence: 1.0, probabilities: [0.0, 0.0, 1.0] };
        }
        let p = self.probabilities_of(&features::classifier_vector(text));
        let best = (0..K).max_by(|a, b| p[*a].total_cmp(&p[*b])).expect("K > 0");
        Prediction { category: CLASSES[best], confidence: p[best], probabilities: p }
    }

    /// The features of `text` that pushed it most towards `category` over the other classes.
    pub fn explain(&self, text: &str, category: Category, top: usize) -> Vec<(String, f32)> {
        let k = class_index(category);
        let named = features::classifier_features(text);
        let norm = named.iter().map(|(_, v)| v * v).sum::<f32>().sqrt().max(1e-6);
        let mut scored: Vec<(String, f32)> = named
            .into_iter()
            .map(|(name, v)| {
                let f = (features::hash(&name, 0) % DIM) as usize;
                let row = &self.weights[f * K..f * K + K];
                let others = (0..K).filter(|j| *j != k).map(|j| row[j]).fold(f32::MIN, f32::max);
                (name, (row[k] - others) * v / norm)
            })
            // A person learns nothing from "the" or "and": name only features with a content word.
            .filter(|(name, s)| *s > 0.0 && !name.split(' ').all(features::is_stopword))
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        scored.truncate(top);
        // Show the customer's own words ("invoices"), not the stems the model uses ("invoic").
        let mut surface: std::collections::HashMap<String, String> = std::collections::HashMap::new();
        for token in features::tokens(text) {
            surface.entry(features::stem(&token)).or_insert(token);
        }
        for (name, _) in &mut scored {
            *name = name.split(' ').map(|w| surface.get(w).map_or(w, String::as_str)).collect::<Vec<_>>().join(" ");
        }
        scored
    }
}

/// The model file: magic, feature dimension, temperature, biases, then the non-zero weight rows
/// as (feature index, one weight per class), all little-endian. Only rows a training example
/// touched are stored, so the file is a small fraction of `DIM × K` floats.
const MAGIC: &[u8; 8] = b"JETSONM1";

#[derive(Debug, thiserror::Error)]
#[error("not a Jetson model file: {0}")]
pub struct ModelFileError(pub(crate) &'static str);

impl Classifier {
    pub fn to_bytes(&self) -> Vec<u8> {
        let rows: Vec<usize> =
            (0..DIM as usize).filter(|f| self.weights[f * K..f * K + K].iter().any(|w| *w != 0.0)).collect();
        let mut out = Vec::with_capacity(40 + rows.len() * (4 + 4 * K));
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&DIM.to_le_bytes());
        out.extend_from_slice(&self.temperature.to_le_bytes());
        for b in self.bias {
            out.extend_from_slice(&b.to_le_bytes());
        }
        out.extend_from_slice(&(rows.len() as u32).to_le_bytes());
        for f in rows {
            out.extend_from_slice(&(f as u32).to_le_bytes());
            for w in &self.weights[f * K..f * K + K] {
                out.extend_from_slice(&w.to_le_bytes());
            }
        }
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Classifier, ModelFileError> {
        let mut r = bytes;
        let mut take = |n: usize| -> Result<&[u8], ModelFileError> {
            if r.len() < n {
                return Err(ModelFileError("truncated"));
            }
            let (head, tail) = r.split_at(n);
            r = tail;
            Ok(head)
        };
        if take(8)? != MAGIC {
            return Err(ModelFileError("wrong magic"));
        }
        let u32_at = |b: &[u8]| u32::from_le_bytes(b.try_into().expect("4 bytes"));
        let f32_at = |b: &[u8]| f32::from_le_bytes(b.try_into().expect("4 bytes"));
        if u32_at(take(4)?) != DIM {
            return Err(ModelFileError("made for another feature dimension"));
        }
        let temperature = f64::from_le_bytes(take(8)?.try_into().expect("8 bytes"));
        if !(temperature.is_finite() && temperature > 0.0) {
            return Err(ModelFileError("invalid temperature"));
        }
        let mut bias = [0f32; K];
        for b in &mut bias {
            *b = f32_at(take(4)?);
        }
        let rows = u32_at(take(4)?) as usize;
        let mut weights = vec![0f32; DIM as usize * K];
        for _ in 0..rows {
            let f = u32_at(take(4)?);
            if f >= DIM {
                return Err(ModelFileError("feature index out of range"));
            }
            for k in 0..K {
                weights[f as usize * K + k] = f32_at(take(4)?);
            }
        }
        if take(1).is_ok() {
            return Err(ModelFileError("trailing bytes"));
        }
        Ok(Classifier { weights, bias, temperature })
    }
}

/// Fisher–Yates with xorshift: deterministic and dependency-free. `rng` must not be zero.
pub(crate) fn shuffle(order: &mut [usize], rng: &mut u64) {
    for i in (1..order.len()).rev() {
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        order.swap(i, (*rng % (i as u64 + 1)) as usize);
    }
}

pub(crate) fn softmax(z: &[f64; K], temperature: f64) -> [f64; K] {
    let scaled = z.map(|v| v / temperature);
    let max = scaled.iter().copied().fold(f64::MIN, f64::max);
    let e = scaled.map(|v| (v - max).exp());
    let sum: f64 = e.iter().sum();
    e.map(|v| v / sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Vec<(Category, String)> {
        [
            (Category::Bug, "the app crashes when I click save"),
            (Category::Bug, "error 500 when exporting, it is broken"),
            (Category::Feature, "please add a dark mode option"),
            (Category::Feature, "it would be great if you supported exporting to excel"),
            (Category::NoAction, "how do I update my billing address"),
            (Category::NoAction, "thanks for the quick reply"),
        ]
        .into_iter()
        .map(|(c, t)| (c, t.to_string()))
        .collect()
    }

    #[test]
    fn training_is_deterministic_and_learns_the_examples() {
        let a = Classifier::train(&tiny(), TrainOptions::default());
        let b = Classifier::train(&tiny(), TrainOptions::default());
        assert_eq!(a.weights, b.weights);
        for (c, t) in tiny() {
            assert_eq!(a.predict(&t).category, c, "{t}");
        }
    }

    #[test]
    fn probabilities_sum_to_one_and_explanations_name_words() {
        let m = Classifier::train(&tiny(), TrainOptions::default());
        let p = m.predict("the editor crashes with an error");
        assert!((p.probabilities.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert_eq!(p.category, Category::Bug);
        let why = m.explain("the editor crashes with an error", Category::Bug, 3);
        assert!(why.iter().any(|(w, _)| w == "crashes" || w == "error"), "the customer's own words: {why:?}");
    }

    #[test]
    fn a_model_survives_its_file_and_a_damaged_file_is_refused() {
        let m = Classifier::train_calibrated(&tiny(), TrainOptions::default());
        let bytes = m.to_bytes();
        let back = Classifier::from_bytes(&bytes).unwrap();
        assert_eq!(back.weights, m.weights);
        assert_eq!(back.predict("it crashes"), m.predict("it crashes"));
        assert!(Classifier::from_bytes(&bytes[..bytes.len() - 3]).is_err());
        assert!(Classifier::from_bytes(b"not a model").is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Classifier::from_bytes(&longer).is_err());
    }

    #[test]
    fn empty_text_is_no_action() {
        let m = Classifier::train(&tiny(), TrainOptions::default());
        assert_eq!(m.predict("   ").category, Category::NoAction);
    }
}
