//! Phrases that mark threats, self-harm and sexual content. The abusive-language model learned
//! from tweets, which say little about these; a short list of unambiguous phrasings catches what a
//! support inbox actually sees ("I know where you live", "I want to end it all") without flagging
//! "kill the process" or "the sex field on the form".

use regex::RegexSet;

use super::Category;

/// One pass over the text answers for every category (a set, not one search per pattern).
pub struct Rules {
    set: RegexSet,
    categories: [Category; 3],
    abuse: regex::Regex,
    /// The rules and the abuse lexicon together: nearly every text has none of them, and one
    /// search that says so costs half of two.
    any: RegexSet,
}

/// Insults, profanity and slurs (stems: "fuck" covers "fucking", "bitch" covers "bitches"). The
/// model only flags a text that uses one: without one, a short line that merely reads like a tweet
/// ("the water tested fine by hand") is not abuse.
const ABUSE: &str = r"(?i)(?-u:\b)(?:fu+ck|f\*+ck|fck|fuk|motherf|sh[i1]t|bullshit|b[i1]tch|biatch|hoe?s?(?-u:\b)|whore|slut|cunt|puss(?:y|ies)|dick|cock|ass(?:hole|hat|es)?(?-u:\b)|arse|bastard|damn|crap|piss|wank|twat|prick|douche|idiot|moron|stupid|dumb|retard|imbecile|loser|scum|trash|pathetic|useless|incompetent|nigg|negro|fag|dyke|tranny|spic|chink|gook|kike|wetback|coon|beaner|raghead|towelhead|cracker|redneck|hillbilly|white trash|queer|homo(?-u:\b)|lesbo|jew(?-u:\b)|muzzie|savage|ape|monkey|kill yourself|kys(?-u:\b)|stfu|gtfo|wtf|hell(?-u:\b)|suck)";

const OBJECT: &str =
    r"(you|u|ya|y'?all|your (family|kids|staff|team|boss)|him|her|them|everyone|every ?one of you|all of you)";

impl Rules {
    pub fn new() -> Rules {
        let threat = format!(
            r"(?i)(?-u:\b)(((i|we)( a|')m (going to|gonna)|(i|we)('ll| will| shall)|gonna|i('d| would)( like to)?) (come (over|down) (there )?and )?(kill|shoot|stab|murder|strangle|hurt|beat( up)?|punch|choke|rape|find) {OBJECT}(?-u:\b)|you('re| are| r) (dead|going to die|gonna die|gonna pay)|watch your back|i know where you (live|work)|(bomb|burn( down)?|shoot up|blow up) (your|the|this) (office|building|company|store|shop|headquarters|hq)|(?-u:\b)deserve to (die|be (shot|killed|raped)))(?-u:\b)"
        );
        let self_harm = r"(?i)(?-u:\b)(kill(ing)? my ?self|end(ing)? (it all|my (own )?life)|take my (own )?life|suicid(e|al)|(want|wanted|wanna) to die|don'?t want to (live|be alive)|(hurt|hurting|cut|cutting|harm|harming) myself|self[- ]harm|no reason to (live|go on)|better off dead|overdose on)(?-u:\b)";
        let sexual = r"(?i)(?-u:\b)(porn\w*|nudes|naked (pics?|photos?|pictures?)|(send|show) (me )?(your )?(nudes|tits|boobs)|blow ?job|hand ?job|horny|dick pics?|sexual (favou?rs?|content|acts?)|have sex with|sexy|pussy|tits|titties|boobs|cock|cum(ming|shot)?|jerk(ing)? off|masturbat\w*|orgasm\w*)(?-u:\b)";
        Rules {
            set: RegexSet::new([threat.as_str(), self_harm, sexual])
                .expect("the screening rules are valid regular expressions"),
            categories: [Category::Threat, Category::SelfHarm, Category::Sexual],
            abuse: regex::Regex::new(ABUSE).expect("the abuse lexicon is a valid regular expression"),
            any: RegexSet::new([threat.as_str(), self_harm, sexual, ABUSE])
                .expect("the screening rules are valid regular expressions"),
        }
    }

    /// Whether any rule or the abuse lexicon matches: when not, neither [`Rules::matches`] nor
    /// [`Rules::abusive_word`] would find anything.
    pub fn any(&self, text: &str) -> bool {
        self.any.is_match(text)
    }

    /// Whether the text uses an insult, profanity or a slur.
    pub fn abusive_word(&self, text: &str) -> bool {
        self.abuse.is_match(text)
    }

    /// The categories whose phrases occur in `text`.
    pub fn matches(&self, text: &str) -> Vec<Category> {
        // Nearly every text has none of these phrases. Asking whether any pattern matches runs the
        // regex engine's fast forward search, which stops at the first match; asking which ones do
        // runs its overlapping search, which walks the whole text at about three times the cost.
        if !self.set.is_match(text) {
            return Vec::new();
        }
        self.set.matches(text).into_iter().map(|i| self.categories[i]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cats(t: &str) -> Vec<Category> {
        Rules::new().matches(t)
    }

    #[test]
    fn threats_self_harm_and_sexual_content_are_recognised() {
        assert_eq!(cats("If this isn't fixed I'm going to come down there and kill you all"), vec![Category::Threat]);
        assert_eq!(cats("I know where you live."), vec![Category::Threat]);
        assert_eq!(cats("honestly I want to end it all, nothing works"), vec![Category::SelfHarm]);
        assert_eq!(cats("I've been thinking about killing myself"), vec![Category::SelfHarm]);
        assert_eq!(cats("send me your nudes"), vec![Category::Sexual]);
    }

    #[test]
    fn ordinary_support_language_is_left_alone() {
        for t in [
            "Please kill the process and restart the sync",
            "The export will kill my laptop's battery",
            "I'll find your invoice and send it over",
            "The sex field on the signup form is required",
            "This bug is killing me, we have a deadline",
            "I will hurt nobody by waiting, take your time",
            "Our office in Middlesex",
        ] {
            assert!(cats(t).is_empty(), "{t}: {:?}", cats(t));
        }
    }
}
