package history

import (
	"context"
	"fmt"
)

// applicationID marks a file as an actionbench history ("abhi" in the
// header), so Open can tell its own database from another program's.
const applicationID = 0x61626869

// pageSize is set before the first table exists: at SQLite's default 4 KiB
// each ~2 KB attempt takes a page of its own; 16 KiB pages insert 2.4x
// faster and take 43 % less disk (PERFORMANCE.md).
const pageSize = 16384

// migration is one step of the schema: step i (counting from 1) leaves the
// database at user_version i. A step is SQL run in one transaction, or a
// function for a step that rewrites every row (see migrate.go).
type migration struct {
	name string
	sql  string
	run  func(ctx context.Context, m *migrator) error
}

// migrations returns the schema's steps in order. Databases in the field
// are at every version, so a released step is never edited: a change is a
// new step at the end.
func migrations() []migration {
	return []migration{
		{name: "tables", sql: fmt.Sprintf(`
PRAGMA application_id = %d;

-- One row per attempt. Times are unix nanoseconds (NULL for a zero time).
-- Only what queries filter, sort or list on has a column of its own; the
-- rest (headers, bodies, warnings and the other fields only Get returns)
-- is packed into detail by the writer's caller (codec.go): each column is
-- a value to bind per row, and binding dominated the cost of an insert.
-- detail comes last, so a listing decodes as little of each row as it can.
CREATE TABLE attempts (
	id                   INTEGER PRIMARY KEY,
	recorded_at          INTEGER NOT NULL, -- wall clock; never decreases with id
	at                   INTEGER,          -- virtual clock
	kind                 TEXT NOT NULL,
	conversation_id      TEXT NOT NULL,
	action_id            TEXT NOT NULL,
	event                TEXT NOT NULL,
	"trigger"            TEXT NOT NULL,
	delivery_id          TEXT NOT NULL,
	outcome              TEXT NOT NULL,
	status               INTEGER,          -- NULL when no response arrived
	latency_ns           INTEGER NOT NULL,
	counts_against_limit INTEGER NOT NULL,
	reply_action         TEXT NOT NULL,
	detail               BLOB NOT NULL
) STRICT;

CREATE TABLE turns (
	id              INTEGER PRIMARY KEY,
	conversation_id TEXT NOT NULL,
	at              INTEGER,
	speaker         TEXT NOT NULL,
	text            TEXT NOT NULL,
	-- SET NULL so that pruning old attempts some day keeps the transcript.
	attempt_id      INTEGER REFERENCES attempts(id) ON DELETE SET NULL
) STRICT;
`, applicationID)},
		{name: "indexes", sql: `
-- Each filter is "WHERE x = ? [AND id < ?] ORDER BY id DESC LIMIT n": with
-- (x, id) that is a backward range scan that stops after n rows, however
-- sparse x is. The unfiltered newest page walks the primary key.
CREATE INDEX attempts_conversation ON attempts(conversation_id, id);
CREATE INDEX attempts_outcome      ON attempts(outcome, id);
-- An attempt is an action call or an event, never both, so these two are
-- partial: each row costs one of them a page write at commit, not both
-- (with 16 KiB pages every index a row touches adds 16 KiB to a
-- one-row commit). Queries repeat the "<> ''" term to be allowed to use them.
CREATE INDEX attempts_action       ON attempts(action_id, id) WHERE action_id <> '';
CREATE INDEX attempts_event        ON attempts(event, id) WHERE event <> '';
CREATE INDEX attempts_kind         ON attempts(kind, id);
-- Filter.Since becomes an id bound (recorded_at never decreases with id),
-- so it composes with every index above. The bound is looked up in
-- stamps, one row per transaction that wrote attempts (every attempt of a
-- transaction has its recorded_at) rather than in an index on recorded_at:
-- an index costs every row an insert and its commit a few more pages.
CREATE TABLE stamps (
	recorded_at INTEGER NOT NULL,
	first_id    INTEGER NOT NULL, -- the transaction's first attempt
	PRIMARY KEY (recorded_at, first_id)
) STRICT, WITHOUT ROWID;
-- Attempts written before stamps existed.
INSERT INTO stamps SELECT recorded_at, min(id) FROM attempts GROUP BY recorded_at;
-- CountedCalls: only the rows that count, in virtual-time order (dropped
-- by the next step).
CREATE INDEX attempts_counted      ON attempts(conversation_id, at) WHERE counts_against_limit = 1;
CREATE INDEX turns_conversation    ON turns(conversation_id, id);
`},
		{name: "one index per conversation", sql: `
-- attempts_counted doubled what a commit writes: conversation ids arrive in
-- no order, so each of the two conversation-keyed indexes has a row of a
-- batch land on a different page, and every page a commit touches is
-- written whole to the WAL (16 KiB, then again at the checkpoint). Measured
-- on a stream of attempts: 16 KB written per attempt with it, 6 KB
-- without, and a third less writer CPU. CountedCalls now reads a
-- conversation's rows through attempts_conversation; a conversation is a
-- few dozen attempts, and a long one costs a read, not every insert.
DROP INDEX attempts_counted;
`},
		{name: "conversation index by id block", sql: `
-- attempts_conversation, (conversation_id, id), still sent a row of every
-- batch to a page of its own, and more of them as the history grew: its
-- pages are spread over every conversation ever seen, so a batch of a few
-- hundred rows dirtied a few hundred pages, each written whole to the WAL
-- and again at the checkpoint. Measured on a stream of 1,000,000 attempts
-- (SubmitStream): 22.5 us of writer CPU and 16.4 KB written per attempt
-- on average, and rising with the history; with this index, 11.6 us and
-- 4.5 KB, flat.
-- Leading with the id's block (16,384 consecutive ids) keeps what a batch
-- adds in the newest block's few pages. A conversation's rows are read by
-- seeking (block, conversation) in each block, newest block first, which
-- keeps them in id order without a sort (query.go, selectAttempts).
DROP INDEX attempts_conversation;
CREATE INDEX attempts_conversation_block ON attempts(id >> 14, conversation_id, id);
`},
		{name: "plain columns", run: plainColumns},
	}
}

