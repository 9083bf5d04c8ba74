//! Expands the demo script into conversations. Deterministic: the same script and day give the
//! same conversations, so loading the demo twice changes nothing.
//!
//! Each report gets its own customer (now and then the same customer writes twice about the same
//! problem, so customers and reports differ), a greeting, a sign-off and signature, often an agent
//! reply and sometimes a follow-up quoting it; about a third arrive as HTML. Some conversations
//! raise a bug and a feature request at once.

use chrono::{DateTime, Duration, Utc};
use jetson_domain::{Author, Category, Email};

use super::dataset::{Dataset, Phrase, Problem};
use crate::services::import::{Imported, ImportedMessage};

/// A generated conversation and what it really is.
#[derive(Debug, Clone)]
pub struct DemoConversation {
    pub product: String,
    pub conversation: Imported,
    pub category: Category,
    /// The problems it reports, in order: `(category, problem id)`.
    pub issues: Vec<(Category, String)>,
}

const MULTI_ISSUE_PER_PRODUCT: usize = 12;
const NO_ACTION_PER_PRODUCT: usize = 85;

const FIRST: &[&str] = &[
    "Anna", "Ben", "Chloe", "David", "Elif", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kiara", "Liam", "Mei", "Noah",
    "Olga", "Pedro", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wen", "Ximena", "Yusuf", "Zoe", "Aiko", "Bruno",
    "Carla", "Dmitri", "Emma", "Felix", "Gita", "Hana", "Ivan", "Julia", "Kofi", "Lena", "Marco", "Nadia",
];
const LAST: &[&str] = &[
    "Adams", "Berger", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hoffmann", "Ito", "Jensen", "Kowalski",
    "Lopez", "Moreau", "Nakamura", "Okafor", "Petrov", "Quist", "Rossi", "Schmidt", "Tanaka", "Ulrich", "Vargas",
    "Weber", "Yilmaz", "Zhang", "Novak", "Murphy", "Silva",
];
const COMPANIES: &[&str] = &[
    "brightpixel.io",
    "harbourcafe.com",
    "northwind-studio.com",
    "quillandink.co",
    "bluefernbakery.com",
    "atlasdesign.de",
    "copperkettle.co.uk",
    "lumenlegal.com",
    "pinegrove.org",
    "sprucecreative.io",
    "redlanternbistro.com",
    "tidepool.dev",
    "orchardhealth.com",
    "fieldnotes.studio",
    "ironbridge.build",
    "sunnysidecafe.com",
    "maplewood.agency",
    "corvusit.com",
    "greenleafmarket.com",
    "kestrelmedia.tv",
    "blueharbor.shop",
    "lighthouse-books.com",
    "parsleyandsage.com",
    "vantagepoint.co",
    "saltandstone.com",
];
const FREE_MAIL: &[&str] = &["gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me"];
const GREETINGS: &[&str] =
    &["Hi,", "Hello,", "Hi there,", "Hey team,", "Good morning,", "Hello support,", "Dear support team,"];
const SIGN_OFFS: &[&str] =
    &["Thanks,", "Thank you,", "Best regards,", "Cheers,", "Kind regards,", "Thanks in advance,", "Best,"];
const CONTEXT: &[&str] = &[
    "I'm using the web app on Windows.",
    "This started a few days ago.",
    "We have been customers for two years and never had this before.",
    "My colleague sees the same thing on her laptop.",
    "I tried logging out and in again.",
    "Can you have a look please?",
    "Let me know if you need screenshots.",
];
const AGENT_BUG: &[&str] = &[
    "Thanks for letting us know, and sorry for the trouble. I've passed this on to our developers and will update you as soon as I hear back.",
    "Thank you for the report! I can reproduce this on my side and have logged it with the engineering team.",
    "Sorry about that. Could you tell me which browser and version you are using? In the meantime I've flagged it to the team.",
];
const AGENT_FEATURE: &[&str] = &[
    "Thanks for the suggestion! It isn't possible at the moment, but I've added your vote to our feature request list.",
    "Great idea, thank you. I've shared it with our product team, who review requests every month.",
];
const AGENT_OTHER: &[&str] = &[
    "Happy to help! I've taken care of that for you. Let me know if there is anything else.",
    "Thanks for reaching out. You can find this under Settings > Account. Let me know if you get stuck.",
    "Thanks for your message, all done on our side.",
];
const AGENTS: &[&str] = &["Sam Carter", "Lucia Romero", "Ken Okoye"];

