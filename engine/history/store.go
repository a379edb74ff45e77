package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

// defaultBusyTimeout is Options.BusyTimeout's zero value.
const defaultBusyTimeout = 5 * time.Second

// readConns bounds the read pool: the TUI lists and shows while the engine
// records, and two cores gain nothing from more.
const readConns = 4

// Store is an open history database. It is safe for concurrent use.
type Store struct {
	path     string // as the caller gave it, for messages
	redactor redactor
	rdb      *sql.DB // read pool; never writes
	w        *writer // owns the only write connection

	// probe is how a search within a conversation shares its work between
	// the text index and matching rows' text itself (searchConversation);
	// tests vary it.
	probe probeTuning

	// mu makes Close and the hand-over of a write to the writer mutually
	// exclusive, so Close never closes the queue under a sender and every
	// write handed over before Close is answered.
	mu     sync.RWMutex
	closed bool
}

// Open opens (creating it and its folder when missing) the database at path
// and migrates it to the current schema.
//
// The database runs in WAL mode with synchronous=NORMAL: a transaction
// that has committed survives the process crashing or being killed
// (kill -9), which is the guarantee Record gives. A power cut or an OS
// crash may lose the last transactions, never corrupt the file.
// Other processes may use the same file at once; writes wait for each
// other up to Options.BusyTimeout.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("history database: no path given; pass --db")
	}
	busy := opts.BusyTimeout
	if busy <= 0 {
		busy = defaultBusyTimeout
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	if err := prepareFile(path); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fileErr(path, "resolve its path", err)
	}
	if err := bootstrap(ctx, path, abs, busy); err != nil {
		return nil, err
	}

	wdb, err := sql.Open("sqlite3", writeDSN(abs, busy))
	if err != nil {
		return nil, wrapErr(path, "open", err)
	}
	// One connection: the writer serialises all writes of this process
	// and keeps its prepared statements on it.
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	wdb.SetConnMaxIdleTime(0)
	if err := migrate(ctx, wdb, path, len(migrations()), opts.Progress); err != nil {
		_ = wdb.Close()
		return nil, err
	}
	// The checkpointer's connection (see writer.checkpoints).
	ckdb, err := sql.Open("sqlite3", dsn(abs, busy, "_synchronous=NORMAL"))
	if err != nil {
		_ = wdb.Close()
		return nil, wrapErr(path, "open", err)
	}
	ckdb.SetMaxOpenConns(1)
	ckdb.SetMaxIdleConns(1)
	ckdb.SetConnMaxLifetime(0)
	ckdb.SetConnMaxIdleTime(0)
	red := newRedactor(opts.Secrets)
	w, err := newWriter(ctx, wdb, path, now, ckdb, &red)
	if err != nil {
		_ = ckdb.Close()
		_ = wdb.Close()
		return nil, err
	}

	rdb, err := sql.Open("sqlite3", readDSN(abs, busy))
	if err == nil {
		rdb.SetMaxOpenConns(readConns)
		rdb.SetMaxIdleConns(readConns)
		err = rdb.PingContext(ctx)
	}
	if err != nil {
		_ = w.stop()
		if rdb != nil {
			_ = rdb.Close()
		}
		return nil, wrapErr(path, "open for reading", err)
	}
	return &Store{path: path, redactor: red, rdb: rdb, w: w, probe: defaultProbe()}, nil
}

// DefaultPath is where the history lives when --db is not given:
// $XDG_STATE_HOME/actionbench/history.db, or ~/.local/state/actionbench/history.db.
func DefaultPath() (string, error) {
	// The XDG spec says a relative XDG_STATE_HOME is invalid and ignored.
	if dir := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, "actionbench", "history.db"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("history database: cannot find a home folder (%w); set XDG_STATE_HOME or pass --db", err)
	}
	return filepath.Join(home, ".local", "state", "actionbench", "history.db"), nil
}

