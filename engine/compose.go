package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// ComposeData turns a data response ({"order_id": "12345", "status":
// "shipped"}) into the sentence the bot says: "Here's what I found: order
// id 12345, status shipped." Keys keep the endpoint's order; nested values
// are summarised rather than dumped. raw must be a valid JSON object.
func ComposeData(raw []byte) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // numbers as the endpoint wrote them
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return noDetails
	}
	parts := describeMembers(dec)
	if len(parts) == 0 {
		return noDetails
	}
	return "Here's what I found: " + strings.Join(parts, ", ") + "."
}

const noDetails = "I looked that up, but there are no details to share."

// describeMembers reads an object's members up to and including its '}',
// one "key value" phrase per member that is not null.
func describeMembers(dec *json.Decoder) []string {
	var parts []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return parts
		}
		key, _ := t.(string)
		if v, ok := describe(dec); ok {
			parts = append(parts, humanize(key)+" "+v)
		}
	}
	dec.Token() // '}'
	return parts
}

// describe reads the next value and renders it for a sentence; null is
// left out. Reading tokens in one pass keeps deep documents linear.
func describe(dec *json.Decoder) (string, bool) {
	t, err := dec.Token()
	if err != nil {
		return "", false
	}
	switch v := t.(type) {
	case nil:
		return "", false
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	case json.Delim:
		if v == '{' {
			return "(" + strings.Join(describeMembers(dec), ", ") + ")", true
		}
		var items []string
		for dec.More() {
			if v, ok := describe(dec); ok {
				items = append(items, v)
			}
		}
		dec.Token() // ']'
		switch {
		case len(items) == 0:
			return "none", true
		case len(items) > 5:
			return strings.Join(items[:5], ", ") + " and " + commas(len(items)-5) + " more", true
		}
		return strings.Join(items, ", "), true
	}
	return fmt.Sprint(t), true
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
