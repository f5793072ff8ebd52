package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

func versionCommand() command {
	return command{
		name:    "version",
		summary: "Print egovkpi's version, the Go version and the versions of its main libraries.",
		flags: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				fmt.Fprintf(c.stdout, "egovkpi %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
				if bi, ok := debug.ReadBuildInfo(); ok {
					for _, d := range bi.Deps {
						if strings.HasPrefix(d.Path, "github.com/ClickHouse/clickhouse-go") || strings.HasPrefix(d.Path, "github.com/gofiber/") ||
							strings.HasPrefix(d.Path, "github.com/robfig/cron") || strings.HasPrefix(d.Path, "github.com/xuri/excelize") ||
							strings.HasPrefix(d.Path, "github.com/go-echarts/") {
							fmt.Fprintf(c.stdout, "  %s %s\n", d.Path, d.Version)
						}
					}
				}
				return nil
			}
		},
	}
}
