// Package bench measures the collector against baselines in the same run:
// the writer against clickhouse-client's CSV insert of the same rows, and a
// collection from every simulated portal with some of them faulty.
package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"egovkpi/collector/protocol"
	"egovkpi/collector/record"
	"egovkpi/collector/store"
)

// Rows generates n synthetic usage rows, deterministically, in chunks of at
// most chunk rows, calling fn for each chunk. Each chunk is written into a
// slice from alloc (nil: one buffer reused, so fn must not keep it).
func Rows(n, chunk int, alloc func() []record.Usage, fn func(unit string, rows []record.Usage) error) error {
	if alloc == nil {
		one := make([]record.Usage, 0, chunk)
		alloc = func() []record.Usage { return one[:0] }
	}
	buf := alloc()
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	const procsPerDay = 400
	units := make([]string, 63)
	for i := range units {
		units[i] = fmt.Sprintf("p63-%02d", i+1)
	}
	procs := make([]string, procsPerDay)
	for i := range procs {
		procs[i] = fmt.Sprintf("1.%06d", i)
	}
	days := make([]time.Time, 365)
	for i := range days {
		days[i] = base.AddDate(0, 0, i)
	}
	unitOf := func(i int) string { return units[(i/(procsPerDay*365))%63] }
	cur := unitOf(0)
	for i := 0; i < n; i++ {
		u := unitOf(i)
		if u != cur || len(buf) == chunk {
			if err := fn(cur, buf); err != nil {
				return err
			}
			buf, cur = alloc(), u
		}
		buf = append(buf, record.Usage{UnitID: u, Day: days[(i/procsPerDay)%365], Procedure: procs[i%procsPerDay]})
		r := &buf[len(buf)-1]
		x := uint32(i*2654435761) >> 20
		r.SetValue(record.Received, x+10)
		r.SetValue(record.ReceivedOnline, x%7+1)
		r.SetValue(record.ReceivedPost, 1)
		r.SetValue(record.ReceivedInPerson, x+10-(x%7+1)-1)
		r.SetValue(record.Processed, x+5)
		r.SetValue(record.ProcessedOnTime, x+4)
		r.SetValue(record.ProcessedLate, 1)
		for f := record.InProgressOnTime; f < record.VotesSatisfied; f++ {
			if (i+int(f))%5 != 0 {
				r.SetValue(f, x%3)
			}
		}
	}
	if len(buf) > 0 {
		return fn(cur, buf)
	}
	return nil
}

// Result is one measured way of inserting.
type Result struct {
	Name    string
	Rows    int
	Took    time.Duration
	PerSec  float64
	Details string
}

func result(name string, rows int, took time.Duration) Result {
	return Result{Name: name, Rows: rows, Took: took, PerSec: float64(rows) / took.Seconds()}
}

// Writer inserts n rows through the collector's writer (the store's
// batching writer: facts in large blocks, column by column, then the
// versions), in loads of at most chunk rows, made as they are sent (the
// way clickhouse-client reads its CSV as it sends it) into buffers that are
// reused once their load is stored.
func Writer(ctx context.Context, st *store.Store, n, chunk int) (Result, error) {
	type inFlight struct {
		rows []record.Usage
		done <-chan error
	}
	var (
		pending []inFlight
		free    [][]record.Usage
		failed  error
	)
	// reap recycles the buffers of the loads already stored.
	reap := func() {
		kept := pending[:0]
		for _, p := range pending {
			select {
			case err := <-p.done:
				if err != nil && failed == nil {
					failed = err
				}
				free = append(free, p.rows[:0])
			default:
				kept = append(kept, p)
			}
		}
		pending = kept
	}
	alloc := func() []record.Usage {
		reap()
		if len(free) > 0 {
			b := free[len(free)-1]
			free = free[:len(free)-1]
			return b
		}
		return make([]record.Usage, 0, chunk)
	}
	start := time.Now()
	err := Rows(n, chunk, alloc, func(unit string, rows []record.Usage) error {
		if failed != nil {
			return failed
		}
		days := map[time.Time]bool{}
		for i := range rows {
			days[rows[i].Day] = true
		}
		ds := make([]time.Time, 0, len(days))
		for d := range days {
			ds = append(ds, d)
		}
		done := st.SubmitUsage(store.UsageLoad{LoadID: st.NewLoadID(), Source: "bench", UnitID: unit, Days: ds, Rows: rows})
		pending = append(pending, inFlight{rows, done})
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	st.FlushUsage(ctx)
	for _, p := range pending {
		if err := <-p.done; err != nil {
			return Result{}, err
		}
	}
	if failed != nil {
		return Result{}, failed
	}
	return result("collector writer (batching, column-wise)", n, time.Since(start)), nil
}

// WriteCSV writes the same n rows as CSV for usage_facts.
func WriteCSV(w io.Writer, n, chunk int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	var line []byte
	err := Rows(n, chunk, nil, func(unit string, rows []record.Usage) error {
		for i := range rows {
			r := &rows[i]
			line = append(line[:0], unit...)
			line = append(line, ',')
			line = r.Day.AppendFormat(line, protocol.DateLayout)
			line = append(line, ',')
			line = append(line, r.Procedure...)
			line = append(line, ",1,"...)
			line = strconv.AppendUint(line, uint64(r.Set), 10)
			for f := record.Field(0); f < record.NumFields; f++ {
				line = append(line, ',')
				line = strconv.AppendUint(line, uint64(r.Values[f]), 10)
			}
			line = append(line, '\n')
			if _, err := bw.Write(line); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// ClientCSV inserts the CSV file with clickhouse-client into table, the
// baseline.
func ClientCSV(ctx context.Context, port, database, table, csvPath string, rows int) (Result, error) {
	bin, err := exec.LookPath("clickhouse-client")
	if err != nil {
		return Result{}, fmt.Errorf("bench: clickhouse-client not found (apt-get install clickhouse-client): %w", err)
	}
	f, err := os.Open(csvPath)
	if err != nil {
		return Result{}, err
	}
	defer f.Close()
	cmd := exec.CommandContext(ctx, bin, "--host", "127.0.0.1", "--port", port, "--database", database,
		"--query", "INSERT INTO "+table+" FORMAT CSV")
	cmd.Stdin = f
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		return Result{}, fmt.Errorf("bench: clickhouse-client: %v: %s", err, out)
	}
	return result("clickhouse-client INSERT FORMAT CSV", rows, time.Since(start)), nil
}

// TempCSV writes the rows to a temporary file and returns its path.
func TempCSV(dir string, n, chunk int) (string, error) {
	path := filepath.Join(dir, "egovkpi-bench-usage.csv")
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	if err := WriteCSV(f, n, chunk); err != nil {
		f.Close()
		return "", err
	}
	return path, f.Close()
}
