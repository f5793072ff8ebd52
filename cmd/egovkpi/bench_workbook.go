package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"egovkpi/collector/simulator"
	"egovkpi/collector/store"
	"egovkpi/internal/auth"
	"egovkpi/internal/config"
	"egovkpi/internal/refdata"
	kpis "egovkpi/metrics"
	"egovkpi/reports/workbook"
)

// Size of the baseline: an excelize StreamWriter sheet of
// baselineRows × baselineCols numbers (ch-1816.md: 2.3 s, 82 MB here).
const (
	baselineRows = 100_000
	baselineCols = 20
	// workbookRuns is how often the workbook is made, each way.
	workbookRuns = 5
)

// benchWorkbook measures the leadership workbook at national scale: all
// units, all KPIs, eight quarters. It writes the simulator's data of
// every unit for years up to last (both eras) unless reuse, waits for
// ClickHouse's background merges of it, then makes the workbook of the
// last whole quarter up to last:
//
//   - as a user does, `egovkpi report workbook` in a child process of
//     this binary: its wall time, and its peak RSS as the child reports it
//     (VmHWM, the high-water mark of its own memory, in its log). The
//     child's rusage Maxrss would not do: Linux carries a process's peak
//     RSS across fork and exec, so the child would start at this
//     process's peak, which writing the data raised;
//   - Write alone in this process: its wall time and the bytes it
//     allocates (runtime/metrics), without process start, connection and
//     the migration check.
//
// The baseline of the same run is an excelize StreamWriter of 100k×20
// cells written to a file in this process, first of all, so that this
// process's peak RSS after it is the binary, its connection and the
// stream.
func benchWorkbook(ctx context.Context, c *cli, cfg config.Config, db *database, last time.Time, years, workers int, reuse bool) error {
	settings, err := figureSettings(cfg)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "egovkpi-bench-workbook-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	took, err := streamBaseline(filepath.Join(dir, "baseline.xlsx"))
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	baseRSS := peakRSS()
	fmt.Fprintf(c.stdout, "workbook: baseline, excelize StreamWriter %d×%d cells to a file: %s, peak RSS of this process %d MB (before any data is written)\n",
		baselineRows, baselineCols, took.Round(time.Millisecond), baseRSS>>20)

	reg, err := refdata.Load()
	if err != nil {
		return err
	}
	if !reuse {
		quiet := slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelError}))
		sim := simulator.New(simulator.Options{Seed: 1, Registry: reg})
		if err := writeNational(ctx, c, store.New(db.Conn, quiet), sim, last, years, workers); err != nil {
			return err
		}
		waited, err := waitForMerges(ctx, db, 5*time.Minute)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "  waited %s for ClickHouse's background merges of the new data (they compete for the CPU)\n", waited.Round(time.Second))
	}
	data, err := dataRows(ctx, db)
	if err != nil {
		return err
	}
	q := lastWholeQuarter(last)
	units := 0
	for _, b := range kpis.Blocks {
		units += len(kpis.Shown(reg, b, q))
	}
	fmt.Fprintf(c.stdout, "  data: %s\n", data)
	fmt.Fprintf(c.stdout, "  workbook of %s: %d units, %d KPIs, %d quarters\n", q, units, len(kpis.KPIs()), workbook.TrendQuarters)

	bin, err := os.Executable()
	if err != nil {
		return err
	}
	var walls []time.Duration
	var peak int64
	for run := 1; run <= workbookRuns; run++ {
		out := filepath.Join(dir, fmt.Sprintf("run-%d.xlsx", run))
		r, err := childWorkbook(ctx, bin, db, q, out)
		if err != nil {
			return err
		}
		sheets, size, err := openBenchWorkbook(out)
		if err != nil {
			return err
		}
		walls, peak = append(walls, r.wall), max(peak, r.rss)
		fmt.Fprintf(c.stdout, "    run %d, child process `egovkpi report workbook`: %s wall (%s of it making the workbook), peak RSS %d MB (%d sheets, %d KiB)\n",
			run, r.wall.Round(time.Millisecond), r.took.Round(time.Millisecond), r.rss>>20, sheets, size>>10)
	}

	// The same workbook as the child's, report submissions included.
	reports, err := newReportStore(cfg, db, auth.New(db.Conn))
	if err != nil {
		return err
	}
	in := workbook.Input{Period: q, Settings: settings, Today: todayInVietnam(), GeneratedBy: "bench"}
	in.Status, in.Rates, in.StatusNote = reportSubmissions(ctx, db, reports, q, in.Today)
	var writes []time.Duration
	var allocated uint64
	for range workbookRuns {
		before := allocatedBytes()
		start := time.Now()
		if err := workbook.Write(ctx, io.Discard, db.Conn, reg, in); err != nil {
			return err
		}
		writes = append(writes, time.Since(start))
		allocated = allocatedBytes() - before
	}
	slices.Sort(walls)
	slices.Sort(writes)
	median := func(ds []time.Duration) time.Duration { return ds[len(ds)/2] }
	fmt.Fprintf(c.stdout, "    Write alone, in this process: median %s, min %s; %d MB allocated per workbook\n",
		median(writes).Round(time.Millisecond), writes[0].Round(time.Millisecond), allocated>>20)
	fmt.Fprintf(c.stdout, "  workbook: median %s wall, peak RSS %d MB (target <= 3s, <= 300 MB); vs the baseline: %.2fx its time, %.2fx its RSS\n",
		median(walls).Round(time.Millisecond), peak>>20, median(walls).Seconds()/took.Seconds(), float64(peak)/float64(baseRSS))
	return nil
}

