package history

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/actionbench/actionbench/engine"
)

// TestSubmitThenWait hands many attempts over without waiting, then waits:
// every one is committed with its own id, and Wait can be asked twice.
func TestSubmitThenWait(t *testing.T) {
	path := testDB(t)
	s := openTest(t, path, Options{})
	ctx := context.Background()
	pending := make([]*Pending, 300)
	for i := range pending {
		pending[i] = s.Submit(ctx, richAction())
	}
	seen := map[int64]bool{}
	for i, p := range pending {
		id, err := p.Wait(ctx)
		if err != nil {
			t.Fatalf("attempt %d: %v", i, err)
		}
		if again, err := p.Wait(ctx); again != id || err != nil {
			t.Errorf("second Wait = %d, %v; want %d", again, err, id)
		}
		if seen[id] {
			t.Errorf("id %d given twice", id)
		}
		seen[id] = true
		if _, err := s.Get(ctx, id); err != nil {
			t.Errorf("Get(%d) after Wait: %v", id, err)
		}
	}
	if n := countRows(t, path, "attempts"); n != len(pending) {
		t.Errorf("%d rows, want %d", n, len(pending))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Submit(ctx, richAction()).Wait(ctx); err == nil {
		t.Error("Submit after Close: want an error")
	}
}

// TestSubmitTurnNamesItsAttempt: a turn handed over right after its
// attempt, before the attempt's id is known, is stored with that id, in
// the same batch or a later one; a turn whose attempt was never stored
// names none.
func TestSubmitTurnNamesItsAttempt(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, testDB(t), Options{})
	var want []int64
	var last engine.Stored
	for i := range 3 {
		a := s.SubmitAttempt(ctx, richAction())
		last = s.SubmitTurn(ctx, Turn{ConversationID: "conv_sub", At: t0, Speaker: SpeakerBot, Text: fmt.Sprint("reply ", i)}, a)
		if i == 1 {
			// The next attempt lands in a later batch.
			if _, err := last.Wait(ctx); err != nil {
				t.Fatal(err)
			}
		}
		id, err := a.Wait(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, id)
	}
	gone, cancel := context.WithCancel(ctx)
	cancel()
	never := s.SubmitAttempt(gone, richAction())
	last = s.SubmitTurn(ctx, Turn{ConversationID: "conv_sub", At: t0, Speaker: SpeakerBot, Text: "orphan"}, never)
	if _, err := last.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	want = append(want, 0)
	turns, err := s.Transcript(ctx, "conv_sub")
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, turn := range turns {
		got = append(got, turn.AttemptID)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("turns name attempts %v, want %v", got, want)
	}
}

// TestBackpressure: while another process holds the write lock the writer
// cannot commit, so QueueLen writes fill its queue and the next one waits
// for room; that wait is counted, and every write is stored once the lock
// goes.
func TestBackpressure(t *testing.T) {
	ctx := context.Background()
	path := testDB(t)
	s := openTest(t, path, Options{})
	if b := s.Backpressure(); b.Held != 0 || b.Waited != 0 {
		t.Fatalf("a new store reports %+v", b)
	}
	release := lockDB(t, path)
	for range QueueLen {
		s.SubmitInRun(ctx, rateLimited(), 0, true)
	}
	if b := s.Backpressure(); b.Held != 0 {
		t.Fatalf("%d writes held before the queue was full", b.Held)
	}
	last := make(chan *Pending)
	go func() { last <- s.SubmitInRun(ctx, rateLimited(), 0, true) }()
	select {
	case <-last:
		t.Fatal("a write beyond the full queue was taken at once")
	case <-time.After(100 * time.Millisecond):
	}
	release()
	if _, err := (<-last).Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if b := s.Backpressure(); b.Held != 1 || b.Waited < 100*time.Millisecond {
		t.Errorf("backpressure %+v, want 1 write held at least 100ms", b)
	}
	if n := countRows(t, path, "attempts"); n != QueueLen+1 {
		t.Errorf("%d rows, want %d", n, QueueLen+1)
	}
}
