// Package config reads egovkpi's configuration: typed defaults, overridden
// by EGOVKPI_* environment variables, overridden by command-line flags.
// Secrets may also come from a file named by EGOVKPI_*_FILE (or the flag
// --*-file), and are never printed.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/mail"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"egovkpi/internal/chdb"
)

// EnvPrefix starts every environment variable egovkpi reads.
const EnvPrefix = "EGOVKPI_"

// Config is the effective configuration.
type Config struct {
	ClickHouse ClickHouse
	// DataDir holds the embedded ClickHouse server's data and other local
	// state.
	DataDir string
	// Listen is the web server's address.
	Listen string
	// RequestTimeout bounds every web request, queries included.
	RequestTimeout time.Duration
	// ShutdownTimeout bounds the graceful stop.
	ShutdownTimeout time.Duration
	LogLevel        string // debug, info, warn, error
	LogFormat       string // text or json
	Collect         Collect
	Metrics         Metrics
	Reports         Reports
	// AdminPassword is the password of the first admin, created at the
	// first start when there is no account; empty generates one and
	// prints it once.
	AdminPassword string
}

// Collect configures the collector and the demo.
type Collect struct {
	// SourcesFile lists the portals to pull (docs/sources.md). Empty: serve
	// pulls nothing (pushes and files still come in), and run pulls the
	// simulated portals of the demo.
	SourcesFile string
	// Workers bounds the collection runs at once.
	Workers int
	// DemoQuarters is how many quarters (the current one included) run
	// collects from the simulator at start.
	DemoQuarters int
	// SimulatorSeed makes the simulated portals' data; the same seed gives
	// the same data.
	SimulatorSeed int
	// SimulatorFaults switches simulated portals' faults on, e.g.
	// "p34-08=5xx:2,slow:1s;m-MOF=contradictions:0.05".
	SimulatorFaults string
}

// Metrics configures league tables and the Decision 766 index.
type Metrics struct {
	// MinVolume is the smallest denominator (dossiers for the 766 index)
	// that is ranked; below it a unit is shown as "not enough data".
	MinVolume int
	// MinCompletenessPercent is the smallest share of expected days with
	// data, in percent, that is ranked.
	MinCompletenessPercent int
	// MethodologyFile replaces the embedded Decision 766 methodology (see
	// docs/kpi-methodology.md); empty uses the embedded one.
	MethodologyFile string
}

// Reports configures the quarterly reports' deadlines and the reminders
// sent to units that have not submitted.
type Reports struct {
	// DeadlineDays: a quarter's report is due by the end of this day after
	// the quarter's last day, Vietnam time (15: the 15th day after).
	DeadlineDays int
	// DeadlineOverrides sets some quarters' due days, as
	// "2026Q3=2026-10-20,2026Q4=2027-01-20"; the command that uses it
	// checks it (workflow.ParseOverrides), naming this setting.
	DeadlineOverrides string
	// RemindBefore lists the days before the due day on which a unit that
	// has not submitted is reminded (0: on the due day itself).
	RemindBefore []int
	// RemindAfter lists the days after the due day on which it is
	// reminded again.
	RemindAfter []int
	// RemindSchedule is when the reminder pass runs: a cron spec of 5
	// fields (or 6, with seconds first), in Vietnam time.
	RemindSchedule string
	SMTP           SMTP
}

// SMTP is the mail server reminders are sent through. With Addr empty,
// reminders stay in the outbox for the operator to read.
type SMTP struct {
	Addr     string // host:port
	From     string // the sender's address
	User     string // empty: no authentication
	Password string
	// TLS is starttls (upgrade a plain connection, usually port 587), tls
	// (implicit TLS, usually port 465) or none (loopback only).
	TLS string
}

// Enabled reports whether e-mail is configured.
func (s SMTP) Enabled() bool { return s.Addr != "" }

// scheduleParser reads reminder schedules: standard 5-field cron specs,
// or 6 fields with seconds first like the collection schedules, or
// descriptors such as @daily.
var scheduleParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule reads a reminder schedule (see Reports.RemindSchedule).
// The schedule runs in the location its cron is started with.
func ParseSchedule(spec string) (cron.Schedule, error) {
	s, err := scheduleParser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("want a cron spec such as \"0 8 * * *\" (minute hour day month weekday), got %q: %w", spec, err)
	}
	return s, nil
}

