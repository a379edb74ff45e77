package history

import (
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"time"

	"github.com/actionbench/actionbench/engine"
)

// Schemas 1 to 4 packed an attempt's columns that no query filtered or
// sorted on into one BLOB, the detail column, in this package's own
// encoding. Schema 5 made them plain columns; this decoder is kept so that
// the migration can read the files written before (migrate.go). The
// encoding is a format byte, then these fields in this order:
//
//	started time, sent bool, limit remaining int, limit frees-at time,
//	remote address string, method string, URL string, response proto
//	string, response truncated bool, bot reply string, diagnosis string,
//	override string, warnings list, production-would-reject list,
//	request headers header, response headers header, request body bytes,
//	response body bytes
//
// where each kind is written as
//
//	time    0 for the zero time, else 1 and the unix nanoseconds as a varint
//	bool    one byte, 0 or 1
//	int     a varint
//	string  its length as a uvarint, then its bytes
//	bytes   0 for nil, else 1 + its length as a uvarint, then its bytes
//	list    0 for nil, else 1 + its length as a uvarint, then each string
//	header  0 for nil, else 1 + its number of keys as a uvarint, then each
//	        key as a string and its values as a list (never nil: an empty
//	        list stays an empty list)
//
// Nil and empty are told apart wherever the engine tells them apart.
// A change of fields is a new format byte, so that the rows written
// before it still decode.
const detailFormat = 1

// errDetail is what a detail column this build cannot read comes back as.
var errDetail = errors.New("malformed detail column")

// detailReader decodes a detail column; the first malformed field sets err
// and every later read returns a zero value.
type detailReader struct {
	b   []byte
	err error
}

func (d *detailReader) fail() {
	if d.err == nil {
		d.err = errDetail
	}
	d.b = nil
}

func (d *detailReader) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *detailReader) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *detailReader) byte() byte {
	if len(d.b) == 0 {
		d.fail()
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *detailReader) bool() bool { return d.byte() == 1 }

func (d *detailReader) time() time.Time {
	if d.byte() == 0 {
		return time.Time{}
	}
	return time.Unix(0, d.varint()).UTC()
}

// raw returns the next n bytes, aliasing the column (which Scan copied
// out of SQLite, so it is the caller's to keep).
func (d *detailReader) raw(n uint64) []byte {
	if uint64(len(d.b)) < n {
		d.fail()
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *detailReader) string() string { return string(d.raw(d.uvarint())) }

func (d *detailReader) bytes() []byte {
	n := d.uvarint()
	if n == 0 {
		return nil
	}
	return d.raw(n - 1)
}

func (d *detailReader) list() []string {
	n := d.uvarint()
	if n == 0 {
		return nil
	}
	if n-1 > uint64(len(d.b)) { // every item takes a byte at least
		d.fail()
		return nil
	}
	l := make([]string, n-1)
	for i := range l {
		l[i] = d.string()
	}
	return l
}

func (d *detailReader) header() http.Header {
	n := d.uvarint()
	if n == 0 {
		return nil
	}
	if n-1 > uint64(len(d.b)) {
		d.fail()
		return nil
	}
	h := make(http.Header, n-1)
	for range n - 1 {
		k := d.string()
		vs := d.list()
		if vs == nil {
			d.fail()
		}
		h[k] = vs
	}
	return h
}

// decodeDetail fills a's fields from its detail column. resp is the
// response the row's status says there was, or nil.
func decodeDetail(b []byte, a *engine.Attempt, resp *engine.Response) error {
	d := detailReader{b: b}
	if f := d.byte(); f != detailFormat && d.err == nil {
		return fmt.Errorf("detail column in format %d; this build reads format %d", f, detailFormat)
	}
	a.Started = d.time()
	a.Sent = d.bool()
	a.Limit.Remaining = int(d.varint())
	a.Limit.FreesAt = d.time()
	if remote := d.raw(d.uvarint()); len(remote) > 0 {
		addr, err := netip.ParseAddrPort(string(remote))
		if err != nil {
			return fmt.Errorf("decode remote address: %w", err)
		}
		a.RemoteAddr = addr
	}
	a.Request.Method = d.string()
	a.Request.URL = d.string()
	proto := d.string()
	truncated := d.bool()
	a.BotReply = d.string()
	a.Diagnosis = d.string()
	a.Override = d.string()
	a.Warnings = d.list()
	a.ProductionWouldReject = d.list()
	a.Request.Header = d.header()
	respHeaders := d.header()
	a.Request.Body = d.bytes()
	respBody := d.bytes()
	if d.err == nil && len(d.b) != 0 {
		d.fail()
	}
	if d.err != nil {
		return d.err
	}
	if resp != nil {
		resp.Proto, resp.Truncated, resp.Header, resp.Body = proto, truncated, respHeaders, respBody
		a.Response = resp
	}
	return nil
}

// fromNanos reads a time back in UTC, the zone the engine works in.
func fromNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

// legacyColumns are what a row of schemas 1 to 4 held, in legacyScan's order.
const legacyColumns = `id, recorded_at, at, kind, conversation_id, action_id, event, "trigger",
	delivery_id, outcome, status, latency_ns, reply_action, detail`

// legacyScan reads legacyColumns back into an Entry.
func legacyScan(row rowScanner) (*Entry, error) {
	var (
		e                                          Entry
		a                                          engine.Attempt
		recordedAt, at, status                     sql.NullInt64
		kind, event, trigger, outcome, replyAction string
		latency                                    int64
		detail                                     []byte
	)
	err := row.Scan(&e.ID, &recordedAt, &at, &kind, &a.ConversationID, &a.ActionID, &event, &trigger,
		&a.DeliveryID, &outcome, &status, &latency, &replyAction, &detail)
	if err != nil {
		return nil, err
	}
	e.RecordedAt = fromNanos(recordedAt)
	a.Kind, a.Event, a.Trigger = engine.Kind(kind), engine.Event(event), engine.Trigger(trigger)
	a.Outcome, a.ReplyAction = engine.Outcome(outcome), engine.ReplyAction(replyAction)
	a.At, a.Latency = fromNanos(at), time.Duration(latency)
	var resp *engine.Response
	if status.Valid {
		resp = &engine.Response{Status: int(status.Int64)}
	}
	if err := decodeDetail(detail, &a, resp); err != nil {
		return nil, fmt.Errorf("decode attempt %d: %w", e.ID, err)
	}
	e.Attempt = &a
	return &e, nil
}
