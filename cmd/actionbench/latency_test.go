package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/tui/common"
	"github.com/actionbench/actionbench/tui/transcript"
)

// fire's output and the workbench's transcript show a latency the same
// way, below a millisecond too.
func TestLatencyAgreesWithTheWorkbench(t *testing.T) {
	workbench := transcript.New(common.New()).Latency
	for d, want := range map[time.Duration]string{
		0:                      "<1 ms",
		400 * time.Microsecond: "<1 ms",
		time.Millisecond:       "1 ms",
		258*time.Millisecond + 900*time.Microsecond: "258 ms",
		1500 * time.Millisecond:                     "1.5 s",
	} {
		a := &engine.Attempt{Kind: engine.KindAction, ActionID: "a", Trigger: engine.TriggerManual,
			Outcome: engine.OutcomeMessage, Sent: true, Latency: d, Response: &engine.Response{Status: 200}}
		var b bytes.Buffer
		if err := writeAttemptText(&b, a, 0); err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(b.String(), "\n")
		if cli := "message  200 OK  " + want; first != cli {
			t.Errorf("%v: fire prints %q, want %q", d, first, cli)
		}
		if line := transcript.AttemptLine(a, workbench); !strings.HasSuffix(line, " · "+want) {
			t.Errorf("%v: the workbench shows %q, want it to end in %q", d, line, want)
		}
	}
}
