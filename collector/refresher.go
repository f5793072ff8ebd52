package collector

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"egovkpi/collector/store"
)

// Refresher gathers the (month, unit) slices that loads touch and refreshes
// their rollups in the background, a batch at a time, so that a collection
// of every unit costs one refresh per month rather than one per unit.
type Refresher struct {
	store   *store.Store
	log     *slog.Logger
	mu      sync.Mutex
	pending store.Touched
	kick    chan struct{}
	flushMu sync.Mutex
}

// NewRefresher returns a refresher over st; call Run to start it.
func NewRefresher(st *store.Store, log *slog.Logger) *Refresher {
	return &Refresher{store: st, log: log, pending: store.Touched{}, kick: make(chan struct{}, 1)}
}

// Add queues slices for refresh.
func (r *Refresher) Add(t store.Touched) {
	if len(t) == 0 {
		return
	}
	r.mu.Lock()
	r.pending.Merge(t)
	r.mu.Unlock()
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// Run refreshes queued slices until ctx ends, then refreshes what is left.
func (r *Refresher) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			if err := r.Flush(fctx); err != nil {
				r.log.Error("final rollup refresh", slog.Any("err", err))
			}
			cancel()
			return
		case <-r.kick:
		}
		// Let a burst of loads gather before refreshing.
		select {
		case <-ctx.Done():
		case <-time.After(300 * time.Millisecond):
		}
		if err := r.Flush(context.WithoutCancel(ctx)); err != nil {
			r.log.Error("rollup refresh; will retry", slog.Any("err", err))
			select {
			case <-ctx.Done():
			case <-time.After(5 * time.Second):
			}
		}
	}
}

// Flush refreshes every queued slice now. On failure the slices stay queued.
func (r *Refresher) Flush(ctx context.Context) error {
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	r.mu.Lock()
	t := r.pending
	r.pending = store.Touched{}
	r.mu.Unlock()
	if len(t) == 0 {
		return nil
	}
	if err := r.store.RefreshRollups(ctx, t); err != nil {
		r.Add(t)
		return err
	}
	return nil
}
