package history

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"net/http"
	"time"
)

// nanos stores a time as unix nanoseconds; the zero time is NULL because
// its UnixNano is undefined, and NULL says "never" better than a number.
func nanos(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

// fromNanos reads a time back in UTC, the zone the engine works in.
func fromNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

// headerJSON encodes headers as a JSON object of arrays, nil as NULL so
// that nil and empty survive the round trip apart. Header values that are
// not UTF-8 come back with U+FFFD in place of the bad bytes: JSON cannot
// carry them, and they are rare enough not to be worth a private encoding.
func headerJSON(h http.Header) (any, error) {
	if h == nil {
		return nil, nil
	}
	return encodeJSON(h)
}

// listJSON encodes a string list as a JSON array, nil as NULL.
func listJSON(l []string) (any, error) {
	if l == nil {
		return nil, nil
	}
	return encodeJSON(l)
}

func encodeJSON(v any) (any, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Readable in the sqlite3 shell: no \u003c for '<' in a header.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

// fromJSON decodes what headerJSON or listJSON wrote into dst; NULL leaves dst nil.
func fromJSON(s sql.NullString, dst any) error {
	if !s.Valid {
		return nil
	}
	return json.Unmarshal([]byte(s.String), dst)
}
