//! Progress for long commands: a bar on a terminal, a line every 10% otherwise (logs, CI).

use std::io::IsTerminal;

pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    label: &'static str,
    total: u64,
    last_tenth: u64,
}

impl Progress {
    pub fn new(label: &'static str, total: u64) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(total);
            let style =
                indicatif::ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({percent}%, {eta} left)")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                    .progress_chars("=> ");
            bar.set_style(style);
            bar.set_message(label);
            bar
        });
        Progress { bar, label, total: total.max(1), last_tenth: 0 }
    }

    /// For work whose size is learnt on the way (the first page of a listing says the total).
    pub fn set_total(&mut self, total: u64) {
        self.total = total.max(1);
        if let Some(bar) = &self.bar {
            bar.set_length(total);
        }
    }

    pub fn set(&mut self, done: u64) {
        match &self.bar {
            Some(bar) => bar.set_position(done),
            None => {
                let tenth = done * 10 / self.total;
                if tenth > self.last_tenth {
                    self.last_tenth = tenth;
                    eprintln!("{}: {}% ({done}/{})", self.label, tenth * 10, self.total);
                }
            }
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }
}
