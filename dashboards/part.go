package dashboards

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// A page is made of parts (a table, a chart, a list), each loaded with its
// own deadline and at the same time as the others, so that a slow or
// failing part shows a notice in its place and never sinks the page.

// Part is a part's outcome: its value, or why it is missing.
type Part[T any] struct {
	V T
	// Err is set when the part could not be loaded; Reason is the message
	// key of the notice the page shows instead: it ran out of time, no
	// 766 version covers the period, or it failed.
	Err    error
	Reason string
}

// Failed reports whether the part is missing.
func (p Part[T]) Failed() bool { return p.Err != nil }

// parts runs loaders concurrently, each bounded by the part timeout.
type parts struct {
	a  *App
	wg sync.WaitGroup
}

// load starts fn into dst; wait() for it.
func load[T any](ps *parts, ctx context.Context, name string, dst *Part[T], fn func(context.Context) (T, error)) {
	ps.wg.Add(1)
	go func() {
		defer ps.wg.Done()
		pctx, cancel := context.WithTimeout(ctx, ps.a.deps.PartTimeout)
		defer cancel()
		v, err := fn(pctx)
		dst.V, dst.Err = v, err
		switch {
		case err == nil:
			return
		case errors.Is(err, context.DeadlineExceeded) || pctx.Err() != nil:
			dst.Reason = "part.slow"
		case isNoVersion(err):
			dst.Reason = "part.no_version"
			return // the period's answer, not a fault
		default:
			dst.Reason = "part.failed"
		}
		ps.a.deps.Log.Warn("page part missing", slog.String("part", name), slog.String("reason", dst.Reason), slog.Any("err", err))
	}()
}

func (ps *parts) wait() { ps.wg.Wait() }

// defaultPartTimeout bounds a part when Deps.PartTimeout is zero.
const defaultPartTimeout = 4 * time.Second
