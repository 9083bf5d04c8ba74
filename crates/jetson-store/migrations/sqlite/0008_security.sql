-- Failed sign-ins per account (a hash of the email address, whether or not it has an account) and
-- per client address (a hash of it), shared by every Jetson process: after too many failures in
-- a window the key is locked until locked_until_ms.
CREATE TABLE sign_in_throttle (
    key TEXT PRIMARY KEY,
    window_started_ms BIGINT NOT NULL,
    failures BIGINT NOT NULL,
    locked_until_ms BIGINT NOT NULL
);

-- What a person sees of their own sessions: the browser that opened one and when it was last
-- used (a session unused for longer than the idle limit ends).
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN last_seen_at TEXT;
