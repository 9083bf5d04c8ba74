-- A merge into an item without a GitHub issue carries the merged item's issue along (the merged
-- item is hidden, and GitHub's events for its issue would otherwise change nothing); the undo
-- must know whether to carry it back.
ALTER TABLE merges ADD COLUMN issue_moved BOOLEAN NOT NULL DEFAULT FALSE;
