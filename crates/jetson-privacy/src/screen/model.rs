//! The abusive-language model: multinomial logistic regression over hashed word, word-pair and
//! word-prefix features, three classes (neither, offensive, hate). Small, deterministic to train,
//! and fast enough to screen every message (a feature is one hash and one table lookup).
//!
//! File format (little-endian): `JSCR1`, then the dimension bits (u8), the flag threshold and the
//! hate threshold (f32 each), the three biases (f32), the weight scale (f32), the entry count
//! (u32), and that many entries of (feature index u32, three weights i16 scaled by the scale).
//! Only features seen in training are stored, so the file stays small.

pub const CLASSES: usize = 3;
pub const NEITHER: usize = 0;
pub const OFFENSIVE: usize = 1;
pub const HATE: usize = 2;

const BITS: u8 = 20;
const MAGIC: &[u8; 5] = b"JSCR1";

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    bits: u8,
    /// Flag when P(offensive) + P(hate) reaches this.
    pub flag_threshold: f32,
    /// Call it hate (not just offensive) when P(hate) reaches this.
    pub hate_threshold: f32,
    bias: [f32; CLASSES],
    /// Dense: `weights[feature * CLASSES + class]`, each times `scale`. Sixteen bits a weight keep
    /// the table small enough (6 MiB) to stay mostly in cache, which is most of the model's speed.
    weights: Vec<i16>,
    scale: f32,
}

#[derive(Debug, thiserror::Error)]
#[error("the screening model file is damaged: {0}")]
pub struct ModelFileError(&'static str);

impl Model {
    /// Class probabilities of the text's most abusive segment. The model learned from tweets, so it
    /// reads a message a tweet-sized piece at a time (lines, and sentences of long lines): summed
    /// over a long message, faint hints in ordinary words would add up to "offensive".
    pub fn probabilities(&self, text: &str) -> [f32; CLASSES] {
        let abusive = |p: &[f32; CLASSES]| p[OFFENSIVE] + p[HATE];
        segments(text)
            .map(|s| self.segment_probabilities(s))
            .max_by(|a, b| abusive(a).total_cmp(&abusive(b)))
            .unwrap_or_else(|| self.segment_probabilities(""))
    }

    fn segment_probabilities(&self, text: &str) -> [f32; CLASSES] {
        let mut sums = [0i32; CLASSES];
        let mask = (1u32 << self.bits) - 1;
        features(text, |h| {
            let at = (h & mask) as usize * CLASSES;
            for (sum, w) in sums.iter_mut().zip(&self.weights[at..at + CLASSES]) {
                *sum += i32::from(*w);
            }
        });
        let mut z = self.bias;
        for (zc, sum) in z.iter_mut().zip(sums) {
            *zc += sum as f32 * self.scale;
        }
        softmax(z)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.push(self.bits);
        for f in [self.flag_threshold, self.hate_threshold, self.bias[0], self.bias[1], self.bias[2], self.scale] {
            out.extend(f.to_le_bytes());
        }
        let kept: Vec<(u32, [i16; CLASSES])> = self
            .weights
            .chunks(CLASSES)
            .enumerate()
            .map(|(i, w)| (i as u32, [w[0], w[1], w[2]]))
            .filter(|(_, q)| q.iter().any(|&x| x != 0))
            .collect();
        out.extend((kept.len() as u32).to_le_bytes());
        for (i, q) in kept {
            out.extend(i.to_le_bytes());
            for x in q {
                out.extend(x.to_le_bytes());
            }
        }
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Model, ModelFileError> {
        let rest = bytes.strip_prefix(MAGIC).ok_or(ModelFileError("not a screening model"))?;
        let (&bits, rest) = rest.split_first().ok_or(ModelFileError("truncated"))?;
        if !(8..=24).contains(&bits) {
            return Err(ModelFileError("dimension out of range"));
        }
        let mut r = Reader(rest);
        let [flag_threshold, hate_threshold, b0, b1, b2, scale] = [(); 6].map(|_| r.f32());
        let count = r.u32();
        let mut weights = vec![0i16; (1usize << bits) * CLASSES];
        for _ in 0..count.unwrap_or(0) {
            let i = r.u32().ok_or(ModelFileError("truncated"))? as usize;
            if i >= 1 << bits {
                return Err(ModelFileError("feature index out of range"));
            }
            for c in 0..CLASSES {
                weights[i * CLASSES + c] = r.i16().ok_or(ModelFileError("truncated"))?;
            }
        }
        let (Some(flag_threshold), Some(hate_threshold), Some(b0), Some(b1), Some(b2), Some(scale)) =
            (flag_threshold, hate_threshold, b0, b1, b2, scale)
        else {
            return Err(ModelFileError("truncated"));
        };
        if count.is_none() || !r.0.is_empty() {
            return Err(ModelFileError("wrong length"));
        }
        Ok(Model { bits, flag_threshold, hate_threshold, bias: [b0, b1, b2], weights, scale })
    }
}

/// Tweet-sized pieces of a text: its non-blank lines, and lines longer than a tweet cut after
/// sentence ends.
fn segments(text: &str) -> impl Iterator<Item = &str> {
    const TWEET: usize = 280;
    text.lines().filter(|l| !l.trim().is_empty()).flat_map(|line| {
        let mut pieces = Vec::new();
        let mut rest = line;
        while rest.len() > TWEET {
            let cut = rest[..rest.floor_char_boundary(TWEET)]
                .rmatch_indices(['.', '!', '?'])
                .map(|(i, _)| i + 1)
                .find(|&i| i > TWEET / 4)
                .unwrap_or(rest.floor_char_boundary(TWEET));
            pieces.push(&rest[..cut]);
            rest = &rest[cut..];
        }
        pieces.push(rest);
        pieces
    })
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*head)
    }
    fn f32(&mut self) -> Option<f32> {
        self.take().map(f32::from_le_bytes)
    }
    fn u32(&mut self) -> Option<u32> {
        self.take().map(u32::from_le_bytes)
    }
    fn i16(&mut self) -> Option<i16> {
        self.take().map(i16::from_le_bytes)
    }
}

