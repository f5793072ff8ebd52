package main

import (
	"context"
	"errors"
	"flag"
)

// reportWorkbookCommand is a placeholder until the sub-command is built.
func reportWorkbookCommand() command {
	return command{
		name:    "workbook",
		summary: "(not built yet)",
		flags: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
			return func(context.Context, []string) error { return errors.New("report workbook is not built yet") }
		},
	}
}
