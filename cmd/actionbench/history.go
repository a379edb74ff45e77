package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/history"
)

type historyFlags struct {
	db           dbFlag
	conversation string
	action       string
	event        string
	outcome      string
	run          int64
	text         string
	since        string
	limit        int
	before       int64
	json         bool
}

func newHistoryCommand(e env) *cobra.Command {
	var f historyFlags
	cmd := &cobra.Command{
		Use:   "history",
		Short: "List, show and export the attempts actionbench has made",
		Long: `history lists every attempt fire and emit have made — sent, failed, refused or
rate-limited — newest first, from the history database. Secrets were
redacted before anything was stored.

  actionbench history                          the newest 20 attempts
  actionbench history --outcome timeout --since 1h
  actionbench history --text refund            attempts whose text has the word "refund"
  actionbench history runs                     the load runs, newest first
  actionbench history --run 3 --outcome error  one load run's errors
  actionbench history show 42                  one attempt whole
  actionbench history export 42 --format curl  a cURL command that replays it
  actionbench history export --conversation conv_1 --format transcript`,
		Args: exactArgs(0, "no arguments (see show and export)"),
		RunE: func(cmd *cobra.Command, _ []string) error { return f.list(cmd, e) },
	}
	f.db.register(cmd)
	fl := cmd.Flags()
	fl.StringVarP(&f.conversation, "conversation", "c", "", "only this conversation")
	fl.StringVar(&f.action, "action", "", "only this action id")
	fl.StringVar(&f.event, "event", "", "only this event")
	fl.StringVar(&f.outcome, "outcome", "", "only this outcome: "+outcomeNames())
	fl.Int64Var(&f.run, "run", 0, "only the attempts of this load run (see history runs)")
	fl.StringVar(&f.text, "text", "", "only attempts whose text (ids, URL, headers, bodies, reply,\ndiagnosis) has these whole words side by side, ignoring ASCII\ncase: \"order lookup\" finds order_lookup; served by a text index\n(text with no letter or digit is read row by row)")
	fl.StringVar(&f.since, "since", "", "only attempts recorded in this last span, e.g. 30m, 1h, 2d")
	fl.IntVarP(&f.limit, "limit", "n", 20, "at most this many rows")
	fl.Int64Var(&f.before, "before", 0, "only ids below this one (the next page)")
	fl.BoolVar(&f.json, "json", false, "print the rows as a JSON array")
	cmd.AddCommand(newHistoryShowCommand(e), newHistoryExportCommand(e), newHistoryRunsCommand(e))
	return cmd
}

func outcomeNames() string {
	names := make([]string, len(engine.Outcomes))
	for i, o := range engine.Outcomes {
		names[i] = string(o)
	}
	return strings.Join(names, ", ")
}

// filter turns the flags into a history.Filter, checking every value.
func (f *historyFlags) filter(now time.Time) (history.Filter, error) {
	filter := history.Filter{Conversation: f.conversation, Action: f.action, RunID: f.run, Text: f.text, Before: f.before, Limit: f.limit}
	if f.limit < 1 {
		return filter, badInputf("--limit %d: give a positive number of rows", f.limit)
	}
	if f.run < 0 {
		return filter, badInputf("--run %d: give a run's number from actionbench history runs", f.run)
	}
	if f.event != "" {
		event, err := engine.ParseEvent(f.event)
		if err != nil {
			return filter, badInputf("--event: %v", err)
		}
		filter.Event = event
	}
	if f.outcome != "" {
		filter.Outcome = engine.Outcome(f.outcome)
		known := false
		for _, o := range engine.Outcomes {
			known = known || o == filter.Outcome
		}
		if !known {
			return filter, badInputf("--outcome %q: want one of %s", f.outcome, outcomeNames())
		}
	}
	if f.since != "" {
		span, err := parseSpan(f.since)
		if err != nil {
			return filter, badInputf("--since %q: %v", f.since, err)
		}
		filter.Since = now.Add(-span)
	}
	return filter, nil
}

