package scenarios

import (
	"context"
	"testing"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/workspace"
	"github.com/actionbench/actionbench/sim/bot"
)

// Run refuses a scenario that names what its workspace lacks before its
// first step, as the workbench's scenario view runs them.
func TestRunChecksNamesFirst(t *testing.T) {
	ws, err := bot.Parse("ws.yaml", []byte("chatbot: {id: b, name: B}\nactions:\n  - {id: order_lookup, url: 'https://127.0.0.1:1/', secret: s}\nbuttons:\n  - {id: track, label: Track}\n"), workspace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ws.Path = "ws.yaml"
	for _, tc := range []struct{ src, want string }{
		{head + "  - say: hi\n  - trigger: order_lookup\n", ""},
		{head + "  - say: hi\n  - trigger: order_lokup\n", `s.yaml:4:5: trigger names action "order_lokup", which ws.yaml does not define: did you mean "order_lookup"? actions: order_lookup`},
		{head + "  - click: trak\n", `s.yaml:3:5: click names button "trak", which ws.yaml does not define: did you mean "track"? buttons: track`},
		{head + "  - expect:\n      dispatch: {action: refund}\n", `s.yaml:4:7: expect dispatch names action "refund", which ws.yaml does not define: actions: order_lookup`},
	} {
		sc, err := Parse("s.yaml", []byte(tc.src))
		if err != nil {
			t.Fatal(err)
		}
		if err := sc.Check(ws); (err == nil) != (tc.want == "") || err != nil && err.Error() != tc.want {
			t.Errorf("Check(%q) = %v, want %q", tc.src, err, tc.want)
		}
		if tc.want == "" {
			continue
		}
		res := Run(context.Background(), sc, Env{Demo: ws, Dispatcher: func(*bot.Workspace) *engine.Dispatcher {
			t.Fatal("Run went on to dispatch")
			return nil
		}})
		if res.Err == nil || res.Err.Error() != tc.want || len(res.Steps) != 0 {
			t.Errorf("Run: err %v, %d steps", res.Err, len(res.Steps))
		}
	}
}
