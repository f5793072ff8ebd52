package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"

	"egovkpi/internal/config"
)

// version is set at build time: -ldflags "-X main.version=…".
var version = "dev"

// cli is what every sub-command gets: its output streams and environment.
type cli struct {
	stdout, stderr io.Writer
	getenv         func(string) (string, bool)
}

// stdin is what commands read (users --password-stdin); tests replace it.
var stdin io.Reader = os.Stdin

// command is one sub-command.
type command struct {
	name    string
	summary string
	usage   string // arguments after the name, for the usage line
	// flags registers the command's flags on fs and returns the function
	// that runs it once the flags are parsed.
	flags func(c *cli, fs *flag.FlagSet) func(ctx context.Context, args []string) error
	// subs are the command's own sub-commands ("report template"); a
	// command with subs has no flags of its own.
	subs []command
}

// commands lists the sub-commands in the order help shows them.
func commands() []command {
	return []command{
		runCommand(),
		serveCommand(),
		migrateCommand(),
		collectCommand(),
		importCommand(),
		templateCommand(),
		quarantineCommand(),
		tokensCommand(),
		usersCommand(),
		reportCommand(),
		simulateCommand(),
		benchCommand(),
		leagueCommand(),
		index766Command(),
		seriesCommand(),
		unitsCommand(),
		configCommand(),
		versionCommand(),
	}
}

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// Main runs egovkpi with args (without the program name) and returns the
// exit status: 0 success, 1 failure, 2 bad usage. Tests call it in-process.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) (string, bool)) int {
	c := &cli{stdout: stdout, stderr: stderr, getenv: getenv}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		if len(args) > 1 {
			return Main(ctx, []string{args[1], "--help"}, stdout, stderr, getenv)
		}
		c.printHelp(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, cmd := range commands() {
		if cmd.name != args[0] {
			continue
		}
		if cmd.subs != nil {
			return c.runGroup(ctx, cmd, args[1:])
		}
		return c.run(ctx, cmd, args[1:])
	}
	fmt.Fprintf(stderr, "egovkpi: unknown command %q\n\n", args[0])
	c.printHelp(stderr)
	return 2
}

// run parses a command's flags and runs it, returning the exit status.
func (c *cli) run(ctx context.Context, cmd command, args []string) int {
	fs := flag.NewFlagSet("egovkpi "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	runFn := cmd.flags(c, fs)
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printCommandHelp(c.stdout, cmd, fs)
			return 0
		}
		fmt.Fprintf(c.stderr, "egovkpi %s: %v\nRun 'egovkpi %s --help' for usage.\n", cmd.name, err, cmd.name)
		return 2
	}
	if err := runFn(ctx, positional); err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(c.stderr, "egovkpi %s: %v\nRun 'egovkpi %s --help' for usage.\n", cmd.name, err, cmd.name)
			return 2
		}
		fmt.Fprintf(c.stderr, "egovkpi %s: %v\n", cmd.name, err)
		return 1
	}
	return 0
}

// runGroup runs one sub-command of a group ("report template ...").
func (c *cli) runGroup(ctx context.Context, group command, args []string) int {
	if len(args) > 0 {
		for _, sub := range group.subs {
			if sub.name == args[0] {
				sub.name = group.name + " " + sub.name
				return c.run(ctx, sub, args[1:])
			}
		}
	}
	w, status := c.stderr, 2
	if len(args) > 0 && (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
		w, status = c.stdout, 0
	} else if len(args) > 0 {
		fmt.Fprintf(w, "egovkpi %s: unknown sub-command %q\n\n", group.name, args[0])
	}
	fmt.Fprintf(w, "Usage: egovkpi %s SUB-COMMAND [flags]\n\n%s\n\nSub-commands:\n", group.name, group.summary)
	for _, sub := range group.subs {
		fmt.Fprintf(w, "  %-9s %s\n", sub.name, sub.summary)
	}
	fmt.Fprintf(w, "\nRun 'egovkpi %s SUB-COMMAND --help' for its flags.\n", group.name)
	return status
}

func (c *cli) printHelp(w io.Writer) {
	fmt.Fprintf(w, "egovkpi %s: national monitoring and KPI reporting for online public services\n\nUsage: egovkpi COMMAND [flags]\n\nCommands:\n", version)
	for _, cmd := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprintln(w, "\nRun 'egovkpi COMMAND --help' for a command's flags. Configuration: EGOVKPI_* variables (egovkpi config --help).")
}

func printCommandHelp(w io.Writer, cmd command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: egovkpi %s [flags]%s\n\n%s\n\nFlags:\n", cmd.name, cmd.usage, cmd.summary)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// parseInterspersed parses flags wherever they stand among the positional
// arguments ("quarantine list --pending" as well as "quarantine --pending
// list"); after "--" everything is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	if i := slices.Index(args, "--"); i >= 0 {
		args, rest = args[:i], args[i+1:]
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return append(pos, rest...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// noArgs refuses positional arguments for commands that take none.
func noArgs(args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	return nil
}

// configured registers the configuration flags and returns a loader.
type configured struct {
	c      *cli
	loader *config.Loader
}

func withConfig(c *cli, fs *flag.FlagSet) *configured {
	return &configured{c: c, loader: config.Register(fs)}
}

// load builds the configuration and the logger it asks for.
func (cf *configured) load() (config.Config, *slog.Logger, error) {
	cfg, err := cf.loader.Load(cf.c.getenv)
	if err != nil {
		return cfg, nil, usageError{err.Error()}
	}
	return cfg, newLogger(cf.c.stderr, cfg), nil
}

func newLogger(w io.Writer, cfg config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(strings.ToUpper(cfg.LogLevel)))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