// plainTablesSQL is the first part of step 5: the schema docs/history.md
// describes, beside the tables it replaces. The attempts it copies go to
// attempts_plain, which the last part renames to attempts; indexes and the
// text index are filled as rows arrive, so the swap at the end is quick.
// IF NOT EXISTS: a migration cut short resumes where it stopped.
var plainTablesSQL = `
-- One row per run of many attempts (a load run, issue 17, or a scenario
-- run); attempts.run_id names it. Nothing writes runs yet.
CREATE TABLE IF NOT EXISTS runs (
	id          INTEGER PRIMARY KEY,
	kind        TEXT NOT NULL,      -- 'scenarios', 'load'
	started_at  TEXT NOT NULL,      -- ISO 8601, UTC (timeLayout)
	finished_at TEXT,               -- NULL while it runs, or if it never finished
	label       TEXT NOT NULL DEFAULT '',
	summary     TEXT                -- JSON, written when the run finishes
) STRICT;

-- One row per attempt; every column is docs/history.md's. Times are
-- ISO 8601 text in UTC with nine fractional digits.
CREATE TABLE IF NOT EXISTS attempts_plain (
	id                      INTEGER PRIMARY KEY,
	recorded_at             TEXT NOT NULL,    -- wall clock; never decreases with id
	at                      TEXT,             -- virtual clock
	started_at              TEXT,
	kind                    TEXT NOT NULL,    -- 'action', 'event'; later 'audit'
	run_id                  INTEGER REFERENCES runs(id),
	conversation_id         TEXT NOT NULL,
	action_id               TEXT NOT NULL,    -- '' for an event
	event                   TEXT NOT NULL,    -- '' for an action
	"trigger"               TEXT NOT NULL,
	delivery_id             TEXT NOT NULL,
	outcome                 TEXT NOT NULL,
	status                  INTEGER,          -- NULL when no response arrived
	latency_ms              REAL NOT NULL,
	sent                    INTEGER NOT NULL,
	counts_against_limit    INTEGER NOT NULL,
	limit_remaining         INTEGER NOT NULL,
	limit_frees_at          TEXT,
	method                  TEXT NOT NULL,
	url                     TEXT NOT NULL,
	remote_addr             TEXT NOT NULL,
	request_headers         TEXT,             -- JSON object of arrays
	request_body            ANY,              -- TEXT when UTF-8, else BLOB
	response_proto          TEXT,
	response_headers        TEXT,
	response_body           ANY,
	response_truncated      INTEGER NOT NULL,
	bot_reply               TEXT NOT NULL,
	diagnosis               TEXT NOT NULL,
	override                TEXT NOT NULL,
	warnings                TEXT,             -- JSON array of strings
	production_would_reject TEXT,
	reply_action            TEXT NOT NULL
) STRICT;

-- The indexes of steps 2 to 4 under new names (the old ones live on until
-- the swap): each filter is "WHERE x = ? [AND id < ?] ORDER BY id DESC
-- LIMIT n", a backward range scan that stops after n rows.
CREATE INDEX IF NOT EXISTS attempts_by_conversation ON attempts_plain(id >> 14, conversation_id, id);
CREATE INDEX IF NOT EXISTS attempts_by_outcome ON attempts_plain(outcome, id);
CREATE INDEX IF NOT EXISTS attempts_by_action ON attempts_plain(action_id, id) WHERE action_id <> '';
CREATE INDEX IF NOT EXISTS attempts_by_event ON attempts_plain(event, id) WHERE event <> '';
CREATE INDEX IF NOT EXISTS attempts_by_kind ON attempts_plain(kind, id);
CREATE INDEX IF NOT EXISTS attempts_by_run ON attempts_plain(run_id, id) WHERE run_id IS NOT NULL;

-- Text search (Filter.Text): an FTS4 index over the attempts' texts,
-- external-content, so the text is stored once, in attempts. FTS4 rather
-- than FTS5 because go-sqlite3 compiles FTS4 in by default, and FTS5 only
-- under a build tag that every go command would then have to carry. FTS4
-- reads a value up to its first NUL: words after a NUL in a body are not
-- indexed (a search without words still finds them, row by row).
-- Its columns are named apart from attempts' (ids gathers the short
-- ones), so that a search can join the two without qualifying every name;
-- order=desc keeps each word's list newest first, so that the first page
-- of a search reads that page's worth of the list, not all of it.
CREATE VIRTUAL TABLE IF NOT EXISTS attempts_text USING fts4(
	content="attempts_indexed", ` + textIndexColumns + `, tokenize=simple, order=desc);
-- The attempts with an id up to upto are in attempts_text (and in
-- attempts_indexed, the view the index reads them back through, so that
-- PRAGMA integrity_check compares the index with what it holds). actionbench
-- indexes the newer ones a few thousand at a time, or when it falls idle
-- (indexing row by row, in each small commit, cost 20 times the write).
CREATE TABLE IF NOT EXISTS attempts_text_upto (upto INTEGER NOT NULL) STRICT;
INSERT INTO attempts_text_upto SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM attempts_text_upto);
`

