package mock

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/actionbench/actionbench/engine/wire"
)

// webhookReply is the PHP script's $response, keys in the order it sets them.
type webhookReply struct {
	Status   string `json:"status"`
	Action   string `json:"action,omitempty"`
	Response any    `json:"response,omitempty"`
}

// receiveWebhook answers as the reference's PHP receiver does, check for
// check and reply for reply (its log files and database aside). The
// payload is read as PHP reads it, an array of keys that may be missing or
// null, rather than as the typed event: a receiver this lenient is what
// the sample teaches, and its replies are what a developer would meet.
func receiveWebhook(w http.ResponseWriter, x *exchange) {
	if !x.authOK && !x.lax {
		writeError(w, http.StatusUnauthorized, "Unauthorized")
		return
	}
	var decoded any
	if x.lax && json.Unmarshal(x.body, &decoded) != nil {
		crash(w)
		return
	}
	if json.Unmarshal(x.body, &decoded) != nil || phpFalsy(decoded) {
		// PHP's `if (!$payload)`: bad JSON, and JSON that PHP finds empty.
		writeError(w, http.StatusBadRequest, "Invalid JSON payload")
		return
	}
	var p map[string]json.RawMessage
	if json.Unmarshal(x.body, &p) != nil {
		writeError(w, http.StatusBadRequest, "Invalid event type") // a list or a scalar has no event_type
		return
	}
	reply := wire.WebhookReply{Status: "success"}
	switch str(p["event_type"]) {
	case "on_message_received":
		if str(p["intent"]) == "greeting.hello" {
			reply.Action, reply.Response = wire.ReplyOverride, text("Welcome! How can I assist you today?")
		}
	case "on_ticket_created":
		if !isset(p, "ticket_number", "bot_id", "visitor_id") {
			writeError(w, http.StatusBadRequest, "Missing required fields")
			return
		}
		reply.Action, reply.Response = wire.ReplyOverride, text("Ticket "+phpText(p["ticket_number"])+" has been created successfully.")
	case "on_live_chat_requested":
		if !isset(p, "bot_id", "visitor_id") {
			writeError(w, http.StatusBadRequest, "Missing required fields")
			return
		}
		reply.Action, reply.Response = wire.ReplyOverride, text("Your live chat request has been received. An agent will assist you shortly.")
	case "before_response_sent":
		if !isset(p, "bot_id", "visitor_id", "response") {
			writeError(w, http.StatusBadRequest, "Missing required fields")
			return
		}
		modified := objectMembers(p["response"])
		if str(p["intent"]) == "webhook" {
			modified = modified.set("response", `"This is a webhook test."`).set("source_type", `"webhook"`)
			reply.Action, reply.Response = wire.ReplyOverride, modified.raw()
		}
		// The script checks the type last, so an error reply is skipped
		// even when the intent asked for an override.
		if str(modified.get("type")) == "error" {
			reply.Action = wire.ReplySkip
		}
	default:
		writeError(w, http.StatusBadRequest, "Invalid event type")
		return
	}
	writeJSON(w, http.StatusOK, reply)
}

// text is s as a JSON string.
func text(s string) json.RawMessage {
	b, err := wire.Marshal(s)
	if err != nil {
		panic(err) // a string always encodes
	}
	return b
}

// phpFalsy reports whether PHP would find the decoded JSON value false.
func phpFalsy(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case bool:
		return !v
	case float64:
		return v == 0
	case string:
		return v == "" || v == "0"
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}

// isset is PHP's isset on each key: present and not null.
func isset(p map[string]json.RawMessage, keys ...string) bool {
	for _, k := range keys {
		v, ok := p[k]
		if !ok || string(bytes.TrimSpace(v)) == "null" {
			return false
		}
	}
	return true
}

// str is a JSON string's value; anything else is "", which no comparison
// in the script matches (PHP's === never equates a string with a number).
func str(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// phpText is a scalar as PHP's string interpolation writes it.
func phpText(raw json.RawMessage) string {
	if s := str(raw); s != "" {
		return s
	}
	switch t := string(bytes.TrimSpace(raw)); t {
	case "true":
		return "1"
	case "false", `""`:
		return ""
	default:
		return t // a number as written; PHP would print "Array" for the rest
	}
}

// members is a JSON object's members in their order, so that a modified
// response keeps the sender's key order as PHP's arrays do.
type members []member

type member struct {
	key string
	raw json.RawMessage
}

// objectMembers lists raw's members; a value that is not an object has none.
func objectMembers(raw json.RawMessage) members {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var ms members
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil
		}
		ms = ms.set(t.(string), string(v))
	}
	return ms
}

func (ms members) get(key string) json.RawMessage {
	for _, m := range ms {
		if m.key == key {
			return m.raw
		}
	}
	return nil
}

// set replaces key's value in place, or appends it, as a PHP array does.
func (ms members) set(key, raw string) members {
	for i := range ms {
		if ms[i].key == key {
			ms[i].raw = json.RawMessage(raw)
			return ms
		}
	}
	return append(ms, member{key, json.RawMessage(raw)})
}

// raw encodes the members as one JSON object.
func (ms members) raw() json.RawMessage {
	b := []byte{'{'}
	for i, m := range ms {
		if i > 0 {
			b = append(b, ',')
		}
		k, _ := json.Marshal(m.key)
		b = append(b, k...)
		b = append(b, ':')
		b = append(b, m.raw...)
	}
	return append(b, '}')
}
