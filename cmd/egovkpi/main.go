// Command egovkpi is the national monitoring and KPI reporting system for
// online public services: one binary with sub-commands. Run "egovkpi help"
// for the list.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // Asia/Ho_Chi_Minh on machines without zoneinfo
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first Ctrl-C the program stops gracefully; restore the
		// default so that a second one ends it at once (the private
		// ClickHouse still stops: it gets a parent-death signal).
		<-ctx.Done()
		stop()
	}()
	code := Main(ctx, os.Args[1:], os.Stdout, os.Stderr, os.LookupEnv)
	stop()
	os.Exit(code)
}
