package history

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The helper process: TestTwoProcesses and TestKill9 run this test binary
// again with these variables set, so that the writer under test is another
// process with its own SQLite connections and locks.
const (
	helperModeEnv  = "ACTIONBENCH_HISTORY_HELPER" // "count" or "loop"
	helperDBEnv    = "ACTIONBENCH_HISTORY_DB"
	helperCountEnv = "ACTIONBENCH_HISTORY_N"
	helperTagEnv   = "ACTIONBENCH_HISTORY_TAG"
)

// TestHelperWriter is not a test: it is the helper process. In "count"
// mode it records N attempts from 8 goroutines and exits; in "loop" mode
// it records one attempt after another until killed, printing each id on
// stdout once Record has returned it.
func TestHelperWriter(t *testing.T) {
	mode := os.Getenv(helperModeEnv)
	if mode == "" {
		t.Skip("the helper process of TestTwoProcesses and TestKill9")
	}
	ctx := context.Background()
	s, err := Open(ctx, os.Getenv(helperDBEnv), Options{BusyTimeout: 20 * time.Second})
	if err != nil {
		t.Fatalf("helper: %v", err)
	}
	tag := os.Getenv(helperTagEnv)
	switch mode {
	case "count":
		n, _ := strconv.Atoi(os.Getenv(helperCountEnv))
		var wg sync.WaitGroup
		next := make(chan int)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					a := richAction()
					a.DeliveryID = fmt.Sprintf("%s-%04d", tag, i)
					if _, err := s.Record(ctx, a); err != nil {
						t.Errorf("helper %s: Record %d: %v", tag, i, err)
					}
				}
			}()
		}
		for i := range n {
			next <- i
		}
		close(next)
		wg.Wait()
	case "loop":
		out := bufio.NewWriter(os.Stdout)
		for i := 0; ; i++ {
			a := richAction()
			a.DeliveryID = fmt.Sprintf("%s-%06d", tag, i)
			id, err := s.Record(ctx, a)
			if err != nil {
				t.Fatalf("helper: Record: %v", err)
			}
			fmt.Fprintln(out, id)
			out.Flush() // after the commit, never before
		}
	default:
		t.Fatalf("helper: unknown mode %q", mode)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("helper: %v", err)
	}
}

func helperCmd(path, mode, tag string, n int) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWriter$", "-test.count=1")
	cmd.Env = append(os.Environ(),
		helperModeEnv+"="+mode, helperDBEnv+"="+path, helperTagEnv+"="+tag,
		helperCountEnv+"="+strconv.Itoa(n))
	return cmd
}

func TestTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two processes")
	}
	const n = 300
	path := testDB(t) // does not exist yet: both processes create it at once
	var outs [2]bytes.Buffer
	var cmds [2]*exec.Cmd
	for i := range cmds {
		cmds[i] = helperCmd(path, "count", fmt.Sprintf("p%d", i), n)
		cmds[i].Stdout, cmds[i].Stderr = &outs[i], &outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("process %d: %v\n%s", i, err, outs[i].String())
		}
	}
	if got := countRows(t, path, "attempts"); got != 2*n {
		t.Errorf("%d rows, want %d", got, 2*n)
	}
	db := rawDB(t, path)
	for i := range cmds {
		var got int
		if err := db.QueryRow("SELECT count(DISTINCT delivery_id) FROM attempts WHERE delivery_id LIKE ?", fmt.Sprintf("p%d-%%", i)).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != n {
			t.Errorf("process %d: %d distinct rows, want %d", i, got, n)
		}
	}
}

func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills a process")
	}
	const want = 200
	path := testDB(t)
	cmd := helperCmd(path, "loop", "k", 0)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()

	var ids []int64
	r := bufio.NewReader(stdout)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			// A line cut short by the kill was never fully printed; the
			// child may not have finished deciding it was committed.
			break
		}
		id, perr := strconv.ParseInt(strings.TrimSpace(line), 10, 64)
		if perr != nil {
			continue // the test framework's own output
		}
		ids = append(ids, id)
		if len(ids) == want && !killed {
			if err := cmd.Process.Kill(); err != nil { // SIGKILL, mid-stream
				t.Fatal(err)
			}
			killed = true
		}
	}
	err = cmd.Wait()
	if !killed {
		t.Fatalf("child exited before printing %d ids (%d printed): %v\n%s", want, len(ids), err, stderr.String())
	}
	if len(ids) < want {
		t.Fatalf("got %d ids, want at least %d", len(ids), want)
	}

	ctx := context.Background()
	s := openTest(t, path, Options{})
	var check string
	if err := s.rdb.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check = %q, %v; want ok", check, err)
	}
	for _, id := range ids {
		if _, err := s.Get(ctx, id); err != nil {
			t.Errorf("id %d was printed as committed, but: %v", id, err)
		}
	}
	var rows int
	if err := s.rdb.QueryRow("SELECT count(*) FROM attempts").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	t.Logf("child printed %d ids before dying; %d rows on disk", len(ids), rows)
	// The database still takes writes.
	if _, err := s.Record(ctx, richAction()); err != nil {
		t.Errorf("Record after the crash: %v", err)
	}
}
