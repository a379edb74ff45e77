package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/history"
	"github.com/actionbench/actionbench/engine/ratelimit"
)

// dbFlag is the --db flag of every command that reads or writes the history.
type dbFlag struct {
	path   string
	stderr io.Writer // where an upgrade of an older file shows its progress
}

func (f *dbFlag) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.path, "db", "", "history database (default $XDG_STATE_HOME/actionbench/history.db, or ~/.local/state/actionbench/history.db)")
	f.stderr = cmd.ErrOrStderr()
}

// upgradeShownFrom is the size of an older history from which its upgrade
// shows progress: below it, the upgrade takes a blink.
const upgradeShownFrom = 20_000

// upgradeProgress shows how far the upgrade of an older history has come:
// a line rewritten in place on a terminal, else a line when it starts and
// one when it ends.
func upgradeProgress(w io.Writer) func(done, total int64) {
	file, ok := w.(*os.File)
	tty := ok && term.IsTerminal(file.Fd())
	started := false
	return func(done, total int64) {
		if total < upgradeShownFrom {
			return
		}
		switch {
		case tty:
			fmt.Fprintf(w, "\rupgrading the history: %s of %s attempts", engine.Commas(done), engine.Commas(total))
			if done >= total {
				fmt.Fprint(w, "\r\x1b[K")
			}
		case !started:
			fmt.Fprintf(w, "upgrading the history: %s attempts…\n", engine.Commas(total))
		case done >= total:
			fmt.Fprintln(w, "upgrading the history: done")
		}
		started = true
	}
}

// open opens the history, redacting secrets from everything it stores.
// Any failure is bad input (exit 2): the message says what to do.
func (f *dbFlag) open(ctx context.Context, secrets []string) (*history.Store, error) {
	path := f.path
	if path == "" {
		var err error
		if path, err = history.DefaultPath(); err != nil {
			return nil, badInputf("no place for the history: %v; pass --db FILE", err)
		}
	}
	opts := history.Options{Secrets: secrets}
	if f.stderr != nil {
		opts.Progress = upgradeProgress(f.stderr)
	}
	store, err := history.Open(ctx, path, opts)
	if err != nil {
		return nil, badInput{err}
	}
	return store, nil
}

// prepare works out the dispatcher options for ws and opens the history,
// redacting ws's secrets from it: what every command that dispatches does
// first. The caller closes the store.
func (f *commonFlags) prepare(ctx context.Context, ws *loaded, db *dbFlag) (engine.Options, *history.Store, error) {
	opts, err := f.dispatcherOptions(ws)
	if err != nil {
		return opts, nil, err
	}
	store, err := db.open(ctx, ws.Secrets())
	return opts, store, err
}

// seededLimiter is a rate limiter that remembers the conversation's calls
// from earlier runs, so the limit holds across separate invocations.
func seededLimiter(ctx context.Context, store *history.Store, conversation string, now time.Time) (*ratelimit.Limiter, error) {
	limiter := ratelimit.New(engine.RateLimit, engine.RateWindow)
	calls, err := store.CountedCalls(ctx, conversation, now.Add(-engine.RateWindow))
	if err != nil {
		return nil, fmt.Errorf("reading the conversation's earlier calls: %w", err)
	}
	for _, at := range calls {
		limiter.Record(conversation, at)
	}
	return limiter, nil
}

// record stores the attempt, and the bot's reply as a transcript turn,
// before anything is reported: what the user is told about is on disk.
func record(ctx context.Context, store *history.Store, a *engine.Attempt) (int64, error) {
	id, err := store.Record(ctx, a)
	if err != nil {
		return 0, fmt.Errorf("recording the attempt: %w", err)
	}
	if a.BotReply != "" {
		err = store.AddTurn(ctx, history.Turn{ConversationID: a.ConversationID, At: a.At, Speaker: history.SpeakerBot, Text: a.BotReply, AttemptID: id})
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return id, fmt.Errorf("recording the transcript: %w", err)
	}
	return id, nil
}
