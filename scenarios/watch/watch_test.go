package watch

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

// fakeClock hands out one timer channel per call of after, and tells the
// test each time, so it knows when an event has been taken in.
type fakeClock struct {
	timers chan chan time.Time
}

func (c *fakeClock) after(time.Duration) <-chan time.Time {
	t := make(chan time.Time, 1)
	c.timers <- t
	return t
}

type next struct {
	paths []string
	err   error
}

func start(ctx context.Context, w *Watcher) chan next {
	done := make(chan next, 1)
	go func() {
		p, err := w.Next(ctx)
		done <- next{p, err}
	}()
	return done
}

// TestDebounce: a burst of saves is one batch, handed back only when the
// last change's quiet period has passed; a superseded timer firing does
// not end the batch.
func TestDebounce(t *testing.T) {
	events := make(chan fsnotify.Event)
	clock := &fakeClock{timers: make(chan chan time.Time, 10)}
	w := newWatcher(Source{Events: events}, clock.after)
	done := start(context.Background(), w)

	events <- fsnotify.Event{Name: "s/b.yaml", Op: fsnotify.Write}
	first := <-clock.timers
	events <- fsnotify.Event{Name: "s/.b.yaml.swp", Op: fsnotify.Write} // ignored: no new timer
	events <- fsnotify.Event{Name: "s/a.YML", Op: fsnotify.Create}
	second := <-clock.timers
	events <- fsnotify.Event{Name: "s/./b.yaml", Op: fsnotify.Rename}
	third := <-clock.timers

	first <- time.Time{}
	second <- time.Time{}
	select {
	case got := <-done:
		t.Fatalf("batch %v ended by a superseded timer", got)
	case <-time.After(50 * time.Millisecond):
	}
	third <- time.Time{}
	got := <-done
	if got.err != nil || !slices.Equal(got.paths, []string{"s/a.YML", "s/b.yaml"}) {
		t.Errorf("Next = %v, %v; want [s/a.YML s/b.yaml]", got.paths, got.err)
	}
}

// TestIgnored: mode changes, hidden files and non-YAML files start no batch.
func TestIgnored(t *testing.T) {
	events := make(chan fsnotify.Event)
	clock := &fakeClock{timers: make(chan chan time.Time, 10)}
	w := newWatcher(Source{Events: events}, clock.after)
	done := start(context.Background(), w)
	for _, ev := range []fsnotify.Event{
		{Name: "s/a.yaml", Op: fsnotify.Chmod},
		{Name: "s/.a.yaml", Op: fsnotify.Write},
		{Name: "s/a.yaml~", Op: fsnotify.Write},
		{Name: "s/4913", Op: fsnotify.Create},
		{Name: "s/notes.md", Op: fsnotify.Write},
		{Name: "s/real.yaml", Op: fsnotify.Write},
	} {
		events <- ev
	}
	// Events are taken in order: once the last one's timer exists, every
	// ignored one has been looked at, and none may have started a timer.
	timer := <-clock.timers
	if n := len(clock.timers); n != 0 {
		t.Fatalf("%d ignored changes started a batch", n)
	}
	timer <- time.Time{}
	if got := <-done; got.err != nil || !slices.Equal(got.paths, []string{"s/real.yaml"}) {
		t.Errorf("Next = %v, %v; want [s/real.yaml]", got.paths, got.err)
	}
}

// TestCancel: the wait ends with the context, even mid-burst.
func TestCancel(t *testing.T) {
	events := make(chan fsnotify.Event)
	clock := &fakeClock{timers: make(chan chan time.Time, 10)}
	w := newWatcher(Source{Events: events}, clock.after)
	ctx, cancel := context.WithCancel(context.Background())
	done := start(ctx, w)
	events <- fsnotify.Event{Name: "s/a.yaml", Op: fsnotify.Write}
	<-clock.timers
	cancel()
	if got := <-done; !errors.Is(got.err, context.Canceled) || got.paths != nil {
		t.Errorf("after cancel: %v, %v", got.paths, got.err)
	}
}

// TestWatchError: a watch error ends the wait at once.
func TestWatchError(t *testing.T) {
	errs := make(chan error, 1)
	w := newWatcher(Source{Events: make(chan fsnotify.Event), Errors: errs}, time.After)
	errs <- fsnotify.ErrEventOverflow
	if _, err := w.Next(context.Background()); !errors.Is(err, fsnotify.ErrEventOverflow) {
		t.Errorf("Next = %v, want the overflow", err)
	}
}

// TestRealFiles goes through fsnotify itself: a file saved in a folder
// created after the watch began is seen.
func TestRealFiles(t *testing.T) {
	dir := t.TempDir()
	w, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.AddTree(dir); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	sub := filepath.Join(dir, "orders")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	// The new folder's Create event must be taken in before the file
	// inside it is written, or the write would go unseen.
	os.WriteFile(filepath.Join(dir, "first.yaml"), []byte("name: a\n"), 0o600)
	if got, err := w.Next(ctx); err != nil || !slices.Equal(got, []string{filepath.Join(dir, "first.yaml")}) {
		t.Fatalf("Next = %v, %v", got, err)
	}
	file := filepath.Join(sub, "refund.yaml")
	os.WriteFile(file, []byte("name: x\n"), 0o600)
	os.WriteFile(file, []byte("name: y\n"), 0o600)
	got, err := w.Next(ctx)
	if err != nil || !slices.Equal(got, []string{file}) {
		t.Errorf("Next = %v, %v; want [%s]", got, err, file)
	}
}
