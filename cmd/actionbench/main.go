// Command actionbench plays a chatbot platform's side of custom actions and
// event webhooks against your endpoint, and tells you what production would
// make of what it answered.
package main

import (
	"context"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], env{
		stdout:    os.Stdout,
		stderr:    os.Stderr,
		lookupEnv: os.LookupEnv,
	})
	stop()
	os.Exit(code)
}
