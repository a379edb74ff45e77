package history

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"syscall"

	"github.com/mattn/go-sqlite3"
)

// storeError is what every failure of the package looks like: one line that
// names the database, says what went wrong and, where the user can act,
// what to do. It matches both its sentinel and its cause with errors.Is and
// errors.As, so callers can branch on ErrLocked and still reach the
// sqlite3.Error underneath.
type storeError struct {
	path  string
	msg   string
	kind  error // one of the Err* sentinels, or nil
	cause error // the driver's, the OS's or the context's error, or nil
}

func (e *storeError) Error() string {
	// A driver or OS message can carry a newline; the CLI prints errors
	// as one line and the TUI shows them in a status bar.
	return strings.Join(strings.Fields("history database "+e.path+": "+e.msg), " ")
}

func (e *storeError) Unwrap() []error {
	var errs []error
	if e.kind != nil {
		errs = append(errs, e.kind)
	}
	if e.cause != nil {
		errs = append(errs, e.cause)
	}
	return errs
}

// failure builds an error that is not caused by another one.
func failure(path, msg string, kind error) error {
	return &storeError{path: path, msg: msg, kind: kind}
}

// wrapErr turns err, met while doing op, into a storeError: driver codes
// become the sentinels and their advice; anything else keeps op and the
// cause's text. Errors that are already storeErrors pass unchanged.
func wrapErr(path, op string, err error) error {
	if err == nil {
		return nil
	}
	var se *storeError
	if errors.As(err, &se) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &storeError{path: path, msg: op + ": " + err.Error(), cause: err}
	}
	var sq sqlite3.Error
	if errors.As(err, &sq) {
		switch sq.Code {
		case sqlite3.ErrNotADB:
			return &storeError{path: path, kind: ErrNotDatabase, cause: err,
				msg: "is not an SQLite database (" + sq.Error() + "); move it aside or use another --db"}
		case sqlite3.ErrBusy, sqlite3.ErrLocked:
			return &storeError{path: path, kind: ErrLocked, cause: err,
				msg: "another process holds a lock on it; close it or use another --db"}
		case sqlite3.ErrReadonly, sqlite3.ErrPerm, sqlite3.ErrCantOpen, sqlite3.ErrAuth:
			return &storeError{path: path, kind: ErrReadOnly, cause: err,
				msg: "cannot write to it (" + sq.Error() + "); check the permissions of the file and its folder, or use another --db"}
		case sqlite3.ErrFull:
			return &storeError{path: path, cause: err,
				msg: op + ": the disk is full; free some space or use another --db"}
		case sqlite3.ErrCorrupt:
			return &storeError{path: path, cause: err,
				msg: "is damaged (" + sq.Error() + "); move it aside to start a new history, or use another --db"}
		}
	}
	return &storeError{path: path, msg: op + ": " + err.Error(), cause: err}
}

// fileErr explains an OS error met while preparing the file before SQLite
// sees it; SQLite itself would only say "unable to open database file".
func fileErr(path, op string, err error) error {
	switch {
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		return &storeError{path: path, kind: ErrReadOnly, cause: err,
			msg: "cannot " + op + " (" + err.Error() + "); check the permissions of the file and its folder, or use another --db"}
	case errors.Is(err, syscall.ENOTDIR):
		return &storeError{path: path, kind: ErrReadOnly, cause: err,
			msg: "cannot " + op + " (" + err.Error() + "): part of the path is a file, not a folder; use another --db"}
	case errors.Is(err, syscall.EISDIR):
		return &storeError{path: path, cause: err,
			msg: "is a folder, not a file; use another --db"}
	}
	return &storeError{path: path, msg: "cannot " + op + ": " + err.Error(), cause: err}
}

// isConstraint reports whether err is a statement's constraint failure,
// which SQLite undoes for that statement alone: the rest of the
// transaction, and so the rest of a batch, stays good.
func isConstraint(err error) bool {
	var sq sqlite3.Error
	return errors.As(err, &sq) && sq.Code == sqlite3.ErrConstraint
}

// isBusy reports whether err is SQLite's "another connection holds the
// lock" (SQLITE_BUSY or SQLITE_LOCKED).
func isBusy(err error) bool {
	var sq sqlite3.Error
	return errors.As(err, &sq) && (sq.Code == sqlite3.ErrBusy || sq.Code == sqlite3.ErrLocked)
}
