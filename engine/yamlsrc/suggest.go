package yamlsrc

import (
	"fmt"
	"strings"
)

// Suggest returns the valid word closest to s when it is close enough to
// be a typo, or else the only valid word that contains s (as when the
// "on_" of an event name is left out), or "".
func Suggest(s string, valid []string) string {
	s = strings.ToLower(s)
	best, bestDist := "", 3
	for _, v := range valid {
		if d := distance(s, v); d < bestDist {
			best, bestDist = v, d
		}
	}
	if best != "" || len(s) < 4 {
		return best
	}
	for _, v := range valid {
		if strings.Contains(v, s) {
			if best != "" {
				return ""
			}
			best = v
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b, in bytes.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Shorten cuts user text quoted in a message to a readable length.
func Shorten(s string) string {
	const max = 60
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}

// maxListed is how many valid words a message lists; a file may define
// hundreds of thousands, and a message is one line.
const maxListed = 10

// List writes valid words for a message: all of them when there are up
// to ten, else the first ten and how many more; "none" for none.
func List(valid []string) string {
	switch {
	case len(valid) == 0:
		return "none"
	case len(valid) <= maxListed:
		return strings.Join(valid, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(valid[:maxListed], ", "), len(valid)-maxListed)
}

// DidYouMean returns `did you mean "x"? ` for the word Suggest finds for
// s, or "", to go before a List of the valid words.
func DidYouMean(s string, valid []string) string {
	if best := Suggest(s, valid); best != "" {
		return fmt.Sprintf("did you mean %q? ", best)
	}
	return ""
}
