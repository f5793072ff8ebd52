package simulator

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"testing"
	"time"

	"egovkpi"
	"egovkpi/collector/protocol"
)

func TestDeterminism(t *testing.T) {
	t.Parallel()
	a, b, c := New(Options{Seed: 1}), New(Options{Seed: 1}), New(Options{Seed: 2})
	for _, tc := range []struct{ unit, asOf, from, to string }{
		{"p63-08", "2021-06-01", "2021-06-01", "2021-06-10"},
		{"p34-08", "2025-08-01", "2025-08-01", "2025-08-10"},
		{"m-MOF", "2025-04-01", "2025-04-01", "2025-04-10"},
	} {
		ca, err := a.Catalogue(tc.unit, date(t, tc.asOf))
		if err != nil {
			t.Fatal(err)
		}
		cb, _ := b.Catalogue(tc.unit, date(t, tc.asOf))
		cc, _ := c.Catalogue(tc.unit, date(t, tc.asOf))
		if !reflect.DeepEqual(ca, cb) {
			t.Errorf("%s: same seed, different catalogues", tc.unit)
		}
		if reflect.DeepEqual(ca, cc) {
			t.Errorf("%s: seeds 1 and 2 give the same catalogue", tc.unit)
		}
		ua, ma, err := a.Usage(tc.unit, date(t, tc.from), date(t, tc.to))
		if err != nil {
			t.Fatal(err)
		}
		// b generates the days in another order first: no shared state.
		for d := date(t, tc.to); !d.Before(date(t, tc.from)); d = d.AddDate(0, 0, -1) {
			_, _, _ = b.Usage(tc.unit, d, d)
		}
		ub, mb, _ := b.Usage(tc.unit, date(t, tc.from), date(t, tc.to))
		uc, _, _ := c.Usage(tc.unit, date(t, tc.from), date(t, tc.to))
		if len(ua) == 0 {
			t.Fatalf("%s: no records", tc.unit)
		}
		if !reflect.DeepEqual(ua, ub) || !reflect.DeepEqual(ma, mb) {
			t.Errorf("%s: same seed, different usage", tc.unit)
		}
		if reflect.DeepEqual(ua, uc) {
			t.Errorf("%s: seeds 1 and 2 give the same usage", tc.unit)
		}
	}
	if a.Token("p34-08") != b.Token("p34-08") || a.Token("p34-08") == c.Token("p34-08") || a.Token("p34-08") == a.Token("p34-01") {
		t.Error("tokens are not deterministic per seed and unit")
	}
}

func TestValidityGroundTruth(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 1})
	for _, tc := range []struct {
		unit, day string
		ok        bool
	}{
		{"p63-08", "2025-06-30", true}, {"p63-08", "2025-07-01", false},
		{"p34-08", "2025-07-01", true}, {"p34-08", "2025-06-30", false},
		{"m-MPI", "2025-02-28", true}, {"m-MPI", "2025-03-01", false},
		{"m-MAE", "2025-03-01", true}, {"m-MAE", "2025-02-28", false},
		{"m-MOF", "2015-01-01", true}, {"m-MOF", "2026-01-01", true},
	} {
		d := date(t, tc.day)
		_, _, uerr := s.Usage(tc.unit, d, d)
		_, cerr := s.Catalogue(tc.unit, d)
		for _, err := range []error{uerr, cerr} {
			if tc.ok && err != nil {
				t.Errorf("%s on %s: %v", tc.unit, tc.day, err)
			}
			if !tc.ok && !errors.Is(err, ErrOutsideValidity) {
				t.Errorf("%s on %s: want ErrOutsideValidity, got %v", tc.unit, tc.day, err)
			}
		}
	}
	// Windows that cross the end or the start of the validity.
	if _, _, err := s.Usage("p63-08", date(t, "2025-06-30"), date(t, "2025-07-01")); !errors.Is(err, ErrOutsideValidity) {
		t.Errorf("p63-08 2025-06-30..2025-07-01: %v", err)
	}
	if _, _, err := s.Usage("p34-08", date(t, "2025-06-30"), date(t, "2025-07-01")); !errors.Is(err, ErrOutsideValidity) {
		t.Errorf("p34-08 2025-06-30..2025-07-01: %v", err)
	}
	if _, _, err := s.Usage("p99-99", date(t, "2020-01-01"), date(t, "2020-01-01")); !errors.Is(err, ErrUnknownUnit) {
		t.Errorf("unknown unit: %v", err)
	}
	if _, _, err := s.Usage("p63-08", date(t, "2020-01-02"), date(t, "2020-01-01")); err == nil {
		t.Error("from after to accepted")
	}
}

