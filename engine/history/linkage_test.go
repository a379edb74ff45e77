package history_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestOnlyStorageLinksSQLite keeps SQLite (and so cgo) out of the packages
// that do not store: the engine, the simulator and the scenario runner
// build with CGO_ENABLED=0, and only what stores links go-sqlite3.
func TestOnlyStorageLinksSQLite(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool in PATH")
	}
	for _, pkg := range []string{"../../engine", "../../sim/...", "../../scenarios/..."} {
		cmd := exec.Command(goTool, "list", "-deps", "-f", "{{.ImportPath}}", pkg)
		cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s with CGO_ENABLED=0: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if strings.Contains(dep, "go-sqlite3") || strings.HasSuffix(dep, "/engine/history") {
				t.Errorf("%s depends on %s: move the type it needs out of the storing package", pkg, dep)
			}
		}
	}
}
