package history

import (
	"context"
	"fmt"
	"strings"

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
	args, err := attemptArgs(s.redact(a))
	if err != nil {
		return &Pending{err: wrapErr(s.path, "record", err)}
	}
	return s.enqueue(ctx, "record", &writeReq{attempt: args})
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
	args := []any{t.ConversationID, nanos(t.At), string(t.Speaker), s.redactString(t.Text), attemptID}
	_, err := s.submit(ctx, "add turn", &writeReq{turn: args})
	if err != nil && isConstraint(err) {
		return failure(s.path, fmt.Sprintf("add turn: attempt %d is not in the history", t.AttemptID), nil)
	}
	return err
}

// redact is engine's Attempt.Redacted plus the one field it leaves alone:
// an override is text an endpoint sent back, and endpoints echo anything.
func (s *Store) redact(a *engine.Attempt) *engine.Attempt {
	r := a.Redacted(s.secrets...)
	r.Override = s.redactString(r.Override)
	return r
}

func (s *Store) redactString(v string) string {
	for _, secret := range s.secrets {
		if len(secret) >= minSecretLen {
			v = strings.ReplaceAll(v, secret, engine.Redacted)
		}
	}
	return v
}

// attemptArgs encodes a as the insert's arguments, in attemptColumns'
// order; the first, recorded_at, is left for the writer.
func attemptArgs(a *engine.Attempt) ([]any, error) {
	reqHeaders, err := headerJSON(a.Request.Header)
	if err != nil {
		return nil, fmt.Errorf("encode request headers: %w", err)
	}
	warnings, err := listJSON(a.Warnings)
	if err != nil {
		return nil, fmt.Errorf("encode warnings: %w", err)
	}
	wouldReject, err := listJSON(a.ProductionWouldReject)
	if err != nil {
		return nil, fmt.Errorf("encode production_would_reject: %w", err)
	}
	var (
		status, proto, respHeaders any
		respBody                   []byte
		truncated                  bool
	)
	if resp := a.Response; resp != nil {
		status, proto, respBody, truncated = int64(resp.Status), resp.Proto, resp.Body, resp.Truncated
		if respHeaders, err = headerJSON(resp.Header); err != nil {
			return nil, fmt.Errorf("encode response headers: %w", err)
		}
	}
	var remote any
	if a.RemoteAddr.IsValid() {
		remote = a.RemoteAddr.String()
	}
	return []any{
		nil, // recorded_at
		nanos(a.At),
		nanos(a.Started),
		string(a.Kind),
		a.ConversationID,
		a.ActionID,
		string(a.Event),
		string(a.Trigger),
		a.DeliveryID,
		string(a.Outcome),
		status,
		int64(a.Latency),
		a.Sent,
		a.CountsAgainstLimit(),
		string(a.ReplyAction),
		int64(a.Limit.Remaining),
		nanos(a.Limit.FreesAt),
		remote,
		a.Request.Method,
		a.Request.URL,
		proto,
		truncated,
		a.BotReply,
		a.Diagnosis,
		a.Override,
		warnings,
		wouldReject,
		reqHeaders,
		respHeaders,
		a.Request.Body,
		respBody,
	}, nil
}