var codeFormat = regexp.MustCompile(`^\d\.\d{6}$`)

func TestCatalogues(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 1})
	shared := map[string]int{}
	var provinces int
	for _, u := range s.Units() {
		asOf := u.ValidFrom.AddDate(0, 0, 30)
		if u.ValidFrom.Year() < 2020 {
			asOf = egovkpi.Date(2021, 1, 1)
		}
		cat, err := s.Catalogue(u.ID, asOf)
		if err != nil {
			t.Fatal(err)
		}
		lo, hi := 50, 800
		if u.Block == egovkpi.BlockProvince {
			lo, hi = 1800, 2000
			provinces++
			for _, p := range cat {
				shared[p.Code]++
			}
		}
		if len(cat) < lo || len(cat) > hi {
			t.Errorf("%s: %d procedures, want %d..%d", u.ID, len(cat), lo, hi)
		}
		var el, fee, paper int
		for i, p := range cat {
			if !codeFormat.MatchString(p.Code) {
				t.Fatalf("%s: bad code %q", u.ID, p.Code)
			}
			if i > 0 && cat[i-1].Code >= p.Code {
				t.Fatalf("%s: codes not strictly increasing: %s then %s", u.ID, cat[i-1].Code, p.Code)
			}
			if p.Name == "" || p.Field == "" {
				t.Fatalf("%s: %s has no name or field", u.ID, p.Code)
			}
			if p.EligibleFullProcess {
				el++
			}
			if p.FeeBearing {
				fee++
			}
			if p.PaperResult {
				paper++
			}
		}
		n := float64(len(cat))
		slack := 0.0 // ministries: fewer procedures, more noise
		if u.Block == egovkpi.BlockMinistry {
			slack = 0.05
		}
		if u.Block == egovkpi.BlockProvince || len(cat) >= 200 {
			if f := float64(el) / n; f < 0.6-slack || f > 0.75+slack {
				t.Errorf("%s: eligible share %.2f", u.ID, f)
			}
			if f := float64(fee) / n; f < 0.35-slack || f > 0.5+slack {
				t.Errorf("%s: fee-bearing share %.2f", u.ID, f)
			}
			if f := float64(paper) / n; f < 0.55-slack || f > 0.65+slack {
				t.Errorf("%s: paper-result share %.2f", u.ID, f)
			}
		}
	}
	// Provinces overlap heavily: most codes are in nearly every province.
	var common int
	for _, n := range shared {
		if n == provinces {
			common++
		}
	}
	if common < 1600 {
		t.Errorf("only %d procedures are in every province", common)
	}
	// A successor ministry serves its predecessors' procedures after they end.
	before, _ := s.Catalogue("m-MOF", date(t, "2025-02-28"))
	after, _ := s.Catalogue("m-MOF", date(t, "2025-03-01"))
	mpi, _ := s.Catalogue("m-MPI", date(t, "2025-02-28"))
	vss, _ := s.Catalogue("m-VSS", date(t, "2025-02-28"))
	if len(after) != len(before)+len(mpi)+len(vss) {
		t.Errorf("MOF after the reform has %d procedures, want %d+%d+%d", len(after), len(before), len(mpi), len(vss))
	}
	// Vietnamese names.
	cat, _ := s.Catalogue("p63-01", date(t, "2020-01-01"))
	if !slices.ContainsFunc(cat, func(p protocol.Procedure) bool { return p.Name == "Đăng ký khai sinh" && p.Field == "Hộ tịch" }) {
		t.Error(`no "Đăng ký khai sinh" in Hà Nội`)
	}
}

