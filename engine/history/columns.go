package history

import (
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/actionbench/actionbench/engine"
)

// timeLayout is how every time in the file is written: ISO 8601 in UTC
// with nine fractional digits, so that the text sorts as the time does and
// SQLite's date functions read it (docs/history.md).
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// TimeLayout is how the file writes times, for exports that write them the same way.
const TimeLayout = timeLayout

// isoTime is t as stored; the zero time is NULL, which says "never".
func isoTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(timeLayout)
}

// parseTime reads a stored time back, in UTC, the zone the engine works in.
func parseTime(s sql.NullString) (time.Time, error) {
	if !s.Valid {
		return time.Time{}, nil
	}
	t, err := time.Parse(timeLayout, s.String)
	if err != nil {
		// Accept what another tool may have written by hand.
		if t2, err2 := time.Parse(time.RFC3339Nano, s.String); err2 == nil {
			return t2.UTC(), nil
		}
		return time.Time{}, fmt.Errorf("time %q is not ISO 8601 (%s)", s.String, timeLayout)
	}
	return t, nil
}

// latencyMs is a duration as the latency_ms column holds it.
func latencyMs(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// fromLatencyMs reads latency_ms back; rounding undoes the division.
func fromLatencyMs(ms float64) time.Duration {
	return time.Duration(math.Round(ms * float64(time.Millisecond)))
}

// attemptColumns are the attempts table's columns but id, in the order
// encodeAttempt binds them and scanAttempt reads them; the two functions
// and this list change together (docs/history.md describes each).
const attemptColumns = `recorded_at, at, started_at, kind, run_id, conversation_id, action_id,
	event, "trigger", delivery_id, outcome, status, latency_ms, sent, counts_against_limit,
	limit_remaining, limit_frees_at, method, url, remote_addr, request_headers, request_body,
	response_proto, response_headers, response_body, response_truncated, bot_reply, diagnosis,
	override, warnings, production_would_reject, reply_action`

// numAttemptColumns is the length of attemptColumns; a test checks it.
const numAttemptColumns = 32

// summaryColumns are what a listing reads: no bodies, headers or texts.
const summaryColumns = `id, recorded_at, at, kind, conversation_id, action_id, event, "trigger",
	outcome, status, latency_ms, delivery_id, reply_action`

var insertAttemptSQL = "INSERT INTO attempts (" + attemptColumns + ") VALUES (?" + strings.Repeat(", ?", numAttemptColumns-1) + ")"

const insertStampSQL = "INSERT INTO stamps (recorded_at, first_id) VALUES (?, ?)"

const insertTurnSQL = "INSERT INTO turns (conversation_id, at, speaker, text, attempt_id) VALUES (?, ?, ?, ?, ?)"

// attemptRow is an attempt encoded for the insert. The writer has one,
// which it encodes each attempt into just before inserting it.
type attemptRow struct {
	args [numAttemptColumns]driver.NamedValue
	size int // about what the row adds to the file, for the checkpointer
	// scratch is where the headers' and lists' JSON is built before it
	// becomes a string, kept with the row so that encoding one allocates
	// only the string.
	scratch []byte
}

// encodeAttempt fills row with a's insert arguments, in attemptColumns'
// order, redacting as it goes; the first, recorded_at, is left for the
// writer.
func (r *redactor) encodeAttempt(row *attemptRow, a *engine.Attempt) {
	var (
		status, proto, respHeaders, respBody any
		truncated                            bool
	)
	reqBody := r.body(a.Request.Body)
	row.size = rowOverhead + len(a.Request.Body)
	if resp := a.Response; resp != nil {
		status, proto, truncated = int64(resp.Status), resp.Proto, resp.Truncated
		respHeaders, respBody = r.headerJSON(&row.scratch, resp.Header), r.body(resp.Body)
		row.size += len(resp.Body)
	}
	var remote string
	if a.RemoteAddr.IsValid() {
		remote = a.RemoteAddr.String()
	}
	values := [numAttemptColumns]any{
		nil, // recorded_at
		isoTime(a.At),
		isoTime(a.Started),
		word(string(a.Kind)),
		nil, // run_id: SubmitInRun sets it
		a.ConversationID,
		a.ActionID,
		word(string(a.Event)),
		word(string(a.Trigger)),
		a.DeliveryID,
		word(string(a.Outcome)),
		status,
		latencyMs(a.Latency),
		a.Sent,
		a.CountsAgainstLimit(),
		int64(a.Limit.Remaining),
		isoTime(a.Limit.FreesAt),
		a.Request.Method,
		r.str(a.Request.URL),
		remote,
		r.headerJSON(&row.scratch, a.Request.Header),
		reqBody,
		proto,
		respHeaders,
		respBody,
		truncated,
		r.str(a.BotReply),
		r.str(a.Diagnosis),
		r.str(a.Override),
		r.listJSON(&row.scratch, a.Warnings),
		r.listJSON(&row.scratch, a.ProductionWouldReject),
		word(string(a.ReplyAction)),
	}
	for i, v := range values {
		row.args[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
}

// body is a body as stored: NULL when there was none, text when it is
// UTF-8 (so sqlite3 shows it), a BLOB when it is not.
//
// The value shares b's memory rather than copying it: the writer binds it
// right after encoding, and SQLite copies what it is bound, so a copy here
// would only feed the garbage collector, whose work competes with
// dispatch for the cores (Submit's callers do not change a body in place).
func (r *redactor) body(b []byte) any {
	if b == nil {
		return nil
	}
	b = r.bytes(b)
	if utf8.Valid(b) {
		return unsafe.String(unsafe.SliceData(b), len(b))
	}
	return b
}

// headerJSON is h redacted as a JSON object of arrays, keys sorted, NULL
// when nil: keys and values are searched for secrets, and Authorization
// values keep only their scheme. It is built in *scratch, which it reuses.
func (r *redactor) headerJSON(scratch *[]byte, h http.Header) any {
	if h == nil {
		return nil
	}
	var keys [16]string
	sorted := keys[:0]
	for k := range h {
		sorted = append(sorted, k)
	}
	slices.Sort(sorted)
	b := append((*scratch)[:0], '{')
	for i, k := range sorted {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, r.str(k))
		b = append(b, ':', '[')
		auth := strings.EqualFold(k, "Authorization")
		for j, v := range h[k] {
			if j > 0 {
				b = append(b, ',')
			}
			if auth {
				v = maskAuthorization(v)
			}
			b = appendJSONString(b, r.str(v))
		}
		b = append(b, ']')
	}
	*scratch = append(b, '}')
	return string(*scratch)
}

// listJSON is l redacted as a JSON array, NULL when nil, built in
// *scratch as headerJSON is.
func (r *redactor) listJSON(scratch *[]byte, l []string) any {
	if l == nil {
		return nil
	}
	b := append((*scratch)[:0], '[')
	for i, s := range l {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, r.str(s))
	}
	*scratch = append(b, ']')
	return string(*scratch)
}

// appendJSONString appends s as a JSON string. Headers and warnings are
// written by hand rather than with encoding/json: its reflection and map
// copy were a third of what recording an attempt cost the dispatching
// goroutine (BenchmarkDispatchWithHistory, c=1). Bytes that are not UTF-8
// become U+FFFD, as encoding/json does.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
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

// rowScanner is a *sql.Row or a *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

// scanAttempt reads "id, attemptColumns" back into an Entry.
func scanAttempt(row rowScanner) (*Entry, error) {
	var (
		e                                                     Entry
		a                                                     engine.Attempt
		recordedAt, at, started, freesAt                      sql.NullString
		kind, event, trigger, outcome, replyAction, remote    string
		runID, status                                         sql.NullInt64
		latency                                               float64
		proto, reqHeaders, respHeaders, warnings, wouldReject sql.NullString
		reqBody, respBody                                     sqlBody
		truncated, counts                                     bool
		remaining                                             int64
	)
	err := row.Scan(&e.ID, &recordedAt, &at, &started, &kind, &runID, &a.ConversationID, &a.ActionID,
		&event, &trigger, &a.DeliveryID, &outcome, &status, &latency, &a.Sent, &counts,
		&remaining, &freesAt, &a.Request.Method, &a.Request.URL, &remote, &reqHeaders, &reqBody,
		&proto, &respHeaders, &respBody, &truncated, &a.BotReply, &a.Diagnosis,
		&a.Override, &warnings, &wouldReject, &replyAction)
	if err != nil {
		return nil, err
	}
	bad := func(what string, err error) (*Entry, error) {
		return nil, fmt.Errorf("attempt %d: column %s: %w", e.ID, what, err)
	}
	for _, t := range []struct {
		name string
		s    sql.NullString
		dst  *time.Time
	}{{"recorded_at", recordedAt, &e.RecordedAt}, {"at", at, &a.At}, {"started_at", started, &a.Started}, {"limit_frees_at", freesAt, &a.Limit.FreesAt}} {
		if *t.dst, err = parseTime(t.s); err != nil {
			return bad(t.name, err)
		}
	}
	a.Kind, a.Event, a.Trigger = engine.Kind(kind), engine.Event(event), engine.Trigger(trigger)
	a.Outcome, a.ReplyAction = engine.Outcome(outcome), engine.ReplyAction(replyAction)
	a.Latency, a.Limit.Remaining = fromLatencyMs(latency), int(remaining)
	if remote != "" {
		if a.RemoteAddr, err = netip.ParseAddrPort(remote); err != nil {
			return bad("remote_addr", err)
		}
	}
	if a.Request.Header, err = decodeHeader(reqHeaders); err != nil {
		return bad("request_headers", err)
	}
	a.Request.Body = reqBody.b
	if a.Warnings, err = decodeList(warnings); err != nil {
		return bad("warnings", err)
	}
	if a.ProductionWouldReject, err = decodeList(wouldReject); err != nil {
		return bad("production_would_reject", err)
	}
	if status.Valid {
		resp := &engine.Response{Status: int(status.Int64), Proto: proto.String, Truncated: truncated, Body: respBody.b}
		if resp.Header, err = decodeHeader(respHeaders); err != nil {
			return bad("response_headers", err)
		}
		a.Response = resp
	}
	e.RunID = runID.Int64
	e.Attempt = &a
	return &e, nil
}

// sqlBody scans a body column: NULL is nil, text or a BLOB its bytes,
// the empty text an empty, non-nil body.
type sqlBody struct{ b []byte }

func (s *sqlBody) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		s.b = nil
	case string:
		s.b = []byte(v)
	case []byte:
		s.b = append([]byte{}, v...)
	default:
		return fmt.Errorf("a body is text or a BLOB, not %T", v)
	}
	return nil
}

func decodeHeader(s sql.NullString) (http.Header, error) {
	if !s.Valid {
		return nil, nil
	}
	var h http.Header
	if err := json.Unmarshal([]byte(s.String), &h); err != nil {
		return nil, fmt.Errorf("not a JSON object of string arrays: %w", err)
	}
	if h == nil {
		h = http.Header{}
	}
	return h, nil
}

func decodeList(s sql.NullString) ([]string, error) {
	if !s.Valid {
		return nil, nil
	}
	var l []string
	if err := json.Unmarshal([]byte(s.String), &l); err != nil {
		return nil, fmt.Errorf("not a JSON array of strings: %w", err)
	}
	if l == nil {
		l = []string{}
	}
	return l, nil
}