// parseSpan reads 90s, 30m, 1h, 2d or 1w.
func parseSpan(s string) (time.Duration, error) {
	unit := map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour}
	if n := len(s); n > 1 {
		if mult, ok := unit[s[n-1]]; ok {
			v, err := strconv.ParseFloat(s[:n-1], 64)
			// !(v > 0) refuses NaN too; the bound refuses what would
			// wrap to a negative duration (a bound in the future).
			if err != nil || !(v > 0) || v*float64(mult) >= math.MaxInt64 {
				return 0, errors.New("expected a positive number before d or w, e.g. 2d (at most 15,000 w)")
			}
			return time.Duration(v * float64(mult)), nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, errors.New("expected a span such as 90s, 30m, 1h, 2d or 1w")
	}
	return d, nil
}

func (f *historyFlags) list(cmd *cobra.Command, e env) error {
	filter, err := f.filter(time.Now())
	if err != nil {
		return err
	}
	store, err := f.db.open(cmd.Context(), nil)
	if err != nil {
		return err
	}
	defer store.Close()
	list := store.List
	if filter.Text != "" {
		list = func(ctx context.Context, filter history.Filter) ([]history.Summary, error) {
			// On a terminal, stderr counts the attempts read; the line is
			// cleared before the table.
			file, ok := e.stderr.(*os.File)
			if !ok || !term.IsTerminal(file.Fd()) {
				return searchRows(ctx, store, filter, history.SearchWindow, nil)
			}
			shown := false
			rows, err := searchRows(ctx, store, filter, history.SearchWindow, func(read int64) {
				fmt.Fprintf(file, "\rsearching… %s attempts read", engine.Commas(read))
				shown = true
			})
			if shown {
				fmt.Fprint(file, "\r\x1b[K")
			}
			return rows, err
		}
	}
	rows, err := list(cmd.Context(), filter)
	if err != nil {
		return err
	}
	if f.json {
		return writeSummariesJSON(e.stdout, rows)
	}
	return writeSummaries(e.stdout, rows, filter)
}

type summaryJSON struct {
	ID             int64     `json:"id"`
	RecordedAt     time.Time `json:"recorded_at"`
	At             time.Time `json:"at"`
	Kind           string    `json:"kind"`
	ConversationID string    `json:"conversation_id"`
	ActionID       string    `json:"action_id,omitempty"`
	Event          string    `json:"event,omitempty"`
	Trigger        string    `json:"trigger,omitempty"`
	Outcome        string    `json:"outcome"`
	Status         int       `json:"status"`
	LatencyMS      float64   `json:"latency_ms"`
	DeliveryID     string    `json:"delivery_id"`
	ReplyAction    string    `json:"reply_action,omitempty"`
}