func TestLevels(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 1})
	old := map[string]bool{"1": true, "2": true, "3": true, "4": true}
	neu := map[string]bool{"full": true, "partial": true, "none": true}
	// Monotone per procedure, right vocabulary per era.
	for _, id := range []string{"p63-08", "m-MOJ", "m-GI"} {
		reached := map[string]bool{}
		for d := date(t, "2018-01-01"); d.Before(date(t, "2025-06-30")); d = d.AddDate(0, 1, 0) {
			cat, err := s.Catalogue(id, d)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range cat {
				vocab := old
				if !d.Before(egovkpi.FullProcessDecree) {
					vocab = neu
				}
				if !vocab[p.Level] {
					t.Fatalf("%s %s on %s: level %q", id, p.Code, d.Format(egovkpi.DateLayout), p.Level)
				}
				top := p.Level == "4" || p.Level == "full"
				if top && !p.EligibleFullProcess {
					t.Fatalf("%s %s: level %s but not eligible", id, p.Code, p.Level)
				}
				if reached[p.Code] && !top {
					t.Fatalf("%s %s went back from level 4 to %s on %s", id, p.Code, p.Level, d.Format(egovkpi.DateLayout))
				}
				reached[p.Code] = reached[p.Code] || top
			}
		}
	}
	// National path of the level-4 share of eligible procedures, with units
	// spread around it.
	for _, tc := range []struct {
		day  string
		want float64
	}{{"2020-03-15", 0.1113}, {"2021-01-15", 0.31}, {"2021-09-15", 0.4827}, {"2022-09-15", 0.97}} {
		d := date(t, tc.day)
		var el, top int
		var shares []float64
		for _, u := range s.reg.ValidOn(d, "") {
			cat, _ := s.Catalogue(u.ID, d)
			var e, f int
			for _, p := range cat {
				if p.EligibleFullProcess {
					e++
					if p.Level == "4" || p.Level == "full" {
						f++
					}
				}
			}
			el += e
			top += f
			shares = append(shares, float64(f)/float64(e))
		}
		got := float64(top) / float64(el)
		sort.Float64s(shares)
		t.Logf("%s: level-4 share of eligible %.3f (units %.3f..%.3f)", tc.day, got, shares[0], shares[len(shares)-1])
		if math.Abs(got-tc.want) > 0.03 {
			t.Errorf("%s: level-4 share of eligible %.3f, national path %.3f", tc.day, got, tc.want)
		}
		if tc.want < 0.9 && (shares[0] > tc.want*0.8 || shares[len(shares)-1] < tc.want*1.2) {
			t.Errorf("%s: units do not spread around the path: %.3f..%.3f", tc.day, shares[0], shares[len(shares)-1])
		}
	}
	// npsp_integrated rises.
	prev := -1.0
	for _, day := range []string{"2019-06-01", "2021-01-01", "2023-01-01", "2025-06-01"} {
		cat, _ := s.Catalogue("p63-01", date(t, day))
		var n int
		for _, p := range cat {
			if p.NPSPIntegrated {
				n++
			}
		}
		f := float64(n) / float64(len(cat))
		if f <= prev && f < 0.99 {
			t.Errorf("npsp_integrated share %.2f on %s does not rise (was %.2f)", f, day, prev)
		}
		prev = f
	}
}

// received sums received and online over a unit's window.
func received(t *testing.T, s *Simulator, unit, from, to string) (rcv, online int64, days int) {
	t.Helper()
	recs, missing, err := s.Usage(unit, date(t, from), date(t, to))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		rcv += *r.Received
		online += *r.ReceivedOnline
	}
	days = int(date(t, to).Sub(date(t, from)).Hours()/24) + 1 - len(missing)
	return rcv, online, days
}