/// A small deterministic generator (xorshift64*), so the demo needs no randomness crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

#[derive(Clone)]
struct Customer {
    name: String,
    email: Email,
    company: Option<String>,
}

struct Customers {
    rng: Rng,
    used: usize,
    product_slug: String,
}

impl Customers {
    fn fresh(&mut self) -> Customer {
        self.used += 1;
        let first = *self.rng.pick(FIRST);
        let last = *self.rng.pick(LAST);
        let (domain, company) = if self.rng.chance(65) {
            let d = *self.rng.pick(COMPANIES);
            (d.to_string(), Some(company_name(d)))
        } else {
            (self.rng.pick(FREE_MAIL).to_string(), None)
        };
        // The counter keeps addresses unique even when names repeat.
        let local = format!("{}.{}{}", first.to_lowercase(), last.to_lowercase(), self.used);
        let email =
            Email::parse(&format!("{local}+{}@{domain}", self.product_slug)).expect("generated emails are valid");
        Customer { name: format!("{first} {last}"), email, company }
    }
}

fn company_name(domain: &str) -> String {
    let stem = domain.split('.').next().unwrap_or(domain).replace('-', " ");
    stem.split(' ')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One issue as a customer would raise it.
struct Raised<'a> {
    problem: &'a Problem,
    phrase: &'a Phrase,
    customer: Customer,
}

pub fn generate(dataset: &Dataset, today: DateTime<Utc>) -> Vec<DemoConversation> {
    let mut out = Vec::new();
    for (pi, product) in dataset.products.iter().enumerate() {
        let slug: String = product.name.to_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (pi as u64 + 1).wrapping_mul(0x1000_0000_01b3));
        let mut customers = Customers { rng: Rng(rng.next() | 1), used: 0, product_slug: slug.clone() };

        // Every report of every problem, each by a customer (sometimes one who already reported it).
        let mut raised: Vec<Raised<'_>> = Vec::new();
        for problem in &product.problems {
            let mut reporters: Vec<Customer> = Vec::new();
            for i in 0..problem.count {
                let customer = if i >= 4 && rng.chance(12) {
                    reporters[rng.below(reporters.len())].clone()
                } else {
                    customers.fresh()
                };
                reporters.push(customer.clone());
                raised.push(Raised { problem, phrase: &problem.phrases[i % problem.phrases.len()], customer });
            }
        }

        // Pair some bug reports with feature requests: one conversation raising both.
        let mut conversations: Vec<Vec<Raised<'_>>> = Vec::new();
        let mut singles: Vec<Raised<'_>> = Vec::new();
        let mut features: Vec<Raised<'_>> = Vec::new();
        for r in raised {
            if r.problem.category == Category::Feature && r.problem.count >= 3 {
                features.push(r);
            } else {
                singles.push(r);
            }
        }
        let mut pairs = 0;
        let mut i = 0;
        while i < singles.len() {
            if pairs < MULTI_ISSUE_PER_PRODUCT
                && singles[i].problem.category == Category::Bug
                && singles[i].problem.count >= 3
                && rng.chance(20)
                && !features.is_empty()
            {
                let bug = singles.remove(i);
                let mut feature = features.remove(rng.below(features.len()));
                feature.customer = bug.customer.clone();
                conversations.push(vec![bug, feature]);
                pairs += 1;
            } else {
                i += 1;
            }
        }
        conversations.extend(singles.into_iter().map(|r| vec![r]));
        conversations.extend(features.into_iter().map(|r| vec![r]));

        // Shuffle, then give each conversation a day in the last 90.
        for k in (1..conversations.len()).rev() {
            conversations.swap(k, rng.below(k + 1));
        }
        let mut n = 0;
        for issues in conversations {
            n += 1;
            let at = today - Duration::minutes(rng.below(90 * 24 * 60) as i64 + 60);
            out.push(issue_conversation(&product.name, &slug, n, issues, at, &mut rng));
        }
        for k in 0..NO_ACTION_PER_PRODUCT {
            n += 1;
            let phrase = &product.no_action[k % product.no_action.len()];
            let customer = customers.fresh();
            let at = today - Duration::minutes(rng.below(90 * 24 * 60) as i64 + 60);
            out.push(no_action_conversation(&product.name, &slug, n, phrase, customer, at, &mut rng));
        }
    }
    out
}