// swapTablesSQL returns the last part of step 5, in the transaction that copies
// the last rows: attempts_plain becomes attempts, and the stamps' and
// turns' unix nanoseconds become ISO 8601 text. Foreign keys are off
// (SQLite's procedure for changing a table's definition), so dropping the
// old attempts does not null the turns' attempt_id.
func swapTablesSQL() string {
	return `
DROP TABLE attempts;
ALTER TABLE attempts_plain RENAME TO attempts;
CREATE VIEW attempts_indexed AS SELECT id AS rowid, ` + textColumns + ` FROM attempts
	WHERE id <= (SELECT upto FROM attempts_text_upto);
-- Deleting an attempt (nothing does yet) takes it out of the text index.
CREATE TRIGGER attempts_text_delete BEFORE DELETE ON attempts
	WHEN old.id <= (SELECT upto FROM attempts_text_upto) BEGIN
	DELETE FROM attempts_text WHERE docid = old.id;
END;

CREATE TABLE stamps_text (
	recorded_at TEXT NOT NULL,
	first_id    INTEGER NOT NULL,
	PRIMARY KEY (recorded_at, first_id)
) STRICT, WITHOUT ROWID;
INSERT INTO stamps_text SELECT ` + isoFromNanos("recorded_at") + `, first_id FROM stamps;
DROP TABLE stamps;
ALTER TABLE stamps_text RENAME TO stamps;

CREATE TABLE turns_text (
	id              INTEGER PRIMARY KEY,
	conversation_id TEXT NOT NULL,
	at              TEXT,
	speaker         TEXT NOT NULL,    -- 'visitor', 'bot', 'system'
	text            TEXT NOT NULL,
	-- SET NULL so that pruning old attempts some day keeps the transcript.
	attempt_id      INTEGER REFERENCES attempts(id) ON DELETE SET NULL
) STRICT;
INSERT INTO turns_text SELECT id, conversation_id, ` + isoFromNanos("at") + `, speaker, text, attempt_id FROM turns;
DROP TABLE turns;
ALTER TABLE turns_text RENAME TO turns;
CREATE INDEX turns_conversation ON turns(conversation_id, id);
`
}

// isoFromNanos is SQL that turns a column of unix nanoseconds into
// timeLayout's text, NULL staying NULL.
func isoFromNanos(column string) string {
	return fmt.Sprintf(`strftime('%%Y-%%m-%%dT%%H:%%M:%%S', %[1]s / 1000000000, 'unixepoch') || printf('.%%09dZ', %[1]s %% 1000000000)`, column)
}
