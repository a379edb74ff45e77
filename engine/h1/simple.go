package h1

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/textproto"
)

// readSimple reads the response most endpoints send — HTTP/1.1, a
// Content-Length, no transfer coding, no Connection header — when its
// status line and headers are already in br's buffer, and reports false,
// having consumed nothing, for anything else, which ReadResponse then reads.
// It builds what ReadResponse would (FuzzSimpleMatchesReadResponse holds
// it to that) in a third of the time: one string for the header block, one
// map, one slice of values.
func readSimple(br *bufio.Reader) (*http.Response, bool) {
	if br.Buffered() == 0 {
		if _, err := br.Peek(1); err != nil {
			return nil, false
		}
	}
	buf, _ := br.Peek(br.Buffered())
	end := bytes.Index(buf, []byte("\r\n\r\n"))
	if end < 0 {
		return nil, false
	}
	block := string(buf[:end+2]) // every line with its CRLF

	// The status line: "HTTP/1.1 200 OK".
	eol := indexCRLF(block)
	line := block[:eol]
	if len(line) < 12 || line[:9] != "HTTP/1.1 " || (len(line) > 12 && line[12] != ' ') {
		return nil, false
	}
	code := 0
	for i := 9; i < 12; i++ {
		c := line[i]
		if c < '0' || c > '9' {
			return nil, false
		}
		code = code*10 + int(c-'0')
	}
	if code < 200 || code == http.StatusNoContent || code == http.StatusNotModified {
		return nil, false // no body, or not the final response
	}
	for i := 12; i < len(line); i++ {
		if c := line[i]; !visible(c) && c != ' ' && c != '\t' {
			return nil, false
		}
	}

	rest := block[eol+2:]
	lines := bytes.Count(buf[eol+2:end+2], []byte("\r\n"))
	header := make(http.Header, lines)
	values := make([]string, lines)
	contentLength := int64(-1)
	for n := 0; rest != ""; n++ {
		eol := indexCRLF(rest)
		line := rest[:eol]
		rest = rest[eol+2:]
		colon := -1
		for i := 0; i < len(line); i++ {
			if line[i] == ':' {
				colon = i
				break
			}
			if !isTokenChar(line[i]) {
				return nil, false // also a folded line, which starts with a space
			}
		}
		if colon < 1 {
			return nil, false
		}
		value := line[colon+1:]
		for value != "" && (value[0] == ' ' || value[0] == '\t') {
			value = value[1:]
		}
		for value != "" && (value[len(value)-1] == ' ' || value[len(value)-1] == '\t') {
			value = value[:len(value)-1]
		}
		for i := 0; i < len(value); i++ {
			if !visible(value[i]) && value[i] != ' ' && value[i] != '\t' {
				return nil, false
			}
		}
		key := textproto.CanonicalMIMEHeaderKey(line[:colon])
		switch key {
		case "Transfer-Encoding", "Connection", "Trailer", "Pragma":
			return nil, false
		case "Content-Length":
			if contentLength >= 0 {
				return nil, false
			}
			if contentLength = parseLength(value); contentLength < 0 {
				return nil, false
			}
		}
		values[n] = value
		header[key] = append(header[key], values[n:n+1:n+1]...)
	}
	if contentLength < 0 {
		return nil, false // read until the connection closes: ReadResponse's case
	}
	br.Discard(end + 4)
	return &http.Response{
		Status:        line[9:],
		StatusCode:    code,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        header,
		Body:          &fixedBody{r: br, left: contentLength},
		ContentLength: contentLength,
		Request:       postRequest,
	}, true
}

// fixedBody reads a body of a declared length. A connection that ends
// before it is complete is io.ErrUnexpectedEOF, as net/http reports it.
type fixedBody struct {
	r    io.Reader
	left int64
}

func (b *fixedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if err == io.EOF && b.left > 0 {
		err = io.ErrUnexpectedEOF
	}
	if err == nil && b.left == 0 {
		err = io.EOF
	}
	return n, err
}

func (b *fixedBody) Close() error { return nil }

// parseLength parses a Content-Length value: digits only, at most 18 of
// them; -1 for anything else.
func parseLength(s string) int64 {
	if s == "" || len(s) > 18 {
		return -1
	}
	var n int64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return -1
		}
		n = n*10 + int64(s[i]-'0')
	}
	return n
}

// visible reports whether c is a visible ASCII character.
func visible(c byte) bool { return c > ' ' && c < 0x7f }

// indexCRLF is the index of the first CRLF in s, which has one.
func indexCRLF(s string) int {
	for i := 0; ; i++ {
		if s[i] == '\r' && s[i+1] == '\n' {
			return i
		}
	}
}
