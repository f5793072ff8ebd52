package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"egovkpi/internal/auth"
	"egovkpi/internal/config"
	"egovkpi/internal/refdata"
)

func usersCommand() command {
	return command{
		name:    "users",
		usage:   " add --login L --role R [--unit ID] [--name TEXT] | list | disable L | enable L | reset L",
		summary: "Manage the web app's accounts: roles admin, analyst, leader and reporter (bound to a unit). A new or reset password is generated and shown once, unless --password-stdin.",
		flags: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
			cf := withConfig(c, fs)
			login := fs.String("login", "", "add: the login (lowercase letters, digits, . _ -)")
			role := fs.String("role", "", "add: admin, analyst, leader or reporter")
			unit := fs.String("unit", "", "add: the reporter's unit id (e.g. p34-08)")
			name := fs.String("name", "", "add: the person's name")
			fromStdin := fs.Bool("password-stdin", false, "add, reset: read the password from the first line of standard input")
			return func(ctx context.Context, args []string) error {
				if len(args) == 0 {
					return usagef("want a sub-command: add, list, disable, enable or reset")
				}
				password := func() (string, bool, error) {
					if !*fromStdin {
						return auth.RandomToken(12), true, nil
					}
					line, err := bufio.NewReader(stdin).ReadString('\n')
					if err != nil && !errors.Is(err, io.EOF) {
						return "", false, err
					}
					return strings.TrimRight(line, "\r\n"), false, nil
				}
				actor := cliActor(c)
				return cf.withDatabase(ctx, func(cfg config.Config, db *database, log *slog.Logger) error {
					if err := db.Runner().Check(ctx); err != nil {
						return fmt.Errorf("%s is not ready: %w", db.describe(), err)
					}
					st := auth.New(db.Conn)
					one := func() (string, error) {
						if len(args) != 2 {
							return "", usagef("%s wants a login", args[0])
						}
						return args[1], nil
					}
					switch args[0] {
					case "add":
						reg, err := refdata.Load()
						if err != nil {
							return err
						}
						pw, generated, err := password()
						if err != nil {
							return err
						}
						u := auth.User{Login: *login, Name: *name, Role: auth.Role(*role), UnitID: *unit}
						if err := auth.CheckNew(u, pw, func(id string) bool { _, ok := reg.ByID(id); return ok }); err != nil {
							return usagef("%v", err)
						}
						if err := st.AddUser(ctx, u, pw); err != nil {
							return err
						}
						if generated {
							fmt.Fprintln(c.stdout, pw)
							fmt.Fprintf(c.stderr, "user %s (%s) added; the password above is shown only now\n", u.Login, u.Role)
						}
						return st.Audit(ctx, auth.Entry{Actor: actor, Action: auth.ActionUserAdded, Target: u.Login, Detail: string(u.Role) + " " + u.UnitID})
					case "list":
						users, err := st.Users(ctx)
						if err != nil {
							return err
						}
						w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
						fmt.Fprintln(w, "LOGIN\tNAME\tROLE\tUNIT\tCREATED\tDISABLED")
						for _, u := range users {
							fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%v\n", u.Login, u.Name, u.Role, u.UnitID, u.CreatedAt.Format(time.DateTime), u.Disabled)
						}
						return w.Flush()
					case "disable", "enable":
						l, err := one()
						if err != nil {
							return err
						}
						if err := st.SetDisabled(ctx, l, args[0] == "disable"); err != nil {
							return err
						}
						action := auth.ActionUserEnabled
						if args[0] == "disable" {
							action = auth.ActionUserDisabled
						}
						return st.Audit(ctx, auth.Entry{Actor: actor, Action: action, Target: l})
					case "reset":
						l, err := one()
						if err != nil {
							return err
						}
						pw, generated, err := password()
						if err != nil {
							return err
						}
						if err := st.ResetPassword(ctx, l, pw); err != nil {
							return err
						}
						if generated {
							fmt.Fprintln(c.stdout, pw)
							fmt.Fprintf(c.stderr, "password of %s reset; it is shown only now\n", l)
						}
						return st.Audit(ctx, auth.Entry{Actor: actor, Action: auth.ActionPasswordReset, Target: l})
					}
					return usagef("unknown sub-command %q (add, list, disable, enable, reset)", args[0])
				})
			}
		},
	}
}

// cliActor names the operator running a command, for the audit log.
func cliActor(c *cli) string {
	user, _ := c.getenv("USER")
	return "cli:" + user
}
