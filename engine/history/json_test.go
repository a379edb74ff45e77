package history

import (
	"encoding/json"
	"testing"
)

// FuzzAppendJSONString checks the hand-written encoder against
// encoding/json: what it writes is valid JSON that decodes to what
// encoding/json's encoding of the same string decodes to.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", `quote " and \ back`, "tab\tnl\ncr\r\x00\x1f", "café ☕", "bad \xff\xfe utf-8", "\u2028<>&"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		mine := appendJSONString(nil, s)
		var got string
		if err := json.Unmarshal(mine, &got); err != nil {
			t.Fatalf("appendJSONString(%q) = %s: not JSON: %v", s, mine, err)
		}
		theirs, _ := json.Marshal(s)
		var want string
		if err := json.Unmarshal(theirs, &want); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("appendJSONString(%q) decodes to %q, encoding/json's to %q", s, got, want)
		}
	})
}
