package yamlsrc

import (
	"fmt"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/parser"
)

// workspaceOf returns a workspace-like file of n actions.
func workspaceOf(n int) []byte {
	var b strings.Builder
	b.WriteString("chatbot: {id: a, name: b}\nactions:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - id: a%d\n    url: https://127.0.0.1:8443/x\n    secret: ${S}\n    triggers: [manual]\n    payload:\n      email: \"{{visitor.email}}\"\n", i)
	}
	return []byte(b.String())
}

// BenchmarkCheck is the pre-scan (UTF-8, size, depth, values) and
// BenchmarkParse go-yaml's parse of the same 1,000-action file: the check's
// cost is their ratio.
func BenchmarkCheck(b *testing.B) {
	data := workspaceOf(1000)
	r := NewReader("w.yaml", Kind{Name: "workspace", Limits: Limits{Bytes: MiB}})
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := r.check(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	data := workspaceOf(1000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := parser.ParseBytes(data, 0); err != nil {
			b.Fatal(err)
		}
	}
}
