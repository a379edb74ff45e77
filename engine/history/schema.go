package history

import "fmt"

// applicationID marks a file as an actionbench history ("abhi" in the
// header), so Open can tell its own database from another program's.
const applicationID = 0x61626869

// pageSize is set before the first table exists: at SQLite's default 4 KiB
// each ~2 KB attempt takes a page of its own; 16 KiB pages insert 2.4x
// faster and take 43 % less disk (PERFORMANCE.md).
const pageSize = 16384

// migration is one step of the schema: step i (counting from 1) leaves the
// database at user_version i.
type migration struct {
	name string
	sql  string
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
	}
}

// attemptColumns are the attempts table's columns but id, in the order
// encodeAttempt binds them and scanAttempt reads them; the two functions
// and this list change together.
const attemptColumns = `recorded_at, at, kind, conversation_id, action_id, event, "trigger",
	delivery_id, outcome, status, latency_ns, counts_against_limit, reply_action, detail`

// numAttemptColumns is the length of attemptColumns; a test checks it.
const numAttemptColumns = 14

// summaryColumns are what a listing reads: everything but detail.
const summaryColumns = `id, recorded_at, at, kind, conversation_id, action_id, event, "trigger",
	outcome, status, latency_ns, delivery_id, reply_action`

const insertAttemptSQL = "INSERT INTO attempts (" + attemptColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

const insertStampSQL = "INSERT INTO stamps (recorded_at, first_id) VALUES (?, ?)"

const insertTurnSQL = "INSERT INTO turns (conversation_id, at, speaker, text, attempt_id) VALUES (?, ?, ?, ?, ?)"
