package collector

import (
	"context"
	"log/slog"
	"sort"
	"sync"
	"time"

	"egovkpi/collector/store"
)

// catalogues caches which catalogues are stored and their procedure codes,
// to check usage records against the catalogue in force on their day.
type catalogues struct {
	store *store.Store
	mu    sync.Mutex
	dates map[string][]time.Time                   // unit → stored as_of dates, sorted
	codes map[string]map[time.Time]map[string]bool // unit → as_of → codes
}

func newCatalogues(st *store.Store) *catalogues {
	return &catalogues{store: st, dates: map[string][]time.Time{}, codes: map[string]map[time.Time]map[string]bool{}}
}

// load reads a unit's stored catalogue dates once.
func (c *catalogues) load(ctx context.Context, unitID string) ([]time.Time, error) {
	c.mu.Lock()
	ds, ok := c.dates[unitID]
	c.mu.Unlock()
	if ok {
		return ds, nil
	}
	ds, err := c.store.CatalogueDates(ctx, unitID)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cur, ok := c.dates[unitID]; ok {
		return cur, nil
	}
	c.dates[unitID] = ds
	return ds, nil
}

// has reports whether a catalogue of unitID as of asOf is stored.
func (c *catalogues) has(ctx context.Context, unitID string, asOf time.Time) (bool, error) {
	ds, err := c.load(ctx, unitID)
	if err != nil {
		return false, err
	}
	i := sort.Search(len(ds), func(i int) bool { return !ds[i].Before(asOf) })
	return i < len(ds) && ds[i].Equal(asOf), nil
}

// put records a catalogue just stored.
func (c *catalogues) put(unitID string, asOf time.Time, codes map[string]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ds := c.dates[unitID]
	i := sort.Search(len(ds), func(i int) bool { return !ds[i].Before(asOf) })
	if i == len(ds) || !ds[i].Equal(asOf) {
		ds = append(ds, time.Time{})
		copy(ds[i+1:], ds[i:])
		ds[i] = asOf
	}
	c.dates[unitID] = ds
	if c.codes[unitID] == nil {
		c.codes[unitID] = map[time.Time]map[string]bool{}
	}
	c.codes[unitID][asOf] = codes
}

// inForce returns the codes of the latest catalogue as of day or before.
func (c *catalogues) inForce(unitID string, day time.Time) (map[string]bool, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ds, err := c.load(ctx, unitID)
	if err != nil {
		slog.Error("catalogue dates", slog.String("unit", unitID), slog.Any("err", err))
		return nil, false
	}
	i := sort.Search(len(ds), func(i int) bool { return ds[i].After(day) }) - 1
	if i < 0 {
		return nil, false
	}
	asOf := ds[i]
	c.mu.Lock()
	codes, ok := c.codes[unitID][asOf]
	c.mu.Unlock()
	if ok {
		return codes, true
	}
	codes, err = c.store.CatalogueCodes(ctx, unitID, asOf)
	if err != nil {
		slog.Error("catalogue codes", slog.String("unit", unitID), slog.Any("err", err))
		return nil, false
	}
	c.mu.Lock()
	if c.codes[unitID] == nil {
		c.codes[unitID] = map[time.Time]map[string]bool{}
	}
	c.codes[unitID][asOf] = codes
	c.mu.Unlock()
	return codes, true
}