// ClickHouse says which ClickHouse to use. With Addr empty, egovkpi starts
// its own private server (the embedded default).
type ClickHouse struct {
	Addr         string
	User         string
	Password     string
	Database     string
	Cluster      string // cluster name for ON CLUSTER DDL; empty for a single node
	TLS          bool
	TLSCAFile    string
	TLSInsecure  bool
	QueryTimeout time.Duration
	// ServerBin is the clickhouse-server binary of the embedded default.
	ServerBin string
}

// Embedded reports whether egovkpi should start its own ClickHouse.
func (c ClickHouse) Embedded() bool { return c.Addr == "" }

// setting binds one configuration value to its variable and flag.
type setting struct {
	name   string // e.g. CLICKHOUSE_ADDR: env EGOVKPI_CLICKHOUSE_ADDR, flag --clickhouse-addr
	help   string
	secret bool // may come from NAME_FILE; printed redacted
	get    func(*Config) string
	set    func(*Config, string) error
}

func (s setting) env() string  { return EnvPrefix + s.name }
func (s setting) flag() string { return strings.ReplaceAll(strings.ToLower(s.name), "_", "-") }

// text is a string setting; secret ones may come from a file and are
// printed redacted.
func text(name, help string, secret bool, p func(*Config) *string) setting {
	return setting{name: name, help: help, secret: secret,
		get: func(c *Config) string { return *p(c) },
		set: func(c *Config, v string) error { *p(c) = v; return nil }}
}

// checked is a string setting whose values must pass ok, which describes
// what it wants when they do not.
func checked(name, help string, p func(*Config) *string, ok func(string) error) setting {
	s := text(name, help, false, p)
	return setting{name: name, help: help, get: s.get,
		set: func(c *Config, v string) error {
			if err := ok(v); err != nil {
				return err
			}
			return s.set(c, v)
		}}
}

// identifier is a ClickHouse name setting, which may be empty when optional.
func identifier(name, help string, optional bool, p func(*Config) *string) setting {
	return checked(name, help, p, func(v string) error {
		if optional && v == "" || chdb.ValidIdentifier(v) {
			return nil
		}
		return fmt.Errorf("want letters, digits and _ (not starting with a digit), got %q", v)
	})
}

func oneOf(name, help string, p func(*Config) *string, allowed ...string) setting {
	return checked(name, help, p, func(v string) error {
		if slices.Contains(allowed, v) {
			return nil
		}
		return fmt.Errorf("want one of %s, got %q", strings.Join(allowed, ", "), v)
	})
}

func boolean(name, help string, p func(*Config) *bool) setting {
	return setting{name: name, help: help,
		get: func(c *Config) string { return strconv.FormatBool(*p(c)) },
		set: func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("want true or false, got %q", v)
			}
			*p(c) = b
			return nil
		}}
}

func duration(name, help string, p func(*Config) *time.Duration) setting {
	return setting{name: name, help: help,
		get: func(c *Config) string { return p(c).String() },
		set: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return fmt.Errorf("want a positive duration such as 30s or 2m, got %q", v)
			}
			*p(c) = d
			return nil
		}}
}

func integer(name, help string, lo, hi int, p func(*Config) *int) setting {
	return setting{name: name, help: help,
		get: func(c *Config) string { return strconv.Itoa(*p(c)) },
		set: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < lo || n > hi {
				return fmt.Errorf("want a whole number from %d to %d, got %q", lo, hi, v)
			}
			*p(c) = n
			return nil
		}}
}

// days is a comma-separated list of distinct day counts from lo to hi,
// e.g. "7,1"; empty is an empty list.
func days(name, help string, lo, hi int, p func(*Config) *[]int) setting {
	return setting{name: name, help: help,
		get: func(c *Config) string {
			parts := make([]string, len(*p(c)))
			for i, n := range *p(c) {
				parts[i] = strconv.Itoa(n)
			}
			return strings.Join(parts, ",")
		},
		set: func(c *Config, v string) error {
			var out []int
			for _, part := range strings.Split(v, ",") {
				part = strings.TrimSpace(part)
				if part == "" {
					continue
				}
				n, err := strconv.Atoi(part)
				if err != nil || n < lo || n > hi {
					return fmt.Errorf("want whole numbers of days from %d to %d separated by commas, e.g. 7,1; got %q", lo, hi, part)
				}
				if slices.Contains(out, n) {
					return fmt.Errorf("%d is listed twice in %q", n, v)
				}
				out = append(out, n)
			}
			*p(c) = out
			return nil
		}}
}

