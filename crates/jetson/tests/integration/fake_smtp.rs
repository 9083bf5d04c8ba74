//! A mail server on localhost that speaks just enough SMTP for lettre (EHLO, MAIL, RCPT, DATA,
//! RSET, NOOP, QUIT) and keeps what it receives, so tests read the mail Jetson sent.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    /// The message as sent: headers, a blank line, the body (lines un-dot-stuffed).
    pub data: String,
}

impl Received {
    pub fn subject(&self) -> &str {
        self.data.lines().find_map(|l| l.strip_prefix("Subject: ")).unwrap_or_default()
    }

    /// The first `http…` address in the body.
    pub fn link(&self) -> Option<String> {
        let body = self.data.split_once("\r\n\r\n").map_or(self.data.as_str(), |(_, b)| b);
        body.split_whitespace().find(|w| w.starts_with("http")).map(str::to_string)
    }
}

pub struct FakeSmtp {
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl FakeSmtp {
    pub async fn start() -> FakeSmtp {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("smtp://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let keep = received.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(socket, keep.clone()));
            }
        });
        FakeSmtp { url, received }
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits (up to 5 s) for `n` messages, for mail sent in the background.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..100 {
            if self.received().len() >= n {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        self.received()
    }
}

async fn serve(socket: tokio::net::TcpStream, keep: Arc<Mutex<Vec<Received>>>) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    let _ = write.write_all(b"220 fake.smtp ready\r\n").await;
    let mut to = Vec::new();
    while let Ok(Some(line)) = lines.next_line().await {
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            b"250-fake.smtp\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("RCPT TO:") {
            to.push(line[8..].trim().trim_matches(['<', '>']).to_string());
            b"250 ok\r\n"
        } else if upper == "DATA" {
            let _ = write.write_all(b"354 go ahead\r\n").await;
            let mut data = String::new();
            while let Ok(Some(l)) = lines.next_line().await {
                if l == "." {
                    break;
                }
                data.push_str(l.strip_prefix('.').unwrap_or(&l));
                data.push_str("\r\n");
            }
            keep.lock().unwrap().push(Received { to: std::mem::take(&mut to), data });
            b"250 queued\r\n"
        } else if upper == "QUIT" {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else {
            b"250 ok\r\n"
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}
