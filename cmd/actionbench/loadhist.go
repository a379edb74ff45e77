package main

import (
	"context"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/actionbench/actionbench/engine/history"
	"github.com/actionbench/actionbench/engine/load/loadhistory"
)

// startLoadRun adds the run to the history, labelled with the command line.
func startLoadRun(ctx context.Context, store *history.Store, cmd *cobra.Command, args []string) (*loadhistory.Recorder, error) {
	rec, err := loadhistory.Start(ctx, store, loadLabel(cmd, args))
	if err != nil {
		return nil, badInput{err}
	}
	return rec, nil
}

// loadLabel is the run's parameters as given: the arguments and the
// flags set, e.g. "order_lookup --rate 50/s --duration 2s".
func loadLabel(cmd *cobra.Command, args []string) string {
	parts := append([]string{}, args...)
	cmd.Flags().Visit(func(fl *pflag.Flag) {
		if fl.Name == "db" {
			return
		}
		if sv, ok := fl.Value.(pflag.SliceValue); ok {
			for _, v := range sv.GetSlice() {
				parts = append(parts, "--"+fl.Name, v)
			}
			return
		}
		parts = append(parts, "--"+fl.Name, fl.Value.String())
	})
	return strings.Join(parts, " ")
}