func writeSummariesJSON(w io.Writer, rows []history.Summary) error {
	out := make([]summaryJSON, len(rows))
	for i, r := range rows {
		out[i] = summaryJSON{
			ID: r.ID, RecordedAt: r.RecordedAt, At: r.At, Kind: string(r.Kind), ConversationID: r.ConversationID,
			ActionID: r.ActionID, Event: string(r.Event), Trigger: string(r.Trigger), Outcome: string(r.Outcome),
			Status: r.Status, LatencyMS: float64(r.Latency.Microseconds()) / 1000, DeliveryID: r.DeliveryID,
			ReplyAction: string(r.ReplyAction),
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeSummaries(w io.Writer, rows []history.Summary, filter history.Filter) error {
	if len(rows) == 0 {
		_, err := fmt.Fprintln(w, "no attempts match")
		return err
	}
	st := newStyles(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTIME\tCONVERSATION\tACTION/EVENT\tOUTCOME\tSTATUS\tLATENCY")
	for _, r := range rows {
		latency := "-"
		if r.Latency > 0 {
			latency = engine.FormatLatency(r.Latency)
		}
		outcome := string(r.Outcome)
		if r.Outcome.Succeeded() {
			outcome = st.ok.Render(outcome)
		} else {
			outcome = st.bad.Render(outcome)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.RecordedAt.Local().Format("2006-01-02 15:04:05"), r.ConversationID, r.Target(), outcome, r.StatusText(), latency)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(rows) == filter.Limit {
		_, err := fmt.Fprintln(w, st.dim.Render(fmt.Sprintf("more: --before %d", rows[len(rows)-1].ID)))
		return err
	}
	return nil
}

func newHistoryShowCommand(e env) *cobra.Command {
	var (
		db     dbFlag
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Print one attempt whole: request, response, outcome, diagnosis",
		Args:  exactArgs(1, "one attempt ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			entry, store, err := loadEntry(cmd, &db, args[0])
			if err != nil {
				return err
			}
			defer store.Close()
			if asJSON {
				return writeAttemptJSON(e.stdout, entry.Attempt, entry.ID)
			}
			if err := writeAttemptText(e.stdout, entry.Attempt, entry.ID); err != nil {
				return err
			}
			return writeExchange(e.stdout, entry.Attempt)
		},
	}
	db.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the attempt as one JSON object")
	return cmd
}

// loadEntry opens the history and reads the attempt named by arg.
func loadEntry(cmd *cobra.Command, db *dbFlag, arg string) (*history.Entry, *history.Store, error) {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id < 1 {
		return nil, nil, badInputf("%q is not an attempt id: give the number from the ID column of actionbench history", arg)
	}
	store, err := db.open(cmd.Context(), nil)
	if err != nil {
		return nil, nil, err
	}
	entry, err := store.Get(cmd.Context(), id)
	if err != nil {
		store.Close()
		if errors.Is(err, history.ErrNotFound) {
			return nil, nil, badInputf("no attempt %d in the history", id)
		}
		return nil, nil, err
	}
	return entry, store, nil
}

// writeExchange prints the request and response with pretty JSON bodies.
func writeExchange(w io.Writer, a *engine.Attempt) error {
	st := newStyles(w)
	var b strings.Builder
	fmt.Fprintf(&b, "\n%s %s %s\n", st.label.Render("request:"), a.Request.Method, a.Request.URL)
	writeHeaders(&b, a.Request.Header)
	writeBody(&b, a.Request.Body)
	if r := a.Response; r != nil {
		fmt.Fprintf(&b, "\n%s %d %s\n", st.label.Render("response:"), r.Status, r.Proto)
		writeHeaders(&b, r.Header)
		writeBody(&b, r.Body)
		if r.Truncated {
			fmt.Fprintf(&b, "  %s\n", st.warn.Render(fmt.Sprintf("(stopped reading at %d bytes)", len(r.Body))))
		}
	} else {
		fmt.Fprintf(&b, "\n%s none\n", st.label.Render("response:"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeHeaders(b *strings.Builder, h map[string][]string) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(b, "  %s: %s\n", k, v)
		}
	}
}

func writeBody(b *strings.Builder, body []byte) {
	if len(body) == 0 {
		b.WriteString("  (empty body)\n")
		return
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, body, "  ", "  ") == nil {
		fmt.Fprintf(b, "  %s\n", pretty.String())
		return
	}
	for _, line := range strings.Split(strings.TrimRight(string(body), "\n"), "\n") {
		fmt.Fprintf(b, "  %s\n", line)
	}
}

// searchRows runs a text search a window of ids at a time (the CLI uses
// history.SearchWindow) until it has f.Limit rows or has read the whole history, and
// tells progress, when not nil, how many attempts it has read after each
// window that left it short: text has no index, and a search through a
// large history takes seconds.
func searchRows(ctx context.Context, store *history.Store, f history.Filter, window int64, progress func(read int64)) ([]history.Summary, error) {
	limit := f.Limit
	var (
		rows []history.Summary
		read int64
	)
	for {
		f.Limit = limit - len(rows)
		page, err := store.Search(ctx, f, window)
		if err != nil {
			return nil, err
		}
		rows = append(rows, page.Rows...)
		read += page.Searched
		if len(rows) >= limit || page.Next == 0 {
			return rows, nil
		}
		f.Before = page.Next
		if progress != nil {
			progress(read)
		}
	}
}
