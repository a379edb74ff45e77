package history

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/actionbench/actionbench/engine"
)

// historyDoc is the page that describes the file; these tests keep it true.
const historyDoc = "../../docs/history.md"

func readHistoryDoc(t *testing.T) string {
	t.Helper()
	doc, err := os.ReadFile(historyDoc)
	if err != nil {
		t.Fatal(err)
	}
	return string(doc)
}

// TestDocDescribesEveryColumn checks that docs/history.md has a row for
// every column of every table a user queries, and none that is not there.
func TestDocDescribesEveryColumn(t *testing.T) {
	doc := readHistoryDoc(t)
	s := openTest(t, testDB(t), Options{})
	row := regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\|")
	for _, table := range []string{"attempts", "turns", "runs"} {
		start := strings.Index(doc, "\n### "+table+"\n")
		if start < 0 {
			t.Errorf("docs/history.md has no \"### %s\" section", table)
			continue
		}
		section := doc[start+1:]
		if end := strings.Index(section[4:], "\n### "); end >= 0 {
			section = section[:end+4]
		}
		var documented []string
		for _, m := range row.FindAllStringSubmatch(section, -1) {
			documented = append(documented, m[1])
		}
		rows, err := s.rdb.Query("SELECT name FROM pragma_table_info(?)", table)
		if err != nil {
			t.Fatal(err)
		}
		var actual []string
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				t.Fatal(err)
			}
			actual = append(actual, name)
		}
		rows.Close()
		if !slices.Equal(documented, actual) {
			t.Errorf("%s: docs/history.md lists columns\n  %v\nthe table has\n  %v", table, documented, actual)
		}
	}
}

// TestDocQueries runs the sqlite3 queries docs/history.md shows, exactly as
// written there, on a fresh history, and checks they answer what the page
// says they answer.
func TestDocQueries(t *testing.T) {
	doc := readHistoryDoc(t)
	var queries []string
	for _, block := range regexp.MustCompile("(?s)```sql\n(.*?)```").FindAllStringSubmatch(doc, -1) {
		queries = append(queries, block[1])
	}
	if len(queries) != 3 {
		t.Fatalf("docs/history.md shows %d sql blocks, want the three queries", len(queries))
	}
	ctx := context.Background()
	s := openTest(t, testDB(t), Options{}) // the wall clock: "today" is today
	record := func(a *engine.Attempt) int64 {
		t.Helper()
		id, err := s.Record(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	action := func(id string, outcome engine.Outcome, latency time.Duration) *engine.Attempt {
		a := richAction()
		a.ConversationID, a.ActionID, a.Outcome, a.Latency = "conv_tour", id, outcome, latency
		return a
	}
	// order_lookup: 21 answered attempts, 1..20 ms and a 7 ms error; the
	// 95th percentile (the 20th of 21, nearest rank) is 19 ms.
	var first int64
	for i := 1; i <= 20; i++ {
		id := record(action("order_lookup", engine.OutcomeMessage, time.Duration(i)*time.Millisecond))
		if first == 0 {
			first = id
		}
	}
	record(action("order_lookup", engine.OutcomeError, 7*time.Millisecond))
	record(action("refund", engine.OutcomeMessage, 30*time.Millisecond)) // one attempt: its own p95
	limited := rateLimited()
	limited.ConversationID = "conv_tour"
	record(limited)
	timeout := action("book_demo", engine.OutcomeTimeout, 5*time.Second)
	timeout.Response = nil // no latency figure: nothing answered
	record(timeout)
	ev := overrideEvent()
	ev.ConversationID = "conv_other"
	record(ev)
	for _, turn := range []Turn{
		{ConversationID: "conv_tour", At: t0, Speaker: SpeakerVisitor, Text: "where is my order?"},
		{ConversationID: "conv_tour", At: t0, Speaker: SpeakerBot, Text: "Shipped.", AttemptID: first},
		{ConversationID: "conv_other", At: t0, Speaker: SpeakerVisitor, Text: "hi"},
	} {
		if err := s.AddTurn(ctx, turn); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		// failures by action today; rate-limited and timed-out calls are failures too
		"order_lookup|error|1 order_lookup|rate_limited|1 book_demo|timeout|1",
		// p95 per action, over the answered attempts
		"refund|30 order_lookup|19",
		// the conversation's turns, the bot's joined to its attempt
		"2025-05-07T12:00:00.123456789Z|visitor|where is my order?|||| 2025-05-07T12:00:00.123456789Z|bot|Shipped.|order_lookup||message|200",
	}
	for i, q := range queries {
		got := runQuery(t, s, q)
		if i == 0 {
			// Equal counts come in no set order.
			slices.Sort(got)
			w := strings.Fields(want[0])
			slices.Sort(w)
			want[0] = strings.Join(w, " ")
		}
		if strings.Join(got, " ") != want[i] {
			t.Errorf("query %d of docs/history.md:\n%s\ngave %q\nwant %q", i+1, q, strings.Join(got, " "), want[i])
		}
	}
}

// runQuery runs q on the read pool and returns each row as its values
// joined by "|", as sqlite3 prints them (NULL as nothing, 20.0 as 20).
func runQuery(t *testing.T, s *Store, q string) []string {
	t.Helper()
	rows, err := s.rdb.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		cells := make([]string, len(vals))
		for i, v := range vals {
			switch v := v.(type) {
			case nil:
			case float64:
				cells[i] = fmt.Sprint(v)
			case []byte:
				cells[i] = string(v)
			default:
				cells[i] = fmt.Sprint(v)
			}
		}
		out = append(out, strings.Join(cells, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
