package collector

import (
	"context"
	"log/slog"
	"sort"
	"sync"
	"time"

	"egovkpi/collector/store"
)

// catalogueTTL is how long what was read of a unit's catalogues is trusted:
// another process (serve, run) may store a catalogue meanwhile.
const catalogueTTL = time.Minute

// catalogues caches which catalogues are stored and their procedure codes,
// to check usage records against the catalogue in force on their day. The
// database is the truth: a unit with no catalogue is not cached, a catalogue
// not found in the cache is looked for again, and what was read is dropped
// after catalogueTTL.
type catalogues struct {
	store *store.Store
	ttl   time.Duration
	now   func() time.Time
	mu    sync.Mutex
	units map[string]*unitCatalogues
}

// unitCatalogues is what is known of one unit's stored catalogues.
type unitCatalogues struct {
	read  time.Time                     // when dates were read from the database
	dates []time.Time                   // stored as_of dates, sorted; never changed in place
	codes map[time.Time]map[string]bool // as_of → codes of its current load, filled on demand
}

func newCatalogues(st *store.Store) *catalogues {
	return &catalogues{store: st, ttl: catalogueTTL, now: time.Now, units: map[string]*unitCatalogues{}}
}

// fresh returns unitID's cache entry if it is younger than the TTL. The
// caller holds c.mu.
func (c *catalogues) fresh(unitID string) *unitCatalogues {
	e := c.units[unitID]
	if e == nil || c.now().Sub(e.read) >= c.ttl {
		return nil
	}
	return e
}

// dates returns unitID's stored as_of dates: from the cache if it is fresh
// and reread is false, else from the database (read is then true).
// Catalogues are never deleted, so the dates read are merged with those
// cached (a catalogue this process stored while the read was under way
// stays known).
func (c *catalogues) dates(ctx context.Context, unitID string, reread bool) (ds []time.Time, read bool, err error) {
	if !reread {
		c.mu.Lock()
		e := c.fresh(unitID)
		if e != nil {
			ds = e.dates
		}
		c.mu.Unlock()
		if e != nil {
			return ds, false, nil
		}
	}
	ds, err = c.store.CatalogueDates(ctx, unitID)
	if err != nil {
		return nil, true, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.units[unitID]; old != nil {
		for _, d := range old.dates {
			ds = insertDate(ds, d)
		}
	}
	if len(ds) == 0 {
		return nil, true, nil // nothing to cache: a catalogue may come at any time
	}
	c.units[unitID] = &unitCatalogues{read: c.now(), dates: ds, codes: map[time.Time]map[string]bool{}}
	return ds, true, nil
}

// find looks for one of unitID's catalogue dates with match: in the cache,
// then, if the cache does not have it, in the database.
func (c *catalogues) find(ctx context.Context, unitID string, match func([]time.Time) (time.Time, bool)) (time.Time, bool, error) {
	ds, read, err := c.dates(ctx, unitID, false)
	if err != nil {
		return time.Time{}, false, err
	}
	if d, ok := match(ds); ok || read {
		return d, ok, nil
	}
	if ds, _, err = c.dates(ctx, unitID, true); err != nil {
		return time.Time{}, false, err
	}
	d, ok := match(ds)
	return d, ok, nil
}

// has reports whether a catalogue of unitID as of asOf is stored.
func (c *catalogues) has(ctx context.Context, unitID string, asOf time.Time) (bool, error) {
	_, ok, err := c.find(ctx, unitID, func(ds []time.Time) (time.Time, bool) {
		i := sort.Search(len(ds), func(i int) bool { return !ds[i].Before(asOf) })
		return asOf, i < len(ds) && ds[i].Equal(asOf)
	})
	return ok, err
}

// put records a catalogue just stored.
func (c *catalogues) put(unitID string, asOf time.Time, codes map[string]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.units[unitID]
	if e == nil {
		// Read the other dates on the next use; until then, this one is known.
		e = &unitCatalogues{codes: map[time.Time]map[string]bool{}}
		c.units[unitID] = e
	}
	e.dates = insertDate(e.dates, asOf)
	e.codes[asOf] = codes
}

// inForce returns the codes of unitID's latest catalogue as of day or
// before, and false when it has none (or it cannot be read: the error is
// logged).
func (c *catalogues) inForce(unitID string, day time.Time) (map[string]bool, bool) {
	c.mu.Lock()
	if e := c.fresh(unitID); e != nil {
		if asOf, ok := latest(e.dates, day); ok {
			if codes, ok := e.codes[asOf]; ok {
				c.mu.Unlock()
				return codes, true
			}
		}
	}
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	codes, ok, err := c.read(ctx, unitID, day)
	if err != nil {
		slog.Error("catalogue in force", slog.String("unit", unitID), slog.Any("err", err))
		return nil, false
	}
	return codes, ok
}

// read finds the catalogue in force on day (see find) and its codes, and
// caches them.
func (c *catalogues) read(ctx context.Context, unitID string, day time.Time) (map[string]bool, bool, error) {
	asOf, ok, err := c.find(ctx, unitID, func(ds []time.Time) (time.Time, bool) { return latest(ds, day) })
	if err != nil || !ok {
		return nil, false, err
	}
	c.mu.Lock()
	var codes map[string]bool
	if e := c.units[unitID]; e != nil {
		codes, ok = e.codes[asOf]
	}
	c.mu.Unlock()
	if ok {
		return codes, true, nil
	}
	codes, err = c.store.CatalogueCodes(ctx, unitID, asOf)
	if err != nil {
		return nil, false, err
	}
	c.mu.Lock()
	if e := c.units[unitID]; e != nil {
		if _, ok := e.codes[asOf]; !ok { // a catalogue stored meanwhile wins
			e.codes[asOf] = codes
		}
	}
	c.mu.Unlock()
	return codes, true, nil
}

// latest returns the last of the sorted dates that is day or before.
func latest(ds []time.Time, day time.Time) (time.Time, bool) {
	i := sort.Search(len(ds), func(i int) bool { return ds[i].After(day) }) - 1
	if i < 0 {
		return time.Time{}, false
	}
	return ds[i], true
}

// insertDate returns the sorted dates ds with d, in a new slice when d is
// added.
func insertDate(ds []time.Time, d time.Time) []time.Time {
	i := sort.Search(len(ds), func(i int) bool { return !ds[i].Before(d) })
	if i < len(ds) && ds[i].Equal(d) {
		return ds
	}
	out := make([]time.Time, 0, len(ds)+1)
	out = append(append(append(out, ds[:i]...), d), ds[i:]...)
	return out
}