fn softmax(z: [f32; CLASSES]) -> [f32; CLASSES] {
    let max = z.iter().fold(f32::MIN, |m, &x| m.max(x));
    let e = z.map(|x| (x - max).exp());
    let sum: f32 = e.iter().sum();
    e.map(|x| x / sum)
}

/// Calls `emit` with the hash of every feature of `text`: each word, each pair of neighbouring
/// words, and the first five letters of longer words (so "fuckin", "fucking" and "fucker" share
/// one). Words are lowercased, letters repeated more than twice are cut to two ("shiiiit" is
/// "shiit"), and common look-alike spellings are folded ("sh1t", "$hit", "b!tch").
pub fn features(text: &str, mut emit: impl FnMut(u32)) {
    let mut word = String::with_capacity(32);
    // The word's last two characters, kept aside rather than decoded from its end each time.
    let (mut last, mut before_last): (Option<char>, Option<char>) = (None, None);
    let mut previous: u64 = 0;
    let mut chars = text.chars().peekable();
    loop {
        let c = chars.next();
        let after_letter = last.is_some_and(|p| p.is_alphabetic() || p == '*');
        let next_is_letter = chars.peek().is_some_and(|n| n.is_alphabetic() || *n == '*');
        let folded = c.and_then(|c| fold(c, after_letter, next_is_letter));
        if let Some(f) = folded {
            let repeats = last == Some(f) && before_last == Some(f);
            if !repeats && word.len() < 40 {
                word.push(f);
                (before_last, last) = (last, Some(f));
            }
            continue;
        }
        if c == Some(':') && (word == "http" || word == "https") {
            skip_token(&mut chars);
            emit(fnv(b"http://", 3) as u32);
            word.clear();
            (last, before_last) = (None, None);
            continue;
        }
        if !word.is_empty() {
            let h = fnv(word.as_bytes(), 1);
            emit(h as u32);
            if previous != 0 {
                emit((previous.rotate_left(17) ^ h.wrapping_mul(0x9E37_79B9_7F4A_7C15)) as u32 ^ 0x5bd1_e995);
            }
            if word.len() > 5 {
                emit(fnv(&word.as_bytes()[..5], 2) as u32);
            }
            previous = h;
            word.clear();
            (last, before_last) = (None, None);
        }
        match c {
            None => break,
            // An @mention, a link or an HTML entity is one token, not words.
            Some('@') if chars.peek().is_some_and(|n| n.is_alphanumeric() || *n == '_') => {
                skip_token(&mut chars);
                emit(fnv(b"@mention", 3) as u32);
            }
            Some('&') if chars.peek().is_some_and(|n| n.is_alphanumeric() || *n == '#') => skip_entity(&mut chars),
            _ => {}
        }
    }
}

/// The letter `c` stands for in a word, or None when `c` ends the word. Look-alikes count as
/// letters only between letters (so "2013" stays a number and "great!" ends at the "t").
fn fold(c: char, after_letter: bool, next_is_letter: bool) -> Option<char> {
    match c {
        '$' | '!' | '1' | '3' | '@' | '*' | '\'' if after_letter && next_is_letter => Some(match c {
            '$' => 's',
            '!' | '1' => 'i',
            '3' => 'e',
            '@' => 'a',
            '\'' => '\'',
            _ => '*',
        }),
        'a'..='z' | '0'..='9' => Some(c),
        'A'..='Z' => Some(c.to_ascii_lowercase()),
        '$' if next_is_letter => Some('s'),
        c if c.is_alphabetic() => c.to_lowercase().next(),
        _ => None,
    }
}

fn skip_token(chars: &mut std::iter::Peekable<std::str::Chars>) {
    while chars.peek().is_some_and(|c| !c.is_whitespace()) {
        chars.next();
    }
}

