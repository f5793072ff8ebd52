package collector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"egovkpi"
	"egovkpi/collector/protocol"
	"egovkpi/collector/pull"
	"egovkpi/collector/record"
	"egovkpi/collector/store"
	"egovkpi/internal/refdata"
)

// chunkDays is the number of days asked in one usage request.
const chunkDays = 7

// Options tune a Collector.
type Options struct {
	// Client fetches pages; nil means a client with default retries.
	Client *pull.Client
	Log    *slog.Logger
}

// Collector pulls portals, checks what they send and stores it.
type Collector struct {
	store   *store.Store
	units   *refdata.Registry
	client  *pull.Client
	log     *slog.Logger
	checker *record.Checker
	cat     *catalogues
	// Refresher keeps the rollups up to date with every load.
	Refresher *Refresher
}

// New returns a collector writing to st.
func New(st *store.Store, units *refdata.Registry, o Options) *Collector {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Client == nil {
		o.Client = &pull.Client{}
	}
	c := &Collector{store: st, units: units, client: o.Client, log: o.Log,
		cat: newCatalogues(st), Refresher: NewRefresher(st, o.Log)}
	c.checker = &record.Checker{Units: units, Procedures: c.cat.inForce}
	return c
}

// Store returns the collector's store.
func (c *Collector) Store() *store.Store { return c.store }

// Checker returns the rules the collector applies, for pushes and files.
func (c *Collector) Checker() *record.Checker { return c.checker }

// Progress reports a collection's advance.
type Progress struct {
	Source             string
	DaysDone, DaysAll  int
	Accepted, Rejected int
}

// Collect pulls [from, to] of one source: the usage, a chunk of days at a
// time, most recent first, each chunk after the catalogues in force in its
// months (each pulled once per run, when the first chunk of its month needs
// it; a chunk whose catalogue could not be had is not pulled). Every chunk
// is a complete load on its own; if ctx ends, the chunks already
// loaded stay and the rest is abandoned without a half-written load. The run
// is logged in collection_runs and returned.
func (c *Collector) Collect(ctx context.Context, src Source, from, to time.Time, progress func(Progress)) (store.Run, error) {
	run := store.Run{ID: uuid.New(), Source: src.ID, UnitID: src.UnitID, Kind: "pull", From: from, To: to, StartedAt: time.Now(), Status: store.RunRunning}
	unit, ok := c.units.ByID(src.UnitID)
	if !ok {
		return run, fmt.Errorf("collector: source %s: unknown unit %q", src.ID, src.UnitID)
	}
	from, to = clip(unit, from, to)
	if from.After(to) {
		run.Status, run.FinishedAt = store.RunOK, time.Now()
		run.Error = "window outside the unit's validity (" + unit.Validity() + "): nothing to collect"
		return run, c.store.SaveRun(context.WithoutCancel(ctx), run)
	}
	run.From, run.To = from, to
	if err := c.store.SaveRun(ctx, run); err != nil {
		return run, err
	}
	chunks := splitDays(from, to, chunkDays)
	all := 0
	for _, ch := range chunks {
		all += days(ch[0], ch[1])
	}
	var (
		mu     sync.Mutex
		errs   []string
		later  *pull.RetryLaterError
		wg     sync.WaitGroup
		sem    = make(chan struct{}, max(1, src.Concurrency))
		prog   = Progress{Source: src.ID, DaysAll: all}
		client = c.clientFor(src)
		cats   = c.runCatalogues(client, src)
	)
	for _, ch := range chunks {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func(ch [2]time.Time) {
			defer func() { <-sem; wg.Done() }()
			res := c.collectChunk(ctx, client, cats, src, ch[0], ch[1])
			mu.Lock()
			defer mu.Unlock()
			run.Requests += res.requests
			run.RowsAccepted += res.accepted
			run.RowsQuarantined += res.rejected
			run.DaysLoaded += res.days
			errs = append(errs, res.errs...)
			if res.later != nil && (later == nil || res.later.Until.After(later.Until)) {
				later = res.later
			}
			prog.DaysDone += days(ch[0], ch[1])
			prog.Accepted, prog.Rejected = run.RowsAccepted, run.RowsQuarantined
			if progress != nil {
				progress(prog)
			}
		}(ch)
	}
	wg.Wait()
	run.FinishedAt = time.Now()
	sort.Strings(errs)
	errs = slices.Compact(errs) // the chunks of a month share its catalogue's error
	switch {
	case ctx.Err() != nil:
		run.Status = store.RunAbandoned
		errs = append(errs, "stopped before the end: "+ctx.Err().Error())
	case len(errs) > 0 && run.DaysLoaded == 0:
		run.Status = store.RunFailed
	case run.DaysLoaded == 0 && run.RowsAccepted == 0 && run.RowsQuarantined > 0:
		run.Status = store.RunFailed
		errs = append(errs, fmt.Sprintf("every one of the %d records was refused (see the quarantine)", run.RowsQuarantined))
	case len(errs) > 0 || run.RowsQuarantined > 0:
		run.Status = store.RunPartial
	default:
		run.Status = store.RunOK
	}
	run.Error = joinErrors(errs)
	if err := c.store.SaveRun(context.WithoutCancel(ctx), run); err != nil {
		return run, err
	}
	c.log.Info("collection run", slog.String("source", src.ID), slog.String("from", from.Format(protocol.DateLayout)), slog.String("to", to.Format(protocol.DateLayout)),
		slog.String("status", run.Status), slog.Int("accepted", run.RowsAccepted), slog.Int("quarantined", run.RowsQuarantined),
		slog.Int("days", run.DaysLoaded), slog.Int("requests", run.Requests), slog.Duration("took", run.FinishedAt.Sub(run.StartedAt)))
	if later != nil {
		return run, later
	}
	if run.Status == store.RunFailed {
		return run, fmt.Errorf("collector: source %s: %s", src.ID, run.Error)
	}
	return run, nil
}

