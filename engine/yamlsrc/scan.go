package yamlsrc

// scanner estimates, without parsing, how deep a YAML file's lists and
// mappings nest and how many values it holds, and stops where either goes
// over its limit. It reads only the structure that matters for that —
// indentation, "- " entries, flow brackets, quoted and block scalars,
// comments — and errs towards counting more, never fewer: a line it cannot
// place counts as one more level, text it skips is text to YAML too.
type scanner struct {
	data      []byte
	i         int   // the next byte to read
	lineStart int   // where the current line starts
	indents   []int // the columns of the open block collections
	flow      int   // the open flow collections ([ and {)
	nodes     int
	deepest   int // the deepest nesting seen, for tests

	maxDepth, maxNodes int // maxNodes < 0 means no limit
	over               string
	at                 int // where the limit was passed
}

// run scans the whole of data, line by line.
func (s *scanner) run() {
	for s.i < len(s.data) && s.over == "" {
		s.blockLine()
	}
}

// pass records that a limit is passed at byte at, and reports whether
// scanning goes on.
func (s *scanner) pass(what string, at int) bool {
	if s.over == "" {
		s.over, s.at = what, at
	}
	return false
}

// node counts a value starting at byte at.
func (s *scanner) node(at int) bool {
	s.nodes++
	if s.maxNodes >= 0 && s.nodes > s.maxNodes {
		return s.pass("nodes", at)
	}
	return s.over == ""
}

// open counts a list or mapping starting at byte at.
func (s *scanner) open(at int) bool {
	return s.deeper(at) && s.node(at)
}

// deeper checks the nesting at byte at, where a level was just opened.
func (s *scanner) deeper(at int) bool {
	s.deepest = max(s.deepest, len(s.indents)+s.flow)
	if s.deepest > s.maxDepth {
		return s.pass("depth", at)
	}
	return s.over == ""
}

// blockLine reads a line in block context, from its start.
func (s *scanner) blockLine() {
	d := s.data
	s.lineStart = s.i
	for s.i < len(d) && d[s.i] == ' ' {
		s.i++
	}
	if s.i >= len(d) {
		return
	}
	indent := s.i - s.lineStart
	switch c := d[s.i]; {
	case c == '\n' || c == '\r' || c == '#':
		s.skipLine()
		return
	case indent == 0 && c == '%':
		s.skipLine() // a directive
		return
	case indent == 0 && (s.marker("---") || s.marker("...")):
		s.indents = s.indents[:0]
		s.i += 3
		s.value(0)
		return
	}
	for len(s.indents) > 0 && s.indents[len(s.indents)-1] > indent {
		s.indents = s.indents[:len(s.indents)-1]
	}
	if len(s.indents) == 0 || s.indents[len(s.indents)-1] < indent {
		s.indents = append(s.indents, indent)
		if !s.open(s.i) {
			return
		}
	}
	s.value(indent)
}

// marker reports whether a document marker (--- or ...) starts at s.i.
func (s *scanner) marker(m string) bool {
	d := s.data[s.i:]
	if len(d) < 3 || string(d[:3]) != m {
		return false
	}
	return len(d) == 3 || blank(d[3])
}

// value reads what follows a line's indentation, a "- " or a "key:" in
// block context, up to the end of its line (or further, for quoted,
// block and flow values). owner is the column of the node the value
// belongs to, which a block scalar's lines must be indented beyond.
func (s *scanner) value(owner int) {
	d := s.data
	entry := false // the last thing read was a "- "
	for s.over == "" {
		s.skipSpace()
		if s.i >= len(d) {
			return
		}
		switch c := d[s.i]; {
		case c == '\n' || c == '\r' || c == '#':
			s.skipLine()
			return
		case (c == '-' || c == '?') && (s.i+1 == len(d) || blank(d[s.i+1])):
			// A list entry (or explicit key) opens a level inside the line.
			owner = s.i - s.lineStart
			at := s.i
			s.i++
			s.skipSpace()
			col := s.i - s.lineStart
			if s.i >= len(d) || d[s.i] == '\n' || d[s.i] == '\r' || d[s.i] == '#' {
				col = owner + 1
			}
			// An entry is counted as the value it holds; a "- " right
			// after another opens a list of its own.
			s.indents = append(s.indents, col)
			if ok := s.deeper(at); !ok || entry && !s.node(at) {
				return
			}
			entry = true
			continue
		case c == '[' || c == '{':
			s.flow++
			at := s.i
			s.i++
			if !s.open(at) {
				return
			}
			s.flowText()
			if s.flow == 0 {
				s.rest(owner)
			}
			return
		case c == '"' || c == '\'':
			if !s.node(s.i) {
				return
			}
			s.quoted(c)
			s.rest(owner)
			return
		case c == '|' || c == '>':
			if !s.node(s.i) {
				return
			}
			s.blockScalar(owner)
			return
		case c == '&' || c == '!' || c == '*':
			// An anchor, tag or alias; the Reader refuses them later.
			if c == '*' && !s.node(s.i) {
				return
			}
			for s.i < len(d) && !blank(d[s.i]) {
				s.i++
			}
			entry = false
		default:
			if !s.node(s.i) {
				return
			}
			key := s.i - s.lineStart
			if !s.plain() {
				return
			}
			owner, entry = key, false // the scalar was a key; its value is next
		}
	}
}

