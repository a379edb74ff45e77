package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/history"
	"github.com/actionbench/actionbench/engine/history/export"
)

func newHistoryExportCommand(e env) *cobra.Command {
	var (
		db           dbFlag
		format       string
		conversation string
	)
	cmd := &cobra.Command{
		Use:   "export [ID] --format curl|transcript",
		Short: "Export an attempt as a cURL command, or a conversation as a Markdown transcript",
		Long: `export --format curl prints a cURL command that replays attempt ID byte for
byte: the same URL, headers and body, so an action's X-DGbot-Signature still
verifies. A webhook's Bearer token was never stored: the command reads it
from $WEBHOOK_TOKEN. Add --cacert FILE for an endpoint with a self-signed
certificate.

export --conversation C --format transcript prints the conversation as
Markdown: the bot's replies with every attempt that led to them.`,
		Example: `  actionbench history export 42 --format curl | sh
  actionbench history export --conversation conv_demo --format transcript > conv_demo.md`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageError{fmt.Errorf("export takes at most one attempt ID, got %d arguments", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "curl":
				if len(args) != 1 || conversation != "" {
					return badInputf("--format curl exports one attempt: actionbench history export ID --format curl")
				}
				entry, store, err := loadEntry(cmd, &db, args[0])
				if err != nil {
					return err
				}
				defer store.Close()
				_, err = io.WriteString(e.stdout, curlCommand(entry.Attempt))
				return err
			case "transcript":
				if len(args) != 0 || conversation == "" {
					return badInputf("--format transcript exports one conversation: actionbench history export --conversation C --format transcript")
				}
				store, err := db.open(cmd.Context(), nil)
				if err != nil {
					return err
				}
				defer store.Close()
				return writeTranscript(cmd, e.stdout, store, conversation)
			}
			return badInputf("--format %q: want curl or transcript", format)
		},
	}
	db.register(cmd)
	cmd.Flags().StringVar(&format, "format", "", "curl (one attempt) or transcript (one conversation)")
	cmd.Flags().StringVarP(&conversation, "conversation", "c", "", "the conversation to export as a transcript")
	return cmd
}

// curlCommand renders a shell command that sends a's request again, byte
// for byte (see export.Curl).
func curlCommand(a *engine.Attempt) string { return export.Curl(a) }

// shellQuote single-quotes s for a POSIX shell.
func shellQuote(s string) string { return export.ShellQuote(s) }

// writeTranscript prints the conversation's turns with the attempts made
// in it, in the order they happened.
func writeTranscript(cmd *cobra.Command, w io.Writer, store *history.Store, conversation string) error {
	ctx := cmd.Context()
	turns, err := store.Transcript(ctx, conversation)
	if err != nil {
		return err
	}
	var attempts []history.Summary
	for before := int64(0); ; {
		page, err := store.List(ctx, history.Filter{Conversation: conversation, Before: before, Limit: 500})
		if err != nil {
			return err
		}
		attempts = append(attempts, page...)
		if len(page) < 500 {
			break
		}
		before = page[len(page)-1].ID
	}
	if len(turns) == 0 && len(attempts) == 0 {
		return badInputf("no conversation %q in the history", conversation)
	}
	sort.Slice(attempts, func(i, j int) bool { return attempts[i].ID < attempts[j].ID })
	byID := map[int64]history.Summary{}
	for _, a := range attempts {
		byID[a.ID] = a
	}

	var b strings.Builder
	fmt.Fprintf(&b, "# Conversation %s\n\n", conversation)
	shown := map[int64]bool{}
	attemptLine := func(a history.Summary) {
		shown[a.ID] = true
		what := fmt.Sprintf("action `%s` (%s)", a.ActionID, a.Trigger)
		if a.Kind == engine.KindEvent {
			what = fmt.Sprintf("event `%s`", a.Event)
		}
		status := "no response"
		if a.Status != 0 {
			status = fmt.Sprint(a.Status)
		}
		detail := fmt.Sprintf("%s, %s", a.Outcome, status)
		if a.Latency > 0 {
			detail += ", " + engine.FormatLatency(a.Latency)
		}
		if a.ReplyAction != "" {
			detail += ", " + string(a.ReplyAction)
		}
		fmt.Fprintf(&b, "- %s · %s: %s (#%d)\n", a.At.UTC().Format("15:04:05"), what, detail, a.ID)
	}
	next := 0 // attempts are shown before the first turn that comes after them
	for _, t := range turns {
		for next < len(attempts) && (attempts[next].ID <= t.AttemptID || !attempts[next].At.After(t.At)) {
			if !shown[attempts[next].ID] {
				attemptLine(attempts[next])
			}
			next++
		}
		if a, ok := byID[t.AttemptID]; ok && !shown[a.ID] {
			attemptLine(a)
		}
		fmt.Fprintf(&b, "- %s · **%s**: %s\n", t.At.UTC().Format("15:04:05"), t.Speaker, strings.ReplaceAll(t.Text, "\n", "\n  "))
	}
	for ; next < len(attempts); next++ {
		if !shown[attempts[next].ID] {
			attemptLine(attempts[next])
		}
	}
	_, err = io.WriteString(w, b.String())
	return err
}
