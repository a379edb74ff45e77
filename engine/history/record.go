package history

import (
	"context"
	"database/sql/driver"
	"fmt"

	"github.com/actionbench/actionbench/engine"
)

// minSecretLen mirrors engine's rule for the fields redacted here: a
// secret shorter than this would turn common letters into "[redacted]".
const minSecretLen = 4

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
// it blocks only when the writer is far behind. Redaction and encoding
// happen here, on the caller's goroutine, so that concurrent dispatchers
// share that work instead of queueing it behind the one writer. Wait on
// the result before reporting the attempt to anyone: until then it may
// not be stored.
func (s *Store) Submit(ctx context.Context, a *engine.Attempt) *Pending {
	if a == nil {
		return &Pending{err: failure(s.path, "record: no attempt given", nil)}
	}
	row := s.w.newRow()
	s.redactor.encodeAttempt(row, a)
	return s.enqueue(ctx, "record", writeReq{attempt: row})
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
	args := namedValues(t.ConversationID, nanos(t.At), string(t.Speaker), s.redactor.str(t.Text), attemptID)
	_, err := s.submit(ctx, "add turn", writeReq{turn: args})
	if err != nil && isConstraint(err) {
		return failure(s.path, fmt.Sprintf("add turn: attempt %d is not in the history", t.AttemptID), nil)
	}
	return err
}

// encodeAttempt fills row with a's insert arguments, in attemptColumns'
// order, redacting as it goes; the first, recorded_at, is left for the
// writer.
func (r *redactor) encodeAttempt(row *attemptRow, a *engine.Attempt) {
	// One allocation for a new buffer rather than append's doublings:
	// pooled rows do not outlive two garbage collections.
	if need := detailSizeHint(a); cap(row.detail) < need {
		row.detail = make([]byte, 0, need)
	}
	row.detail = r.encodeDetail(row.detail[:0], a)
	var status any
	if a.Response != nil {
		status = int64(a.Response.Status)
	}
	values := [numAttemptColumns]any{
		nil, // recorded_at
		nanos(a.At),
		word(string(a.Kind)),
		a.ConversationID,
		a.ActionID,
		word(string(a.Event)),
		word(string(a.Trigger)),
		a.DeliveryID,
		word(string(a.Outcome)),
		status,
		int64(a.Latency),
		a.CountsAgainstLimit(),
		word(string(a.ReplyAction)),
		row.detail,
	}
	for i, v := range values {
		row.args[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
}

// detailSizeHint is about the size of a's detail column: its bodies and
// what its headers and texts usually add.
func detailSizeHint(a *engine.Attempt) int {
	n := 1024 + len(a.Request.Body)
	if a.Response != nil {
		n += len(a.Response.Body)
	}
	return n
}

// word boxes one of the engine's enumerated values (a kind, an event, a
// trigger, an outcome, a reply action) as a statement argument. Boxing a
// string allocates unless it is a constant, so the known values are
// returned as constants; anything else is boxed as it is.
func word(s string) any {
	switch s {
	case "":
		return ""
	case string(engine.KindAction):
		return string(engine.KindAction)
	case string(engine.KindEvent):
		return string(engine.KindEvent)
	case string(engine.OutcomeMessage):
		return string(engine.OutcomeMessage)
	case string(engine.OutcomeData):
		return string(engine.OutcomeData)
	case string(engine.OutcomeError):
		return string(engine.OutcomeError)
	case string(engine.OutcomeInvalidResponse):
		return string(engine.OutcomeInvalidResponse)
	case string(engine.OutcomeTimeout):
		return string(engine.OutcomeTimeout)
	case string(engine.OutcomeTooLarge):
		return string(engine.OutcomeTooLarge)
	case string(engine.OutcomeTransportError):
		return string(engine.OutcomeTransportError)
	case string(engine.OutcomeRejected):
		return string(engine.OutcomeRejected)
	case string(engine.OutcomeRateLimited):
		return string(engine.OutcomeRateLimited)
	case string(engine.OutcomeAcknowledged):
		return string(engine.OutcomeAcknowledged)
	case string(engine.TriggerIntent):
		return string(engine.TriggerIntent)
	case string(engine.TriggerButton):
		return string(engine.TriggerButton)
	case string(engine.TriggerLead):
		return string(engine.TriggerLead)
	case string(engine.TriggerManual):
		return string(engine.TriggerManual)
	case string(engine.EventMessageReceived):
		return string(engine.EventMessageReceived)
	case string(engine.EventTicketCreated):
		return string(engine.EventTicketCreated)
	case string(engine.EventLiveChatRequested):
		return string(engine.EventLiveChatRequested)
	case string(engine.EventBeforeResponseSent):
		return string(engine.EventBeforeResponseSent)
	case string(engine.ReplyOverride):
		return string(engine.ReplyOverride)
	case string(engine.ReplySkip):
		return string(engine.ReplySkip)
	}
	return s
}

// namedValues numbers values as a statement's arguments.
func namedValues(values ...any) []driver.NamedValue {
	args := make([]driver.NamedValue, len(values))
	for i, v := range values {
		args[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return args
}
