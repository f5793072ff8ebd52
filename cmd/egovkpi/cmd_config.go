package main

import (
	"context"
	"flag"

	"egovkpi/internal/config"
)

func configCommand() command {
	return command{
		name:    "config",
		summary: "Print the effective configuration (defaults, EGOVKPI_* variables, flags) with secrets redacted.",
		flags: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
			cf := withConfig(c, fs)
			markdown := fs.Bool("markdown", false, "print the table of settings for docs/configuration.md instead")
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				if *markdown {
					return config.Markdown(c.stdout)
				}
				cfg, _, err := cf.load()
				if err != nil {
					return err
				}
				return cf.loader.Print(c.stdout, cfg)
			}
		},
	}
}
