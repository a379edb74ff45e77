package yamlsrc

// scanner estimates, without parsing, how deep a YAML file's lists and
// mappings nest and how many values it holds, and stops where either goes
// over its limit. It reads only the structure that matters for that —
// indentation, "- " entries, flow brackets, quoted and block scalars,
// comments — and errs towards counting more, never fewer: a line it cannot
// place counts as one more level, text it skips is text to YAML too.
// FuzzScan holds it to that against go-yaml itself, quirks included.
type scanner struct {
	data      []byte
	i         int     // the next byte to read
	lineStart int     // where the current line starts
	indents   []level // the open block collections
	flows     []byte  // the open flow collections: '[', '{', or 'p' for a [ holding a "key: value" pair
	pairs     int     // the 'p's in flows: go-yaml makes each pair a mapping
	props     int     // the anchors, tags and lone ":" seen, each a level for good
	keyed     bool    // the current line has had a key: another one nests
	nodes     int
	deepest   int // the deepest nesting seen, for tests

	maxDepth, maxNodes int // maxNodes < 0 means no limit
	over               string
	at                 int // where the limit was passed
}

// level is an open block collection: the column its lines start at, and
// whether it is a list whose "- " lines share the column of the mapping
// key that holds it ("key:\n- a").
type level struct {
	col int
	seq bool
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
	s.deepest = max(s.deepest, len(s.indents)+len(s.flows)+s.pairs+s.props)
	if s.deepest > s.maxDepth {
		return s.pass("depth", at)
	}
	return s.over == ""
}

// blockLine reads a line in block context, from its start.
func (s *scanner) blockLine() {
	d := s.data
	s.lineStart = s.i
	s.keyed = false
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
	if d[s.i] == ':' && (s.i+1 == len(d) || blank(d[s.i+1])) {
		// A value on a line of its own (after "? key", or a key on the
		// line before): go-yaml may nest it, so it counts as a level
		// that stays open, as a tag does. Real files do not have them.
		s.props++
		if !s.deeper(s.i) {
			return
		}
	}
	dash := d[s.i] == '-' && (s.i+1 == len(d) || blank(d[s.i+1]))
	top := func() level { return s.indents[len(s.indents)-1] }
	for len(s.indents) > 0 && (top().col > indent || top().col == indent && top().seq && !dash) {
		s.indents = s.indents[:len(s.indents)-1]
	}
	if len(s.indents) == 0 || top().col < indent || dash && !top().seq {
		s.indents = append(s.indents, level{col: indent, seq: dash})
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
			s.indents = append(s.indents, level{col: col})
			if ok := s.deeper(at); !ok || entry && !s.node(at) {
				return
			}
			entry = true
			continue
		case c == '[' || c == '{':
			if !s.openFlow() {
				return
			}
			s.flowText()
			if len(s.flows) == 0 {
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
			// go-yaml nests what follows a tag at the end of a line
			// inside it, line after line, so each counts as a level
			// that stays open: a file with any is refused either way.
			if c == '*' && !s.node(s.i) {
				return
			}
			if c != '*' {
				s.props++
				if !s.deeper(s.i) {
					return
				}
			}
			for s.i < len(d) && !blank(d[s.i]) {
				s.i++
			}
			entry = false
		default:
			if !s.node(s.i) {
				return
			}
			at, key := s.i, s.i-s.lineStart
			if !s.plain() || !s.key(at) {
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
		case c == '\n' || c == '\r':
			s.skipLine()
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
	at := s.i
	s.skipSpace()
	if s.i < len(s.data) && s.data[s.i] == ':' {
		s.i++
		if s.key(at) {
			s.value(owner)
		}
		return
	}
	s.skipLine()
}

// key notes a key that starts at byte at. A second key on one line
// ("a: b: c") is a mapping inside the first key's value to go-yaml.
func (s *scanner) key(at int) bool {
	if s.keyed {
		s.indents = append(s.indents, level{col: at - s.lineStart})
		return s.open(at)
	}
	s.keyed = true
	return s.over == ""
}

// blockScalar skips a | or > scalar: its header line, then its lines —
// blank ones, and those indented as far as its first (or as its
// indentation indicator says), which must be beyond owner. A line less
// indented ends it, as in YAML, and is read as structure.
func (s *scanner) blockScalar(owner int) {
	d := s.data
	content := 0 // the scalar's indentation, once known
	for h := s.i + 1; h < len(d) && (d[h] == '+' || d[h] == '-' || d[h] >= '1' && d[h] <= '9'); h++ {
		if d[h] != '+' && d[h] != '-' {
			content = owner + int(d[h]-'0')
		}
	}
	s.skipLine()
	for s.i < len(d) {
		j := s.i
		for j < len(d) && d[j] == ' ' {
			j++
		}
		if j < len(d) && !lineBreak(d[j]) {
			indent := j - s.i
			switch {
			case content == 0 && indent <= owner, content > 0 && indent < content:
				return
			case content == 0:
				content = indent
			}
		}
		s.skipLine()
	}
}

// flowText reads inside [ ] and { }, across lines, until the flow
// collection that was opened last before it closes.
func (s *scanner) flowText() {
	d := s.data
	start := true   // a value may start here: a quote opens a string
	closed := false // the last value was quoted or bracketed, so "key":"v" works
	for s.i < len(d) && len(s.flows) > 0 && s.over == "" {
		c := d[s.i]
		switch {
		case c == '[' || c == '{':
			if !s.openFlow() {
				return
			}
			start, closed = true, false
		case c == ']' || c == '}':
			if s.flows[len(s.flows)-1] == 'p' {
				s.pairs--
			}
			s.flows = s.flows[:len(s.flows)-1]
			s.i++
			start, closed = false, true
		case c == ',':
			if k := len(s.flows) - 1; s.flows[k] == 'p' {
				s.flows[k] = '['
				s.pairs--
			}
			s.i++
			start, closed = true, false
		case c == ':':
			if k := len(s.flows) - 1; s.flows[k] == '[' {
				// A pair in a list, [a: b], is a mapping of its own.
				s.flows[k] = 'p'
				s.pairs++
				if !s.deeper(s.i) {
					return
				}
			}
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
			if lineBreak(c) {
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

// openFlow opens the flow collection whose bracket is at s.i.
func (s *scanner) openFlow() bool {
	s.flows = append(s.flows, s.data[s.i])
	at := s.i
	s.i++
	return s.open(at)
}

// quoted skips a quoted scalar, which may span lines, from its opening
// quote q: "..." with backslash escapes, or '...' in which two quotes
// stand for one.
func (s *scanner) quoted(q byte) {
	d := s.data
	s.i++
	for s.i < len(d) {
		c := d[s.i]
		s.i++
		switch {
		case lineBreak(c):
			s.lineStart = s.i
		case c == '\\' && q == '"':
			if s.i < len(d) && lineBreak(d[s.i]) {
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

// skipLine moves to the start of the next line. A line ends at "\n",
// "\r\n" or a lone "\r", as in YAML.
func (s *scanner) skipLine() {
	for s.i < len(s.data) {
		c := s.data[s.i]
		s.i++
		if c == '\r' && s.i < len(s.data) && s.data[s.i] == '\n' {
			s.i++
		}
		if lineBreak(c) {
			return
		}
	}
}

// lineBreak reports whether c ends a line.
func lineBreak(c byte) bool {
	return c == '\n' || c == '\r'
}

// blank reports whether c is white space, a line break included.
func blank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}
