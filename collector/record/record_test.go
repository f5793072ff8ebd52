package record

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"egovkpi/collector/protocol"
	"egovkpi/internal/refdata"
)

func TestDecodeUsageRules(t *testing.T) {
	for _, tc := range []struct {
		raw, want string // want: "" accepted, else a part of the reason
	}{
		{`{"date":"2024-03-01","procedure":"1.001234","received":10,"received_online":4,"received_post":1}`, ""},
		{`{"date":"2024-03-01","procedure":"1.001234","received":null}`, ""},
		{`{"date":"2024-03-01","procedure":"1.001234","received":-0}`, ""},
		{`{"date":"2024-03-01","procedure":"1.001234","received":-3}`, "received is negative (-3)"},
		{`{"date":"2024-03-01","procedure":"1.001234","received":"12"}`, `received: want a whole number or null, got the string "12"`},
		{`{"date":"2024-03-01","procedure":"1.001234","received":1.5}`, "received: want a whole number, got 1.5"},
		{`{"date":"2024-03-01","procedure":"1.001234","received":5000000000}`, "received is too large"},
		{`{"date":"2024-03-01","procedure":"1.001234","recieved":1}`, `unknown field "recieved"`},
		{`{"date":"2024-02-30","procedure":"1.001234"}`, `"2024-02-30" is not a date`},
		{`{"procedure":"1.001234"}`, "date is missing"},
		{`{"date":"2024-03-01","procedure":"TTHC-12"}`, "not a national procedure code"},
		{`{"date":"2024-03-01","procedure":"1.001234","received":3,"received_online":4}`, "received_online (4) exceeds received (3)"},
		{`{"date":"2024-03-01","procedure":"1.001234","received":10,"received_in_person":5,"received_online":4,"received_post":0}`, "= 9, but received = 10"},
		{`{"date":"2024-03-01","procedure":"1.001234","processed":5,"processed_on_time":4,"processed_late":2}`, "processed_on_time + processed_late (6) exceeds processed (5)"},
		{`{"date":"2024-03-01","procedure":"1.001234","received_online":2,"full_process_online":3}`, "full_process_online (3) exceeds received_online (2)"},
		{`{"date":"2024-03-01","procedure":"1.001234","financial_obligation":1,"paid_online":2}`, "paid_online (2) exceeds financial_obligation (1)"},
		{`{"date":"2024-03-01","procedure":"1.001234","complaints_received":1,"complaints_on_time":1,"complaints_pending_on_time":1}`, "exceeds complaints_received"},
		{`[1,2]`, "not a JSON object"},
	} {
		_, err := DecodeUsage(json.RawMessage(tc.raw))
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: refused: %v", tc.raw, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want it to contain %q", tc.raw, err, tc.want)
		}
	}
}