// clientFor applies the source's timeout to each request.
func (c *Collector) clientFor(src Source) *pull.Client {
	cl := *c.client
	if src.Timeout > 0 {
		hc := *httpClient(cl.HTTP)
		hc.Timeout = src.Timeout
		cl.HTTP = &hc
	}
	return &cl
}

type chunkResult struct {
	requests, accepted, rejected, days int
	errs                               []string
	later                              *pull.RetryLaterError
}

// collectChunk loads one window, after its catalogues. If the window
// cannot be fetched as a whole, it is fetched day by day so that one broken
// day does not cost the others.
func (c *Collector) collectChunk(ctx context.Context, client *pull.Client, cats *runCatalogues, src Source, from, to time.Time) chunkResult {
	var res chunkResult
	n, err := cats.ensure(ctx, from, to)
	res.requests += n
	if err != nil {
		res.errs = append(res.errs, err.Error())
		return res
	}
	ps := pull.Source{ID: src.ID, URL: src.URL, Token: src.Token}
	pages, st, err := client.Usage(ctx, ps, from, to)
	res.requests += st.Requests
	if err != nil {
		var later *pull.RetryLaterError
		if errors.As(err, &later) {
			res.later = later
			res.errs = append(res.errs, err.Error())
			return res
		}
		if ctx.Err() != nil {
			return res
		}
		var pe *pull.PageError
		refused := errors.As(err, &pe) && !pe.Retried // 401, 404, 400…: asking day by day will not help
		if from.Before(to) && !refused {
			for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
				one := c.collectChunk(ctx, client, cats, src, d, d)
				res.requests += one.requests
				res.accepted += one.accepted
				res.rejected += one.rejected
				res.days += one.days
				res.errs = append(res.errs, one.errs...)
				if one.later != nil {
					res.later = one.later
					break
				}
			}
			return res
		}
		res.errs = append(res.errs, fmt.Sprintf("%s: %v", from.Format(protocol.DateLayout), err))
		c.quarantinePage(ctx, src, err)
		return res
	}
	batch := c.checker.Usage(src.UnitID, pages)
	if _, err := c.StoreUsage(ctx, src.ID, batch); err != nil {
		res.errs = append(res.errs, err.Error())
		return res
	}
	res.accepted, res.rejected, res.days = len(batch.Good), len(batch.Bad), len(batch.Days)
	for _, d := range batch.Skipped {
		res.errs = append(res.errs, fmt.Sprintf("%s: every record refused; the stored data of that day was kept", d.Format(protocol.DateLayout)))
	}
	return res
}

// Units returns the unit registry the collector checks against.
func (c *Collector) Units() *refdata.Registry { return c.units }

