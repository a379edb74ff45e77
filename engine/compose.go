package engine

import (
	"strings"
	"unicode"
)

// ComposeData turns a data response ({"order_id": "12345", "status":
// "shipped"}) into the sentence the bot says: "Here's what I found: order
// id 12345, status shipped." Keys keep the endpoint's order; nested values
// are summarised rather than dumped.
func ComposeData(raw []byte) string {
	var parts []string
	members(raw, func(m member) {
		if v, ok := describe(m.raw); ok {
			parts = append(parts, humanize(m.key)+" "+v)
		}
	})
	if len(parts) == 0 {
		return "I looked that up, but there are no details to share."
	}
	return "Here's what I found: " + strings.Join(parts, ", ") + "."
}

// describe renders a value for a sentence; null is left out.
func describe(raw []byte) (string, bool) {
	raw = trimSpace(raw)
	switch jsonKind(raw) {
	case "null":
		return "", false
	case "string":
		return unquote(raw), true
	case "object":
		var parts []string
		members(raw, func(m member) {
			if v, ok := describe(m.raw); ok {
				parts = append(parts, humanize(m.key)+" "+v)
			}
		})
		return "(" + strings.Join(parts, ", ") + ")", true
	case "array":
		var items []string
		elements(raw, func(el []byte) {
			if v, ok := describe(el); ok {
				items = append(items, v)
			}
		})
		switch {
		case len(items) == 0:
			return "none", true
		case len(items) > 5:
			return strings.Join(items[:5], ", ") + " and " + itoa(len(items)-5) + " more", true
		}
		return strings.Join(items, ", "), true
	}
	return string(raw), true
}

// elements calls fn for each element of a valid JSON array.
func elements(raw []byte, fn func([]byte)) {
	i := skipSpace(raw, 0) + 1
	for {
		i = skipSpace(raw, i)
		if i >= len(raw) || raw[i] == ']' {
			return
		}
		if raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
		end := skipValue(raw, i)
		fn(raw[i:end])
		i = end
	}
}

// humanize turns order_id, orderId and Order-ID into "order id".
func humanize(key string) string {
	var b strings.Builder
	prevLower := false
	for _, r := range key {
		switch {
		case r == '_' || r == '-' || r == '.' || unicode.IsSpace(r):
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			prevLower = false
			continue
		case unicode.IsUpper(r):
			if prevLower {
				b.WriteByte(' ')
			}
			r = unicode.ToLower(r)
			prevLower = false
		default:
			prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
		}
		b.WriteRune(r)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func itoa(n int) string { return commas(n) }