func TestNormaliseDerivesTotalsAndInPerson(t *testing.T) {
	u, err := DecodeUsage(json.RawMessage(`{"date":"2024-03-01","procedure":"1.001234","received_online":4,"received_post":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := u.Get(Received); !ok || v != 5 {
		t.Errorf("received = %d,%v; want the sum of the channels, 5", v, ok)
	}
	if v, ok := u.Get(ReceivedInPerson); !ok || v != 0 {
		t.Errorf("in person = %d,%v; want 0", v, ok)
	}
	u, _ = DecodeUsage(json.RawMessage(`{"date":"2024-03-01","procedure":"1.001234","received":10,"received_online":4}`))
	if v, _ := u.Get(ReceivedInPerson); v != 6 {
		t.Errorf("in person = %d, want 6: a missing channel counts as in person", v)
	}
	if u.Has(VotesSatisfied) {
		t.Error("a count not reported must stay NULL")
	}
}

func TestServiceLevelsAcrossTheDecree(t *testing.T) {
	before := time.Date(2022, 8, 14, 0, 0, 0, 0, time.UTC)
	after := time.Date(2022, 8, 15, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		level string
		day   time.Time
		want  Service
		err   bool
	}{
		{"4", before, ServiceFull, false}, {"3", before, ServicePartial, false}, {"2", before, ServiceNone, false},
		{"full", after, ServiceFull, false}, {"partial", after, ServicePartial, false},
		{"4", after, "", true}, {"full", before, "", true}, {"5", before, "", true},
	} {
		got, err := ServiceOf(tc.level, tc.day)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ServiceOf(%q, %s) = %q, %v", tc.level, tc.day.Format(protocol.DateLayout), got, err)
		}
	}
}

func checker(t *testing.T) *Checker {
	reg, err := refdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	return &Checker{Units: reg, Procedures: func(unitID string, day time.Time) (map[string]bool, bool) {
		return map[string]bool{"1.000001": true, "1.000002": true}, true
	}}
}

func page(unit, from, to string, recs ...string) protocol.UsagePage {
	p := protocol.UsagePage{Protocol: protocol.Version, Unit: unit, From: from, To: to}
	for _, r := range recs {
		p.Records = append(p.Records, json.RawMessage(r))
	}
	return p
}

func TestCheckerKeepsGoodRecordsAndNamesBadOnes(t *testing.T) {
	c := checker(t)
	b := c.Usage("p34-08", []protocol.UsagePage{page("08", "2025-08-01", "2025-08-02",
		`{"date":"2025-08-01","procedure":"1.000001","received":3}`,
		`{"date":"2025-08-01","procedure":"1.000002","received":-1}`,
		`{"date":"2025-08-01","procedure":"1.999999","received":1}`,
		`{"date":"2025-08-03","procedure":"1.000001","received":1}`,
		`{"date":"2025-08-02","procedure":"1.000001","received":2}`,
		`{"date":"2025-08-02","procedure":"1.000001","received":2}`,
		`{"date":"2025-08-02","procedure":"1.000002","received":1}`,
		`{"date":"2025-08-02","procedure":"1.000002","received":9}`,
	)})
	if len(b.Good) != 2 || len(b.Bad) != 6 {
		t.Fatalf("good %d bad %d: %+v", len(b.Good), len(b.Bad), b.Bad)
	}
	wants := []string{"negative", "not in the catalogue", "outside the payload's window", "duplicate of record #4", "conflicting duplicates", "conflicting duplicates"}
	for i, w := range wants {
		if !strings.Contains(b.Bad[i].Reason, w) {
			t.Errorf("bad[%d] = %q, want %q", i, b.Bad[i].Reason, w)
		}
	}
	if len(b.Days) != 2 {
		t.Errorf("covered days %v, want both days of the window", b.Days)
	}
}

// TestCheckerLooksUpTheCatalogueOncePerDay: the catalogue in force is
// asked for once per day of a payload, not once per record.
func TestCheckerLooksUpTheCatalogueOncePerDay(t *testing.T) {
	c := checker(t)
	asked := map[time.Time]int{}
	procs := c.Procedures
	c.Procedures = func(unitID string, day time.Time) (map[string]bool, bool) {
		asked[day]++
		return procs(unitID, day)
	}
	b := c.Usage("p34-08", []protocol.UsagePage{page("08", "2025-08-01", "2025-08-02",
		`{"date":"2025-08-01","procedure":"1.000001","received":3}`,
		`{"date":"2025-08-01","procedure":"1.000002","received":1}`,
		`{"date":"2025-08-01","procedure":"1.999999","received":1}`,
		`{"date":"2025-08-02","procedure":"1.000001","received":2}`,
	)})
	if len(b.Good) != 3 || len(b.Bad) != 1 {
		t.Fatalf("good %d bad %+v", len(b.Good), b.Bad)
	}
	if len(asked) != 2 || asked[time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)] != 1 || asked[time.Date(2025, 8, 2, 0, 0, 0, 0, time.UTC)] != 1 {
		t.Fatalf("catalogue looked up %v, want once per day", asked)
	}
}

func TestCheckerRefusesAWrongEraCode(t *testing.T) {
	c := checker(t)
	// "02" was Hà Giang, merged into Tuyên Quang (p34-08) on 2025-07-01.
	b := c.Usage("p34-08", []protocol.UsagePage{page("02", "2025-08-01", "2025-08-01",
		`{"date":"2025-08-01","procedure":"1.000001","received":3}`)})
	if len(b.Good) != 0 || len(b.Bad) != 1 || len(b.Days) != 0 {
		t.Fatalf("wrong-era page: good %d bad %d days %v", len(b.Good), len(b.Bad), b.Days)
	}
	if !strings.Contains(b.Bad[0].Reason, `unit code "02"`) || !strings.Contains(b.Bad[0].Reason, "p63-02") {
		t.Errorf("reason %q does not explain the era", b.Bad[0].Reason)
	}
	// "08" on a day before the merger is the old Tuyên Quang, not p34-08.
	b = c.Usage("p34-08", []protocol.UsagePage{page("08", "2025-06-30", "2025-07-01",
		`{"date":"2025-07-01","procedure":"1.000001","received":3}`)})
	if len(b.Good) != 1 || len(b.Days) != 1 {
		t.Fatalf("window across the merger: good %d days %v bad %+v", len(b.Good), b.Days, b.Bad)
	}
}

func TestDayWhoseRecordsAreAllRefusedIsNotReplaced(t *testing.T) {
	c := checker(t)
	b := c.Usage("p34-08", []protocol.UsagePage{page("08", "2025-08-01", "2025-08-03",
		`{"date":"2025-08-01","procedure":"1.000001","received":3}`,
		`{"date":"2025-08-02","procedure":"1.000001","received":-3}`)})
	if len(b.Days) != 2 || len(b.Skipped) != 1 || b.Skipped[0].Day() != 2 {
		t.Fatalf("days %v skipped %v", b.Days, b.Skipped)
	}
}

func TestCatalogueWhoseEveryEntryIsRefused(t *testing.T) {
	c := checker(t)
	p := protocol.RawCataloguePage{Protocol: protocol.Version, Unit: "08", AsOf: "2025-08-01",
		Procedures: []json.RawMessage{json.RawMessage(`{"code":"1.000001","name":"X","level":"4"}`)}}
	_, err := c.Catalogue("p34-08", []protocol.RawCataloguePage{p})
	if err == nil || !strings.Contains(err.Error(), "every one of the 1 catalogue entries was refused") || !strings.Contains(err.Error(), "Decree 43/2011 level") {
		t.Fatalf("err = %v", err)
	}
}

// TestProtocolCountsAreInFieldOrder: protocol.Usage.Counts lists the counts
// in Field order, so that Counts()[f] is field f.
func TestProtocolCountsAreInFieldOrder(t *testing.T) {
	m := map[string]int{}
	for _, f := range Fields() {
		m[f.Name()] = int(f) + 1
	}
	raw, _ := json.Marshal(m)
	var u protocol.Usage
	if err := json.Unmarshal(raw, &u); err != nil {
		t.Fatal(err)
	}
	counts := u.Counts()
	if len(counts) != int(NumFields) {
		t.Fatalf("%d counts, want %d", len(counts), NumFields)
	}
	for f, v := range counts {
		if v == nil || *v != int64(f)+1 {
			t.Errorf("count %d (%s) = %v, want %d", f, Field(f).Name(), v, f+1)
		}
	}
}
