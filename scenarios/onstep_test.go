package scenarios

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/sim/bot"
	"github.com/actionbench/actionbench/sim/demo"
)

// OnStep sees every step's result, in order, as Result.Steps has them.
func TestRunOnStep(t *testing.T) {
	sc, err := Parse("onstep.yaml", []byte(fmt.Sprintf(tenSteps, 0)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	d, err := demo.Start(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	dispatcher := engine.New(engine.Options{RootCAs: d.RootCAs})
	defer dispatcher.Close()

	var seen []StepResult
	res := Run(ctx, sc, Env{
		Dispatcher: func(*bot.Workspace) *engine.Dispatcher { return dispatcher },
		Demo:       d.Workspace,
		OnStep:     func(sr StepResult) { seen = append(seen, sr) },
	})
	if !res.Passed() {
		t.Fatalf("the scenario failed: %+v", res.Steps)
	}
	if len(seen) != len(sc.Steps) {
		t.Fatalf("OnStep saw %d steps, want %d", len(seen), len(sc.Steps))
	}
	for i := range seen {
		if seen[i].Step.Pos != sc.Steps[i].Pos {
			t.Errorf("step %d: OnStep saw the step at %v, want %v", i, seen[i].Step.Pos, sc.Steps[i].Pos)
		}
	}
	if !reflect.DeepEqual(seen, res.Steps) {
		t.Error("OnStep saw other results than Result.Steps")
	}
}
