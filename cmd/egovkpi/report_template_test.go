package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"egovkpi"
	"egovkpi/collector/record"
	"egovkpi/collector/store"
	"egovkpi/internal/auth"
	"egovkpi/internal/refdata"
	"egovkpi/internal/testdb"
	"egovkpi/reports/form"
	"egovkpi/reports/workflow"
	"egovkpi/reports/xlsxform"
)

// TestReportTemplateCommand writes Tuyên Quang's template for 2025Q3 from a
// database holding one day of its dossiers and its catalogue, and reads the
// file back as an upload.
func TestReportTemplateCommand(t *testing.T) {
	db := testdb.Migrated(t)
	ctx := context.Background()
	st := store.New(db.Conn, nil)
	day := egovkpi.Date(2025, 8, 4)
	u := record.Usage{UnitID: "p34-08", Day: day, Procedure: "1.000001"}
	u.SetValue(record.Received, 20)
	u.SetValue(record.ReceivedOnline, 12)
	touched, err := st.WriteUsage(ctx, store.UsageLoad{LoadID: st.NewLoadID(), Source: "test", UnitID: "p34-08", Days: []time.Time{day}, Rows: []record.Usage{u}})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.RefreshRollups(ctx, touched); err != nil {
		t.Fatal(err)
	}
	asOf := egovkpi.Date(2025, 7, 1)
	if err := st.WriteCatalogue(ctx, store.CatalogueLoad{LoadID: st.NewLoadID(), Source: "test", UnitID: "p34-08", AsOf: asOf, Procedures: []record.Procedure{
		{Code: "1.000001", Name: "Thủ tục 1", Level: "full", Service: record.ServiceFull, EligibleFullProcess: true},
		{Code: "1.000002", Name: "Thủ tục 2", Level: "none", Service: record.ServiceNone},
	}}); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"EGOVKPI_CLICKHOUSE_ADDR": db.Options.Addr, "EGOVKPI_CLICKHOUSE_DATABASE": db.Name}
	dir := t.TempDir()
	path := filepath.Join(dir, "tq.xlsx")
	code, out, errOut := runCLI(t, env, "report", "template", "--unit", "08", "--quarter", "2025Q3", "--out", path)
	if code != 0 || !strings.Contains(out, "Wrote "+path+": Tuyên Quang (p34-08), 2025Q3, form version 2022.1; 7 of 38 indicators pre-filled from collected figures, 0 saved answers.") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	// The figures collected, worked out by hand: 20 dossiers, 12 online;
	// two procedures, one full-process and eligible, one offline.
	collected := map[string]float64{
		"procedures_total": 2, "procedures_eligible_full": 1, "services_full_process": 1, "services_partial": 0,
		"services_with_dossiers": 1, "dossiers_total": 20, "dossiers_online": 12,
	}
	up := readTemplate(t, path, "p34-08", collected)
	for id, v := range collected {
		a := up.Answers[id]
		if a.Value != num(&v, -1) || a.Collected == nil || *a.Collected != v {
			t.Errorf("%s: %+v, want pre-filled with %v", id, a, v)
		}
	}
	for _, id := range []string{"dossiers_financial", "dossiers_paid_online", "dossiers_synced_npsp", "agencies_total"} {
		if a, ok := up.Answers[id]; ok {
			t.Errorf("%s has nothing collected but holds %+v", id, a)
		}
	}

	// The saved answers come first.
	// The unit's reporter saves a draft: the template holds what was saved.
	reg, err := refdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	forms, err := form.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	reports := workflow.New(db.Conn, reg, forms, nil, workflow.Options{})
	reporter := workflow.Actor{Login: "tq", Role: auth.Reporter, UnitID: "p34-08"}
	if _, err := reports.Save(ctx, reporter, workflow.Key{UnitID: "p34-08", Quarter: workflow.Quarter{Year: 2025, Q: 3}}, workflow.Edit{
		Raw:       map[string]form.Raw{"dossiers_total": {Value: "19", Explanation: "Một hồ sơ trùng"}, "notes": {Value: "Đường truyền chậm"}},
		Collected: map[string]float64{"dossiers_total": 20},
	}); err != nil {
		t.Fatal(err)
	}
	// The default file name, in the current directory.
	t.Chdir(dir)
	code, out, errOut = runCLI(t, env, "report", "template", "--unit", "p34-08", "--quarter", "2025Q3")
	if code != 0 || !strings.Contains(out, "Wrote bao-cao-quy-p34-08-2025Q3.xlsx: ") || !strings.Contains(out, "2 saved answers") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	up = readTemplate(t, filepath.Join(dir, "bao-cao-quy-p34-08-2025Q3.xlsx"), "p34-08", collected)
	if a := up.Answers["dossiers_total"]; a.Value != "19" || a.Explanation != "Một hồ sơ trùng" || !a.Corrected() {
		t.Errorf("the saved correction: %+v", a)
	}
	if a := up.Answers["notes"]; a.Value != "Đường truyền chậm" {
		t.Errorf("the saved text: %+v", a)
	}
}

func readTemplate(t *testing.T, path, unit string, collected map[string]float64) xlsxform.Upload {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	set, err := form.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	def, err := set.Version("2022.1")
	if err != nil {
		t.Fatal(err)
	}
	up, err := xlsxform.Read(f, st.Size(), xlsxform.Expect{Def: def, UnitID: unit, Quarter: workflow.Quarter{Year: 2025, Q: 3}, Collected: collected})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range up.Problems {
		t.Errorf("%s: %v", path, p)
	}
	return up
}

func TestReportTemplateBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--unit", "08"}, "--quarter is required"},
		{[]string{"--unit", "08", "--quarter", "2025Q5"}, `--quarter: quarter "2025Q5": want YYYYQn with n from 1 to 4`},
		{[]string{"--quarter", "2025Q3"}, "--unit is required"},
		{[]string{"--unit", "99", "--quarter", "2025Q3"}, "--unit: "},
		{[]string{"--unit", "p63-08", "--quarter", "2025Q3"}, "--unit: p63-08 (Tuyên Quang) is not in force at the end of 2025Q3"},
		{[]string{"--unit", "08", "--quarter", "2022Q3"}, "--quarter: no version of the quarterly report covers this quarter (2022-07-01; the first version starts 2022-10-01)"},
		{[]string{"--unit", "08", "--quarter", "2025Q3", "extra"}, `unexpected argument "extra"`},
	} {
		code, _, errOut := runCLI(t, nil, append([]string{"report", "template"}, tc.args...)...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}