// StoreUsage writes a checked batch from any way in (pull, push, file,
// replay): the load, its quarantine, and the rollup refresh request. The
// write is not cut short by ctx: a load, once started, is finished. It
// returns the load id.
func (c *Collector) StoreUsage(ctx context.Context, source string, b record.UsageBatch) (uint64, error) {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Minute)
	defer cancel()
	id := c.store.NewLoadID()
	touched, err := c.store.WriteUsage(wctx, store.UsageLoad{LoadID: id, Source: source, UnitID: b.UnitID, Days: b.Days, Rows: b.Good})
	if err != nil {
		return 0, err
	}
	if err := c.store.Quarantine(wctx, quarantineItems(source, id, store.KindUsage, b.UnitID, b.Bad)); err != nil {
		return 0, err
	}
	c.Refresher.Add(touched)
	return id, nil
}

func quarantineItems(source string, loadID uint64, kind, unitID string, bad []record.Rejected) []store.Quarantined {
	out := make([]store.Quarantined, 0, len(bad))
	for _, r := range bad {
		out = append(out, store.Quarantined{Source: source, LoadID: loadID, Kind: kind, UnitID: unitID, UnitCode: r.UnitCode,
			Day: r.Day, Procedure: r.Procedure, Reason: r.Reason, Raw: string(record.Compact(r.Raw))})
	}
	return out
}

// quarantinePage keeps the body of a page that came back (200) but could
// not be read; an error answer of the portal is not data and is only logged
// in the run.
func (c *Collector) quarantinePage(ctx context.Context, src Source, err error) {
	var pe *pull.PageError
	if !errors.As(err, &pe) || len(pe.Body) == 0 || pe.Status != 200 {
		return
	}
	item := store.Quarantined{Source: src.ID, Kind: store.KindPayload, UnitID: src.UnitID, Reason: err.Error(), Raw: string(pe.Body)}
	if qerr := c.store.Quarantine(context.WithoutCancel(ctx), []store.Quarantined{item}); qerr != nil {
		c.log.Error("quarantine of a page failed", slog.String("source", src.ID), slog.Any("err", qerr))
	}
}

// runCatalogues are the catalogues of one run: each month's is ensured
// once, when the first chunk of the month needs it, and the month's other
// chunks wait for it rather than pull it again.
type runCatalogues struct {
	c      *Collector
	client *pull.Client
	src    Source
	mu     sync.Mutex
	months map[time.Time]*monthCatalogue
	stop   error // after a hopeless error (see hopeless), no more are asked for
}

// monthCatalogue is a month's catalogue being ensured (done open) or
// ensured (done closed, err the outcome).
type monthCatalogue struct {
	done chan struct{}
	err  error
}

func (c *Collector) runCatalogues(client *pull.Client, src Source) *runCatalogues {
	return &runCatalogues{c: c, client: client, src: src, months: map[time.Time]*monthCatalogue{}}
}

// ensure makes sure the catalogue of each month of [from, to] is stored:
// usage is checked against it. It returns the requests it made.
func (r *runCatalogues) ensure(ctx context.Context, from, to time.Time) (int, error) {
	requests := 0
	for m := monthStart(from); !m.After(to); m = m.AddDate(0, 1, 0) {
		n, err := r.month(ctx, m)
		requests += n
		if err != nil {
			return requests, err
		}
	}
	return requests, nil
}

// month ensures the catalogue of month m once.
func (r *runCatalogues) month(ctx context.Context, m time.Time) (int, error) {
	r.mu.Lock()
	if mc, ok := r.months[m]; ok {
		r.mu.Unlock()
		select {
		case <-mc.done:
			return 0, mc.err
		case <-ctx.Done():
			return 0, fmt.Errorf("catalogue as of %s: %w", m.Format(protocol.DateLayout), ctx.Err())
		}
	}
	if r.stop != nil {
		r.mu.Unlock()
		return 0, r.stop
	}
	mc := &monthCatalogue{done: make(chan struct{})}
	r.months[m] = mc
	r.mu.Unlock()
	defer close(mc.done)
	n, err := r.c.ensureCatalogue(ctx, r.client, r.src, m)
	mc.err = err
	if err != nil && hopeless(ctx, err) {
		r.mu.Lock()
		r.stop = err
		r.mu.Unlock()
	}
	return n, err
}