fn issue_conversation(
    product: &str,
    slug: &str,
    n: usize,
    issues: Vec<Raised<'_>>,
    at: DateTime<Utc>,
    rng: &mut Rng,
) -> DemoConversation {
    let customer = issues[0].customer.clone();
    let (subject, body) = if issues.len() == 1 {
        (issues[0].phrase.subject.clone(), issues[0].phrase.body.clone())
    } else {
        let (a, b) = (&issues[0].phrase.body, &issues[1].phrase.body);
        match rng.below(3) {
            0 => ("Two things".to_string(), format!("I have two things.\n\n1. {a}\n2. {b}")),
            1 => (issues[0].phrase.subject.clone(), format!("{a}\n\nAlso, {}", lower_first(b))),
            _ => (issues[0].phrase.subject.clone(), format!("{a}\n\nAnother thing while I'm writing: {b}")),
        }
    };
    let category = issues[0].problem.category;
    let mut body = body;
    if rng.chance(40) {
        body.push_str("\n\n");
        let context = rng.pick(CONTEXT).to_string();
        body.push_str(&context);
    }
    let agent_line = if category == Category::Bug { *rng.pick(AGENT_BUG) } else { *rng.pick(AGENT_FEATURE) };
    let follow_up =
        (category == Category::Bug && rng.chance(25)).then_some("Any update on this? It's still happening for us.");
    let conversation = thread(slug, n, &subject, &customer, &body, agent_line, follow_up, at, rng);
    DemoConversation {
        product: product.to_string(),
        conversation,
        category,
        issues: issues.iter().map(|r| (r.problem.category, r.problem.id.clone())).collect(),
    }
}

fn no_action_conversation(
    product: &str,
    slug: &str,
    n: usize,
    phrase: &Phrase,
    customer: Customer,
    at: DateTime<Utc>,
    rng: &mut Rng,
) -> DemoConversation {
    let follow_up = rng.chance(20).then_some("Great, thank you!");
    let agent_line = *rng.pick(AGENT_OTHER);
    let conversation = thread(slug, n, &phrase.subject, &customer, &phrase.body, agent_line, follow_up, at, rng);
    DemoConversation { product: product.to_string(), conversation, category: Category::NoAction, issues: Vec::new() }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) if !s.starts_with("I ") && !s.starts_with("I'") => f.to_lowercase().collect::<String>() + c.as_str(),
        _ => s.to_string(),
    }
}

