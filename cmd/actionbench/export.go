package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/history"
	"github.com/actionbench/actionbench/engine/history/export"
)

func newHistoryExportCommand(e env) *cobra.Command {
	var (
		f      historyFlags // the history command's filters, for har and jsonl
		format string
	)
	db, conversation := &f.db, &f.conversation
	cmd := &cobra.Command{
		Use:   "export [ID] --format curl|transcript|har|jsonl",
		Short: "Export attempts: a cURL command, a Markdown transcript, a HAR file or JSON lines",
		Long: `export --format curl prints a cURL command that replays attempt ID byte for
byte: the same URL, headers and body, so an action's X-DGbot-Signature still
verifies. A webhook's Bearer token was never stored: the command reads it
from $WEBHOOK_TOKEN. Add --cacert FILE for an endpoint with a self-signed
certificate.

export --conversation C --format transcript prints the conversation as
Markdown: the bot's replies with every attempt that led to them.

export --format har prints the attempts as a HAR 1.2 file, which a browser's
network panel (Import HAR), Postman and Insomnia open; --format jsonl prints
one JSON object per attempt per line, every column of the history's attempts
table by name. Both take the history command's filters (--conversation,
--action, --event, --outcome, --since, --text), write every attempt they
select, newest first, and stream: memory stays flat however many there are.`,
		Example: `  actionbench history export 42 --format curl | sh
  actionbench history export --conversation conv_demo --format transcript > conv_demo.md
  actionbench history export --format har --since 1d > today.har
  actionbench history export --format jsonl --outcome timeout | jq .url`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageError{fmt.Errorf("export takes at most one attempt ID, got %d arguments", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "curl":
				if len(args) != 1 || *conversation != "" {
					return badInputf("--format curl exports one attempt: actionbench history export ID --format curl")
				}
				entry, store, err := loadEntry(cmd, db, args[0])
				if err != nil {
					return err
				}
				defer store.Close()
				_, err = io.WriteString(e.stdout, curlCommand(entry.Attempt))
				return err
			case "transcript":
				if len(args) != 0 || *conversation == "" {
					return badInputf("--format transcript exports one conversation: actionbench history export --conversation C --format transcript")
				}
				store, err := db.open(cmd.Context(), nil)
				if err != nil {
					return err
				}
				defer store.Close()
				return writeTranscript(cmd, e.stdout, store, *conversation)
			case "har", "jsonl":
				if len(args) != 0 {
					return badInputf("--format %s exports what the filters select, not one ID: drop %s, or use --format curl", format, args[0])
				}
				return exportAll(cmd, e.stdout, &f, format)
			}
			return badInputf("--format %q: want curl, transcript, har or jsonl", format)
		},
	}
	db.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&format, "format", "", "curl (one attempt), transcript (one conversation), har or jsonl (every attempt the filters select)")
	fl.StringVarP(conversation, "conversation", "c", "", "the conversation (transcript), or only this conversation (har, jsonl)")
	fl.StringVar(&f.action, "action", "", "har, jsonl: only this action id")
	fl.StringVar(&f.event, "event", "", "har, jsonl: only this event")
	fl.StringVar(&f.outcome, "outcome", "", "har, jsonl: only this outcome: "+outcomeNames())
	fl.StringVar(&f.text, "text", "", "har, jsonl: only attempts whose text has these words (see history --help)")
	fl.StringVar(&f.since, "since", "", "har, jsonl: only attempts recorded in this last span, e.g. 30m, 1h, 2d")
	return cmd
}

// exportAll writes every attempt f selects as a HAR log or JSON lines,
// streaming them from the history.
func exportAll(cmd *cobra.Command, w io.Writer, f *historyFlags, format string) error {
	f.limit = 1 // ignored by Each; filter checks it
	filter, err := f.filter(time.Now())
	if err != nil {
		return err
	}
	store, err := f.db.open(cmd.Context(), nil)
	if err != nil {
		return err
	}
	defer store.Close()
	var out interface {
		Add(*history.Entry) error
		Close() error
	}
	if format == "har" {
		out = export.NewHAR(w, "actionbench", version)
	} else {
		out = export.NewJSONL(w)
	}
	if err := store.Each(cmd.Context(), filter, out.Add); err != nil {
		return err
	}
	return out.Close()
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
