package scenarios

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/actionbench/actionbench/engine"
)

func ptr[T any](v T) *T { return &v }

// regexps takes the regexps out of s's text checks, returning their
// sources in order, so that the rest can be compared with DeepEqual.
func regexps(s *Scenario) []string {
	var out []string
	take := func(t *TextMatch) {
		if t != nil && t.Matches != nil {
			out = append(out, t.Matches.String())
			t.Matches = nil
		}
	}
	for _, st := range s.Steps {
		if x := st.Expect; x != nil {
			take(x.Bot)
			if x.Event != nil {
				take(x.Event.Override)
			}
		}
	}
	return out
}

func TestFull(t *testing.T) {
	s, err := Load("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := regexps(s), []string{`(?i)order \d+`}; !reflect.DeepEqual(got, want) {
		t.Errorf("regexps: want %q, got %q", want, got)
	}
	want := &Scenario{
		Name:      "Every step and every check",
		Path:      "testdata/full.yaml",
		Workspace: filepath.Join("testdata", "workspaces", "shop.yaml"),
		Visitor:   Visitor{ID: "v_42", Name: "Jane Doe", Email: "jane@example.com", Phone: "+44 20 7946 0000"},
		Steps: []Step{
			{Pos: Pos{10, 5}, Kind: StepSay, Text: "Where is my order 1042?"},
			{Pos: Pos{11, 5}, Kind: StepExpect, Expect: &Expect{
				Pos: Pos{11, 5},
				Dispatch: &DispatchMatch{
					Pos:     Pos{12, 7},
					Action:  "order_lookup",
					Trigger: engine.TriggerIntent,
					Outcome: engine.OutcomeMessage,
					Status:  200,
					Payload: []PayloadCheck{
						{Pos{18, 11}, "customer_email", "jane@example.com"},
						{Pos{19, 11}, "order_id", "1042"},
						{Pos{20, 11}, "quantity", 2.0},
						{Pos{21, 11}, "total", 19.5},
						{Pos{22, 11}, "gift", false},
						{Pos{23, 11}, "coupon", nil},
						{Pos{26, 17}, "order.items[0].sku", "A-1"},
						{Pos{27, 17}, "order.items[1].sku", "B-2"},
						{Pos{28, 11}, "tags", []any{}},
						{Pos{29, 11}, "extra", map[string]any{}},
						{Pos{30, 11}, `["shipping.method"]`, "express"},
					},
				},
				Bot: &TextMatch{Pos: Pos{31, 7}, Contains: ptr("on the way")},
			}},
			{Pos: Pos{33, 5}, Kind: StepClick, Text: "7"},
			{Pos: Pos{34, 5}, Kind: StepExpect, Expect: &Expect{
				Pos: Pos{34, 5},
				Bot: &TextMatch{Pos: Pos{35, 7}, Equals: ptr("Here is your tracking link.")},
			}},
			{Pos: Pos{36, 5}, Kind: StepLead, Lead: map[string]string{"name": "Jane Doe", "email": "jane@example.com", "company_name": "Acme"}},
			{Pos: Pos{40, 5}, Kind: StepExpect, Expect: &Expect{
				Pos:      Pos{40, 5},
				Dispatch: &DispatchMatch{Pos: Pos{41, 7}, Trigger: engine.TriggerLead},
				Bot:      &TextMatch{Pos: Pos{42, 7}, Equals: ptr("Thanks, Jane!")},
			}},
			{Pos: Pos{43, 5}, Kind: StepTrigger, Text: "order_lookup"},
			{Pos: Pos{44, 5}, Kind: StepExpect, Expect: &Expect{
				Pos:      Pos{44, 5},
				Dispatch: &DispatchMatch{Pos: Pos{45, 7}},
				Bot:      &TextMatch{Pos: Pos{46, 7}}, // Matches, taken out above
			}},
			{Pos: Pos{48, 5}, Kind: StepWait, Wait: 90 * time.Minute},
			{Pos: Pos{49, 5}, Kind: StepSay, Text: "1042"},
			{Pos: Pos{50, 5}, Kind: StepExpect, Expect: &Expect{
				Pos:         Pos{50, 5},
				RateLimited: ptr(false),
				Event: &EventMatch{
					Pos:        Pos{52, 7},
					Name:       engine.EventMessageReceived,
					Outcome:    engine.OutcomeAcknowledged,
					Reply:      engine.ReplyOverride,
					ReplyGiven: true,
					Override:   &TextMatch{Pos: Pos{56, 9}, Contains: ptr("human")},
				},
			}},
			{Pos: Pos{57, 5}, Kind: StepExpect, Expect: &Expect{
				Pos:         Pos{57, 5},
				RateLimited: ptr(true),
				Event:       &EventMatch{Pos: Pos{59, 7}, Name: engine.EventBeforeResponseSent, ReplyGiven: true},
			}},
			{Pos: Pos{60, 5}, Kind: StepExpect, Expect: &Expect{
				Pos:   Pos{60, 5},
				Event: &EventMatch{Pos: Pos{61, 7}, Name: engine.EventBeforeResponseSent, Outcome: engine.OutcomeAcknowledged, Reply: engine.ReplySkip, ReplyGiven: true},
				Bot:   &TextMatch{Pos: Pos{62, 7}, Absent: true},
			}},
		},
	}
	if !reflect.DeepEqual(s.Name, want.Name) || s.Path != want.Path || s.Workspace != want.Workspace || s.Visitor != want.Visitor {
		t.Errorf("header:\nwant %q %q %q %+v\ngot  %q %q %q %+v", want.Name, want.Path, want.Workspace, want.Visitor, s.Name, s.Path, s.Workspace, s.Visitor)
	}
	if len(s.Steps) != len(want.Steps) {
		t.Fatalf("steps: want %d, got %d", len(want.Steps), len(s.Steps))
	}
	// Step by step, so that a difference names its step.
	for i := range want.Steps {
		if !reflect.DeepEqual(s.Steps[i], want.Steps[i]) {
			t.Errorf("steps[%d]:\nwant %s\ngot  %s", i, dumpStep(want.Steps[i]), dumpStep(s.Steps[i]))
		}
	}
}

