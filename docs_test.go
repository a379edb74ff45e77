// Package docs_test checks the repository's Markdown: every relative link in
// README.md and docs/*.md reaches a file (and heading) that exists, and no
// file refers to a path outside the repository, which a clone would lack.
package docs_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// markdownFiles are the pages whose links are checked.
func markdownFiles(t *testing.T) []string {
	t.Helper()
	pages, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) == 0 {
		t.Fatal("no docs/*.md pages found")
	}
	return append([]string{"README.md"}, pages...)
}

var (
	fence    = regexp.MustCompile("(?ms)^```.*?^```[^\n]*$")
	codeSpan = regexp.MustCompile("`[^`]*`")
	link     = regexp.MustCompile(`\[[^\]]*\]\(([^)\s]+)\)`)
	heading  = regexp.MustCompile(`(?m)^#{1,6} +(.+?) *#*$`)
)

// prose is a page without its code: links in code are examples, not links.
func prose(page string) string {
	return codeSpan.ReplaceAllString(fence.ReplaceAllString(page, ""), "")
}

// anchors are the ids GitHub gives a page's headings: lower case, spaces
// to hyphens, punctuation other than - and _ dropped, repeats numbered.
func anchors(page string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	for _, m := range heading.FindAllStringSubmatch(fence.ReplaceAllString(page, ""), -1) {
		var b strings.Builder
		for _, r := range strings.ToLower(m[1]) {
			switch {
			case r == ' ':
				b.WriteByte('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		id := b.String()
		if n := seen[id]; n > 0 {
			seen[id] = n + 1
			id = id + "-" + string(rune('0'+n))
		} else {
			seen[id] = 1
		}
		out[id] = true
	}
	return out
}

func TestMarkdownLinksResolve(t *testing.T) {
	for _, file := range markdownFiles(t) {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range link.FindAllStringSubmatch(prose(string(src)), -1) {
			target := m[1]
			if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			path, anchor, _ := strings.Cut(target, "#")
			if strings.HasPrefix(path, "/") {
				t.Errorf("%s: link %q is absolute: link relative to the page", file, target)
				continue
			}
			dest := file
			if path != "" {
				dest = filepath.Join(filepath.Dir(file), path)
			}
			if rel, err := filepath.Rel(".", dest); err != nil || strings.HasPrefix(rel, "..") {
				t.Errorf("%s: link %q leaves the repository", file, target)
				continue
			}
			page, err := os.ReadFile(dest)
			if err != nil {
				t.Errorf("%s: link %q: %v", file, target, err)
				continue
			}
			if anchor != "" && strings.HasSuffix(dest, ".md") && !anchors(string(page))[anchor] {
				t.Errorf("%s: link %q: %s has no heading with id %q", file, target, dest, anchor)
			}
		}
	}
}

// The front page stays a front page: details belong in docs/.
func TestReadmeIsShort(t *testing.T) {
	src, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(src), "\n"); n > 250 {
		t.Errorf("README.md has %d lines, over 250: move the detail into a docs/ page and link it", n)
	}
}

func TestNoPathOutsideRepository(t *testing.T) {
	// Spelt in pieces so this file does not match itself.
	outside := []string{"../" + "shared", "/" + "work/"}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Name() == ".git" { // a directory, or in a worktree a file naming one
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range outside {
			if i := strings.Index(string(src), s); i >= 0 {
				line := 1 + strings.Count(string(src[:i]), "\n")
				t.Errorf("%s:%d refers to %q, outside the repository: describe it in the repository's own words", path, line, s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
