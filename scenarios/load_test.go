package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const good = "name: good\nsteps:\n  - say: hi\n"

// write creates the files under dir, making folders as needed.
func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadAll(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"a.yaml":               good,
		"b/good.yaml":          good,
		"bad.yml":              "name: bad\nsteps:\n  - wait: 10\n",
		"sub/deeper/bad.YAML":  "name: bad\n",
		"notes.txt":            "not a scenario",
		"README.md":            "# scenarios",
		".github/ci.yaml":      "on: push\n",
		"sub/.hidden.yaml":     "broken: [\n",
		"explicit/other.txt":   good,
		"explicit/ignored.txt": "broken: [\n",
	})
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.yaml")
	a := filepath.Join(dir, "a.yaml")
	explicit := filepath.Join(dir, "explicit", "other.txt")

	got, errs := LoadAll([]string{dir, explicit, a, missing, empty})

	var paths []string
	for _, s := range got {
		paths = append(paths, s.Path)
	}
	// a.yaml is named twice, and loaded once; an explicit file is loaded
	// whatever its extension.
	wantPaths := []string{a, filepath.Join(dir, "b", "good.yaml"), explicit}
	if !slices.Equal(paths, wantPaths) {
		t.Errorf("scenarios:\nwant %q\ngot  %q", wantPaths, paths)
	}

	want := []struct {
		file         string
		line, column int
		msg          string
	}{
		{filepath.Join(dir, "bad.yml"), 3, 11, "wait 10 has no unit"},
		{filepath.Join(dir, "sub", "deeper", "bad.YAML"), 1, 1, "missing steps"},
		{missing, 0, 0, "cannot read scenario: "},
		{empty, 0, 0, "no scenario files (*.yaml or *.yml) in this folder"},
	}
	if len(errs) != len(want) {
		t.Fatalf("errors: want %d, got %d: %v", len(want), len(errs), errs)
	}
	for i, w := range want {
		var se *Error
		if !errors.As(errs[i], &se) {
			t.Errorf("errs[%d]: want *Error, got %T: %v", i, errs[i], errs[i])
			continue
		}
		if se.File != w.file || se.Line != w.line || se.Column != w.column || !strings.HasPrefix(se.Msg, w.msg) {
			t.Errorf("errs[%d]:\nwant %s:%d:%d: %s…\ngot  %s:%d:%d: %s", i, w.file, w.line, w.column, w.msg, se.File, se.Line, se.Column, se.Msg)
		}
	}
}

func TestLoadMissing(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	var se *Error
	if !errors.As(err, &se) {
		t.Fatalf("want *Error, got %T: %v", err, err)
	}
	if se.Line != 0 || !strings.HasPrefix(se.Msg, "cannot read scenario: ") || strings.Count(err.Error(), "nope.yaml") != 1 {
		t.Errorf("want a file-level error naming the file once, got %q (line %d)", err, se.Line)
	}
}

func TestWorkspacePath(t *testing.T) {
	abs, err := filepath.Abs(filepath.Join("x", "w.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, file, workspace, want string
	}{
		{"beside", "s.yaml", "w.yaml", "w.yaml"},
		{"parent folder", filepath.Join("a", "b", "s.yaml"), "../w.yaml", filepath.Join("a", "w.yaml")},
		{"sub-folder", filepath.Join("a", "s.yaml"), "ws/w.yaml", filepath.Join("a", "ws", "w.yaml")},
		{"absolute", filepath.Join("a", "s.yaml"), abs, abs},
		{"none", filepath.Join("a", "s.yaml"), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := good
			if tt.workspace != "" {
				src = "workspace: " + tt.workspace + "\n" + src
			}
			s, err := Parse(tt.file, []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			if s.Workspace != tt.want {
				t.Errorf("Workspace: want %q, got %q", tt.want, s.Workspace)
			}
			if s.Path != tt.file {
				t.Errorf("Path: want %q, got %q", tt.file, s.Path)
			}
		})
	}
}
