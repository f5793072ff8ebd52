package main

import (
	"context"
	"errors"
	"flag"
)

// reportSnapshotCommand is a placeholder until the sub-command is built.
func reportSnapshotCommand() command {
	return command{
		name:    "snapshot",
		summary: "(not built yet)",
		flags: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
			return func(context.Context, []string) error { return errors.New("report snapshot is not built yet") }
		},
	}
}
