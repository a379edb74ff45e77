package history

import (
	"encoding/binary"
	"net/http"
	"time"

	"github.com/actionbench/actionbench/engine"
)

// This is the encoder of the release before schema 5, kept for the tests
// that build a history file as that release wrote it: a detail column
// (legacy.go describes the encoding) and the integer times of schemas 1
// to 4. Its callers store fixtures with no secrets, so it redacts nothing.

// legacyInsertSQL is that release's insert of an attempt.
const legacyInsertSQL = `INSERT INTO attempts (recorded_at, at, kind, conversation_id, action_id, event, "trigger",
	delivery_id, outcome, status, latency_ns, counts_against_limit, reply_action, detail)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

const (
	legacyInsertStampSQL = "INSERT INTO stamps (recorded_at, first_id) VALUES (?, ?)"
	legacyInsertTurnSQL  = "INSERT INTO turns (conversation_id, at, speaker, text, attempt_id) VALUES (?, ?, ?, ?, ?)"
)

// legacyValues is a's legacyInsertSQL arguments, recorded at recordedAt.
func legacyValues(a *engine.Attempt, recordedAt time.Time) []any {
	var status any
	if a.Response != nil {
		status = int64(a.Response.Status)
	}
	return []any{recordedAt.UnixNano(), legacyNanos(a.At), string(a.Kind), a.ConversationID, a.ActionID,
		string(a.Event), string(a.Trigger), a.DeliveryID, string(a.Outcome), status, int64(a.Latency),
		a.CountsAgainstLimit(), string(a.ReplyAction), legacyDetail(a)}
}

func legacyNanos(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

func legacyDetail(a *engine.Attempt) []byte {
	var (
		proto       string
		truncated   bool
		respHeaders http.Header
		respBody    []byte
	)
	if resp := a.Response; resp != nil {
		proto, truncated, respHeaders, respBody = resp.Proto, resp.Truncated, resp.Header, resp.Body
	}
	b := []byte{detailFormat}
	b = legacyTime(b, a.Started)
	b = legacyBool(b, a.Sent)
	b = binary.AppendVarint(b, int64(a.Limit.Remaining))
	b = legacyTime(b, a.Limit.FreesAt)
	var remote []byte
	if a.RemoteAddr.IsValid() {
		remote = a.RemoteAddr.AppendTo(nil)
	}
	b = binary.AppendUvarint(b, uint64(len(remote)))
	b = append(b, remote...)
	for _, s := range []string{a.Request.Method, a.Request.URL, proto} {
		b = legacyString(b, s)
	}
	b = legacyBool(b, truncated)
	for _, s := range []string{a.BotReply, a.Diagnosis, a.Override} {
		b = legacyString(b, s)
	}
	b = legacyList(b, a.Warnings)
	b = legacyList(b, a.ProductionWouldReject)
	b = legacyHeader(b, a.Request.Header)
	b = legacyHeader(b, respHeaders)
	b = legacyBytes(b, a.Request.Body)
	return legacyBytes(b, respBody)
}

func legacyTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, 0)
	}
	return binary.AppendVarint(append(b, 1), t.UnixNano())
}

func legacyBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

func legacyString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func legacyBytes(b, v []byte) []byte {
	if v == nil {
		return append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(v))+1)
	return append(b, v...)
}

func legacyList(b []byte, l []string) []byte {
	if l == nil {
		return append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(l))+1)
	for _, s := range l {
		b = legacyString(b, s)
	}
	return b
}

func legacyHeader(b []byte, h http.Header) []byte {
	if h == nil {
		return append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(h))+1)
	for k, vs := range h {
		b = legacyString(b, k)
		b = legacyList(b, vs)
	}
	return b
}
