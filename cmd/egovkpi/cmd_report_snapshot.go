package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"egovkpi"
	"egovkpi/internal/auth"
	"egovkpi/internal/config"
	"egovkpi/internal/refdata"
	"egovkpi/metrics"
	"egovkpi/reports/snapshot"
)

// reportSnapshotCommand freezes a period's figures as the official ones,
// lists the snapshots and shows what changed since one.
func reportSnapshotCommand() command {
	return command{
		name:    "snapshot",
		usage:   " freeze --period P [--note TEXT] | list | changes ID",
		summary: "Official snapshots: freeze a period's league tables and Decision 766 index as the official figures (freezing again makes a new official snapshot; earlier ones stay), list the snapshots, and list every unit whose figure or rank moved since one.",
		flags: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
			cf := withConfig(c, fs)
			period := fs.String("period", "", "freeze: the period to freeze, ended before today: a month, quarter, half-year, year or range of days (2026-08, 2026Q3, 2026H1, 2026, 2026-07-01..2026-08-15); not a year to date")
			note := fs.String("note", "", fmt.Sprintf("freeze: a note kept with the snapshot (at most %d characters)", snapshot.MaxNote))
			return func(ctx context.Context, args []string) error {
				if len(args) == 0 {
					return usagef("want a sub-command: freeze, list or changes")
				}
				switch args[0] {
				case "freeze", "list":
					if len(args) > 1 {
						return usagef("unexpected argument %q", args[1])
					}
				case "changes":
					if len(args) != 2 {
						return usagef("changes wants one snapshot id (egovkpi report snapshot list shows them)")
					}
				default:
					return usagef("unknown sub-command %q (freeze, list, changes)", args[0])
				}
				var p metrics.Period
				if args[0] == "freeze" {
					if *period == "" {
						return usagef("freeze wants --period (%s)", metrics.PeriodFormats)
					}
					var err error
					if p, err = metrics.ParsePeriod(*period, todayInVietnam()); err != nil {
						return usagef("--period: %v", err)
					}
				}
				reg, err := refdata.Load()
				if err != nil {
					return err
				}
				return cf.withFigures(ctx, func(_ config.Config, db *database, s metrics.Settings) error {
					switch args[0] {
					case "freeze":
						r := snapshot.Request{Period: p, By: cliActor(c), Note: *note, Today: todayInVietnam(), Build: version}
						snap, err := snapshot.Freeze(ctx, db.Conn, reg, s, auth.New(db.Conn), r)
						if errors.Is(err, snapshot.ErrInvalid) {
							return usagef("%v", err)
						}
						if err != nil {
							return err
						}
						fmt.Fprintf(c.stdout, "Đã chốt số liệu chính thức %s / frozen as the official figures of %s: snapshot %s\n", snap.Period, snap.Period, snap.ID)
						return printSnapshotHeader(c.stdout, snap)
					case "list":
						list, err := snapshot.List(ctx, db.Conn)
						if err != nil {
							return err
						}
						return printSnapshotList(c.stdout, list)
					}
					cmp, err := snapshot.Changes(ctx, db.Conn, reg, s, args[1], todayInVietnam())
					if errors.Is(err, snapshot.ErrNotFound) {
						return usagef("%v (egovkpi report snapshot list shows them)", err)
					}
					if err != nil {
						return err
					}
					return printSnapshotChanges(c.stdout, reg, cmp)
				})
			}
		},
	}
}

