package main

import (
	"context"
	"errors"
	"flag"
)

// reportOutboxCommand is a placeholder until the sub-command is built.
func reportOutboxCommand() command {
	return command{
		name:    "outbox",
		summary: "(not built yet)",
		flags: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
			return func(context.Context, []string) error { return errors.New("report outbox is not built yet") }
		},
	}
}