// settings lists every configuration value, in the order they are printed.
var settings = []setting{
	text("CLICKHOUSE_ADDR", "ClickHouse native address host:port; empty starts a private clickhouse-server", false, func(c *Config) *string { return &c.ClickHouse.Addr }),
	text("CLICKHOUSE_USER", "ClickHouse user", false, func(c *Config) *string { return &c.ClickHouse.User }),
	text("CLICKHOUSE_PASSWORD", "ClickHouse password (secret; or CLICKHOUSE_PASSWORD_FILE)", true, func(c *Config) *string { return &c.ClickHouse.Password }),
	identifier("CLICKHOUSE_DATABASE", "ClickHouse database", false, func(c *Config) *string { return &c.ClickHouse.Database }),
	identifier("CLICKHOUSE_CLUSTER", "cluster name for ON CLUSTER DDL and Distributed tables; empty for a single node", true, func(c *Config) *string { return &c.ClickHouse.Cluster }),
	boolean("CLICKHOUSE_TLS", "connect to ClickHouse with TLS", func(c *Config) *bool { return &c.ClickHouse.TLS }),
	text("CLICKHOUSE_TLS_CA_FILE", "PEM file of the CA that signed ClickHouse's certificate", false, func(c *Config) *string { return &c.ClickHouse.TLSCAFile }),
	boolean("CLICKHOUSE_TLS_INSECURE", "skip TLS certificate verification (testing only)", func(c *Config) *bool { return &c.ClickHouse.TLSInsecure }),
	duration("CLICKHOUSE_QUERY_TIMEOUT", "server-side limit of every query (max_execution_time)", func(c *Config) *time.Duration { return &c.ClickHouse.QueryTimeout }),
	text("CLICKHOUSE_SERVER_BIN", "clickhouse-server binary for the private server; empty searches PATH, /usr/sbin, /usr/bin", false, func(c *Config) *string { return &c.ClickHouse.ServerBin }),
	text("DATA_DIR", "directory for local state; the private ClickHouse keeps its data in DATA_DIR/clickhouse", false, func(c *Config) *string { return &c.DataDir }),
	text("LISTEN", "web server address host:port", false, func(c *Config) *string { return &c.Listen }),
	duration("REQUEST_TIMEOUT", "deadline of every web request", func(c *Config) *time.Duration { return &c.RequestTimeout }),
	duration("SHUTDOWN_TIMEOUT", "how long a graceful stop may take", func(c *Config) *time.Duration { return &c.ShutdownTimeout }),
	oneOf("LOG_LEVEL", "log level: debug, info, warn or error", func(c *Config) *string { return &c.LogLevel }, "debug", "info", "warn", "error"),
	oneOf("LOG_FORMAT", "log format: text or json", func(c *Config) *string { return &c.LogFormat }, "text", "json"),
	text("SOURCES_FILE", "portals to pull (TOML, see docs/sources.md); empty: serve pulls nothing and run pulls the simulated portals", false, func(c *Config) *string { return &c.Collect.SourcesFile }),
	integer("COLLECT_WORKERS", "collection runs at once", 1, 64, func(c *Config) *int { return &c.Collect.Workers }),
	integer("DEMO_QUARTERS", "quarters (the current one included) that run collects from the simulator", 1, 40, func(c *Config) *int { return &c.Collect.DemoQuarters }),
	integer("SIMULATOR_SEED", "seed of the simulated portals' data", 0, 1<<30, func(c *Config) *int { return &c.Collect.SimulatorSeed }),
	integer("RANK_MIN_VOLUME", "smallest denominator (dossiers or procedures; dossiers for the 766 index) a league table ranks; below it: not enough data", 0, 1_000_000, func(c *Config) *int { return &c.Metrics.MinVolume }),
	integer("RANK_MIN_COMPLETENESS", "smallest share of expected days with data, in percent, a league table ranks", 0, 100, func(c *Config) *int { return &c.Metrics.MinCompletenessPercent }),
	text("METHODOLOGY_FILE", "Decision 766 methodology file replacing the embedded one (same JSON shape, see docs/kpi-methodology.md)", false, func(c *Config) *string { return &c.Metrics.MethodologyFile }),
	text("ADMIN_PASSWORD", "password of the first admin (login admin), created at the first start when there is no account; empty generates one and prints it once (secret; or ADMIN_PASSWORD_FILE)", true, func(c *Config) *string { return &c.AdminPassword }),
	text("SIMULATOR_FAULTS", "faults of simulated portals, e.g. p34-08=5xx:2,slow:1s;m-MOF=contradictions:0.05", false, func(c *Config) *string { return &c.Collect.SimulatorFaults }),
	integer("DEADLINE_DAYS", "a quarter's report is due by the end of this day after the quarter's last day, Vietnam time", 0, 120, func(c *Config) *int { return &c.Reports.DeadlineDays }),
	text("DEADLINE_OVERRIDES", "due days of some quarters, e.g. 2026Q3=2026-10-20,2026Q4=2027-01-20 (each after its quarter's end)", false, func(c *Config) *string { return &c.Reports.DeadlineOverrides }),
	days("REMIND_BEFORE_DAYS", "days before the due day on which units that have not submitted are reminded (0: the due day); empty: none", 0, 90, func(c *Config) *[]int { return &c.Reports.RemindBefore }),
	days("REMIND_AFTER_DAYS", "days after the due day on which units that have not submitted are reminded again; empty: none", 1, 90, func(c *Config) *[]int { return &c.Reports.RemindAfter }),
	checked("REMIND_SCHEDULE", "when serve and run plan and send reminders: cron spec, minute hour day month weekday (or seconds first), Vietnam time", func(c *Config) *string { return &c.Reports.RemindSchedule },
		func(v string) error { _, err := ParseSchedule(v); return err }),
	text("SMTP_ADDR", "mail server host:port for reminders; empty: reminders stay in the outbox (egovkpi report outbox)", false, func(c *Config) *string { return &c.Reports.SMTP.Addr }),
	text("SMTP_FROM", "sender address of reminders, e.g. egovkpi@example.gov.vn (needed with SMTP_ADDR)", false, func(c *Config) *string { return &c.Reports.SMTP.From }),
	text("SMTP_USER", "mail server user; empty: no authentication", false, func(c *Config) *string { return &c.Reports.SMTP.User }),
	text("SMTP_PASSWORD", "mail server password (secret; or SMTP_PASSWORD_FILE)", true, func(c *Config) *string { return &c.Reports.SMTP.Password }),
	oneOf("SMTP_TLS", "starttls (port 587), tls (implicit TLS, port 465) or none (only to a loopback address)", func(c *Config) *string { return &c.Reports.SMTP.TLS }, "starttls", "tls", "none"),
}

