package export

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/actionbench/actionbench/engine/history"
)

// JSONL writes attempts one JSON object per line, every column of the
// history's attempts table under its own name (docs/history.md), as it
// is given them. A body that is not UTF-8 is base64, and
// request_body_encoding or response_body_encoding says "base64".
type JSONL struct {
	w   *bufio.Writer
	enc *json.Encoder
}

// NewJSONL starts writing lines on w.
func NewJSONL(w io.Writer) *JSONL {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &JSONL{w: bw, enc: enc}
}

// Add writes e's line.
func (j *JSONL) Add(e *history.Entry) error { return j.enc.Encode(jsonlRow(e)) }

// Close flushes what is buffered.
func (j *JSONL) Close() error { return j.w.Flush() }

// jsonlLine is the attempts table's columns, in its order.
type jsonlLine struct {
	ID                    int64       `json:"id"`
	RecordedAt            string      `json:"recorded_at"`
	At                    *string     `json:"at"`
	StartedAt             *string     `json:"started_at"`
	Kind                  string      `json:"kind"`
	RunID                 *int64      `json:"run_id"`
	ConversationID        string      `json:"conversation_id"`
	ActionID              string      `json:"action_id"`
	Event                 string      `json:"event"`
	Trigger               string      `json:"trigger"`
	DeliveryID            string      `json:"delivery_id"`
	Outcome               string      `json:"outcome"`
	Status                *int        `json:"status"`
	LatencyMs             float64     `json:"latency_ms"`
	Sent                  bool        `json:"sent"`
	CountsAgainstLimit    bool        `json:"counts_against_limit"`
	LimitRemaining        int         `json:"limit_remaining"`
	LimitFreesAt          *string     `json:"limit_frees_at"`
	Method                string      `json:"method"`
	URL                   string      `json:"url"`
	RemoteAddr            string      `json:"remote_addr"`
	RequestHeaders        http.Header `json:"request_headers"`
	RequestBody           *string     `json:"request_body"`
	RequestBodyEncoding   string      `json:"request_body_encoding,omitempty"`
	ResponseProto         *string     `json:"response_proto"`
	ResponseHeaders       http.Header `json:"response_headers"`
	ResponseBody          *string     `json:"response_body"`
	ResponseBodyEncoding  string      `json:"response_body_encoding,omitempty"`
	ResponseTruncated     bool        `json:"response_truncated"`
	BotReply              string      `json:"bot_reply"`
	Diagnosis             string      `json:"diagnosis"`
	Override              string      `json:"override"`
	Warnings              []string    `json:"warnings"`
	ProductionWouldReject []string    `json:"production_would_reject"`
	ReplyAction           string      `json:"reply_action"`
}

func jsonlRow(e *history.Entry) jsonlLine {
	a := e.Attempt
	l := jsonlLine{
		ID: e.ID, RecordedAt: e.RecordedAt.UTC().Format(history.TimeLayout),
		At: jsonTime(a.At), StartedAt: jsonTime(a.Started), Kind: string(a.Kind),
		ConversationID: a.ConversationID, ActionID: a.ActionID, Event: string(a.Event),
		Trigger: string(a.Trigger), DeliveryID: a.DeliveryID, Outcome: string(a.Outcome),
		LatencyMs: float64(a.Latency) / float64(time.Millisecond), Sent: a.Sent,
		CountsAgainstLimit: a.CountsAgainstLimit(), LimitRemaining: a.Limit.Remaining,
		LimitFreesAt: jsonTime(a.Limit.FreesAt), Method: a.Request.Method, URL: a.Request.URL,
		RequestHeaders: a.Request.Header, BotReply: a.BotReply, Diagnosis: a.Diagnosis,
		Override: a.Override, Warnings: a.Warnings, ProductionWouldReject: a.ProductionWouldReject,
		ReplyAction: string(a.ReplyAction),
	}
	if e.RunID != 0 {
		l.RunID = &e.RunID
	}
	if a.RemoteAddr.IsValid() {
		l.RemoteAddr = a.RemoteAddr.String()
	}
	l.RequestBody, l.RequestBodyEncoding = jsonBody(a.Request.Body)
	if r := a.Response; r != nil {
		l.Status, l.ResponseProto, l.ResponseHeaders = &r.Status, &r.Proto, r.Header
		l.ResponseBody, l.ResponseBodyEncoding = jsonBody(r.Body)
		l.ResponseTruncated = r.Truncated
	}
	return l
}

func jsonTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(history.TimeLayout)
	return &s
}

func jsonBody(b []byte) (*string, string) {
	if b == nil {
		return nil, ""
	}
	text, enc := harText(b)
	return &text, enc
}
