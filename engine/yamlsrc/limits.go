package yamlsrc

import (
	"fmt"
	"io"
	"os"
	"unicode/utf8"
)

// Limits bound a file before go-yaml parses it. go-yaml's time and memory
// grow far faster than a file does (100,000 nested "[" in 100 KB took
// 15 GB and 97 s), so a Reader first checks the file with a linear scan
// of its own and refuses, at the place it went over, what exceeds them.
type Limits struct {
	Bytes int    // the largest file; 0 means no limit on size or values
	Depth int    // the deepest nesting of lists and mappings; 0 means DefaultDepth
	Nodes int    // the most values (keys, scalars, lists, mappings); 0 means Bytes/BytesPerNode
	Flag  string // the command-line flag that raises Bytes, for messages; "" names none
}

const (
	// DefaultDepth is how deep lists and mappings may nest. A workspace
	// or scenario needs under ten levels; a payload rarely more than 20.
	DefaultDepth = 64
	// BytesPerNode sets the value budget from the size limit: a file may
	// hold one value for each 8 bytes it is allowed, 131,072 per MiB.
	// go-yaml spends about 1 KB on each value it reads, so a file at the
	// limit costs about 120 MB; a 1 MiB workspace of actions holds ~125,000.
	BytesPerNode = 8
)

// MiB is a mebibyte, the unit of the size limits.
const MiB = 1 << 20

func (l Limits) depth() int {
	if l.Depth > 0 {
		return l.Depth
	}
	return DefaultDepth
}

func (l Limits) nodes() int {
	if l.Nodes > 0 {
		return l.Nodes
	}
	return l.Bytes / BytesPerNode
}

// raise says how to raise the size limit to hold need bytes, for
// messages: the flag with the next power of two MiB.
func (l Limits) raise(need int64) string {
	if l.Flag == "" {
		return ""
	}
	to := int64(MiB)
	for to < need || to <= int64(l.Bytes) {
		to *= 2
	}
	return fmt.Sprintf(", or raise the limit with %s %dMiB", l.Flag, to/MiB)
}

// Size writes a byte count the way the limits are given: "1 MiB",
// "512 KiB", "1.5 MiB", "300 bytes".
func Size(n int64) string {
	switch {
	case n >= MiB && n%MiB == 0:
		return fmt.Sprintf("%d MiB", n/MiB)
	case n >= MiB:
		return fmt.Sprintf("%.1f MiB", float64(n)/MiB)
	case n >= 1024 && n%1024 == 0:
		return fmt.Sprintf("%d KiB", n/1024)
	case n >= 1024:
		return fmt.Sprintf("%.1f KiB", float64(n)/1024)
	}
	return fmt.Sprintf("%d bytes", n)
}

// ReadFile reads the file at path for a Reader of kind k, reading no more
// than the size limit allows: a larger file is an *Error pointing where the
// limit falls, and never fills memory. Other failures are returned as the
// os package gives them, for the caller to word.
func ReadFile(path string, k Kind) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if k.Limits.Bytes <= 0 {
		return io.ReadAll(f)
	}
	data, err := io.ReadAll(io.LimitReader(f, int64(k.Limits.Bytes)+1))
	if err != nil {
		return nil, err
	}
	if len(data) > k.Limits.Bytes {
		size := int64(len(data))
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > size {
			size = fi.Size()
		}
		return nil, tooLarge(path, k, data, size)
	}
	return data, nil
}

// tooLarge is the error for data, a file of size bytes, over k's limit.
func tooLarge(file string, k Kind, data []byte, size int64) *Error {
	line, col := offsetPosition(data, k.Limits.Bytes)
	over := "over"
	if size > int64(len(data)) || size > int64(k.Limits.Bytes)+1 {
		over = Size(size) + ", over"
	}
	return &Error{File: file, Line: line, Column: col, cause: ErrLimit,
		Msg: fmt.Sprintf("the %s is %s the %s limit for a %s, which ends here: split it%s", k.Name, over, Size(int64(k.Limits.Bytes)), k.Name, k.Limits.raise(size))}
}

// offsetPosition returns the 1-based line and column (in characters) of
// byte off of data.
func offsetPosition(data []byte, off int) (line, col int) {
	off = min(off, len(data))
	line, start := 1, 0
	for i := 0; i < off; i++ {
		// A line ends at "\n", "\r\n" or a lone "\r".
		if c := data[i]; c == '\n' || c == '\r' && (i+1 == len(data) || data[i+1] != '\n') {
			line, start = line+1, i+1
		}
	}
	return line, utf8.RuneCount(data[start:off]) + 1
}

// check refuses data when it is over the limits or is not UTF-8, before
// any parsing.
func (r *Reader) check(data []byte) error {
	lim := r.kind.Limits
	if lim.Bytes > 0 && len(data) > lim.Bytes {
		return tooLarge(r.file, r.kind, data, int64(len(data)))
	}
	if off, bad := notText(data); bad != "" {
		line, col := offsetPosition(data, off)
		return &Error{File: r.file, Line: line, Column: col,
			Msg: fmt.Sprintf("%s: a %s is UTF-8 text; save it as UTF-8, or write the character as a \\u escape in a double-quoted string", bad, r.kind.Name)}
	}
	s := scanner{data: data, maxDepth: lim.depth(), maxNodes: -1}
	if lim.Bytes > 0 {
		s.maxNodes = lim.nodes()
	}
	s.run()
	if s.over == "" {
		return nil
	}
	line, col := offsetPosition(data, s.at)
	if s.over == "depth" {
		return &Error{File: r.file, Line: line, Column: col, cause: ErrLimit,
			Msg: fmt.Sprintf("lists and mappings nest deeper than %d levels here: a %s needs far fewer; look for a runaway [ or {", s.maxDepth, r.kind.Name)}
	}
	return &Error{File: r.file, Line: line, Column: col, cause: ErrLimit,
		Msg: fmt.Sprintf("the %s holds more than %d values (keys, scalars, lists and mappings) by here, the limit for a %s of at most %s: split it%s", r.kind.Name, s.maxNodes, r.kind.Name, Size(int64(lim.Bytes)), lim.raise(int64(lim.Bytes)*2))}
}

// notText finds the first byte of data that is no part of YAML text:
// invalid UTF-8, or a control character other than tab and line breaks
// (which YAML does not allow, and go-yaml reads in ways of its own). It
// returns where, and what it is.
func notText(data []byte) (int, string) {
	for off := 0; off < len(data); {
		c := data[off]
		if c < utf8.RuneSelf {
			if c < ' ' && c != '\t' && c != '\n' && c != '\r' || c == 0x7F {
				return off, fmt.Sprintf("control character 0x%02X", c)
			}
			off++
			continue
		}
		r, size := utf8.DecodeRune(data[off:])
		if r == utf8.RuneError && size <= 1 {
			return off, fmt.Sprintf("invalid UTF-8 (byte 0x%02X)", c)
		}
		off += size
	}
	return 0, ""
}