// Defaults returns the configuration used when nothing is set.
func Defaults() Config {
	return Config{
		ClickHouse: ClickHouse{
			User:         "default",
			Database:     "egovkpi",
			QueryTimeout: 60 * time.Second,
		},
		DataDir:         "var",
		Listen:          "127.0.0.1:8080",
		RequestTimeout:  10 * time.Second,
		ShutdownTimeout: 20 * time.Second,
		LogLevel:        "info",
		LogFormat:       "text",
		Collect:         Collect{Workers: 8, DemoQuarters: 8, SimulatorSeed: 1},
		Metrics:         Metrics{MinVolume: 30, MinCompletenessPercent: 80},
		Reports: Reports{
			DeadlineDays:   15,
			RemindBefore:   []int{7, 1},
			RemindAfter:    []int{1, 7},
			RemindSchedule: "0 8 * * *",
			SMTP:           SMTP{TLS: "starttls"},
		},
	}
}

// Loader collects flag values during flag parsing and then builds the
// configuration from defaults, environment and flags.
type Loader struct {
	flags  map[string]string // setting name → raw flag value
	source map[string]string // setting name → where its value came from
}

// Register adds a flag for every setting to fs and returns the loader that
// reads them after fs.Parse.
func Register(fs *flag.FlagSet) *Loader {
	l := &Loader{flags: map[string]string{}}
	def := Defaults()
	for _, s := range settings {
		usage := s.help + " (env " + s.env() + ")"
		if d := s.get(&def); d != "" && d != "false" && !s.secret {
			usage += " (default " + d + ")"
		}
		fs.Func(s.flag(), usage, func(v string) error { l.flags[s.name] = v; return nil })
		if s.secret {
			fs.Func(s.flag()+"-file", "file holding "+s.flag()+" (env "+s.env()+"_FILE)", func(v string) error {
				l.flags[s.name+"_FILE"] = v
				return nil
			})
		}
	}
	return l
}