func TestMagnitudes(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 1})
	for _, id := range []string{"p63-08", "p63-01", "p63-37"} {
		for _, y := range []string{"2019", "2024"} {
			rcv, _, _ := received(t, s, id, y+"-01-01", y+"-12-31")
			t.Logf("%s %s: %d dossiers", id, y, rcv)
			if rcv < 300e3 || rcv > 700e3 {
				t.Errorf("%s received %d dossiers in %s, want 300k–700k", id, rcv, y)
			}
		}
	}
	// A mid-size province: about 108k a quarter in 2019.
	if rcv, _, _ := received(t, s, "p63-08", "2019-04-01", "2019-06-30"); rcv < 70e3 || rcv > 150e3 {
		t.Errorf("p63-08 received %d in 2019-Q2", rcv)
	}
	// Merged provinces ≈ the sum of their predecessors (over a year each).
	for _, id := range []string{"p34-08", "p34-37", "p34-01"} {
		after, _, _ := received(t, s, id, "2025-07-01", "2026-06-30")
		var before int64
		for _, p := range s.reg.Predecessors(id) {
			n, _, _ := received(t, s, p.ID, "2024-07-01", "2025-06-30")
			before += n
		}
		t.Logf("%s: %d dossiers 2025-07..2026-06; predecessors %d 2024-07..2025-06", id, after, before)
		if r := float64(after) / float64(before); r < 0.7 || r > 1.3 {
			t.Errorf("%s received %d in a year, its predecessors %d the year before (ratio %.2f)", id, after, before, r)
		}
		if after < 500e3 || after > 3e6 {
			t.Errorf("%s received %d in a year", id, after)
		}
	}
	// The 34 average about 1.3 M a year: estimate on one week a month.
	var total int64
	for _, u := range s.reg.ValidOn(date(t, "2025-08-01"), egovkpi.BlockProvince) {
		for m := time.July; m <= time.December; m++ {
			from := egovkpi.Date(2025, m, 8)
			n, _, _ := received(t, s, u.ID, from.Format(egovkpi.DateLayout), from.AddDate(0, 0, 6).Format(egovkpi.DateLayout))
			total += n
		}
	}
	avg := float64(total) / 34 * 52 / 6
	t.Logf("the 34 provinces: %.0f dossiers a year on average (2025-H2 sample)", avg)
	if avg < 1.0e6 || avg > 1.6e6 {
		t.Errorf("the 34 provinces average %.0f dossiers a year, want ≈1.3 M", avg)
	}
	// Ministries vary widely.
	mps, _, _ := received(t, s, "m-MPS", "2024-01-01", "2024-12-31")
	gi, _, _ := received(t, s, "m-GI", "2024-01-01", "2024-12-31")
	t.Logf("2024: MPS %d, GI %d dossiers", mps, gi)
	if mps < 2e6 || gi > 5000 {
		t.Errorf("MPS %d, GI %d dossiers in 2024", mps, gi)
	}
	// Weekdays busy, weekends light; records per province-day.
	wd, _, _ := received(t, s, "p63-08", "2024-05-15", "2024-05-15") // Wednesday
	we, _, _ := received(t, s, "p63-08", "2024-05-19", "2024-05-19") // Sunday
	if wd < 10*we {
		t.Errorf("Wednesday %d vs Sunday %d", wd, we)
	}
	for _, tc := range []struct{ id, day string }{{"p63-08", "2024-05-15"}, {"p34-79", "2025-09-16"}, {"p63-37", "2019-10-09"}} {
		recs, _, _ := s.Usage(tc.id, date(t, tc.day), date(t, tc.day))
		t.Logf("%s on %s: %d records", tc.id, tc.day, len(recs))
		if len(recs) < 100 || len(recs) > 600 {
			t.Errorf("%s on %s: %d records", tc.id, tc.day, len(recs))
		}
	}
}

func TestOnlineShare(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 1})
	for _, tc := range []struct {
		year   int
		lo, hi float64
	}{{2019, 0.03, 0.08}, {2022, 0.33, 0.47}, {2024, 0.47, 0.60}} {
		var rcv, online int64
		for _, u := range s.reg.ValidOn(egovkpi.Date(tc.year, 6, 1), egovkpi.BlockProvince) {
			// A week a quarter.
			for m := time.February; m <= time.December; m += 3 {
				from := egovkpi.Date(tc.year, m, 20)
				r, o, _ := received(t, s, u.ID, from.Format(egovkpi.DateLayout), from.AddDate(0, 0, 6).Format(egovkpi.DateLayout))
				rcv += r
				online += o
			}
		}
		f := float64(online) / float64(rcv)
		t.Logf("%d: online share of provincial dossiers %.3f", tc.year, f)
		if f < tc.lo || f > tc.hi {
			t.Errorf("%d: online share of provincial dossiers %.3f, want %.2f..%.2f", tc.year, f, tc.lo, tc.hi)
		}
	}
	// Only procedures with an online service (level ≥ 3) get online
	// dossiers; full-process online dossiers only for level 4 / full.
	for _, day := range []string{"2020-06-10", "2023-06-14"} {
		d := date(t, day)
		cat, _ := s.Catalogue("p63-40", d)
		level := map[string]string{}
		for _, p := range cat {
			level[p.Code] = p.Level
		}
		recs, _, _ := s.Usage("p63-40", d, d)
		for _, r := range recs {
			l := level[r.Procedure]
			if val(r.ReceivedOnline) > 0 && (l == "1" || l == "2" || l == "none") {
				t.Fatalf("%s %s: online dossiers at level %s", day, r.Procedure, l)
			}
			if val(r.FullProcessOnline) > 0 && l != "4" && l != "full" {
				t.Fatalf("%s %s: full-process dossiers at level %s", day, r.Procedure, l)
			}
		}
	}
}