// plain reads a plain scalar in block context to the end of its line. It
// reports true, with s.i after the ":", when the scalar is a key.
func (s *scanner) plain() bool {
	d := s.data
	for s.i < len(d) {
		switch c := d[s.i]; {
		case c == '\n':
			s.i++
			return false
		case c == ':' && (s.i+1 == len(d) || blank(d[s.i+1])):
			s.i++
			return true
		case c == '#' && blank(d[s.i-1]):
			s.skipLine()
			return false
		}
		s.i++
	}
	return false
}

// rest reads what follows a quoted or flow value on its line: a ":" that
// makes it a key, a comment, or nothing.
func (s *scanner) rest(owner int) {
	s.skipSpace()
	if s.i < len(s.data) && s.data[s.i] == ':' {
		s.i++
		s.value(owner)
		return
	}
	s.skipLine()
}

// blockScalar skips a | or > scalar: its header line, then every line
// that is blank or indented beyond owner.
func (s *scanner) blockScalar(owner int) {
	d := s.data
	s.skipLine()
	for s.i < len(d) {
		j := s.i
		for j < len(d) && d[j] == ' ' {
			j++
		}
		if j < len(d) && d[j] != '\n' && d[j] != '\r' && j-s.i <= owner {
			return
		}
		s.i = j
		s.skipLine()
	}
}

// flowText reads inside [ ] and { }, across lines, until the flow
// collection that was opened last before it closes.
func (s *scanner) flowText() {
	d := s.data
	start := true   // a value may start here: a quote opens a string
	closed := false // the last value was quoted or bracketed, so "key":"v" works
	for s.i < len(d) && s.flow > 0 && s.over == "" {
		c := d[s.i]
		switch {
		case c == '[' || c == '{':
			s.flow++
			at := s.i
			s.i++
			if !s.open(at) {
				return
			}
			start, closed = true, false
		case c == ']' || c == '}':
			s.flow--
			s.i++
			start, closed = false, true
		case c == ',':
			s.i++
			start, closed = true, false
		case c == ':':
			s.i++
			start = closed || s.i == len(d) || blank(d[s.i])
			closed = false
		case (c == '"' || c == '\'') && start:
			if !s.node(s.i) {
				return
			}
			s.quoted(c)
			start, closed = false, true
		case c == '#' && (s.i == 0 || blank(d[s.i-1])):
			s.skipLine()
		case blank(c):
			if c == '\n' {
				s.lineStart = s.i + 1
			}
			s.i++
		default:
			if start && !s.node(s.i) {
				return
			}
			s.i++
			start, closed = false, false
		}
	}
}

// quoted skips a quoted scalar, which may span lines, from its opening
// quote q: "..." with backslash escapes, or '...' with ” for a quote.
func (s *scanner) quoted(q byte) {
	d := s.data
	s.i++
	for s.i < len(d) {
		c := d[s.i]
		s.i++
		switch {
		case c == '\n':
			s.lineStart = s.i
		case c == '\\' && q == '"':
			if s.i < len(d) && d[s.i] == '\n' {
				s.lineStart = s.i + 1
			}
			s.i++
		case c == q:
			if q == '\'' && s.i < len(d) && d[s.i] == '\'' {
				s.i++
				continue
			}
			return
		}
	}
}

// skipSpace skips spaces and tabs.
func (s *scanner) skipSpace() {
	for s.i < len(s.data) && (s.data[s.i] == ' ' || s.data[s.i] == '\t') {
		s.i++
	}
}

// skipLine moves to the start of the next line.
func (s *scanner) skipLine() {
	for s.i < len(s.data) {
		c := s.data[s.i]
		s.i++
		if c == '\n' {
			return
		}
	}
}

// blank reports whether c is white space, a line break included.
func blank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}