/// `&amp;`, `&#128514;`: up to the semicolon (at most 10 characters on).
fn skip_entity(chars: &mut std::iter::Peekable<std::str::Chars>) {
    let mut n = 0;
    while let Some(&c) = chars.peek() {
        chars.next();
        n += 1;
        if c == ';' || n > 10 || c.is_whitespace() {
            break;
        }
    }
}

fn fnv(bytes: &[u8], salt: u64) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ salt;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Training options; the defaults are what the shipped model uses.
#[derive(Debug, Clone, Copy)]
pub struct TrainOptions {
    pub epochs: usize,
    pub learning_rate: f32,
    pub l2: f32,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions { epochs: 8, learning_rate: 0.5, l2: 1e-6 }
    }
}

/// Trains on `(class, text)` pairs with AdaGrad, in a fixed shuffled order: the same data gives
/// the same model, byte for byte. Thresholds are left at their defaults for the caller to tune.
pub fn train(examples: &[(usize, &str)], opts: TrainOptions) -> Model {
    let dims = 1usize << BITS;
    let mask = (dims - 1) as u32;
    let encoded: Vec<(usize, Vec<u32>)> = examples
        .iter()
        .map(|(class, text)| {
            let mut f = Vec::new();
            features(text, |h| f.push(h & mask));
            (*class, f)
        })
        .collect();
    let mut weights = vec![0f32; dims * CLASSES];
    let mut grad_sq = vec![1e-8f32; dims * CLASSES];
    let mut bias = [0f32; CLASSES];
    let mut order: Vec<usize> = (0..encoded.len()).collect();
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    for _ in 0..opts.epochs {
        for i in (1..order.len()).rev() {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            order.swap(i, (seed % (i as u64 + 1)) as usize);
        }
        for &i in &order {
            let (class, feats) = &encoded[i];
            let mut z = bias;
            for &f in feats {
                for (c, zc) in z.iter_mut().enumerate() {
                    *zc += weights[f as usize * CLASSES + c];
                }
            }
            let p = softmax(z);
            for c in 0..CLASSES {
                let g = p[c] - if c == *class { 1.0 } else { 0.0 };
                bias[c] -= 0.05 * g;
                for &f in feats {
                    let at = f as usize * CLASSES + c;
                    let gw = g + opts.l2 * weights[at];
                    grad_sq[at] += gw * gw;
                    weights[at] -= opts.learning_rate * gw / grad_sq[at].sqrt();
                }
            }
        }
    }
    let scale = weights.iter().fold(0f32, |m, w| m.max(w.abs())).max(1e-6) / i16::MAX as f32;
    let weights = weights.iter().map(|w| (w / scale).round() as i16).collect();
    Model { bits: BITS, flag_threshold: 0.5, hate_threshold: 0.5, bias, weights, scale }
}

/// Macro-F1 over the two classes (flagged, not flagged) of `(truth, predicted)` pairs.
pub fn binary_macro_f1(pairs: impl Iterator<Item = (bool, bool)>) -> f64 {
    let mut m = [[0usize; 2]; 2];
    for (t, p) in pairs {
        m[t as usize][p as usize] += 1;
    }
    let f1 = |k: usize| {
        let tp = m[k][k] as f64;
        let predicted = (m[0][k] + m[1][k]) as f64;
        let actual = (m[k][0] + m[k][1]) as f64;
        if tp == 0.0 { 0.0 } else { 2.0 * tp / (predicted + actual) }
    };
    (f1(0) + f1(1)) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> usize {
        let mut n = 0;
        features(text, |_| n += 1);
        n
    }

    #[test]
    fn look_alikes_and_stretched_words_share_features() {
        let hashes = |t: &str| {
            let mut v = Vec::new();
            features(t, |h| v.push(h));
            v
        };
        assert_eq!(hashes("sh1t"), hashes("shit"));
        assert_eq!(hashes("SHIIIIT"), hashes("shiit"));
        assert_eq!(hashes("b!tch"), hashes("bitch"));
        assert_eq!(hashes("@someone"), hashes("@other_one"));
        assert_eq!(words("&amp; &#128514;"), 0);
        assert_eq!(words("one two"), 3, "two words and their pair");
    }

    #[test]
    fn a_model_round_trips_through_its_file_and_refuses_damage() {
        let data = [(OFFENSIVE, "you stupid idiot"), (NEITHER, "thanks for the help"), (HATE, "go back vermin")];
        let model = train(&data, TrainOptions { epochs: 3, ..Default::default() });
        let bytes = model.to_bytes();
        let back = Model::from_bytes(&bytes).unwrap();
        let (a, b) = (model.probabilities("stupid idiot"), back.probabilities("stupid idiot"));
        assert!((a[OFFENSIVE] - b[OFFENSIVE]).abs() < 1e-3, "{a:?} {b:?}");
        assert!(Model::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        assert!(Model::from_bytes(b"JSCR1").is_err());
        assert!(Model::from_bytes(b"garbage").is_err());
    }

    #[test]
    fn macro_f1_of_flagging_everything_is_low() {
        let pairs = (0..100).map(|i| (i < 80, true));
        assert!((binary_macro_f1(pairs) - 0.444).abs() < 0.01);
    }
}
