package history

import (
	"context"
	"fmt"

	"github.com/actionbench/actionbench/engine"
)

// Record stores a redacted copy of a and returns its id once it is
// committed. Concurrent calls are committed together (group commit).
//
// "Committed" means in the WAL file: the attempt survives the process
// being killed from then on. If ctx ends before the attempt's transaction
// began writing it, Record returns ctx's error and the attempt is not
// stored.
func (s *Store) Record(ctx context.Context, a *engine.Attempt) (int64, error) {
	return s.Submit(ctx, a).Wait(ctx)
}

// Submit hands a redacted copy of a to the writer and returns without
// waiting for the commit, so dispatching can go on while the disk works;
// it blocks only when the writer is far behind. Wait on the result before
// reporting the attempt to anyone: until then it may not be stored.
//
// The writer redacts and encodes a copy of a's fields (see snapshot) in
// its own goroutine: a's headers, bodies and lists are read then, so the
// caller must not change them in place after Submit (the engine never
// does; replacing a field is fine).
func (s *Store) Submit(ctx context.Context, a *engine.Attempt) *Pending {
	return s.SubmitInRun(ctx, a, 0, false)
}

// snapshot copies a's fields and its response's, so that the caller may
// go on setting them while the writer reads the copy.
func snapshot(a *engine.Attempt) *engine.Attempt {
	c := *a
	if a.Response != nil {
		r := *a.Response
		c.Response = &r
	}
	return &c
}

// SubmitAttempt is Submit for callers that know the result only as an
// engine.Stored (the simulator).
func (s *Store) SubmitAttempt(ctx context.Context, a *engine.Attempt) engine.Stored {
	return s.Submit(ctx, a)
}

// SubmitTurn hands a turn to the writer without waiting for the commit,
// as Submit does an attempt. from, when it is a Pending of this store's
// (what SubmitAttempt returned), names the attempt the turn came from
// before its id is known: the writer fills attempt_id in once it has
// inserted that attempt, which it does first, since it takes writes in
// the order they were handed over. A from whose attempt was not stored
// leaves attempt_id NULL; without from, t.AttemptID counts.
func (s *Store) SubmitTurn(ctx context.Context, t Turn, from engine.Stored) engine.Stored {
	if t.ConversationID == "" || t.Speaker == "" {
		return &Pending{err: failure(s.path, "add turn: a turn needs a conversation and a speaker", nil)}
	}
	var attemptID any
	if t.AttemptID != 0 {
		attemptID = t.AttemptID
	}
	args := namedValues(t.ConversationID, isoTime(t.At), string(t.Speaker), s.redactor.str(t.Text), attemptID)
	p, _ := from.(*Pending)
	if p != nil && p.s != s {
		p = nil
	}
	return s.enqueue(ctx, "add turn", writeReq{turn: args, from: p})
}

// AddTurn appends a turn to its conversation's transcript, committed on return.
// Its text is redacted like an attempt's: a bot reply can echo whatever an
// endpoint sent.
func (s *Store) AddTurn(ctx context.Context, t Turn) error {
	if t.ConversationID == "" || t.Speaker == "" {
		return failure(s.path, "add turn: a turn needs a conversation and a speaker", nil)
	}
	var attemptID any
	if t.AttemptID != 0 {
		attemptID = t.AttemptID
	}
	args := namedValues(t.ConversationID, isoTime(t.At), string(t.Speaker), s.redactor.str(t.Text), attemptID)
	_, err := s.submit(ctx, "add turn", writeReq{turn: args})
	if err != nil && isConstraint(err) {
		return failure(s.path, fmt.Sprintf("add turn: attempt %d is not in the history", t.AttemptID), nil)
	}
	return err
}
