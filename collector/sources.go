package collector

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/robfig/cron/v3"

	"egovkpi/collector/store"
	"egovkpi/internal/refdata"
)

// Source is one portal egovkpi pulls from.
type Source struct {
	ID     string
	UnitID string
	URL    string // base URL of the portal's protocol, without /v1/…
	Token  string
	// TokenRef says where Token came from (env:NAME or file:PATH), for the
	// sources table; the token itself is never stored.
	TokenRef    string
	Schedule    string        // 6-field cron spec, Asia/Ho_Chi_Minh
	Timeout     time.Duration // per request
	Concurrency int           // requests at once to this portal
	RepullDays  int           // days re-pulled by the daily run (portals correct late)
	Enabled     bool
}

// Defaults applied to sources that do not set a value.
const (
	DefaultSchedule    = "0 30 1 * * *" // 01:30:00 every day
	DefaultTimeout     = 60 * time.Second
	DefaultConcurrency = 2
	DefaultRepullDays  = 7
)

// sourcesFile is the shape of sources.toml.
type sourcesFile struct {
	Defaults struct {
		Schedule    string `toml:"schedule"`
		Timeout     string `toml:"timeout"`
		Concurrency int    `toml:"concurrency"`
		RepullDays  int    `toml:"repull_days"`
	} `toml:"defaults"`
	Source []struct {
		ID          string `toml:"id"`
		Unit        string `toml:"unit"`
		URL         string `toml:"url"`
		TokenEnv    string `toml:"token_env"`
		TokenFile   string `toml:"token_file"`
		Schedule    string `toml:"schedule"`
		Timeout     string `toml:"timeout"`
		Concurrency int    `toml:"concurrency"`
		RepullDays  *int   `toml:"repull_days"`
		Enabled     *bool  `toml:"enabled"`
	} `toml:"source"`
}

var cronParser = cron.NewParser(cron.Second | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)

// LoadSources reads a sources file (see docs/sources.md). Every error names
// the source and the key.
func LoadSources(path string, getenv func(string) (string, bool), units *refdata.Registry) ([]Source, error) {
	var f sourcesFile
	md, err := toml.DecodeFile(path, &f)
	if err != nil {
		return nil, fmt.Errorf("sources %s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("sources %s: unknown key %s", path, und[0])
	}
	def := Source{Schedule: DefaultSchedule, Timeout: DefaultTimeout, Concurrency: DefaultConcurrency, RepullDays: DefaultRepullDays}
	if f.Defaults.Schedule != "" {
		def.Schedule = f.Defaults.Schedule
	}
	if f.Defaults.Timeout != "" {
		d, err := time.ParseDuration(f.Defaults.Timeout)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("sources %s: [defaults] timeout %q: want a duration such as 60s", path, f.Defaults.Timeout)
		}
		def.Timeout = d
	}
	if f.Defaults.Concurrency > 0 {
		def.Concurrency = f.Defaults.Concurrency
	}
	if f.Defaults.RepullDays > 0 {
		def.RepullDays = f.Defaults.RepullDays
	}
	var out []Source
	seen := map[string]bool{}
	for i, s := range f.Source {
		src := def
		src.Enabled = true
		src.ID, src.UnitID, src.URL = s.ID, s.Unit, s.URL
		if src.ID == "" {
			src.ID = s.Unit
		}
		where := fmt.Sprintf("sources %s: source #%d", path, i+1)
		if src.ID != "" {
			where += " (" + src.ID + ")"
		}
		if seen[src.ID] {
			return nil, fmt.Errorf("%s: id %q is used twice", where, src.ID)
		}
		seen[src.ID] = true
		if _, ok := units.ByID(s.Unit); !ok {
			return nil, fmt.Errorf("%s: unit %q is not a unit id (like p34-01 or m-MOF; see egovkpi units)", where, s.Unit)
		}
		if u, err := url.Parse(s.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("%s: url %q: want an http(s) URL", where, s.URL)
		}
		switch {
		case s.TokenEnv != "" && s.TokenFile != "":
			return nil, fmt.Errorf("%s: set token_env or token_file, not both", where)
		case s.TokenEnv != "":
			v, ok := getenv(s.TokenEnv)
			if !ok || v == "" {
				return nil, fmt.Errorf("%s: token_env %s is not set", where, s.TokenEnv)
			}
			src.Token, src.TokenRef = v, "env:"+s.TokenEnv
		case s.TokenFile != "":
			b, err := os.ReadFile(s.TokenFile)
			if err != nil {
				return nil, fmt.Errorf("%s: token_file: %w", where, err)
			}
			src.Token, src.TokenRef = strings.TrimSpace(string(b)), "file:"+s.TokenFile
		default:
			return nil, fmt.Errorf("%s: no token: set token_env or token_file", where)
		}
		if s.Schedule != "" {
			src.Schedule = s.Schedule
		}
		if _, err := cronParser.Parse(src.Schedule); err != nil {
			return nil, fmt.Errorf("%s: schedule %q: %v (6 fields: second minute hour day month weekday)", where, src.Schedule, err)
		}
		if s.Timeout != "" {
			d, err := time.ParseDuration(s.Timeout)
			if err != nil || d <= 0 {
				return nil, fmt.Errorf("%s: timeout %q: want a duration such as 60s", where, s.Timeout)
			}
			src.Timeout = d
		}
		if s.Concurrency < 0 || s.Concurrency > 32 {
			return nil, fmt.Errorf("%s: concurrency %d: want 1 to 32", where, s.Concurrency)
		} else if s.Concurrency > 0 {
			src.Concurrency = s.Concurrency
		}
		if s.RepullDays != nil {
			if *s.RepullDays < 0 || *s.RepullDays > 92 {
				return nil, fmt.Errorf("%s: repull_days %d: want 0 to 92", where, *s.RepullDays)
			}
			src.RepullDays = *s.RepullDays
		}
		if s.Enabled != nil {
			src.Enabled = *s.Enabled
		}
		out = append(out, src)
	}
	return out, nil
}

// RegisterSources writes the sources' configuration to the sources table,
// keeping each source's stored state.
func RegisterSources(ctx context.Context, st *store.Store, srcs []Source) error {
	stored, err := st.Sources(ctx)
	if err != nil {
		return err
	}
	state := map[string]store.SourceRow{}
	for _, r := range stored {
		state[r.ID] = r
	}
	for _, s := range srcs {
		row := state[s.ID]
		row.ID, row.UnitID, row.URL, row.TokenRef, row.Schedule = s.ID, s.UnitID, s.URL, s.TokenRef, s.Schedule
		row.Timeout, row.Concurrency, row.RepullDays, row.Enabled = s.Timeout, s.Concurrency, s.RepullDays, s.Enabled
		if err := st.SaveSource(ctx, row); err != nil {
			return err
		}
	}
	return nil
}

func httpClient(c *http.Client) *http.Client {
	if c == nil {
		return &http.Client{}
	}
	return c
}
