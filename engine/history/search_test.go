package history

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/actionbench/actionbench/engine"
)

// searchFixture stores 60 attempts whose text is known by construction:
// "refund" appears, in various cases and places, in ids 5k, 7k and 11k,
// and so does "~~", which has no word for the text index.
type searchFixture struct {
	s        *Store
	attempts []*engine.Attempt // attempts[i] has id i+1
}

const searchSecret = "whsec_search_secret_123"

func newSearchFixture(t *testing.T) *searchFixture {
	t.Helper()
	ctx := context.Background()
	f := &searchFixture{s: openTest(t, testDB(t), Options{Secrets: []string{searchSecret}})}
	for id := 1; id <= 60; id++ {
		a := richAction()
		a.ConversationID = fmt.Sprintf("conv_%d", id%4)
		a.DeliveryID = fmt.Sprintf("dlv_%02d", id)
		a.Outcome = []engine.Outcome{engine.OutcomeMessage, engine.OutcomeTimeout}[id%2]
		a.BotReply = fmt.Sprintf("Order %d is on its way.", id)
		a.Request.URL = "https://127.0.0.1:8443/orders?key=" + searchSecret
		a.Request.Header = http.Header{"X-Dgbot-Signature": {"sha256=00"}}
		a.Response.Header = http.Header{"Content-Type": {"application/json"}}
		// A NUL: SQLite's LIKE, and the text index, stop there.
		a.Request.Body = []byte(fmt.Sprintf("{\"n\":%d,\"note\":\"\x00gift\"}", id))
		switch {
		case id%5 == 0:
			a.BotReply = fmt.Sprintf("Your REFUND for order %d is on its way ~~", id)
		case id%7 == 0:
			a.Request.Body = []byte(fmt.Sprintf("{\"n\":%d,\"note\":\"refund please\x00 ~~\"}", id))
		case id%11 == 0:
			a.Response.Header["X-Trace"] = []string{fmt.Sprintf("Refund-%d ~~", id)}
		}
		if id == 13 {
			a.Diagnosis = "Café closed"
		}
		if got, err := f.s.Record(ctx, a); err != nil || got != int64(id) {
			t.Fatalf("Record = %d, %v; want id %d", got, err, id)
		}
		f.attempts = append(f.attempts, a)
	}
	return f
}

// ids lists, newest first, the ids whose attempt satisfies keep.
func (f *searchFixture) ids(keep func(id int, a *engine.Attempt) bool) []int64 {
	var out []int64
	for id := len(f.attempts); id >= 1; id-- {
		if keep(id, f.attempts[id-1]) {
			out = append(out, int64(id))
		}
	}
	return out
}

func TestSearchText(t *testing.T) {
	f := newSearchFixture(t)
	refund := f.ids(func(id int, _ *engine.Attempt) bool { return id%5 == 0 || id%7 == 0 || id%11 == 0 })
	for _, tc := range []struct {
		name   string
		filter Filter
		want   []int64
	}{
		{"any case, anywhere", Filter{Text: "refund"}, refund},
		{"upper case query", Filter{Text: "REFUND"}, refund},
		{"in the bot reply only", Filter{Text: "your refund"}, f.ids(func(id int, _ *engine.Attempt) bool { return id%5 == 0 })},
		{"words after a NUL are not indexed", Filter{Text: "gift"}, nil},
		{"before a NUL in the body", Filter{Text: "refund please"}, f.ids(func(id int, _ *engine.Attempt) bool { return id%7 == 0 && id%5 != 0 })},
		{"in a response header", Filter{Text: "refund-11"}, []int64{11}},
		{"a summary column", Filter{Text: "DLV_42"}, []int64{42}},
		{"a conversation id", Filter{Text: "conv_3"}, f.ids(func(id int, _ *engine.Attempt) bool { return id%4 == 3 })},
		{"the outcome", Filter{Text: "timeout"}, f.ids(func(id int, _ *engine.Attempt) bool { return id%2 == 1 })},
		{"with an outcome filter", Filter{Text: "refund", Outcome: engine.OutcomeTimeout}, f.ids(func(id int, _ *engine.Attempt) bool {
			return id%2 == 1 && (id%5 == 0 || id%7 == 0 || id%11 == 0)
		})},
		{"with a conversation filter", Filter{Text: "refund", Conversation: "conv_0"}, f.ids(func(id int, _ *engine.Attempt) bool {
			return id%4 == 0 && (id%5 == 0 || id%7 == 0 || id%11 == 0)
		})},
		{"non-ASCII matches exactly", Filter{Text: "café"}, []int64{13}},
		{"non-ASCII letters are not folded", Filter{Text: "CAFÉ"}, nil},
		{"words match from their start", Filter{Text: "efund"}, nil},
		{"whole words only", Filter{Text: "your refu"}, nil},
		{"words in order only", Filter{Text: "refund your"}, nil},
		{"no words: read row by row", Filter{Text: "~~"}, refund},
		{"query syntax is text", Filter{Text: `refund" OR "order`}, nil},
		{"the secret was redacted", Filter{Text: searchSecret}, nil},
		{"what redaction left", Filter{Text: "key=" + engine.Redacted}, f.ids(func(int, *engine.Attempt) bool { return true })},
		{"no match", Filter{Text: "chargeback"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			flt := tc.filter
			flt.Limit = 100
			got, err := f.s.List(context.Background(), flt)
			if err != nil {
				t.Fatal(err)
			}
			if ids := summaryIDs(got); !slices.Equal(ids, tc.want) {
				t.Errorf("List(%+v) ids = %v, want %v", tc.filter, ids, tc.want)
			}
		})
	}
}

