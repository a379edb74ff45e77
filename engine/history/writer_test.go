package history

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestConcurrentRecord(t *testing.T) {
	const n = 200
	ctx := context.Background()
	path := testDB(t)
	s := openTest(t, path, Options{})
	ids := make([]int64, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := richAction()
			a.DeliveryID = fmt.Sprintf("dlv_%03d", i)
			<-start
			id, err := s.Record(ctx, a)
			if err != nil {
				t.Errorf("Record %d: %v", i, err)
			}
			ids[i] = id
		}()
	}
	close(start)
	wg.Wait()
	seen := make(map[int64]int)
	for i, id := range ids {
		if j, dup := seen[id]; dup {
			t.Errorf("callers %d and %d both got id %d", j, i, id)
		}
		seen[id] = i
		e, err := s.Get(ctx, id)
		if err != nil {
			t.Errorf("Get(%d): %v", id, err)
			continue
		}
		if want := fmt.Sprintf("dlv_%03d", i); e.Attempt.DeliveryID != want {
			t.Errorf("id %d holds %s, want %s", id, e.Attempt.DeliveryID, want)
		}
	}
	if got := countRows(t, path, "attempts"); got != n {
		t.Errorf("%d rows, want %d", got, n)
	}
	t.Logf("%d records in %d transactions", n, s.w.batches.Load())
}

// queued waits until n writes wait for the writer.
func queued(t *testing.T, s *Store, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for s.w.queuedWrites() < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d writes queued", s.w.queuedWrites(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// stall takes the database's write lock, the way another process
// mid-transaction would, and hands the writer a first Record, so that the
// writer waits in that transaction's BEGIN and every later write queues.
// first yields that Record's error once the lock is released.
func stall(t *testing.T, s *Store, path string) (release func(), first <-chan error) {
	t.Helper()
	release = lockDB(t, path)
	before := s.w.batches.Load()
	ch := make(chan error, 1)
	go func() {
		_, err := s.Record(context.Background(), richAction())
		ch <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for s.w.batches.Load() == before {
		if time.Now().After(deadline) {
			t.Fatal("the writer never started the first transaction")
		}
		time.Sleep(time.Millisecond)
	}
	return release, ch
}

func TestGroupCommitBatches(t *testing.T) {
	// Everything that queued while the writer was busy must go in one
	// transaction, not one each.
	const n = 200
	ctx := context.Background()
	path := testDB(t)
	s := openTest(t, path, Options{BusyTimeout: 30 * time.Second})
	release, first := stall(t, s, path)
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := s.Record(ctx, richAction())
			errs <- err
		}()
	}
	queued(t, s, n)
	release()
	if err := <-first; err != nil {
		t.Errorf("first Record: %v", err)
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("Record: %v", err)
		}
	}
	// The writer streams: the queued records join the transaction that
	// was waiting for the lock, rather than each taking one of its own.
	if got := s.w.batches.Load(); got != 1 {
		t.Errorf("1 + %d queued records took %d transactions, want 1", n, got)
	}
	if got := countRows(t, path, "attempts"); got != n+1 {
		t.Errorf("%d rows, want %d", got, n+1)
	}
}

func TestCloseWaitsForPending(t *testing.T) {
	const n = 50
	ctx := context.Background()
	path := testDB(t)
	s := openTest(t, path, Options{BusyTimeout: 30 * time.Second})
	release, first := stall(t, s, path)
	ids := make(chan int64, n)
	for range n {
		go func() {
			id, err := s.Record(ctx, richAction())
			if err != nil {
				t.Errorf("Record pending at Close: %v", err)
			}
			ids <- id
		}()
	}
	queued(t, s, n)
	closed := make(chan error)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) with writes pending", err)
	case <-time.After(100 * time.Millisecond):
	}
	release()
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := <-first; err != nil {
		t.Errorf("first Record: %v", err)
	}
	seen := make(map[int64]bool)
	for range n {
		id := <-ids
		if id == 0 || seen[id] {
			t.Errorf("id %d: zero or repeated", id)
		}
		seen[id] = true
	}
	if got := countRows(t, path, "attempts"); got != n+1 {
		t.Errorf("%d rows, want %d", got, n+1)
	}
}

func TestAfterClose(t *testing.T) {
	ctx := context.Background()
	path := testDB(t)
	s := openTest(t, path, Options{})
	id, err := s.Record(ctx, richAction())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	calls := map[string]error{}
	_, calls["Record"] = s.Record(ctx, richAction())
	calls["AddTurn"] = s.AddTurn(ctx, Turn{ConversationID: "c", Speaker: SpeakerBot, Text: "x"})
	_, calls["Get"] = s.Get(ctx, id)
	_, calls["List"] = s.List(ctx, Filter{})
	_, calls["CountByOutcome"] = s.CountByOutcome(ctx, Filter{})
	_, calls["CountedCalls"] = s.CountedCalls(ctx, "c", time.Time{})
	_, calls["Transcript"] = s.Transcript(ctx, "c")
	calls["Close"] = s.Close()
	for name, err := range calls {
		if err == nil || !strings.Contains(err.Error(), "closed") {
			t.Errorf("%s after Close = %v, want a closed-store error", name, err)
		}
		checkOneLine(t, err, path)
	}
}

