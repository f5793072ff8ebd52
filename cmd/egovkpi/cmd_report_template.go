package main

import (
	"context"
	"errors"
	"flag"
)

// reportTemplateCommand is a placeholder until the sub-command is built.
func reportTemplateCommand() command {
	return command{
		name:    "template",
		summary: "(not built yet)",
		flags: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
			return func(context.Context, []string) error { return errors.New("report template is not built yet") }
		},
	}
}
