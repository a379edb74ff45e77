package export

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/history"
)

// HAR writes attempts as a HAR 1.2 log (the format of a browser's network
// panel, which Postman and Insomnia import too) one entry at a time, so
// that a long export holds one attempt in memory. Call Add for each
// attempt, then Close.
type HAR struct {
	w       *bufio.Writer
	entries int
	err     error
}

// NewHAR starts a HAR log on w; creator is the program's name and version.
func NewHAR(w io.Writer, creator, version string) *HAR {
	h := &HAR{w: bufio.NewWriter(w)}
	head, _ := json.Marshal(map[string]string{"name": creator, "version": version})
	h.write(`{"log":{"version":"1.2","creator":`, string(head), `,"entries":[`)
	return h
}

func (h *HAR) write(parts ...string) {
	for _, p := range parts {
		if h.err == nil {
			_, h.err = h.w.WriteString(p)
		}
	}
}

// Add appends an attempt as an entry.
func (h *HAR) Add(e *history.Entry) error {
	b, err := json.Marshal(harEntry(e))
	if err != nil {
		return err
	}
	if h.entries > 0 {
		h.write(",")
	}
	h.write("\n", string(b))
	h.entries++
	return h.err
}

// Close ends the log and flushes it.
func (h *HAR) Close() error {
	h.write("\n]}}\n")
	if h.err == nil {
		h.err = h.w.Flush()
	}
	return h.err
}

type harNameValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type harPostData struct {
	MimeType string `json:"mimeType"`
	Text     string `json:"text"`
	Comment  string `json:"comment,omitempty"`
}

type harRequest struct {
	Method      string         `json:"method"`
	URL         string         `json:"url"`
	HTTPVersion string         `json:"httpVersion"`
	Cookies     []harNameValue `json:"cookies"`
	Headers     []harNameValue `json:"headers"`
	QueryString []harNameValue `json:"queryString"`
	PostData    *harPostData   `json:"postData,omitempty"`
	HeadersSize int            `json:"headersSize"`
	BodySize    int            `json:"bodySize"`
}

type harContent struct {
	Size     int    `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text,omitempty"`
	Encoding string `json:"encoding,omitempty"`
}

type harResponse struct {
	Status      int            `json:"status"`
	StatusText  string         `json:"statusText"`
	HTTPVersion string         `json:"httpVersion"`
	Cookies     []harNameValue `json:"cookies"`
	Headers     []harNameValue `json:"headers"`
	Content     harContent     `json:"content"`
	RedirectURL string         `json:"redirectURL"`
	HeadersSize int            `json:"headersSize"`
	BodySize    int            `json:"bodySize"`
	Comment     string         `json:"comment,omitempty"`
}

type harTimings struct {
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
}

// harAttempt is what HAR has no field for, under a custom "_" field as
// the format allows.
type harAttempt struct {
	ID             int64    `json:"id"`
	Kind           string   `json:"kind"`
	ConversationID string   `json:"conversation_id"`
	ActionID       string   `json:"action_id,omitempty"`
	Event          string   `json:"event,omitempty"`
	Trigger        string   `json:"trigger,omitempty"`
	DeliveryID     string   `json:"delivery_id"`
	Outcome        string   `json:"outcome"`
	BotReply       string   `json:"bot_reply,omitempty"`
	Diagnosis      string   `json:"diagnosis,omitempty"`
	Warnings       []string `json:"warnings,omitempty"`
}

type harEntryJSON struct {
	StartedDateTime string      `json:"startedDateTime"`
	Time            float64     `json:"time"`
	Request         harRequest  `json:"request"`
	Response        harResponse `json:"response"`
	Cache           struct{}    `json:"cache"`
	Timings         harTimings  `json:"timings"`
	ServerIPAddress string      `json:"serverIPAddress,omitempty"`
	Comment         string      `json:"comment,omitempty"`
	Attempt         harAttempt  `json:"_actionbench"`
}

func harEntry(e *history.Entry) harEntryJSON {
	a := e.Attempt
	started := a.Started
	if started.IsZero() {
		started = e.RecordedAt
	}
	ms := float64(a.Latency) / float64(time.Millisecond)
	what := a.ActionID
	if a.Kind == engine.KindEvent {
		what = string(a.Event)
	}
	out := harEntryJSON{
		StartedDateTime: started.UTC().Format(time.RFC3339Nano),
		Time:            ms,
		Request: harRequest{
			Method: a.Request.Method, URL: a.Request.URL, HTTPVersion: "HTTP/1.1",
			Cookies: []harNameValue{}, Headers: harHeaders(a.Request.Header),
			QueryString: harQuery(a.Request.URL), HeadersSize: -1, BodySize: len(a.Request.Body),
		},
		Timings: harTimings{Wait: ms},
		Comment: what + ": " + string(a.Outcome),
		Attempt: harAttempt{ID: e.ID, Kind: string(a.Kind), ConversationID: a.ConversationID,
			ActionID: a.ActionID, Event: string(a.Event), Trigger: string(a.Trigger),
			DeliveryID: a.DeliveryID, Outcome: string(a.Outcome), BotReply: a.BotReply,
			Diagnosis: a.Diagnosis, Warnings: a.Warnings},
	}
	if a.Request.Method == "" {
		out.Request.Method = http.MethodPost
	}
	if a.Request.Body != nil {
		text, enc := harText(a.Request.Body)
		pd := &harPostData{MimeType: a.Request.Header.Get("Content-Type"), Text: text}
		if enc != "" {
			pd.Comment = "not UTF-8: text is base64"
		}
		out.Request.PostData = pd
	}
	if a.RemoteAddr.IsValid() {
		out.ServerIPAddress = a.RemoteAddr.Addr().String()
	}
	resp := harResponse{Cookies: []harNameValue{}, Headers: []harNameValue{}, HeadersSize: -1, BodySize: -1}
	if r := a.Response; r != nil {
		text, enc := harText(r.Body)
		resp = harResponse{
			Status: r.Status, StatusText: http.StatusText(r.Status), HTTPVersion: r.Proto,
			Cookies: []harNameValue{}, Headers: harHeaders(r.Header),
			Content:     harContent{Size: len(r.Body), MimeType: r.Header.Get("Content-Type"), Text: text, Encoding: enc},
			HeadersSize: -1, BodySize: len(r.Body),
		}
		if r.Truncated {
			resp.Comment = "body cut at the size limit"
		}
	} else {
		// HAR has no "no response"; status 0 is what browsers write for one.
		resp.Comment = "no response: " + string(a.Outcome)
	}
	out.Response = resp
	return out
}

// harHeaders lists h's fields by name, as HAR wants them.
func harHeaders(h http.Header) []harNameValue {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := []harNameValue{}
	for _, k := range keys {
		for _, v := range h[k] {
			out = append(out, harNameValue{Name: k, Value: v})
		}
	}
	return out
}

// harQuery lists u's query parameters, in their order.
func harQuery(u string) []harNameValue {
	out := []harNameValue{}
	_, q, ok := strings.Cut(u, "?")
	if !ok {
		return out
	}
	q, _, _ = strings.Cut(q, "#")
	for _, pair := range strings.Split(q, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if uv, err := url.QueryUnescape(v); err == nil {
			v = uv
		}
		out = append(out, harNameValue{Name: k, Value: v})
	}
	return out
}

// harText is a body as HAR text: itself when UTF-8, else base64 (with the
// encoding to say so).
func harText(b []byte) (text, encoding string) {
	if utf8.Valid(b) {
		return string(b), ""
	}
	return base64.StdEncoding.EncodeToString(b), "base64"
}