// TestSearchWindows pages through a search with every window and page
// size: the pages together are the unbounded result, no page holds more
// than its limit, a search the text index cannot serve looks no further
// back than its window, and Next ends at 0.
func TestSearchWindows(t *testing.T) {
	ctx := context.Background()
	f := newSearchFixture(t)
	want := f.ids(func(id int, _ *engine.Attempt) bool { return id%5 == 0 || id%7 == 0 || id%11 == 0 })
	for _, text := range []string{"refund", "~~"} {
		for _, window := range []int64{0, 1, 7, 25, 59, 60, 1000} {
			for _, limit := range []int{1, 3, 50} {
				flt := Filter{Text: text, Limit: limit}
				var all []int64
				for pages := 0; ; pages++ {
					if pages > 100 {
						t.Fatalf("window %d, limit %d: no end after 100 pages", window, limit)
					}
					page, err := f.s.Search(ctx, flt, window)
					if err != nil {
						t.Fatal(err)
					}
					if len(page.Rows) > limit {
						t.Fatalf("window %d, limit %d: %d rows", window, limit, len(page.Rows))
					}
					if text == "~~" && window > 0 && page.Searched > window {
						t.Fatalf("window %d: searched %d ids", window, page.Searched)
					}
					all = append(all, summaryIDs(page.Rows)...)
					if page.Next == 0 {
						break
					}
					if flt.Before != 0 && page.Next >= flt.Before {
						t.Fatalf("window %d, limit %d: Next %d does not move below %d", window, limit, page.Next, flt.Before)
					}
					flt.Before = page.Next
				}
				if !slices.Equal(all, want) {
					t.Errorf("%q, window %d, limit %d: ids = %v, want %v", text, window, limit, all, want)
				}
			}
		}
	}
}

func TestSearchWithoutText(t *testing.T) {
	f := newSearchFixture(t)
	page, err := f.s.Search(context.Background(), Filter{Outcome: engine.OutcomeTimeout, Limit: 10}, 5)
	if err != nil {
		t.Fatal(err)
	}
	// The window only bounds text searches: an indexed filter fills the page.
	want := f.ids(func(id int, _ *engine.Attempt) bool { return id%2 == 1 })[:10]
	if ids := summaryIDs(page.Rows); !slices.Equal(ids, want) || page.Next != want[9] {
		t.Errorf("Search = %v, next %d; want %v, next %d", ids, page.Next, want, want[9])
	}
	page, err = f.s.Search(context.Background(), Filter{Before: 3}, 5)
	if err != nil || !slices.Equal(summaryIDs(page.Rows), []int64{2, 1}) || page.Next != 0 {
		t.Errorf("last page = %v, next %d, %v; want [2 1], next 0", summaryIDs(page.Rows), page.Next, err)
	}
}

// TestSearchWindowsWithAFilter: a word search with another filter reads
// the index window ids at a time, and the pages together are the
// unbounded result.
func TestSearchWindowsWithAFilter(t *testing.T) {
	ctx := context.Background()
	f := newSearchFixture(t)
	want := f.ids(func(id int, _ *engine.Attempt) bool { return id%2 == 1 && (id%5 == 0 || id%7 == 0 || id%11 == 0) })
	for _, window := range []int64{0, 1, 7, 25, 1000} {
		flt := Filter{Text: "refund", Outcome: engine.OutcomeTimeout, Limit: 3}
		var all []int64
		for pages := 0; ; pages++ {
			if pages > 100 {
				t.Fatalf("window %d: no end after 100 pages", window)
			}
			page, err := f.s.Search(ctx, flt, window)
			if err != nil {
				t.Fatal(err)
			}
			if window > 0 && page.Searched > window {
				t.Fatalf("window %d: searched %d ids", window, page.Searched)
			}
			all = append(all, summaryIDs(page.Rows)...)
			if page.Next == 0 {
				break
			}
			flt.Before = page.Next
		}
		if !slices.Equal(all, want) {
			t.Errorf("window %d: ids = %v, want %v", window, all, want)
		}
	}
}