// printSnapshotHeader prints what a snapshot froze.
func printSnapshotHeader(w io.Writer, s snapshot.Snapshot) error {
	methodology := s.Methodology
	if methodology == "" {
		methodology = "không có / none in force (league tables only)"
	}
	official := "đã thay thế / superseded"
	if s.Official {
		official = "chính thức / official"
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, l := range [][2]string{
		{"Kỳ / period", fmt.Sprintf("%s (%s..%s)", s.Period, s.From.Format(egovkpi.DateLayout), s.To.Format(egovkpi.DateLayout))},
		{"Người chốt / frozen by", s.FrozenBy},
		{"Thời điểm / frozen at", vietnamTime(s.FrozenAt) + " (giờ Việt Nam / Vietnam time)"},
		{"Phương pháp 766 / 766 methodology", methodology},
		{"Quy tắc xếp hạng / ranking rules", rulesText(s.Rules)},
		{"Số dòng / rows", fmt.Sprint(s.Rows)},
		{"Trạng thái / status", official},
		{"Ghi chú / note", s.Note},
		{"Phiên bản / egovkpi version", s.Build},
	} {
		fmt.Fprintf(tw, "  %s:\t%s\n", l[0], l[1])
	}
	return tw.Flush()
}

// rulesText states ranking rules.
func rulesText(r metrics.Rules) string {
	return fmt.Sprintf("≥ %g dossiers, ≥ %g %% of days with data", r.MinDenominator, r.MinCompleteness*100)
}

// printSnapshotList prints the snapshots, newest first.
func printSnapshotList(w io.Writer, list []snapshot.Snapshot) error {
	if len(list) == 0 {
		fmt.Fprintln(w, "Chưa có bản chốt nào / no snapshot yet")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPERIOD\tFROM\tTO\tFROZEN BY\tFROZEN AT (VN)\t766\tROWS\tOFFICIAL\tNOTE")
	for _, s := range list {
		official := ""
		if s.Official {
			official = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", s.ID, s.Period, s.From.Format(egovkpi.DateLayout), s.To.Format(egovkpi.DateLayout),
			s.FrozenBy, vietnamTime(s.FrozenAt), s.Methodology, s.Rows, official, s.Note)
	}
	return tw.Flush()
}

// printSnapshotChanges prints every moved unit, table by table, biggest
// moves first.
func printSnapshotChanges(w io.Writer, reg *refdata.Registry, cmp snapshot.Comparison) error {
	s := cmp.Snapshot
	fmt.Fprintf(w, "Thay đổi so với bản chốt %s / changes since snapshot %s: %s, frozen by %s at %s\n", s.ID, s.ID, s.Period, s.FrozenBy, vietnamTime(s.FrozenAt))
	if cmp.MethodologyChanged() {
		fmt.Fprintf(w, "Lưu ý / note: the live 766 index is scored with version %q, the snapshot with %q: its moves are not all corrections to data\n", cmp.Methodology, s.Methodology)
	}
	if cmp.RulesChanged() {
		fmt.Fprintf(w, "Lưu ý / note: the live tables are ranked with other rules (%s) than the snapshot (%s): ranks may move without any data changing\n", rulesText(cmp.Rules), rulesText(s.Rules))
	}
	if len(cmp.Changes) == 0 {
		fmt.Fprintln(w, "Không có đơn vị nào thay đổi số liệu hoặc thứ hạng / no unit's figure or rank moved")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "BLOCK\tTABLE\tUNIT\tNAME\tFROZEN\tLIVE\tΔ\tRANK FROZEN\tRANK LIVE\t")
	for _, ch := range cmp.Changes {
		name := ""
		if u, ok := reg.ByID(ch.UnitID); ok {
			name = u.NameVI
		}
		before, beforeRank := rowFigures(ch.Before)
		after, afterRank := rowFigures(ch.After)
		delta := num(ch.Delta(), 2)
		if d := ch.Delta(); d != nil && *d > 0 {
			delta = "+" + delta
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", ch.Block, ch.Table, ch.UnitID, name, before, after, delta, beforeRank, afterRank)
	}
	return tw.Flush()
}

// rowFigures are a row's published figure and rank as printed: "(absent)"
// for a row the table does not have, "" for no data, "-" for unranked.
func rowFigures(r *snapshot.Row) (figure, rank string) {
	if r == nil {
		return "(absent)", "(absent)"
	}
	rank = "-"
	if r.Rank > 0 {
		rank = fmt.Sprint(r.Rank)
	}
	return num(r.Published, 2), rank
}
