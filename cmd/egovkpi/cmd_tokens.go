package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"text/tabwriter"
	"time"

	"egovkpi/collector"
	"egovkpi/collector/store"
	"egovkpi/internal/auth"
	"egovkpi/internal/config"
)

func tokensCommand() command {
	return command{
		name:    "tokens",
		usage:   " add --unit ID [--name TEXT] | list | revoke HASH",
		summary: "Manage the push tokens of unit portals (stored hashed; a new token is shown once).",
		flags: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
			cf := withConfig(c, fs)
			unit := fs.String("unit", "", "add: the unit id the token may write (e.g. p34-01)")
			name := fs.String("name", "", "add: a label, e.g. the portal's name")
			return func(ctx context.Context, args []string) error {
				if len(args) == 0 {
					return usagef("want a sub-command: add, list or revoke")
				}
				return cf.withCollector(ctx, func(cfg config.Config, col *collector.Collector, log *slog.Logger) error {
					st := col.Store()
					audit := func(action, target, detail string) error {
						return auth.New(st.Conn()).Audit(ctx, auth.Entry{Actor: cliActor(c), Action: action, Target: target, Detail: detail})
					}
					switch args[0] {
					case "add":
						if _, ok := col.Units().ByID(*unit); !ok {
							return usagef("--unit %q is not a unit id (see egovkpi units)", *unit)
						}
						tok, err := st.CreateToken(ctx, *unit, *name)
						if err != nil {
							return err
						}
						fmt.Fprintf(c.stdout, "%s\n", tok)
						fmt.Fprintf(c.stderr, "push token for %s created; it is shown only now\n", *unit)
						return audit(auth.ActionTokenAdded, store.HashToken(tok), *unit+" "+*name)
					case "list":
						toks, err := st.Tokens(ctx)
						if err != nil {
							return err
						}
						w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
						fmt.Fprintln(w, "HASH\tUNIT\tNAME\tCREATED\tREVOKED")
						for _, t := range toks {
							fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%v\n", t.Hash, t.UnitID, t.Name, t.CreatedAt.Format(time.DateTime), t.Revoked)
						}
						return w.Flush()
					case "revoke":
						if len(args) != 2 {
							return usagef("revoke wants the token's hash (see tokens list)")
						}
						if err := st.RevokeToken(ctx, args[1]); err != nil {
							return err
						}
						return audit(auth.ActionTokenRevoked, args[1], "")
					}
					return usagef("unknown sub-command %q (add, list, revoke)", args[0])
				})
			}
		},
	}
}