func TestCleanInvariants(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 3})
	for _, tc := range []struct{ unit, from, to string }{
		{"p63-08", "2022-03-01", "2022-03-31"},
		{"p34-79", "2025-10-01", "2025-10-31"},
		{"m-MOF", "2025-03-01", "2025-03-31"},
		{"m-MPS", "2019-05-01", "2019-05-31"},
		{"m-GI", "2024-01-01", "2024-03-31"},
		{"p63-96", "2016-01-01", "2016-01-31"},
	} {
		recs, missing, err := s.Usage(tc.unit, date(t, tc.from), date(t, tc.to))
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 {
			t.Fatalf("%s: no records", tc.unit)
		}
		miss := map[string]bool{}
		for _, d := range missing {
			miss[d.Format(egovkpi.DateLayout)] = true
		}
		catalogues := map[string]map[string]bool{}
		nilPattern := map[string]uint32{}
		for i, r := range recs {
			if why := checkRecord(r); why != "" {
				t.Fatalf("%s: record %+v: %s", tc.unit, r, why)
			}
			if r.Date < tc.from || r.Date > tc.to || miss[r.Date] {
				t.Fatalf("%s: record of %s outside the window or on a missing day", tc.unit, r.Date)
			}
			if i > 0 {
				p := recs[i-1]
				if p.Date > r.Date || (p.Date == r.Date && p.Procedure >= r.Procedure) {
					t.Fatalf("%s: records out of order: %s %s then %s %s", tc.unit, p.Date, p.Procedure, r.Date, r.Procedure)
				}
			}
			cat, ok := catalogues[r.Date]
			if !ok {
				procs, _ := s.Catalogue(tc.unit, date(t, r.Date))
				cat = map[string]bool{}
				for _, p := range procs {
					cat[p.Code] = true
				}
				catalogues[r.Date] = cat
			}
			if !cat[r.Procedure] {
				t.Fatalf("%s: procedure %s is not in the catalogue of %s", tc.unit, r.Procedure, r.Date)
			}
			// The same counts are reported (or not) on every record of a
			// unit within a month.
			month := r.Date[:7]
			pat := nilBits(r)
			if prev, ok := nilPattern[month]; ok && prev != pat {
				t.Fatalf("%s: fields reported inconsistently in %s", tc.unit, month)
			}
			nilPattern[month] = pat
		}
	}
	// NULL is not 0: some units never report some counts, others do.
	var withVotes, withoutVotes int
	d := date(t, "2024-05-15")
	for _, u := range s.reg.ValidOn(d, egovkpi.BlockProvince) {
		recs, _, _ := s.Usage(u.ID, d, d)
		if len(recs) == 0 {
			continue
		}
		if recs[0].VotesSatisfied == nil {
			withoutVotes++
		} else {
			withVotes++
		}
	}
	if withVotes == 0 || withoutVotes == 0 {
		t.Errorf("votes reported by %d provinces, not by %d: want both", withVotes, withoutVotes)
	}
}

func nilBits(r protocol.Usage) uint32 {
	var bits uint32
	for i, p := range []*int64{r.Received, r.ReceivedInPerson, r.ReceivedOnline, r.ReceivedPost, r.FullProcessOnline,
		r.Processed, r.ProcessedOnTime, r.ProcessedLate, r.InProgressOnTime, r.InProgressOverdue,
		r.FinancialObligation, r.PaidOnline, r.Digitized, r.EResult, r.ReusedData, r.SyncedNPSP,
		r.ComplaintsReceived, r.ComplaintsOnTime, r.ComplaintsPendingOnTime, r.VotesSatisfied, r.VotesDissatisfied} {
		if p == nil {
			bits |= 1 << i
		}
	}
	return bits
}