// Load builds the configuration. getenv is usually os.LookupEnv.
func (l *Loader) Load(getenv func(string) (string, bool)) (Config, error) {
	c := Defaults()
	l.source = map[string]string{}
	var errs []error
	for _, s := range settings {
		l.source[s.name] = "default"
		apply := func(v, from string) {
			if err := s.set(&c, v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", from, err))
				return
			}
			l.source[s.name] = from
		}
		if v, ok := getenv(s.env()); ok {
			apply(v, "env "+s.env())
		}
		if s.secret {
			if path, ok := getenv(s.env() + "_FILE"); ok {
				if _, both := getenv(s.env()); both {
					errs = append(errs, fmt.Errorf("%s and %s_FILE are both set: set one", s.env(), s.env()))
				} else if v, err := readSecret(path); err != nil {
					errs = append(errs, fmt.Errorf("%s_FILE: %w", s.env(), err))
				} else {
					apply(v, "file "+path)
				}
			}
		}
		if v, ok := l.flags[s.name]; ok {
			apply(v, "flag --"+s.flag())
		}
		if path, ok := l.flags[s.name+"_FILE"]; ok {
			if _, both := l.flags[s.name]; both {
				errs = append(errs, fmt.Errorf("flags --%s and --%s-file are both set: set one", s.flag(), s.flag()))
			} else if v, err := readSecret(path); err != nil {
				errs = append(errs, fmt.Errorf("flag --%s-file: %w", s.flag(), err))
			} else {
				apply(v, "file "+path)
			}
		}
	}
	if c.ClickHouse.Embedded() && c.ClickHouse.Cluster != "" {
		errs = append(errs, errors.New("EGOVKPI_CLICKHOUSE_CLUSTER needs EGOVKPI_CLICKHOUSE_ADDR: the private server is a single node"))
	}
	errs = append(errs, checkSMTP(c.Reports.SMTP)...)
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return c, nil
}

// checkSMTP checks the mail settings together: an address needs a sender,
// a user and a password go together, and mail without TLS may only go to
// this machine.
func checkSMTP(s SMTP) []error {
	var errs []error
	if s.Addr == "" {
		if s.From != "" || s.User != "" || s.Password != "" {
			errs = append(errs, errors.New("EGOVKPI_SMTP_FROM, _USER and _PASSWORD need EGOVKPI_SMTP_ADDR: set the mail server, or unset them"))
		}
		return errs
	}
	host, port, err := net.SplitHostPort(s.Addr)
	if err != nil || host == "" || port == "" {
		errs = append(errs, fmt.Errorf("EGOVKPI_SMTP_ADDR: want host:port, e.g. mail.example.gov.vn:587, got %q", s.Addr))
	} else if s.TLS == "none" && !LoopbackHost(host) {
		errs = append(errs, fmt.Errorf("EGOVKPI_SMTP_TLS=none sends passwords and reports in clear: only allowed to a loopback address, not %s", host))
	}
	if s.From == "" {
		errs = append(errs, errors.New("EGOVKPI_SMTP_ADDR needs EGOVKPI_SMTP_FROM, the reminders' sender address"))
	} else if a, err := mail.ParseAddress(s.From); err != nil || a.Address != s.From {
		errs = append(errs, fmt.Errorf("EGOVKPI_SMTP_FROM: want a bare address such as egovkpi@example.gov.vn, got %q", s.From))
	}
	if (s.User == "") != (s.Password == "") {
		errs = append(errs, errors.New("EGOVKPI_SMTP_USER and EGOVKPI_SMTP_PASSWORD go together: set both, or neither for no authentication"))
	}
	return errs
}

// LoopbackHost reports whether host (a name or an IP address, without a
// port) names this machine: localhost or a loopback address.
func LoopbackHost(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// readSecret reads a secret file, dropping one trailing newline.
func readSecret(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r"), nil
}

// Print writes the effective configuration as NAME=value lines, each with
// where it came from; secrets are shown as <redacted> when set.
func (l *Loader) Print(w io.Writer, c Config) error {
	for _, s := range settings {
		v := s.get(&c)
		if s.secret && v != "" {
			v = "<redacted>"
		}
		src := l.source[s.name]
		if src == "" {
			src = "default"
		}
		if _, err := fmt.Fprintf(w, "%s=%s\t# %s\n", s.env(), v, src); err != nil {
			return err
		}
	}
	return nil
}

// Markdown writes the table of settings used in docs/configuration.md.
func Markdown(w io.Writer) error {
	def := Defaults()
	if _, err := fmt.Fprintln(w, "| variable | flag | default | meaning |\n|---|---|---|---|"); err != nil {
		return err
	}
	for _, s := range settings {
		d := s.get(&def)
		if d != "" {
			d = "`" + d + "`"
		}
		flagName := "`--" + s.flag() + "`"
		env := "`" + s.env() + "`"
		if s.secret {
			flagName += ", `--" + s.flag() + "-file`"
			env += ", `" + s.env() + "_FILE`"
		}
		if _, err := fmt.Fprintf(w, "| %s | %s | %s | %s |\n", env, flagName, d, s.help); err != nil {
			return err
		}
	}
	return nil
}