#[allow(clippy::too_many_arguments)]
fn thread(
    slug: &str,
    n: usize,
    subject: &str,
    customer: &Customer,
    body: &str,
    agent_line: &str,
    follow_up: Option<&str>,
    at: DateTime<Utc>,
    rng: &mut Rng,
) -> Imported {
    let agent = *rng.pick(AGENTS);
    let html = rng.chance(33);
    let greeting = rng.chance(70).then(|| *rng.pick(GREETINGS));
    let sign_off = *rng.pick(SIGN_OFFS);
    let signature = match &customer.company {
        Some(c) if rng.chance(60) => format!("{}\n{c}", customer.name),
        _ => customer.name.clone(),
    };
    let first = compose(greeting, body, sign_off, &signature, None, html);
    let mut messages = vec![ImportedMessage {
        external_id: format!("{slug}-{n}-1"),
        author: Author::Customer,
        author_name: customer.name.clone(),
        body: first,
        created_at: at,
    }];
    let reply_at = at + Duration::minutes(20 + rng.below(600) as i64);
    let agent_body =
        format!("Hi {},\n\n{agent_line}\n\nBest,\n{agent}", customer.name.split(' ').next().unwrap_or_default());
    let agent_replied = follow_up.is_some() || rng.chance(70);
    if agent_replied {
        messages.push(ImportedMessage {
            external_id: format!("{slug}-{n}-2"),
            author: Author::Agent,
            author_name: agent.to_string(),
            body: if html { to_html(&agent_body) } else { agent_body.clone() },
            created_at: reply_at,
        });
    }
    if let Some(text) = follow_up {
        let quoted = (agent_replied, agent_body.as_str());
        let later = reply_at + Duration::hours(4 + rng.below(40) as i64);
        messages.push(ImportedMessage {
            external_id: format!("{slug}-{n}-3"),
            author: Author::Customer,
            author_name: customer.name.clone(),
            body: compose(None, text, sign_off, &customer.name, Some((quoted.1, agent, reply_at)), html),
            created_at: later,
        });
    }
    Imported {
        external_id: format!("{slug}-{n:04}"),
        subject: subject.to_string(),
        status: if rng.chance(60) { "closed".into() } else { "active".into() },
        tags: Vec::new(),
        customer_email: customer.email.clone(),
        customer_name: customer.name.clone(),
        created_at: at,
        messages,
    }
}

/// A customer email, as plain text or as the HTML a mail client would send, optionally quoting
/// an earlier message the way mail clients do.
fn compose(
    greeting: Option<&str>,
    body: &str,
    sign_off: &str,
    signature: &str,
    quote: Option<(&str, &str, DateTime<Utc>)>,
    html: bool,
) -> String {
    let mut text = String::new();
    if let Some(g) = greeting {
        text.push_str(g);
        text.push_str("\n\n");
    }
    text.push_str(body);
    text.push_str(&format!("\n\n{sign_off}\n{signature}"));
    let Some((quoted, who, when)) = quote else {
        return if html { to_html(&text) } else { text };
    };
    let header = format!("On {}, {who} wrote:", when.format("%a, %d %b %Y at %H:%M"));
    if html {
        format!(
            "{}<div class=\"gmail_quote\"><div>{header}</div><blockquote>{}</blockquote></div>",
            to_html(&text),
            to_html(quoted)
        )
    } else {
        let q: Vec<String> = quoted.lines().map(|l| format!("> {l}")).collect();
        format!("{text}\n\n{header}\n{}", q.join("\n"))
    }
}

fn to_html(text: &str) -> String {
    text.split("\n\n").map(|p| format!("<p>{}</p>", html_escape(p).replace('\n', "<br>"))).collect::<Vec<_>>().join("")
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Vec<DemoConversation> {
        let today = DateTime::parse_from_rfc3339("2026-11-25T00:00:00Z").unwrap().with_timezone(&Utc);
        generate(&super::super::parse(super::super::DATASET).unwrap(), today)
    }

    #[test]
    fn the_demo_has_the_promised_shape() {
        let d = demo();
        assert!(d.len() >= 400, "{}", d.len());
        assert!(d.iter().filter(|c| c.issues.len() == 2).count() >= 20);
        assert!(d.iter().filter(|c| c.category == Category::NoAction).count() >= 150);
        let html = d.iter().filter(|c| c.conversation.messages[0].body.starts_with("<p>")).count();
        assert!(html > 50, "{html}");
        let oldest = d.iter().map(|c| c.conversation.created_at).min().unwrap();
        assert!(oldest > DateTime::parse_from_rfc3339("2026-08-26T00:00:00Z").unwrap());
    }

    #[test]
    fn generation_is_deterministic() {
        let (a, b) = (demo(), demo());
        assert_eq!(a.len(), b.len());
        assert!(a.iter().zip(&b).all(|(x, y)| x.conversation == y.conversation));
    }
}
