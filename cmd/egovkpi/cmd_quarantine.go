package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	"egovkpi/collector"
	"egovkpi/collector/store"
	"egovkpi/internal/config"
)

func quarantineCommand() command {
	return command{
		name:    "quarantine",
		usage:   " list|show ID|replay ID...",
		summary: "See refused records and payloads with their reasons (list, show) and check them again (replay).",
		flags: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
			cf := withConfig(c, fs)
			source := fs.String("source", "", "list: only this source")
			unit := fs.String("unit", "", "list: only this unit id")
			reason := fs.String("reason", "", "list: only reasons containing this text")
			pending := fs.Bool("pending", false, "list: only items not replayed successfully")
			limit := fs.Int("limit", 50, "list: at most this many items")
			return func(ctx context.Context, args []string) error {
				if len(args) == 0 {
					return usagef("want a sub-command: list, show ID or replay ID...")
				}
				return cf.withCollector(ctx, func(cfg config.Config, col *collector.Collector, log *slog.Logger) error {
					st := col.Store()
					switch args[0] {
					case "list":
						items, err := st.ListQuarantine(ctx, store.QuarantineFilter{Source: *source, UnitID: *unit, Reason: *reason, Pending: *pending, Limit: *limit})
						if err != nil {
							return err
						}
						w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
						fmt.Fprintln(w, "ID\tRECEIVED\tSOURCE\tKIND\tUNIT\tDAY\tPROCEDURE\tREPLAYED\tREASON")
						for _, it := range items {
							fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%v\t%s\n", it.ID, it.ReceivedAt.Format(time.DateTime), it.Source, it.Kind, it.UnitID,
								dateOrEmpty(it.Day), it.Procedure, it.Replayed, it.Reason)
						}
						return w.Flush()
					case "show":
						if len(args) != 2 {
							return usagef("show wants one ID")
						}
						id, err := uuid.Parse(args[1])
						if err != nil {
							return usagef("%q is not a quarantine ID", args[1])
						}
						it, err := st.GetQuarantine(ctx, id)
						if err != nil {
							return err
						}
						fmt.Fprintf(c.stdout, "id:        %s\nreceived:  %s\nsource:    %s\nload:      %d\nkind:      %s\nunit:      %s (code %s)\nday:       %s\nprocedure: %s\nreason:    %s\nreplayed:  %v %s\nraw:\n%s\n",
							it.ID, it.ReceivedAt.Format(time.RFC3339), it.Source, it.LoadID, it.Kind, it.UnitID, it.UnitCode, dateOrEmpty(it.Day), it.Procedure, it.Reason, it.Replayed, it.ReplayResult, it.Raw)
						return nil
					case "replay":
						if len(args) < 2 {
							return usagef("replay wants one or more IDs")
						}
						var errs []error
						for _, a := range args[1:] {
							id, err := uuid.Parse(a)
							if err != nil {
								errs = append(errs, fmt.Errorf("%q is not a quarantine ID", a))
								continue
							}
							ok, why, err := col.Replay(ctx, id)
							if err != nil {
								errs = append(errs, err)
								continue
							}
							verdict := "refused again"
							if ok {
								verdict = "accepted"
							}
							fmt.Fprintf(c.stdout, "%s\t%s\t%s\n", id, verdict, why)
						}
						if err := col.Refresher.Flush(context.WithoutCancel(ctx)); err != nil {
							errs = append(errs, err)
						}
						return errors.Join(errs...)
					}
					return usagef("unknown sub-command %q (list, show, replay)", args[0])
				})
			}
		},
	}
}