// Close waits for pending writes and closes the database.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return s.closedErr("close")
	}
	s.closed = true
	s.mu.Unlock()
	// No sender holds mu now, and none will: the queue can be closed and
	// the writer answers everything already in it before it stops.
	err := errors.Join(s.w.stop(), s.rdb.Close())
	return wrapErr(s.path, "close", err)
}

func (s *Store) closedErr(op string) error {
	return failure(s.path, op+": the store is closed", nil)
}

// checkOpen lets a read fail with a clear message after Close rather than
// with database/sql's "sql: database is closed".
func (s *Store) checkOpen(op string) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return s.closedErr(op)
	}
	return nil
}

// prepareFile creates the folder and the file before SQLite opens it: the
// file gets mode 0600 (it holds request and response bodies), and an
// unwritable place fails with the OS's reason instead of SQLite's
// "unable to open database file".
func prepareFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fileErr(path, "create its folder", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fileErr(path, "open it for writing", err)
	}
	return f.Close()
}

// bootstrap sets the page size and WAL mode on a connection of its own.
// The page size must be set before the file's first page is written, and
// go-sqlite3 applies _journal_mode=WAL while it connects, which writes
// that page with the default 4 KiB pages; a WAL database never changes its
// page size after that. On an existing database both pragmas are no-ops.
func bootstrap(ctx context.Context, path, abs string, busy time.Duration) error {
	db, err := sql.Open("sqlite3", dsn(abs, busy))
	if err != nil {
		return wrapErr(path, "open", err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return wrapErr(path, "open", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA page_size = %d", pageSize)); err != nil {
		return wrapErr(path, "set its page size", err)
	}
	mode, err := switchToWAL(ctx, conn, busy)
	if err != nil {
		return wrapErr(path, "switch it to WAL mode", err)
	}
	if mode != "wal" {
		return failure(path, "cannot use WAL mode (journal mode stays "+mode+"); put it on a local disk or use another --db", nil)
	}
	return nil
}

// switchToWAL sets WAL mode and returns the journal mode in force. Leaving
// rollback mode needs the file to itself, and SQLite answers "database is
// locked" at once, without its busy handler, while another process reads
// the file or makes the same switch (two first runs at once); so the
// switch is retried here for as long as the busy timeout would have
// waited. Once the file is in WAL mode, the pragma is a no-op that never
// waits.
func switchToWAL(ctx context.Context, conn *sql.Conn, busy time.Duration) (string, error) {
	deadline := time.Now().Add(busy)
	for wait := time.Millisecond; ; wait = min(2*wait, 50*time.Millisecond) {
		var mode string
		err := conn.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return mode, err
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(wait):
		}
	}
}

// dsn is the connection string shared by all connections: abs as a file:
// URI (so a path with '?', '#' or '%' stays a path) and a busy timeout,
// plus extra go-sqlite3 parameters.
func dsn(abs string, busy time.Duration, extra ...string) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}
	q := fmt.Sprintf("?_busy_timeout=%d", busy.Milliseconds())
	for _, p := range extra {
		q += "&" + p
	}
	return u.String() + q
}

// writeDSN is the write connection's: WAL, synchronous=NORMAL (durable
// against a process crash; see Open), foreign keys enforced,
// BEGIN IMMEDIATE so a transaction waits for the lock up front, and no
// per-connection mutex: database/sql hands a connection to one goroutine at
// a time (the writer holds its own for life), so SQLite's lock around each
// of the ~20 calls an insert makes only cost time: 5 % of the writer's CPU
// (SubmitStream, 8 alternating runs).
func writeDSN(abs string, busy time.Duration) string {
	return dsn(abs, busy, "_journal_mode=WAL", "_synchronous=NORMAL", "_foreign_keys=on", "_txlock=immediate", "_mutex=no")
}

// readDSN is the read pool's. It leaves the journal mode alone (the file
// is in WAL mode for good once bootstrap ran, and setting it is a write)
// and is query-only, so no code path can write behind the writer's back.
func readDSN(abs string, busy time.Duration) string {
	return dsn(abs, busy, "_query_only=true")
}
