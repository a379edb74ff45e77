package yamlsrc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// shape returns how deep n's lists and mappings nest and how many values
// it holds, as go-yaml read them.
func shape(n ast.Node) (depth, nodes int) {
	if IsNil(n) {
		return 0, 0
	}
	entry := func(e *ast.MappingValueNode) (int, int) {
		kd, kn := shape(e.Key)
		vd, vn := shape(e.Value)
		return max(kd, vd), kn + vn
	}
	switch n := n.(type) {
	case *ast.DocumentNode:
		return shape(n.Body)
	case *ast.MappingNode:
		for _, e := range n.Values {
			d, c := entry(e)
			depth, nodes = max(depth, d), nodes+c
		}
		return depth + 1, nodes + 1
	case *ast.MappingValueNode:
		d, c := entry(n)
		return d + 1, c + 1
	case *ast.SequenceNode:
		for _, v := range n.Values {
			d, c := shape(v)
			depth, nodes = max(depth, d), nodes+c
		}
		return depth + 1, nodes + 1
	case *ast.AnchorNode:
		return shape(n.Value)
	case *ast.TagNode:
		return shape(n.Value)
	case *ast.NullNode:
		return 0, 0 // often implicit ("key:"), which the scanner cannot see
	}
	return 0, 1
}

// parsedShape returns the shape of data's deepest document, or ok false
// when go-yaml does not read it.
func parsedShape(data []byte) (depth, nodes int, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return 0, 0, false
	}
	for _, doc := range f.Docs {
		d, n := shape(doc)
		depth, nodes = max(depth, d), nodes+n
	}
	return depth, nodes, true
}

func scan(data []byte) *scanner {
	s := &scanner{data: data, maxDepth: 1 << 30, maxNodes: -1}
	s.run()
	return s
}

// The scanner never sees less nesting than go-yaml builds, and sees no
// more than a few levels more on the project's own files.
func TestScanMatchesParser(t *testing.T) {
	files, _ := filepath.Glob("../../scenarios/examples/*.yaml")
	more, _ := filepath.Glob("../workspace/testdata/*.yaml")
	files = append(append(files, more...), "../../sim/demo/workspace.yaml", "../../scenarios/testdata/full.yaml")
	if len(files) < 10 {
		t.Fatalf("found only %d files", len(files))
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		checkScan(t, name, data)
	}
	for _, src := range scanCases {
		checkScan(t, src, []byte(src))
	}
}

var scanCases = []string{
	"a: [b, [c, {d: [e]}]]\n",
	"- - - - a\n",
	"- a: 1\n  b: [2, 3]\n- c\n",
	"a:\n  b:\n    c:\n      d: {e: f}\n",
	"a: |\n  [[[[\n   {{{\nb: [x]\n",
	"- key: |\n    text\n  other: [1, [2]]\n",
	"a: \"[[[\n  ]\"\nb: [[1]]\n",
	"a: 'it''s [not'\nb: {c: [d]}\n",
	"a: see [docs] it's fine # [comment\nb: [[c]]\n",
	"\"a]\": [[d]]\n",
	"{\"a\":'b', c: [[x]]}\n",
	"a: [b,\n  [c,\n   # ]]\n   d]]\n",
	"--- [a, [b]]\n--- {c: [d]}\n",
	"a: >-\n  folded\n  text\nb: [[[c]]]\n",
	"a: |2\n    indented\n  text\nb: [[c]]\n",
	"a: 1\rb: [[c]]\r",
	"a: 1\r\nb:\r\n  - [[c]]\r\n",
}

func checkScan(t *testing.T, name string, data []byte) {
	t.Helper()
	depth, nodes, ok := parsedShape(data)
	if !ok {
		t.Errorf("%s: go-yaml does not read it", name)
		return
	}
	s := scan(data)
	if s.deepest < depth || s.deepest > depth+3 {
		t.Errorf("%.40q: scanner depth %d, go-yaml %d", name, s.deepest, depth)
	}
	if s.nodes*2 < nodes {
		t.Errorf("%.40q: scanner counts %d values, go-yaml %d", name, s.nodes, nodes)
	}
}

// FuzzScan checks the scanner against go-yaml: whatever go-yaml reads of
// what the Reader lets through to the scan (UTF-8 text), the
// scanner sees nested at least as deep, and with at least half the values
// (go-yaml adds implicit nulls), so no file slips past the limits.
func FuzzScan(f *testing.F) {
	for _, src := range scanCases {
		f.Add([]byte(src))
	}
	f.Add([]byte(strings.Repeat("[", 100) + strings.Repeat("]", 100)))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, bad := notText(data); len(data) > 4096 || bad != "" {
			return // refused before the scan
		}
		depth, nodes, ok := parsedShape(data)
		if !ok {
			return
		}
		s := scan(data)
		if s.deepest < depth {
			t.Fatalf("scanner depth %d, go-yaml %d", s.deepest, depth)
		}
		if s.nodes*2+2 < nodes {
			t.Fatalf("scanner counts %d values, go-yaml %d", s.nodes, nodes)
		}
	})
}

// go-yaml nests the lines after a tag at the end of a line inside it; a
// chain of them must not pass as shallow.
func TestScanTagChains(t *testing.T) {
	for _, src := range []string{"a: !t\n", "- !t\n", "a: !t\n  "} {
		data := []byte(strings.Repeat(src, 100))
		if s := scan(data); s.deepest < 100 {
			t.Errorf("%q ×100: scanner depth %d", src, s.deepest)
		}
	}
}