// ensureCatalogue pulls the catalogue of src's unit as of month m's first
// day (or the unit's first day) unless it is stored; it returns the
// requests made.
func (c *Collector) ensureCatalogue(ctx context.Context, client *pull.Client, src Source, m time.Time) (int, error) {
	unit, _ := c.units.ByID(src.UnitID)
	asOf := m
	if asOf.Before(unit.ValidFrom) {
		asOf = unit.ValidFrom
	}
	has, err := c.cat.has(ctx, src.UnitID, asOf)
	if err != nil || has {
		return 0, err
	}
	return c.collectCatalogue(ctx, client, src, asOf)
}

// hopeless reports whether, after err, asking the portal for catalogues
// again in this run is pointless: the token is refused, the portal asked to
// be left alone, or ctx ended.
func hopeless(ctx context.Context, err error) bool {
	var later *pull.RetryLaterError
	var pe *pull.PageError
	return ctx.Err() != nil || errors.As(err, &later) ||
		(errors.As(err, &pe) && (pe.Status == http.StatusUnauthorized || pe.Status == http.StatusForbidden))
}

// collectCatalogue pulls and stores one catalogue as of asOf; it returns
// the requests made.
func (c *Collector) collectCatalogue(ctx context.Context, client *pull.Client, src Source, asOf time.Time) (int, error) {
	pages, st, err := client.Catalogue(ctx, pull.Source{ID: src.ID, URL: src.URL, Token: src.Token}, asOf)
	if err != nil {
		c.quarantinePage(ctx, src, err)
		return st.Requests, fmt.Errorf("catalogue as of %s: %w", asOf.Format(protocol.DateLayout), err)
	}
	b, err := c.checker.Catalogue(src.UnitID, pages)
	if err != nil {
		raw := ""
		for _, p := range pages {
			for _, r := range p.Procedures {
				raw += string(r) + "\n"
			}
		}
		_ = c.store.Quarantine(context.WithoutCancel(ctx), []store.Quarantined{{Source: src.ID, Kind: store.KindCatalogue, UnitID: src.UnitID, Day: asOf, Reason: err.Error(), Raw: raw}})
		return st.Requests, fmt.Errorf("catalogue as of %s: %w", asOf.Format(protocol.DateLayout), err)
	}
	_, err = c.StoreCatalogue(ctx, src.ID, b)
	return st.Requests, err
}

// StoreCatalogue writes a checked catalogue and its quarantine, and returns
// the load id.
func (c *Collector) StoreCatalogue(ctx context.Context, source string, b record.CatalogueBatch) (uint64, error) {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Minute)
	defer cancel()
	id := c.store.NewLoadID()
	if err := c.store.WriteCatalogue(wctx, store.CatalogueLoad{LoadID: id, Source: source, UnitID: b.UnitID, AsOf: b.AsOf, Procedures: b.Procedures}); err != nil {
		return 0, err
	}
	if err := c.store.Quarantine(wctx, quarantineItems(source, id, store.KindCatalogue, b.UnitID, b.Bad)); err != nil {
		return 0, err
	}
	codes := make(map[string]bool, len(b.Procedures))
	for _, p := range b.Procedures {
		codes[p.Code] = true
	}
	c.cat.put(b.UnitID, b.AsOf, codes)
	return id, nil
}

// clip narrows [from, to] to the unit's validity.
func clip(u egovkpi.Unit, from, to time.Time) (time.Time, time.Time) {
	if from.Before(u.ValidFrom) {
		from = u.ValidFrom
	}
	if !u.ValidTo.IsZero() && to.After(u.ValidTo) {
		to = u.ValidTo
	}
	return from, to
}

// splitDays cuts [from, to] into windows of at most n days, most recent
// first.
func splitDays(from, to time.Time, n int) [][2]time.Time {
	var out [][2]time.Time
	for end := to; !end.Before(from); end = end.AddDate(0, 0, -n) {
		start := end.AddDate(0, 0, -n+1)
		if start.Before(from) {
			start = from
		}
		out = append(out, [2]time.Time{start, end})
	}
	return out
}

func days(from, to time.Time) int { return int(to.Sub(from).Hours()/24) + 1 }

func monthStart(d time.Time) time.Time {
	return time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
}

func joinErrors(errs []string) string {
	const maxShown = 5
	if len(errs) <= maxShown {
		return strings.Join(errs, "\n")
	}
	return strings.Join(errs[:maxShown], "\n") + fmt.Sprintf("\n… and %d more", len(errs)-maxShown)
}
