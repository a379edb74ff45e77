package engine

// maxJSONDepth matches encoding/json's nesting limit.
const maxJSONDepth = 10000

// jsonSyntaxError says where a body stops being JSON.
type jsonSyntaxError struct {
	offset int
	msg    string
}

// validateJSON checks that b is exactly one JSON value (RFC 8259) with
// optional surrounding whitespace, nested at most maxJSONDepth deep. It
// accepts what encoding/json's Valid accepts (UTF-8 is checked separately)
// at a fraction of the cost, because every response is validated on the
// dispatch path. It returns nil when b is valid.
func validateJSON(b []byte) *jsonSyntaxError {
	var small [64]byte // open containers; grows only for deep documents
	stack := small[:0]
	i := skipSpace(b, 0)
	for {
		// A value starts at i.
		if i >= len(b) {
			return &jsonSyntaxError{i, "unexpected end of JSON input"}
		}
		closed := true // the value at i is complete after this switch
		switch c := b[i]; c {
		case '{', '[':
			if len(stack) >= maxJSONDepth {
				return &jsonSyntaxError{i, "exceeded max depth"}
			}
			stack = append(stack, c)
			i = skipSpace(b, i+1)
			switch {
			case i < len(b) && (c == '{' && b[i] == '}' || c == '[' && b[i] == ']'):
				stack = stack[:len(stack)-1]
				i++
			case c == '{':
				var err *jsonSyntaxError
				if i, err = objectKey(b, i); err != nil {
					return err
				}
				closed = false
			default:
				closed = false
			}
		case '"':
			end, err := scanString(b, i)
			if err != nil {
				return err
			}
			i = end
		case 't':
			if !hasLiteral(b, i, "true") {
				return &jsonSyntaxError{i, "invalid literal"}
			}
			i += 4
		case 'f':
			if !hasLiteral(b, i, "false") {
				return &jsonSyntaxError{i, "invalid literal"}
			}
			i += 5
		case 'n':
			if !hasLiteral(b, i, "null") {
				return &jsonSyntaxError{i, "invalid literal"}
			}
			i += 4
		default:
			end, ok := scanNumber(b, i)
			if !ok {
				return &jsonSyntaxError{i, "invalid character " + quoteChar(c) + " looking for beginning of value"}
			}
			i = end
		}
		if !closed {
			continue
		}
		// After a complete value: close containers, or move to the next element.
		for {
			i = skipSpace(b, i)
			if len(stack) == 0 {
				if i != len(b) {
					return &jsonSyntaxError{i, "invalid character " + quoteChar(b[i]) + " after top-level value"}
				}
				return nil
			}
			if i >= len(b) {
				return &jsonSyntaxError{i, "unexpected end of JSON input"}
			}
			top := stack[len(stack)-1]
			if b[i] == ',' {
				i = skipSpace(b, i+1)
				if top == '{' {
					var err *jsonSyntaxError
					if i, err = objectKey(b, i); err != nil {
						return err
					}
				}
				break
			}
			if top == '{' && b[i] == '}' || top == '[' && b[i] == ']' {
				stack = stack[:len(stack)-1]
				i++
				continue
			}
			return &jsonSyntaxError{i, "invalid character " + quoteChar(b[i]) + " after " + containerName(top) + " element"}
		}
	}
}

// objectKey scans `"key" :` at i and returns where the value starts.
func objectKey(b []byte, i int) (int, *jsonSyntaxError) {
	if i >= len(b) || b[i] != '"' {
		if i >= len(b) {
			return i, &jsonSyntaxError{i, "unexpected end of JSON input"}
		}
		return i, &jsonSyntaxError{i, "invalid character " + quoteChar(b[i]) + " looking for beginning of object key string"}
	}
	end, err := scanString(b, i)
	if err != nil {
		return i, err
	}
	i = skipSpace(b, end)
	if i >= len(b) || b[i] != ':' {
		if i >= len(b) {
			return i, &jsonSyntaxError{i, "unexpected end of JSON input"}
		}
		return i, &jsonSyntaxError{i, "invalid character " + quoteChar(b[i]) + " after object key"}
	}
	return skipSpace(b, i+1), nil
}

// scanString validates the string literal at i and returns the index past it.
func scanString(b []byte, i int) (int, *jsonSyntaxError) {
	for i++; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1, nil
		case c < 0x20:
			return i, &jsonSyntaxError{i, "invalid character " + quoteChar(c) + " in string literal"}
		case c == '\\':
			i++
			if i >= len(b) {
				break
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				for k := 1; k <= 4; k++ {
					if i+k >= len(b) || !isHex(b[i+k]) {
						return i + k, &jsonSyntaxError{i + k, "invalid character in \\u escape"}
					}
				}
				i += 4
			default:
				return i, &jsonSyntaxError{i, "invalid character " + quoteChar(b[i]) + " in string escape code"}
			}
		}
	}
	return len(b), &jsonSyntaxError{len(b), "unexpected end of JSON input"}
}

// scanNumber matches -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func scanNumber(b []byte, i int) (int, bool) {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = skipDigits(b, i)
	default:
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		if i+1 >= len(b) || !isDigit(b[i+1]) {
			return i, false
		}
		i = skipDigits(b, i+1)
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return i, false
		}
		i = skipDigits(b, i)
	}
	return i, true
}

func skipDigits(b []byte, i int) int {
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	return i
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hasLiteral(b []byte, i int, lit string) bool {
	return len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit
}

func quoteChar(c byte) string {
	switch {
	case c == '\'':
		return `'\''`
	case c == '"':
		return `'"'`
	case c >= 0x20 && c < 0x7f:
		return "'" + string(c) + "'"
	}
	const hex = "0123456789abcdef"
	return `'\x` + string(hex[c>>4]) + string(hex[c&15]) + "'"
}

func containerName(c byte) string {
	if c == '{' {
		return "object key:value pair"
	}
	return "array"
}
