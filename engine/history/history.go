// Package history keeps every attempt — action or event; sent, failed,
// refused or rate-limited — and every conversation's transcript in a SQLite
// file, so nothing the tool does is lost. Secrets are redacted before
// anything is written, and an attempt Record has returned is on disk: it
// survives the process crashing or being killed (see Open).
//
// One goroutine per Store writes, committing every write waiting at the
// time in one transaction (group commit); reads go through a separate
// pool of connections and never wait for it. Several processes may share
// one file.
package history

import (
	"errors"
	"strconv"
	"time"

	"github.com/actionbench/actionbench/engine"
)

// Errors callers can test with errors.Is; each comes wrapped with a
// one-line message that says what to do.
var (
	ErrNotDatabase = errors.New("not an actionbench history database")
	ErrNewerSchema = errors.New("history database written by a newer actionbench")
	ErrLocked      = errors.New("history database is locked")
	ErrReadOnly    = errors.New("history database is not writable")
	ErrNotFound    = errors.New("no such attempt")
)

// Options configures Open.
type Options struct {
	// Secrets are redacted from every attempt before it is stored, and
	// the Authorization header is always masked.
	Secrets []string
	// BusyTimeout is how long a write waits for another process's lock;
	// zero means 5 s.
	BusyTimeout time.Duration
	// Now is the wall clock for recorded_at; nil means time.Now.
	Now func() time.Time
	// Progress, if set, hears how far a migration that rewrites every
	// attempt has come (done of total attempts), a few times a second.
	Progress func(done, total int64)
}

// Entry is a stored attempt.
type Entry struct {
	ID         int64
	RecordedAt time.Time // wall clock when stored
	RunID      int64     // the run (runs table) it belongs to; 0 for none
	Attempt    *engine.Attempt
}

// Filter selects attempts. Zero fields don't filter.
type Filter struct {
	Conversation string
	Action       string
	Event        engine.Event
	Outcome      engine.Outcome
	Kind         engine.Kind
	RunID        int64 // only the attempts of this run (Store.Runs)
	// Text keeps the attempts whose text has Text's words, whole, side by
	// side, in order, ignoring ASCII case: ids, outcome, URL, headers,
	// bodies, bot reply, diagnosis and warnings, through the text index
	// (see Store.Search). Secrets are stored redacted, so they never match.
	Text   string
	Since  time.Time // recorded at or after, wall clock
	Before int64     // keyset paging: ids below this one
	Limit  int       // at most this many, newest first; zero means 50
}

// Summary is a row of a listing: what a table shows, without bodies.
type Summary struct {
	ID             int64
	RecordedAt     time.Time
	At             time.Time // virtual time
	Kind           engine.Kind
	ConversationID string
	ActionID       string
	Event          engine.Event
	Trigger        engine.Trigger
	Outcome        engine.Outcome
	Status         int // 0 when no response
	Latency        time.Duration
	DeliveryID     string
	ReplyAction    engine.ReplyAction
}

// Target is what the attempt called: the action's id, or the event's name.
func (s Summary) Target() string {
	if s.Kind == engine.KindEvent {
		return string(s.Event)
	}
	return s.ActionID
}

// StatusText is the response's status for a listing, "-" when none arrived.
func (s Summary) StatusText() string {
	if s.Status == 0 {
		return "-"
	}
	return strconv.Itoa(s.Status)
}

// Speaker, its values and Turn are the engine's: the history stores them,
// and the simulator, which does not store, speaks of them too.
type (
	Speaker = engine.Speaker
	Turn    = engine.Turn
)

// The speakers of a transcript.
const (
	SpeakerVisitor = engine.SpeakerVisitor
	SpeakerBot     = engine.SpeakerBot
	SpeakerSystem  = engine.SpeakerSystem
)