func TestOutages(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 1})
	for _, id := range []string{"p63-08", "m-MOJ", "p63-79"} {
		recs, missing, err := s.Usage(id, date(t, "2023-01-01"), date(t, "2024-12-31"))
		if err != nil {
			t.Fatal(err)
		}
		if len(missing) < 1 || len(missing) > 20 {
			t.Errorf("%s: %d missing days in two years", id, len(missing))
		}
		if !slices.IsSortedFunc(missing, func(a, b time.Time) int { return a.Compare(b) }) {
			t.Errorf("%s: missing days not sorted", id)
		}
		days := map[string]bool{}
		for _, r := range recs {
			days[r.Date] = true
		}
		for _, d := range missing {
			if days[d.Format(egovkpi.DateLayout)] {
				t.Errorf("%s: records on missing day %s", id, d.Format(egovkpi.DateLayout))
			}
		}
	}
}

// The hand-written encoders produce exactly what encoding/json produces.
func TestEncodersMatchEncodingJSON(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 1})
	recs, _, _ := s.Usage("m-MOF", date(t, "2025-03-03"), date(t, "2025-03-04"))
	recs2, _, _ := s.Usage("p63-08", date(t, "2018-03-05"), date(t, "2018-03-05"))
	x := int64(7)
	recs = append(recs, recs2...)
	recs = append(recs, protocol.Usage{Date: "2025-01-01", Procedure: `1.0<&>"\` + "\u2028\x01é", ReceivedPost: &x})
	for _, r := range recs {
		want, _ := json.Marshal(r)
		if got := appendUsage(nil, &r); string(got) != string(want) {
			t.Fatalf("appendUsage\n got %s\nwant %s", got, want)
		}
	}
	cat, _ := s.Catalogue("p34-01", date(t, "2025-09-01"))
	cat = append(cat, protocol.Procedure{Code: "x", Name: "tab\tnewline\n\"q\" \\ ✓ \xff"})
	for _, p := range cat {
		want, _ := json.Marshal(p)
		if got := appendProcedure(nil, &p); string(got) != string(want) {
			t.Fatalf("appendProcedure\n got %s\nwant %s", got, want)
		}
	}
}

func TestWrongEraCodes(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 1})
	for id, want := range map[string]string{"p34-08": "02", "m-MOF": "MPI", "p63-02": "08", "m-MPI": "MOF", "m-MAE": "MARD"} {
		if got := s.WrongEraCode(id); got != want {
			t.Errorf("WrongEraCode(%s) = %q, want %q", id, got, want)
		}
	}
	for _, u := range s.Units() {
		if c := s.WrongEraCode(u.ID); c == "" || c == u.Code {
			t.Errorf("WrongEraCode(%s) = %q", u.ID, c)
		}
	}
}

// BenchmarkUsageOneDayAllUnits generates one day of every unit valid that
// day (the ground truth of a daily collection).
func BenchmarkUsageOneDayAllUnits(b *testing.B) {
	for _, day := range []string{"2024-05-15", "2025-09-17"} {
		b.Run(day, func(b *testing.B) {
			s := New(Options{Seed: 1})
			d := date(b, day)
			units := s.reg.ValidOn(d, "")
			for _, u := range units { // build the catalogues once
				_, _ = s.Catalogue(u.ID, d)
			}
			b.ResetTimer()
			var n int
			for b.Loop() {
				n = 0
				for _, u := range units {
					recs, _, err := s.Usage(u.ID, d, d)
					if err != nil {
						b.Fatal(err)
					}
					n += len(recs)
				}
			}
			b.ReportMetric(float64(len(units)), "units")
			b.ReportMetric(float64(n), "records")
		})
	}
}

// BenchmarkNew measures building a simulator and every unit's catalogue.
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		s := New(Options{Seed: 1})
		for _, u := range s.Units() {
			_, _ = s.Catalogue(u.ID, u.ValidFrom)
		}
	}
}
