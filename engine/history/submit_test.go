package history

import (
	"context"
	"testing"
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
