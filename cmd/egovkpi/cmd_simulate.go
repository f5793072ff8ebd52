package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"slices"
	"time"

	"egovkpi/collector/simulator"
	"egovkpi/internal/refdata"
)

func simulateCommand() command {
	return command{
		name: "simulate",
		summary: "Serve the simulated statistics portals (protocol v1) of every ministry and province of both eras, " +
			"with optional faults, until Ctrl-C; --print-tokens lists each unit's base URL and bearer token.",
		flags: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
			listen := fs.String("listen", "127.0.0.1:8090", "address to serve on (host:port; port 0 picks a free one)")
			seed := fs.Int64("seed", 1, "seed of the simulated data and of the tokens")
			faults := fs.String("faults", "", "faults per unit: UNIT=FAULT,…;UNIT=…, faults slow:DURATION, 5xx:N, 429:N, truncated, malformed, dup, contradictions:FRACTION, wrongera\n(e.g. 'p34-08=slow:2s,5xx:2;m-MOF=contradictions:0.05,wrongera')")
			latency := fs.Duration("latency", 0, "latency added to every response")
			printTokens := fs.Bool("print-tokens", false, "print unit_id,code,base_url,token of every unit as CSV and exit")
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				if *latency < 0 {
					return usagef("--latency: %v is negative", *latency)
				}
				spec, err := simulator.ParseFaults(*faults)
				if err != nil {
					return usagef("--faults: %v", err)
				}
				reg, err := refdata.Load()
				if err != nil {
					return err
				}
				for id := range spec {
					if _, ok := reg.ByID(id); !ok {
						return usagef("--faults: unknown unit %q (egovkpi units lists the units; ids look like p34-08, p63-02, m-MOF)", id)
					}
				}
				sim := simulator.New(simulator.Options{Seed: *seed, Registry: reg, Latency: *latency})
				for id, f := range spec {
					sim.SetFault(id, f)
				}
				if *printTokens {
					return printSimulatorTokens(c, sim, "http://"+displayAddr(*listen))
				}
				ln, err := net.Listen("tcp", *listen)
				if err != nil {
					return fmt.Errorf("listen on %s (use --listen): %w", *listen, err)
				}
				return serveSimulator(ctx, c, sim, ln, spec)
			}
		},
	}
}

// displayAddr turns a listen address into one a client can use: an empty
// or unspecified host becomes 127.0.0.1.
func displayAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

func printSimulatorTokens(c *cli, sim *simulator.Simulator, base string) error {
	w := csv.NewWriter(c.stdout)
	_ = w.Write([]string{"unit_id", "code", "base_url", "token"})
	for _, u := range sim.Units() {
		_ = w.Write([]string{u.ID, u.Code, base + simulator.BasePath(u.ID), sim.Token(u.ID)})
	}
	w.Flush()
	return w.Error()
}

// serveSimulator serves the portals on ln until ctx is done, then shuts the
// server down gracefully.
func serveSimulator(ctx context.Context, c *cli, sim *simulator.Simulator, ln net.Listener, faults map[string]simulator.Fault) error {
	base := "http://" + displayAddr(ln.Addr().String())
	fmt.Fprintf(c.stdout, "egovkpi simulate: %d portals at %s%s/{unit id} (seed %d); listing: %s%s\n",
		len(sim.Units()), base, simulator.PortalsPath, sim.Seed(), base, simulator.PortalsPath)
	fmt.Fprintf(c.stdout, "tokens: Authorization: Bearer hex(HMAC-SHA256(key \"egovkpi-simulator:%d\", unit id)); "+
		"'egovkpi simulate --seed %d --print-tokens' lists them\n", sim.Seed(), sim.Seed())
	ids := make([]string, 0, len(faults))
	for id := range faults {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		fmt.Fprintf(c.stdout, "fault: %s %s\n", id, faults[id])
	}

	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("simulator: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("simulator: shutting down: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("simulator: %w", err)
	}
	fmt.Fprintln(c.stdout, "egovkpi simulate: stopped")
	return nil
}
