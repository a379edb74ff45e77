package wire_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/actionbench/actionbench/engine/wire"
)

func TestMarshal(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	cases := []struct {
		name string
		v    any
		want string
	}{
		{"HTML stays literal, U+2028 is escaped, bad UTF-8 is replaced",
			wire.Message("<b>a & b</b>\u2028\xff"), `{"message":"<b>a & b</b>\u2028\ufffd"}`},
		{"time in UTC to the second with Z",
			wire.ActionMetadata{Timestamp: wire.Time(time.Date(2026, 1, 2, 4, 5, 6, 999_999_999, paris))},
			`{"visitor_id":"","timestamp":"2026-01-02T03:05:06Z","chatbot_name":""}`},
		{"numeric bot id is a number", wire.EventHeader{EventType: "x", BotID: "21"}, `{"event_type":"x","bot_id":21,"visitor_id":""}`},
		{"zero is a number", wire.EventHeader{BotID: "0"}, `{"event_type":"","bot_id":0,"visitor_id":""}`},
		{"leading zero stays a string", wire.EventHeader{BotID: "021"}, `{"event_type":"","bot_id":"021","visitor_id":""}`},
		{"16 digits stay a string", wire.EventHeader{BotID: "1234567890123456"}, `{"event_type":"","bot_id":"1234567890123456","visitor_id":""}`},
		{"other ids are strings", wire.EventHeader{BotID: "bot_def456"}, `{"event_type":"","bot_id":"bot_def456","visitor_id":""}`},
		{"empty id is a string", wire.EventHeader{}, `{"event_type":"","bot_id":"","visitor_id":""}`},
		{"an empty message is still a message", wire.Message(""), `{"message":""}`},
		{"skip has no response", wire.WebhookReply{Action: wire.ReplySkip}, `{"action":"skip"}`},
	}
	for _, tc := range cases {
		got, err := wire.Marshal(tc.v)
		if err != nil || string(got) != tc.want {
			t.Errorf("%s: Marshal = %s, %v; want %s", tc.name, got, err, tc.want)
		}
	}
}

// TestRoundTrip decodes each documented example, as the mock does, and
// checks that it encodes to the same bytes.
func TestRoundTrip(t *testing.T) {
	for name, v := range examples() {
		b, err := wire.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		back := reflect.New(reflect.TypeOf(v))
		if err := json.Unmarshal(b, back.Interface()); err != nil {
			t.Errorf("%s: decoding %s: %v", name, b, err)
			continue
		}
		again, _ := wire.Marshal(back.Elem().Interface())
		if string(again) != string(b) {
			t.Errorf("%s: round trip\n%s\nbecame\n%s", name, b, again)
		}
	}
}

func TestUnmarshalLenient(t *testing.T) {
	var h wire.EventHeader
	if err := json.Unmarshal([]byte(`{"bot_id":"21"}`), &h); err != nil || h.BotID != "21" {
		t.Errorf(`"21" read as %q, %v`, h.BotID, err)
	}
	if err := json.Unmarshal([]byte(`{"bot_id":2.5e1}`), &h); err != nil || h.BotID != "2.5e1" {
		t.Errorf("2.5e1 read as %q, %v: want the number as written", h.BotID, err)
	}
	if err := json.Unmarshal([]byte(`{"bot_id":true}`), &h); err == nil {
		t.Error("bot_id true was accepted")
	}
	var m wire.ActionMetadata
	if err := json.Unmarshal([]byte(`{"timestamp":"2026-01-02T04:05:06+01:00"}`), &m); err != nil ||
		!time.Time(m.Timestamp).Equal(time.Date(2026, 1, 2, 3, 5, 6, 0, time.UTC)) {
		t.Errorf("offset time read as %v, %v", time.Time(m.Timestamp), err)
	}
	if err := json.Unmarshal([]byte(`{"timestamp":"yesterday"}`), &m); err == nil {
		t.Error(`timestamp "yesterday" was accepted`)
	}
}

// FuzzActionRequest decodes anything as the mock does: whatever decodes
// must encode, and decode again to the same value.
func FuzzActionRequest(f *testing.F) {
	for _, v := range examples() {
		b, _ := wire.Marshal(v)
		f.Add(b)
	}
	f.Add([]byte(`{"bot_id":1e999,"timestamp":"2026-01-02T03:04:05.123456789Z","payload":[1]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, v := range []any{&wire.ActionRequest{}, &wire.BeforeResponseSent{}, &wire.TicketCreated{}, &wire.WebhookReply{}, &wire.ActionReply{}} {
			if json.Unmarshal(b, v) != nil {
				continue
			}
			out, err := wire.Marshal(v)
			if err != nil {
				t.Fatalf("%T decoded from %q does not encode: %v", v, b, err)
			}
			back := reflect.New(reflect.TypeOf(v).Elem()).Interface()
			if err := json.Unmarshal(out, back); err != nil {
				t.Fatalf("%T: %s does not decode: %v", v, out, err)
			}
			again, _ := wire.Marshal(back)
			if string(again) != string(out) {
				t.Fatalf("%T: %s re-encodes as %s", v, out, again)
			}
		}
	})
}
