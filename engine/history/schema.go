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

-- One row per attempt. Times are unix nanoseconds (NULL for a zero time);
-- headers, warnings and production_would_reject are JSON. The small
-- columns a listing reads come first and the bodies last, so a listing
-- decodes as little of each row as it can.
CREATE TABLE attempts (
	id                      INTEGER PRIMARY KEY,
	recorded_at             INTEGER NOT NULL, -- wall clock; never decreases with id
	at                      INTEGER,          -- virtual clock
	started                 INTEGER,          -- wall clock
	kind                    TEXT NOT NULL,
	conversation_id         TEXT NOT NULL,
	action_id               TEXT NOT NULL,
	event                   TEXT NOT NULL,
	"trigger"               TEXT NOT NULL,
	delivery_id             TEXT NOT NULL,
	outcome                 TEXT NOT NULL,
	status                  INTEGER,          -- NULL when no response arrived
	latency_ns              INTEGER NOT NULL,
	sent                    INTEGER NOT NULL,
	counts_against_limit    INTEGER NOT NULL,
	reply_action            TEXT NOT NULL,
	limit_remaining         INTEGER NOT NULL,
	limit_frees_at          INTEGER,
	remote_addr             TEXT,
	method                  TEXT NOT NULL,
	url                     TEXT NOT NULL,
	response_proto          TEXT,
	response_truncated      INTEGER NOT NULL,
	bot_reply               TEXT NOT NULL,
	diagnosis               TEXT NOT NULL,
	override                TEXT NOT NULL,
	warnings                TEXT,
	production_would_reject TEXT,
	request_headers         TEXT,
	response_headers        TEXT,
	request_body            BLOB,
	response_body           BLOB
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
-- Filter.Since becomes an id bound through this index (recorded_at never
-- decreases with id), so it composes with every index above.
CREATE INDEX attempts_recorded     ON attempts(recorded_at);
-- CountedCalls: only the rows that count, in virtual-time order.
CREATE INDEX attempts_counted      ON attempts(conversation_id, at) WHERE counts_against_limit = 1;
CREATE INDEX turns_conversation    ON turns(conversation_id, id);
`},
	}
}

// attemptColumns are the attempts table's columns but id, in the order
// attemptArgs produces them and scanAttempt reads them; the two functions
// and this list change together.
const attemptColumns = `recorded_at, at, started, kind, conversation_id, action_id, event,
	"trigger", delivery_id, outcome, status, latency_ns, sent,
	counts_against_limit, reply_action, limit_remaining, limit_frees_at,
	remote_addr, method, url, response_proto, response_truncated,
	bot_reply, diagnosis, override, warnings, production_would_reject,
	request_headers, response_headers, request_body, response_body`

// numAttemptColumns is the length of attemptColumns; a test checks it.
const numAttemptColumns = 31

// summaryColumns are what a listing reads: no bodies, no headers.
const summaryColumns = `id, recorded_at, at, kind, conversation_id, action_id, event, "trigger",
	outcome, status, latency_ns, delivery_id, reply_action`

const insertAttemptSQL = "INSERT INTO attempts (" + attemptColumns + `) VALUES (
	?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

const insertTurnSQL = "INSERT INTO turns (conversation_id, at, speaker, text, attempt_id) VALUES (?, ?, ?, ?, ?)"
