package history

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestAttemptColumnsMatchArgs(t *testing.T) {
	cols := strings.Split(attemptColumns, ",")
	args := attemptValues(richAction(), t0)
	if len(cols) != numAttemptColumns || len(args) != numAttemptColumns {
		t.Errorf("columns = %d, args = %d, want both %d", len(cols), len(args), numAttemptColumns)
	}
	if got := strings.Count(insertAttemptSQL, "?"); got != numAttemptColumns {
		t.Errorf("insert has %d placeholders, want %d", got, numAttemptColumns)
	}
}

func TestOpenFresh(t *testing.T) {
	path := testDB(t)
	s := openTest(t, path, Options{})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db := rawDB(t, path)
	for _, c := range []struct {
		pragma string
		want   string
	}{
		{"page_size", fmt.Sprint(pageSize)},
		{"journal_mode", "wal"},
		{"user_version", fmt.Sprint(len(migrations()))},
		{"application_id", fmt.Sprint(applicationID)},
	} {
		var got string
		if err := db.QueryRow("PRAGMA " + c.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("PRAGMA %s = %s, want %s", c.pragma, got, c.want)
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != 0o600 {
		t.Errorf("file mode = %v, want 0600 (it holds request bodies)", got)
	}
	dir, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if got := dir.Mode().Perm(); got != 0o700 {
		t.Errorf("folder mode = %v, want 0700", got)
	}
}

// buildAtVersion makes the database a build that knew only the first k
// steps would have made, with a row in each table once they exist.
func buildAtVersion(t *testing.T, path string, k int) {
	t.Helper()
	ctx := context.Background()
	abs, _ := filepath.Abs(path)
	if err := prepareFile(path); err != nil {
		t.Fatal(err)
	}
	if err := bootstrap(ctx, path, abs, time.Second); err != nil {
		t.Fatal(err)
	}
	db := rawDB(t, path)
	if err := migrate(ctx, db, path, k, nil); err != nil {
		t.Fatalf("migrate to %d: %v", k, err)
	}
	if k >= 1 && k < 5 {
		// Versions 1 to 4 have the same attempts table, the release
		// before 5 wrote it (legacy_test.go).
		if _, err := db.Exec(legacyInsertSQL, legacyValues(richAction(), t0)...); err != nil {
			t.Fatalf("insert at version %d: %v", k, err)
		}
		// Step 2 adds stamps, and from then on every transaction that
		// writes attempts stamps its first one.
		if k >= 2 {
			if _, err := db.Exec(legacyInsertStampSQL, t0.UnixNano(), 1); err != nil {
				t.Fatalf("insert stamp at version %d: %v", k, err)
			}
		}
		if _, err := db.Exec(legacyInsertTurnSQL, "conv_42", t0.UnixNano(), "visitor", "where is my order?", 1); err != nil {
			t.Fatalf("insert turn at version %d: %v", k, err)
		}
	}
	if k >= 5 {
		if _, err := db.Exec(insertAttemptSQL, attemptValues(richAction(), t0)...); err != nil {
			t.Fatalf("insert at version %d: %v", k, err)
		}
		if _, err := db.Exec(insertStampSQL, isoTime(t0), 1); err != nil {
			t.Fatalf("insert stamp at version %d: %v", k, err)
		}
		if _, err := db.Exec(insertTurnSQL, "conv_42", isoTime(t0), "visitor", "where is my order?", 1); err != nil {
			t.Fatalf("insert turn at version %d: %v", k, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestMigrateFromEveryVersion(t *testing.T) {
	ctx := context.Background()
	current := len(migrations())
	if current < 2 {
		t.Fatalf("%d migration steps; the test needs at least two to mean anything", current)
	}
	for k := 0; k <= current; k++ {
		t.Run(fmt.Sprintf("from %d", k), func(t *testing.T) {
			path := testDB(t)
			buildAtVersion(t, path, k)
			s := openTest(t, path, Options{})
			var version int
			if err := s.rdb.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
				t.Fatal(err)
			}
			if version != current {
				t.Errorf("user_version = %d, want %d", version, current)
			}
			var indexes int
			if err := s.rdb.QueryRow("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name LIKE 'attempts_%'").Scan(&indexes); err != nil {
				t.Fatal(err)
			}
			if indexes < 5 {
				t.Errorf("%d attempts indexes after migrating, want the full set", indexes)
			}
			if k >= 1 {
				e, err := s.Get(ctx, 1)
				if err != nil {
					t.Fatalf("the row written at version %d is gone: %v", k, err)
				}
				diffAttempt(t, "migrated row", richAction(), e.Attempt)
				// Filter.Since finds it through stamps, whichever step made its stamp.
				if l, err := s.List(ctx, Filter{Since: t0}); err != nil || len(l) != 1 || l[0].ID != 1 {
					t.Errorf("List(Since) = %+v, %v; want the row written at version %d", l, err, k)
				}
				// And by its conversation, through whichever index the step left.
				if l, err := s.List(ctx, Filter{Conversation: richAction().ConversationID}); err != nil || len(l) != 1 || l[0].ID != 1 {
					t.Errorf("List(Conversation) = %+v, %v; want the row written at version %d", l, err, k)
				}
				turns, err := s.Transcript(ctx, "conv_42")
				if err != nil || len(turns) != 1 {
					t.Errorf("Transcript = %v, %v; want the turn written at version %d", turns, err, k)
				}
			}
			// The migrated database takes new rows.
			if _, err := s.Record(ctx, overrideEvent()); err != nil {
				t.Errorf("Record after migrating: %v", err)
			}
		})
	}
}

func TestNewerSchema(t *testing.T) {
	path := testDB(t)
	s := openTest(t, path, Options{})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	current := len(migrations())
	if _, err := rawDB(t, path).Exec(fmt.Sprintf("PRAGMA user_version = %d", current+1)); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), path, Options{})
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("Open = %v, want ErrNewerSchema", err)
	}
	checkOneLine(t, err, path)
	want := fmt.Sprintf("written by a newer actionbench (schema %d, this build knows %d): upgrade actionbench or use another --db", current+1, current)
	if !strings.Contains(err.Error(), want) {
		t.Errorf("Open error = %q, want it to say %q", err, want)
	}
}

func TestNotDatabase(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte(strings.Repeat("these are my notes, not a database\n", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(dir, "other.db")
	if _, err := rawDB(t, foreign).Exec("CREATE TABLE accounts(id INTEGER PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	versioned := filepath.Join(dir, "versioned.db")
	if _, err := rawDB(t, versioned).Exec("PRAGMA user_version = 7"); err != nil {
		t.Fatal(err)
	}
	marked := filepath.Join(dir, "marked.db")
	if _, err := rawDB(t, marked).Exec("PRAGMA application_id = 1234"); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{text, foreign, versioned, marked} {
		_, err := Open(context.Background(), path, Options{})
		if !errors.Is(err, ErrNotDatabase) {
			t.Errorf("Open(%s) = %v, want ErrNotDatabase", filepath.Base(path), err)
		}
		checkOneLine(t, err, path)
	}
	// The text file is left as it was.
	if b, _ := os.ReadFile(text); !strings.HasPrefix(string(b), "these are my notes") {
		t.Error("Open changed a file that is not a database")
	}
}

func TestUnwritablePath(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "folder")
	if err := os.Mkdir(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, path string
		kind       error
	}{
		{"parent is a file", filepath.Join(file, "history.db"), ErrReadOnly},
		{"grandparent is a file", filepath.Join(file, "state", "history.db"), ErrReadOnly},
		{"path is a folder", folder, nil},
	} {
		_, err := Open(context.Background(), c.path, Options{})
		if err == nil {
			t.Errorf("%s: Open succeeded, want an error", c.name)
			continue
		}
		if c.kind != nil && !errors.Is(err, c.kind) {
			t.Errorf("%s: Open = %v, want %v", c.name, err, c.kind)
		}
		if !strings.Contains(err.Error(), "use another --db") {
			t.Errorf("%s: Open = %q, want it to say what to do", c.name, err)
		}
		checkOneLine(t, err, c.path)
	}
}

func TestReadOnlyFolder(t *testing.T) {
	ro := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(ro, 0o700); err != nil {
		t.Fatal(err)
	}
	// An existing database in the folder, made read-only with it.
	existing := filepath.Join(ro, "old.db")
	s := openTest(t, existing, Options{})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(existing, 0o400); err != nil {
		t.Fatal(err)
	}
	// A writable database in a read-only folder: SQLite cannot create
	// the -wal and -shm files beside it.
	writable := filepath.Join(ro, "writable.db")
	s = openTest(t, writable, Options{})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(ro, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(ro, 0o700) })
	if f, err := os.Create(filepath.Join(ro, "probe")); err == nil {
		f.Close()
		t.Skip("permissions are not enforced here (running as root?)")
	}
	for _, path := range []string{filepath.Join(ro, "history.db"), filepath.Join(ro, "sub", "history.db"), existing, writable} {
		_, err := Open(context.Background(), path, Options{})
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("Open(%s) = %v, want ErrReadOnly", path, err)
		}
		checkOneLine(t, err, path)
		t.Logf("%v", err)
	}
}

func TestLockedRecord(t *testing.T) {
	ctx := context.Background()
	path := testDB(t)
	s := openTest(t, path, Options{BusyTimeout: 200 * time.Millisecond})
	release := lockDB(t, path)

	// Several callers, likely in one batch: all fail, none is half-written.
	errs := make(chan error, 5)
	for range 5 {
		go func() {
			_, err := s.Record(ctx, richAction())
			errs <- err
		}()
	}
	for range 5 {
		err := <-errs
		if !errors.Is(err, ErrLocked) {
			t.Errorf("Record while locked = %v, want ErrLocked", err)
		}
		checkOneLine(t, err, path)
		if err != nil && !strings.Contains(err.Error(), "another process holds a lock on it; close it or use another --db") {
			t.Errorf("Record while locked = %q, want it to say what to do", err)
		}
	}
	if err := s.AddTurn(ctx, Turn{ConversationID: "c", Speaker: SpeakerVisitor, Text: "hi"}); !errors.Is(err, ErrLocked) {
		t.Errorf("AddTurn while locked = %v, want ErrLocked", err)
	}
	release()
	if n := countRows(t, path, "attempts"); n != 0 {
		t.Errorf("%d rows after failed writes, want 0", n)
	}
	if _, err := s.Record(ctx, richAction()); err != nil {
		t.Errorf("Record after the lock went: %v", err)
	}
	if n := countRows(t, path, "attempts"); n != 1 {
		t.Errorf("%d rows, want 1", n)
	}
}

func TestLockedOpen(t *testing.T) {
	// A database that needs a migration while another process holds
	// the lock: Open waits its busy timeout, then says so.
	path := testDB(t)
	buildAtVersion(t, path, 1)
	release := lockDB(t, path)
	start := time.Now()
	_, err := Open(context.Background(), path, Options{BusyTimeout: 200 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("Open while locked = %v, want ErrLocked", err)
	}
	checkOneLine(t, err, path)
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("Open gave up after %v, want it to wait about its 200ms busy timeout", d)
	}
	release()
	s := openTest(t, path, Options{BusyTimeout: 200 * time.Millisecond})
	if _, err := s.Get(context.Background(), 1); err != nil {
		t.Errorf("Get after the lock went: %v", err)
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/xdg/state")
	if got, err := DefaultPath(); err != nil || got != "/xdg/state/actionbench/history.db" {
		t.Errorf("DefaultPath() = %q, %v; want /xdg/state/actionbench/history.db", got, err)
	}
	t.Setenv("XDG_STATE_HOME", "relative/is/ignored")
	t.Setenv("HOME", "/home/dev")
	if got, err := DefaultPath(); err != nil || got != "/home/dev/.local/state/actionbench/history.db" {
		t.Errorf("DefaultPath() = %q, %v; want /home/dev/.local/state/actionbench/history.db", got, err)
	}
}

func TestPathWithURIChars(t *testing.T) {
	// The DSN is a file: URI; these must stay part of the name.
	path := filepath.Join(t.TempDir(), "we?ird #dir%20", "hist?ory.db")
	s := openTest(t, path, Options{})
	if _, err := s.Record(context.Background(), richAction()); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not at its path: %v", err)
	}
}

func TestConcurrentFirstOpen(t *testing.T) {
	// Two first runs at once (the TUI and a scenario run, say) both
	// create, switch to WAL and migrate the same new file. SQLite refuses
	// the WAL switch at once, without waiting, while another connection
	// holds the file; and a header read in pieces could see the other's
	// half-made schema.
	for round := range 20 {
		path := filepath.Join(t.TempDir(), "history.db")
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, err := Open(context.Background(), path, Options{})
				if err != nil {
					t.Errorf("round %d: Open: %v", round, err)
					return
				}
				if err := s.Close(); err != nil {
					t.Errorf("round %d: Close: %v", round, err)
				}
			}()
		}
		wg.Wait()
	}
}