func TestRecordHonoursContext(t *testing.T) {
	path := testDB(t)
	s := openTest(t, path, Options{BusyTimeout: 30 * time.Second})

	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Record(canceled, richAction()); !errors.Is(err, context.Canceled) {
		t.Errorf("Record(canceled ctx) = %v, want context.Canceled", err)
	}

	// A caller that gives up while the writer waits for a lock gets its
	// answer at its deadline, and its attempt is not written later.
	release := lockDB(t, path)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := s.Record(ctx, richAction())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Record = %v, want context.DeadlineExceeded", err)
	}
	checkOneLine(t, err, path)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Record returned after %v, want about its 100ms deadline", d)
	}
	release()
	if _, err := s.Record(context.Background(), overrideEvent()); err != nil {
		t.Fatal(err)
	}
	if got := countRows(t, path, "attempts"); got != 1 {
		t.Errorf("%d rows, want 1 (the abandoned attempt must not be written)", got)
	}
}

func TestBadTurnFailsAlone(t *testing.T) {
	// A turn naming a missing attempt breaks a constraint; it must not
	// take down the records committed in the same transaction.
	ctx := context.Background()
	path := testDB(t)
	s := openTest(t, path, Options{BusyTimeout: 30 * time.Second})
	release, first := stall(t, s, path)
	const n = 10
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := s.Record(ctx, richAction())
			errs <- err
		}()
	}
	queued(t, s, n)
	turnErr := make(chan error, 1)
	go func() {
		turnErr <- s.AddTurn(ctx, Turn{ConversationID: "c", Speaker: SpeakerBot, Text: "x", AttemptID: 999})
	}()
	queued(t, s, n+1)
	release()
	if err := <-first; err != nil {
		t.Errorf("first Record: %v", err)
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("Record beside a bad turn: %v", err)
		}
	}
	err := <-turnErr
	if err == nil || !strings.Contains(err.Error(), "attempt 999 is not in the history") {
		t.Errorf("AddTurn(missing attempt) = %v, want it to say attempt 999 is missing", err)
	}
	checkOneLine(t, err, path)
	if got := s.w.batches.Load(); got != 1 {
		t.Errorf("%d transactions, want 1 (the bad turn shared one with the records)", got)
	}
	if got := countRows(t, path, "attempts"); got != n+1 {
		t.Errorf("%d rows, want %d", got, n+1)
	}
	if got := countRows(t, path, "turns"); got != 0 {
		t.Errorf("%d turns, want 0", got)
	}
}

func TestRecordedAtNeverDecreases(t *testing.T) {
	// The wall clock can step back (NTP, a laptop waking); recorded_at
	// must not, or Filter.Since would skip rows.
	ctx := context.Background()
	clock := &fakeClock{now: t0}
	s := openTest(t, testDB(t), Options{Now: clock.Now})
	var last time.Time
	for i, step := range []time.Duration{0, -time.Hour, time.Minute, -time.Minute, 2 * time.Hour} {
		clock.Set(clock.Now().Add(step))
		id, err := s.Record(ctx, richAction())
		if err != nil {
			t.Fatal(err)
		}
		e, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if e.RecordedAt.Before(last) {
			t.Errorf("record %d: RecordedAt = %v, before the previous %v", i, e.RecordedAt, last)
		}
		last = e.RecordedAt
	}
}

// A load commits a few rows at a time, and every COMMIT writes whole
// pages of the table and of each index it touched: the WAL must be
// checkpointed as it grows, not left to grow by tens of KB a row (it
// reached 650 MB in two minutes of a load at 200/s before its first
// checkpoint). Back-to-back commits can outrun the checkpointer's copying,
// so what this checks is that checkpoints ran: the rows reached the
// database file itself.
func TestSmallCommitsAreCheckpointed(t *testing.T) {
	path := testDB(t)
	s := openTest(t, path, Options{})
	r := rand.New(rand.NewPCG(5, 6))
	const rows = 3000
	for i := range rows {
		a := benchAttempt(r, fmt.Sprintf("conv_%04d", i%500), time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC))
		if _, err := s.Record(context.Background(), a); err != nil { // one commit per row
			t.Fatal(err)
		}
	}
	// The rows' own bytes (about 7 MB) never reach the 16 MB that once
	// triggered a checkpoint; their commits' pages (over 190 MB) do.
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Size() < 1<<20 {
		t.Errorf("after %d one-row commits the database file is %d KB: nothing was checkpointed into it", rows, info.Size()>>10)
	}
}