// waitForMerges waits until ClickHouse runs no merge in the bench's
// database (seen twice in a row, a second apart), or at most limit, so
// that the workbook is timed on data at rest, as in production.
func waitForMerges(ctx context.Context, db *database, limit time.Duration) (time.Duration, error) {
	start := time.Now()
	idle := 0
	for idle < 2 && time.Since(start) < limit {
		var n uint64
		if err := db.Conn.QueryRow(ctx, "SELECT count() FROM system.merges WHERE database = ?", db.Target.Database).Scan(&n); err != nil {
			return 0, fmt.Errorf("merges in progress: %w", err)
		}
		if n == 0 {
			idle++
		} else {
			idle = 0
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(time.Second):
		}
	}
	return time.Since(start), nil
}

// streamBaseline writes baselineRows × baselineCols numbers with
// excelize's StreamWriter into path and returns how long it took.
func streamBaseline(path string) (time.Duration, error) {
	start := time.Now()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return 0, err
	}
	row := make([]any, baselineCols)
	for r := 1; r <= baselineRows; r++ {
		for i := range row {
			row[i] = float64(r*baselineCols+i) / 7
		}
		cell, _ := excelize.CoordinatesToCellName(1, r)
		if err := sw.SetRow(cell, row); err != nil {
			return 0, err
		}
	}
	if err := sw.Flush(); err != nil {
		return 0, err
	}
	if err := f.SaveAs(path); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// childRun is what a child `egovkpi report workbook` measured.
type childRun struct {
	wall time.Duration // from start to exit, seen from here
	took time.Duration // computing and writing the file, from its log
	rss  int64         // its peak RSS (VmHWM), from its log
}

// childWorkbook runs `egovkpi report workbook` on the bench's database in
// a child process; its JSON log says how long the workbook took and its
// peak RSS.
func childWorkbook(ctx context.Context, bin string, db *database, q kpis.Period, out string) (childRun, error) {
	// The child inherits this process's environment (the rest of the
	// configuration) with the bench's database and a JSON log.
	cmd := exec.CommandContext(ctx, bin, "report", "workbook", "--period", q.String(), "--out", out)
	cmd.Env = append(os.Environ(), "EGOVKPI_CLICKHOUSE_ADDR="+db.Options.Addr, "EGOVKPI_CLICKHOUSE_DATABASE="+db.Target.Database,
		"EGOVKPI_LOG_LEVEL=info", "EGOVKPI_LOG_FORMAT=json")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return childRun{}, fmt.Errorf("%s report workbook: %w\n%s", bin, err, stderr.String())
	}
	r := childRun{wall: time.Since(start)}
	for _, line := range bytes.Split(stderr.Bytes(), []byte("\n")) {
		var entry struct {
			Msg  string        `json:"msg"`
			Took time.Duration `json:"took"`
			RSS  int64         `json:"peak_rss_bytes"`
		}
		if json.Unmarshal(line, &entry) == nil && entry.Msg == workbookWritten {
			r.took, r.rss = entry.Took, entry.RSS
			return r, nil
		}
	}
	return r, fmt.Errorf("report workbook did not log %q:\n%s", workbookWritten, stderr.String())
}

// openBenchWorkbook opens a workbook the bench made, so that a broken one
// fails the bench instead of being timed; it returns its sheets and size.
func openBenchWorkbook(path string) (int, int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, 0, err
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		return 0, 0, fmt.Errorf("the workbook does not open: %w", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if want := 6 + len(kpis.KPIs()); len(sheets) != want {
		return 0, 0, fmt.Errorf("the workbook has %d sheets, want %d: %q", len(sheets), want, sheets)
	}
	return len(sheets), st.Size(), nil
}

// peakRSS is this process's peak resident set size so far, in bytes:
// VmHWM of /proc/self/status (0 where there is none).
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if kb, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return n << 10
		}
	}
	return 0
}

// allocatedBytes is the heap allocated by this process so far.
func allocatedBytes() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
