package history

import (
	"context"
	"strings"
	"testing"

	"github.com/actionbench/actionbench/engine"
)

// TestRunAttempts: a run's attempts name it; compact ones keep what a
// listing shows but no headers, bodies or reply; --run filters by it;
// the run is listed with its label, then its summary once finished.
func TestRunAttempts(t *testing.T) {
	ctx := context.Background()
	path := testDB(t)
	s := openTest(t, path, Options{Secrets: []string{"sekret-token"}})
	if !strings.HasPrefix(strings.Fields(attemptColumns)[runIDArg], "run_id") {
		t.Fatalf("runIDArg %d is not run_id in attemptColumns", runIDArg)
	}
	other, err := s.Record(ctx, richAction())
	if err != nil {
		t.Fatal(err)
	}
	run, err := s.StartRun(ctx, "load", "order_lookup --rate 50/s --set k=sekret-token")
	if err != nil {
		t.Fatal(err)
	}
	failed := richAction()
	failed.Outcome, failed.Diagnosis = engine.OutcomeError, "HTTP 500 from the endpoint"
	tests := []struct {
		name     string
		a        *engine.Attempt
		compact  bool
		wantBody bool
	}{
		{"compact success", richAction(), true, false},
		{"full failure", failed, false, true},
		{"compact failure", failed, true, false},
	}
	ids := make([]int64, len(tests))
	for i, tt := range tests {
		if ids[i], err = s.SubmitInRun(ctx, tt.a, run, tt.compact).Wait(ctx); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
	}
	for i, tt := range tests {
		e, err := s.Get(ctx, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		a := e.Attempt
		if e.RunID != run || a.Outcome != tt.a.Outcome || a.Latency != tt.a.Latency || a.ActionID != "order_lookup" || a.Diagnosis != tt.a.Diagnosis {
			t.Errorf("%s: run %d outcome %s latency %s diagnosis %q; want run %d and the attempt's", tt.name, e.RunID, a.Outcome, a.Latency, a.Diagnosis, run)
		}
		if a.Response == nil || a.Response.Status != 200 {
			t.Errorf("%s: response status lost: %+v", tt.name, a.Response)
		}
		hasBody := a.Request.Body != nil && a.Response.Body != nil && a.Request.Header != nil && a.BotReply != ""
		if hasBody != tt.wantBody {
			t.Errorf("%s: bodies, headers and reply stored = %v, want %v", tt.name, hasBody, tt.wantBody)
		}
	}
	if e, _ := s.Get(ctx, other); e.RunID != 0 {
		t.Errorf("an attempt of no run names run %d", e.RunID)
	}

	for _, tt := range []struct {
		name string
		f    Filter
		want []int64
	}{
		{"run", Filter{RunID: run}, []int64{ids[2], ids[1], ids[0]}},
		{"run and outcome", Filter{RunID: run, Outcome: engine.OutcomeError}, []int64{ids[2], ids[1]}},
		{"run and action", Filter{RunID: run, Action: "order_lookup", Outcome: engine.OutcomeMessage}, []int64{ids[0]}},
		{"another run", Filter{RunID: run + 1}, nil},
	} {
		rows, err := s.List(ctx, tt.f)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var got []int64
		for _, r := range rows {
			got = append(got, r.ID)
		}
		if len(got) != len(tt.want) || (len(got) > 0 && got[0] != tt.want[0]) || (len(got) > 0 && got[len(got)-1] != tt.want[len(tt.want)-1]) {
			t.Errorf("%s: ids %v, want %v", tt.name, got, tt.want)
		}
	}
	counts, err := s.CountByOutcome(ctx, Filter{RunID: run})
	if err != nil || counts[engine.OutcomeError] != 2 || counts[engine.OutcomeMessage] != 1 {
		t.Errorf("CountByOutcome(run) = %v, %v", counts, err)
	}

	runs, err := s.Runs(ctx, 0)
	if err != nil || len(runs) != 1 {
		t.Fatalf("Runs = %v, %v; want one", runs, err)
	}
	if r := runs[0]; r.ID != run || r.Kind != "load" || r.StartedAt.IsZero() || !r.FinishedAt.IsZero() || r.Summary != "" || strings.Contains(r.Label, "sekret") {
		t.Errorf("running run = %+v", r)
	}
	if err := s.FinishRun(ctx, run, []byte(`{"calls":3,"token":"sekret-token"}`)); err != nil {
		t.Fatal(err)
	}
	runs, _ = s.Runs(ctx, 0)
	if r := runs[0]; r.FinishedAt.IsZero() || !strings.Contains(r.Summary, `"calls":3`) || strings.Contains(r.Summary, "sekret") {
		t.Errorf("finished run = %+v", r)
	}
}
