//! The one HTTP client every connector uses: bounded time, a few redirects at most, and a user
//! agent that tells providers who is calling.

use std::time::Duration;

pub const USER_AGENT: &str = concat!("Jetson/", env!("CARGO_PKG_VERSION"), " (self-hosted support analysis)");

/// Time limits are per request: a provider that stops answering must not hold a job forever.
pub fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(Duration::from_secs(10).min(timeout))
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::limited(3))
        .build()
        .expect("a client with these settings always builds")
}

/// The scheme, host and port of a URL, to check that a link a provider hands back points where
/// its API lives (we send our token with it).
pub fn origin(url: &str) -> Option<String> {
    let u = reqwest::Url::parse(url).ok()?;
    Some(format!("{}://{}:{}", u.scheme(), u.host_str()?, u.port_or_known_default()?))
}

/// A transport failure in plain words (never the URL's query, which may hold ids).
pub fn transport(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "could not connect".into()
    } else if e.is_body() || e.is_decode() {
        "the response was cut off".into()
    } else {
        "the connection failed".into()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn origins_compare_scheme_host_and_port() {
        assert_eq!(
            super::origin("https://api.helpscout.net/v2/x?page=2"),
            super::origin("https://api.helpscout.net:443/")
        );
        assert_ne!(super::origin("https://evil.example/v2"), super::origin("https://api.helpscout.net/v2"));
        assert_eq!(super::origin("not a url"), None);
    }

    /// Help Scout and GitHub are reached over HTTPS: the client must speak TLS. A local listener
    /// reads what the client sends first to an `https://` URL: a TLS handshake record (0x16).
    /// Built without TLS, reqwest sends nothing and fails.
    #[tokio::test]
    async fn the_client_speaks_https() {
        use tokio::io::AsyncReadExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let first_byte = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.ok()?;
            let mut byte = [0u8; 1];
            tokio::time::timeout(std::time::Duration::from_secs(5), socket.read_exact(&mut byte)).await.ok()?.ok()?;
            Some(byte[0])
        });
        let sent =
            super::client(std::time::Duration::from_secs(2)).get(format!("https://127.0.0.1:{port}/")).send().await;
        assert!(sent.is_err(), "the listener never answers");
        let first = tokio::time::timeout(std::time::Duration::from_secs(5), first_byte).await;
        assert_eq!(first.ok().and_then(|r| r.ok()).flatten(), Some(0x16), "a TLS ClientHello: {sent:?}");
    }
}
