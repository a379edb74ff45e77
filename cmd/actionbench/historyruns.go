package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/actionbench/actionbench/engine/history"
	"github.com/actionbench/actionbench/engine/load"
)

func newHistoryRunsCommand(e env) *cobra.Command {
	var (
		db    dbFlag
		limit int
	)
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "List the load runs, newest first, with their calls, failures and p99",
		Long: `runs lists the load runs the history holds, newest first: when each ran,
for how long, its calls, failed calls and p99 latency (from its report),
and the parameters it was started with. A run still going, or one that
was killed, shows "unfinished". List one run's calls with
actionbench history --run ID (add --outcome error for its errors).`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if limit < 1 {
				return badInputf("--limit %d: give a positive number of rows", limit)
			}
			store, err := db.open(cmd.Context(), nil)
			if err != nil {
				return err
			}
			defer store.Close()
			runs, err := store.Runs(cmd.Context(), limit)
			if err != nil {
				return err
			}
			return writeRuns(e.stdout, runs)
		},
	}
	db.register(cmd)
	cmd.Flags().IntVarP(&limit, "limit", "n", 20, "at most this many runs")
	return cmd
}

func writeRuns(w io.Writer, runs []history.Run) error {
	if len(runs) == 0 {
		_, err := fmt.Fprintln(w, "no runs yet: actionbench load writes one per run")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTARTED\tKIND\tTOOK\tCALLS\tFAILED\tP99\tPARAMETERS")
	for _, r := range runs {
		took, calls, failed, p99 := "unfinished", "-", "-", "-"
		if !r.FinishedAt.IsZero() {
			took = r.FinishedAt.Sub(r.StartedAt).Round(100 * time.Millisecond).String()
		}
		var rep load.Report
		if r.Summary != "" && json.Unmarshal([]byte(r.Summary), &rep) == nil && rep.Overall != nil {
			o := rep.Overall
			calls, failed, p99 = fmt.Sprint(o.Calls), fmt.Sprint(o.FailedCalls()), load.FormatMillis(o.Latency.P99)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.StartedAt.Local().Format("2006-01-02 15:04:05"),
			r.Kind, took, calls, failed, p99, r.Label)
	}
	return tw.Flush()
}