// dumpStep writes st with its pointers followed, for failure messages.
func dumpStep(st Step) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v %s text=%q lead=%v wait=%v", st.Pos, st.Kind, st.Text, st.Lead, st.Wait)
	x := st.Expect
	if x == nil {
		return b.String()
	}
	fmt.Fprintf(&b, " expect@%v", x.Pos)
	if x.Bot != nil {
		b.WriteString(" bot=" + dumpText(x.Bot))
	}
	if d := x.Dispatch; d != nil {
		fmt.Fprintf(&b, " dispatch=%+v", *d)
	}
	if e := x.Event; e != nil {
		fmt.Fprintf(&b, " event={%v name=%s outcome=%s reply=%q given=%v override=%s}", e.Pos, e.Name, e.Outcome, e.Reply, e.ReplyGiven, dumpText(e.Override))
	}
	if x.RateLimited != nil {
		fmt.Fprintf(&b, " rate_limited=%v", *x.RateLimited)
	}
	return b.String()
}

func dumpText(t *TextMatch) string {
	if t == nil {
		return "nil"
	}
	s := fmt.Sprintf("{%v", t.Pos)
	if t.Equals != nil {
		s += fmt.Sprintf(" equals=%q", *t.Equals)
	}
	if t.Contains != nil {
		s += fmt.Sprintf(" contains=%q", *t.Contains)
	}
	if t.Matches != nil {
		s += fmt.Sprintf(" matches=%q", t.Matches)
	}
	if t.Absent {
		s += " absent"
	}
	return s + "}"
}

// TestDocExample parses the example in the package documentation, so that
// it stays a valid scenario.
func TestDocExample(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var src strings.Builder
	in := false
	for line := range strings.Lines(string(doc)) {
		switch {
		case strings.HasPrefix(line, "// A scenario is one YAML document:"):
			in = true
		case in && strings.HasPrefix(line, "//\t"):
			src.WriteString(strings.TrimPrefix(line, "//\t"))
		case in && src.Len() > 0:
			in = false
		}
	}
	s, err := Parse("doc.yaml", []byte(src.String()))
	if err != nil {
		t.Fatalf("the example in doc.go: %v\n%s", err, src.String())
	}
	if len(s.Steps) != 8 || s.Steps[7].Expect == nil || s.Steps[7].Expect.Event == nil {
		t.Errorf("the example in doc.go: want 8 steps ending with an event check, got %d", len(s.Steps))
	}
}