// TestConversationSearchMatchesTheIndex: a search within a conversation
// matches its first rows' text here rather than through the index; it
// finds exactly what the index finds in that conversation.
func TestConversationSearchMatchesTheIndex(t *testing.T) {
	ctx := context.Background()
	f := newSearchFixture(t)
	for _, text := range []string{"refund", "REFUND", "your refund", "refund please", "gift", "café", "CAFÉ", "efund",
		"refund-11", "DLV_42", "x-dgbot-signature: sha256", "timeout", "conv_3", "key=" + engine.Redacted, "order 7 is"} {
		all, err := f.s.List(ctx, Filter{Text: text, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for c := range 4 {
			conv := fmt.Sprintf("conv_%d", c)
			var want []int64
			for _, s := range all {
				if s.ConversationID == conv {
					want = append(want, s.ID)
				}
			}
			got, err := f.s.List(ctx, Filter{Text: text, Conversation: conv, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if ids := summaryIDs(got); !slices.Equal(ids, want) {
				t.Errorf("%q in %s: %v, the index finds %v", text, conv, ids, want)
			}
		}
	}
}

// TestConversationSearchPages: a search within a conversation, with and
// without another filter, and a search with a filter but no conversation,
// pages through exactly the rows a search of the whole history finds that
// pass them, in the same order, however
// the work is shared between the text index's list and matching rows'
// own text (steps 0 always matches the text once the list is open; first
// 1000 never opens it; first 0 and steps 1000 never match the text here).
func TestConversationSearchPages(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, testDB(t), Options{})
	outcomes := []engine.Outcome{engine.OutcomeMessage, engine.OutcomeError, engine.OutcomeTimeout, engine.OutcomeData}
	for id := 1; id <= 300; id++ {
		a := richAction()
		switch {
		case id == 7 || id == 150 || id == 293:
			a.ConversationID = "conv_quiet"
		case id%3 == 0:
			a.ConversationID = "conv_busy"
		default:
			a.ConversationID = fmt.Sprintf("conv_%d", id%5)
		}
		a.DeliveryID = fmt.Sprintf("dlv_%03d", id)
		a.Outcome = outcomes[id%7%4]
		if id%11 == 0 {
			a.Kind, a.ActionID, a.Event = engine.KindEvent, "", engine.EventTicketCreated
		}
		a.BotReply = fmt.Sprintf("Order %d is on its way.", id)
		if id%2 == 0 {
			a.BotReply = fmt.Sprintf("Order %d shipped via UPS Ground.", id)
		}
		if id%13 == 0 || id == 150 {
			a.Request.Body = []byte(fmt.Sprintf(`{"n":%d,"note":"Refund please"}`, id))
		}
		if got, err := s.Record(ctx, a); err != nil || got != int64(id) {
			t.Fatalf("Record = %d, %v; want id %d", got, err, id)
		}
	}
	type rest struct {
		name string
		f    Filter
		keep func(Summary) bool
	}
	rests := []rest{
		{"", Filter{}, func(Summary) bool { return true }},
		{"timeout", Filter{Outcome: engine.OutcomeTimeout}, func(r Summary) bool { return r.Outcome == engine.OutcomeTimeout }},
		{"message", Filter{Outcome: engine.OutcomeMessage}, func(r Summary) bool { return r.Outcome == engine.OutcomeMessage }},
		{"events, error", Filter{Kind: engine.KindEvent, Outcome: engine.OutcomeError}, func(r Summary) bool {
			return r.Kind == engine.KindEvent && r.Outcome == engine.OutcomeError
		}},
		{"an action", Filter{Action: "order_lookup"}, func(r Summary) bool { return r.ActionID == "order_lookup" }},
	}
	for _, text := range []string{"ups ground", "refund", "order", "conv_busy", "dlv_150", "dlv_151", "chargeback"} {
		whole, err := s.List(ctx, Filter{Text: text, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, conv := range []string{"conv_busy", "conv_quiet", "conv_2", "conv_none", ""} {
			for _, r := range rests {
				var want []int64
				for _, row := range whole {
					if (conv == "" || row.ConversationID == conv) && r.keep(row) {
						want = append(want, row.ID)
					}
				}
				for _, probe := range []probeTuning{{0, 0, 0}, {0, 1, 0}, {2, 3, 0}, {0, 1000, 0}, {1000, 0, 0}, {0, 1, 1000}, defaultProbe()} {
					s.probe = probe
					for _, limit := range []int{1, 4, 50} {
						f := r.f
						f.Text, f.Conversation, f.Limit = text, conv, limit
						var got []int64
						for pages := 0; ; pages++ {
							if pages > 300 {
								t.Fatalf("%q in %s %s: no end after 300 pages", text, conv, r.name)
							}
							page, err := s.Search(ctx, f, SearchWindow)
							if err != nil {
								t.Fatal(err)
							}
							if len(page.Rows) > limit || page.Next != 0 && len(page.Rows) < limit {
								t.Fatalf("%q in %s %s, limit %d: a page of %d rows, next %d", text, conv, r.name, limit, len(page.Rows), page.Next)
							}
							got = append(got, summaryIDs(page.Rows)...)
							if page.Next == 0 {
								break
							}
							f.Before = page.Next
						}
						if !slices.Equal(got, want) {
							t.Errorf("%q in %s %s, probe %+v, limit %d: ids %v, want %v", text, conv, r.name, probe, limit, got, want)
						}
					}
				}
			}
		}
	}
}
