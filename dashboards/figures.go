package dashboards

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"time"

	"egovkpi"
	"egovkpi/metrics"
	"egovkpi/metrics/m766"
)

// The pages and the JSON API read the same figures: each is rendered once
// as the API's JSON, cached under the API's URL with its parameters in one
// order, and pages decode that JSON. A page can never show a figure the
// API would not.

// cachedJSON returns an answer that reads the days from..to: from the cache
// when no load changed those days since, else rendered now (and cached).
// The key is the canonical API URL and today's date (completeness depends
// on it). Requests that miss one key at once compute it once; the
// computation has its own deadline (the request timeout), so that it ends
// and is cached even when the request that started it gives up, and each
// request waits only as long as its own context allows.
func (a *App) cachedJSON(ctx context.Context, key string, from, to time.Time, render func(context.Context) ([]byte, error)) ([]byte, error) {
	key = a.today().Format(egovkpi.DateLayout) + " " + key
	if body, _, ok := a.cache.Get(key); ok {
		return body, nil
	}
	ch := a.inflight.DoChan(key, func() (any, error) {
		body, epoch, ok := a.cache.Get(key)
		if ok {
			return body, nil
		}
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.deps.RequestTimeout)
		defer cancel()
		body, err := render(rctx)
		if err != nil {
			return nil, err
		}
		a.cache.Put(key, epoch, from, to, body)
		return body, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.([]byte), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// apiKey is the canonical URL of an API answer: its path and its non-empty
// parameters, sorted.
func apiKey(path string, params ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		if params[i+1] != "" {
			q.Set(params[i], params[i+1])
		}
	}
	return path + "?" + q.Encode()
}

// decoded unmarshals an answer for a page.
func decoded[T any](body []byte, err error) (T, error) {
	var v T
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return v, err
	}
	return v, nil
}

func (a *App) leagueJSON(ctx context.Context, r LeagueRequest) ([]byte, error) {
	key := apiKey("/api/v1/league", "block", string(r.Block), "period", r.Period.String(), "kpi", r.KPI.ID, "region", r.Filter.Region, "kind", r.Filter.Kind)
	return a.cachedJSON(ctx, key, r.Period.Previous().From, r.Period.To, func(ctx context.Context) ([]byte, error) {
		t, err := metrics.League(ctx, a.deps.Conn, a.reg, r.Block, r.Period, r.KPI, a.deps.Figures.Rules, r.Filter, a.today())
		if err != nil {
			return nil, err
		}
		return t.JSON(a.reg).MarshalIndent()
	})
}

// index766JSON is a block's 766 table. With r.Unit it keeps that unit's
// row only, cut from the block's (cached) table: the index scores the
// whole block in any case, for the ranks.
func (a *App) index766JSON(ctx context.Context, r IndexRequest) ([]byte, error) {
	key := apiKey("/api/v1/index766", "block", string(r.Block), "period", r.Period.String(), "region", r.Filter.Region, "kind", r.Filter.Kind)
	body, err := a.cachedJSON(ctx, key, r.Period.Previous().From, r.Period.To, func(ctx context.Context) ([]byte, error) {
		t, err := metrics.Index766(ctx, a.deps.Conn, a.reg, a.deps.Figures.Methodology, r.Block, r.Period, a.deps.Figures.Rules, r.Filter, a.today())
		if err != nil {
			return nil, err
		}
		return t.JSON(a.reg, "").MarshalIndent()
	})
	if err != nil || r.Unit == "" {
		return body, err
	}
	j, err := decoded[metrics.IndexTableJSON](body, nil)
	if err != nil {
		return nil, err
	}
	j.Rows = slices.DeleteFunc(j.Rows, func(row metrics.IndexRowJSON) bool { return row.UnitID != r.Unit })
	return j.MarshalIndent()
}

func (a *App) seriesJSON(ctx context.Context, r SeriesRequest) ([]byte, error) {
	key := apiKey("/api/v1/units/"+r.Unit.ID+"/series", "kpi", r.KPI.ID, "from", r.From.String(), "to", r.To.String(), "step", string(r.Step))
	return a.cachedJSON(ctx, key, r.From.From, r.To.To, func(ctx context.Context) ([]byte, error) {
		s, err := metrics.UnitSeries(ctx, a.deps.Conn, a.reg, r.Unit, r.KPI, r.From.From, r.To.To, r.Step, a.today())
		if err != nil {
			return nil, err
		}
		return s.JSON().MarshalIndent()
	})
}

func (a *App) nationalJSON(ctx context.Context, p metrics.Period) ([]byte, error) {
	return a.cachedJSON(ctx, apiKey("/api/v1/national", "period", p.String()), p.From, p.To, func(ctx context.Context) ([]byte, error) {
		t, err := metrics.National(ctx, a.deps.Conn, a.reg, p, metrics.KPIs(), a.today())
		if err != nil {
			return nil, err
		}
		return t.JSON().MarshalIndent()
	})
}

func (a *App) unitFiguresJSON(ctx context.Context, u egovkpi.Unit, p metrics.Period) ([]byte, error) {
	return a.cachedJSON(ctx, apiKey("/api/v1/units/"+u.ID+"/figures", "period", p.String()), p.From, p.To, func(ctx context.Context) ([]byte, error) {
		f, err := metrics.FiguresOfUnit(ctx, a.deps.Conn, a.reg, u, p, metrics.KPIs(), a.today())
		if err != nil {
			return nil, err
		}
		return f.JSON().MarshalIndent()
	})
}

// weakProcedures is how many procedures the weakest lists show.
const weakProcedures = 10

func (a *App) proceduresJSON(ctx context.Context, u egovkpi.Unit, p metrics.Period) ([]byte, error) {
	return a.cachedJSON(ctx, apiKey("/api/v1/units/"+u.ID+"/procedures", "period", p.String()), p.From, p.To, func(ctx context.Context) ([]byte, error) {
		w, err := metrics.WeakestProcedures(ctx, a.deps.Conn, a.reg, u, p, weakProcedures)
		if err != nil {
			return nil, err
		}
		return w.MarshalIndent()
	})
}

// isNoVersion reports whether err says no 766 version covers a period.
func isNoVersion(err error) bool { return errors.Is(err, m766.ErrNoVersion) }
