package engine

import (
	"context"
	"time"
)

// Speaker says who said a transcript turn.
type Speaker string

// The speakers of a transcript.
const (
	SpeakerVisitor Speaker = "visitor"
	SpeakerBot     Speaker = "bot"
	SpeakerSystem  Speaker = "system" // a note such as "action order_lookup: timeout"
)

// Turn is one line of a conversation's transcript. It lives here, not in
// the history package that stores it, so that the simulator can speak of
// turns without linking SQLite.
type Turn struct {
	ConversationID string
	At             time.Time // virtual time
	Speaker        Speaker
	Text           string
	AttemptID      int64 // the attempt this turn came from; 0 if none
}

// Stored is a write handed to a store that may not be on disk yet: Wait
// returns the stored row's id once it is, or why it never will be.
type Stored interface {
	Wait(ctx context.Context) (int64, error)
}
