package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
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
		usage:   " add --login L --role R [--unit ID] [--name TEXT] [--email ADDRESS] | email L ADDRESS | list | disable L | enable L | reset L | token add --login L --name TEXT [--days N] | token list [--login L] | token revoke ID",
		summary: "Manage the web app's accounts: roles admin, analyst, leader and reporter (bound to a unit). A new or reset password is generated and shown once, unless --password-stdin. An account's contact e-mail (email L ADDRESS; \"\" removes it) is where report reminders go. An account's personal API tokens (egkapi_…) read the figures API as the account; a new token is shown once.",
		flags: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
			cf := withConfig(c, fs)
			login := fs.String("login", "", "add: the login (lowercase letters, digits, . _ -); token add: the token's account; token list: only this account's tokens")
			role := fs.String("role", "", "add: admin, analyst, leader or reporter")
			unit := fs.String("unit", "", "add: the reporter's unit id (e.g. p34-08)")
			name := fs.String("name", "", "add: the person's name; token add: what the token is for")
			email := fs.String("email", "", "add: the account's contact e-mail address, where report reminders go")
			fromStdin := fs.Bool("password-stdin", false, "add, reset: read the password from the first line of standard input")
			days := fs.Int("days", int(auth.APITokenTTL/(24*time.Hour)), fmt.Sprintf("token add: the token's lifetime in days (at most %d)", int(auth.MaxAPITokenTTL/(24*time.Hour))))
			return func(ctx context.Context, args []string) error {
				if len(args) == 0 {
					return usagef("want a sub-command: add, email, list, disable, enable, reset or token")
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
						if err := auth.CheckEmail(*email); err != nil {
							return usagef("--email: %v", err)
						}
						if err := st.AddUser(ctx, u, pw); err != nil {
							return err
						}
						if generated {
							fmt.Fprintln(c.stdout, pw)
							fmt.Fprintf(c.stderr, "user %s (%s) added; the password above is shown only now\n", u.Login, u.Role)
						}
						if err := st.Audit(ctx, auth.Entry{Actor: actor, Action: auth.ActionUserAdded, Target: u.Login, Detail: string(u.Role) + " " + u.UnitID}); err != nil || *email == "" {
							return err
						}
						return setEmail(ctx, c, st, actor, u.Login, *email)
					case "email":
						if len(args) != 3 {
							return usagef("email wants a login and an address (\"\" removes it)")
						}
						return setEmail(ctx, c, st, actor, args[1], args[2])
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
					case "token":
						return apiTokenCommand(ctx, c, st, actor, args[1:], *login, *name, *days)
					}
					return usagef("unknown sub-command %q (add, email, list, disable, enable, reset, token)", args[0])
				})
			}
		},
	}
}

// setEmail sets an account's contact address ("" removes it) and audits
// the change.
func setEmail(ctx context.Context, c *cli, st *auth.Store, actor, login, email string) error {
	email = strings.TrimSpace(email)
	if err := auth.CheckEmail(email); err != nil {
		return usagef("%v", err)
	}
	if err := st.SetEmail(ctx, login, email); errors.Is(err, auth.ErrNotFound) {
		return usagef("%v", err)
	} else if err != nil {
		return err
	}
	detail := email
	if detail == "" {
		detail = "removed"
	}
	if err := st.Audit(ctx, auth.Entry{Actor: actor, Action: auth.ActionEmailSet, Target: login, Detail: detail}); err != nil {
		return fmt.Errorf("e-mail of %s set, but %w", login, err)
	}
	fmt.Fprintf(c.stderr, "e-mail of %s: %s\n", login, detail)
	return nil
}

// apiTokenCommand runs users token add|list|revoke: personal API tokens of
// the figures API.
func apiTokenCommand(ctx context.Context, c *cli, st *auth.Store, actor string, args []string, login, name string, days int) error {
	if len(args) == 0 {
		return usagef("token wants a sub-command: add, list or revoke")
	}
	switch args[0] {
	case "add":
		if len(args) != 1 {
			return usagef("token add takes no arguments, only --login, --name and --days")
		}
		if login == "" {
			return usagef("token add wants --login: the account the token acts as")
		}
		// The store checks the name and the lifetime.
		id, token, err := st.CreateAPIToken(ctx, login, name, lifetime(days))
		if errors.Is(err, auth.ErrInvalidAPIToken) || errors.Is(err, auth.ErrNotFound) || errors.Is(err, auth.ErrDisabled) {
			return usagef("%v", err)
		}
		if err != nil {
			return err
		}
		// Audited before it is shown: a token that could not be audited is
		// revoked, never printed.
		if err := st.Audit(ctx, auth.Entry{Actor: actor, Action: auth.ActionAPITokenAdded, Target: id,
			Detail: fmt.Sprintf("%s %q %dd", login, strings.TrimSpace(name), days)}); err != nil {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			if _, _, rerr := st.RevokeAPIToken(rctx, id); rerr != nil {
				return fmt.Errorf("%w; the new API token %s could not be revoked either, revoke it (egovkpi users token revoke %s): %v", err, id, id, rerr)
			}
			return fmt.Errorf("%w; the new API token %s was revoked and not shown", err, id)
		}
		fmt.Fprintln(c.stdout, token)
		fmt.Fprintf(c.stderr, "API token %s of %s created, valid for %d days; the token above is shown only now and cannot be shown again\n", id, login, days)
		return nil
	case "list":
		if len(args) != 1 {
			return usagef("token list takes no arguments, only --login")
		}
		toks, err := st.APITokens(ctx, login)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tLOGIN\tNAME\tCREATED\tEXPIRES\tREVOKED")
		for _, t := range toks {
			revoked := "-"
			if t.Revoked {
				revoked = t.RevokedAt.Format(time.DateTime)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Login, t.Name, t.CreatedAt.Format(time.DateTime), t.ExpiresAt.Format(time.DateTime), revoked)
		}
		return w.Flush()
	case "revoke":
		if len(args) != 2 {
			return usagef("token revoke wants a token's id (see users token list)")
		}
		id := args[1]
		owner, already, err := st.RevokeAPIToken(ctx, id)
		if errors.Is(err, auth.ErrNoAPIToken) {
			return usagef("%v", err)
		}
		if err != nil {
			return err
		}
		if already { // nothing done, nothing to audit
			fmt.Fprintf(c.stderr, "API token %s of %s already revoked\n", id, owner)
			return nil
		}
		if err := st.Audit(ctx, auth.Entry{Actor: actor, Action: auth.ActionAPITokenRevoked, Target: id, Detail: owner}); err != nil {
			return fmt.Errorf("API token %s of %s revoked, but %w", id, owner, err)
		}
		fmt.Fprintf(c.stderr, "API token %s of %s revoked\n", id, owner)
		return nil
	}
	return usagef("unknown token sub-command %q (add, list, revoke)", args[0])
}

// lifetime turns --days into a token's lifetime; a count too large for a
// time.Duration gives the longest (or most negative) one, which the store
// refuses.
func lifetime(days int) time.Duration {
	const day = 24 * time.Hour
	switch {
	case days > int(math.MaxInt64/day):
		return math.MaxInt64
	case days < int(math.MinInt64/day):
		return math.MinInt64
	}
	return time.Duration(days) * day
}

// cliActor names the operator running a command, for the audit log.
func cliActor(c *cli) string {
	user, _ := c.getenv("USER")
	return "cli:" + user
}
