// Package m766 holds the Decision 766/QĐ-TTg index for serving citizens
// and businesses (Bộ chỉ số phục vụ người dân, doanh nghiệp) as versioned
// data, and scores a unit's ratios with it.
//
// The methodology is data: methodology.json is embedded (Load) and an
// operator can replace it with a file of the same shape (LoadFile). A
// version has groups of indicators; each indicator has points, a scoring
// rule and the name of the ratio (a fraction in [0, 1]) that feeds it. Parse
// checks that indicator points sum to their group's, that group points sum
// to 100, that every rule is known and has its parameters and that the bands
// are in descending order, and names the version, group or indicator that
// is wrong.
//
// Scoring (Version.Score), as kpi-spec.md states it:
//
//   - proportional: score = points × ratio;
//   - capped: points when ratio ≥ threshold, else points × ratio ÷ threshold;
//   - payment: a·A + min(bcap, b·B) + c·C (6·A + min(2, 2.5·B) + 2.5·C),
//     capped at the indicator's points (the formula reaches 10.5 for 10
//     points; the cap is our assumption);
//   - the modifier no_complaints_full gives full points when the period had
//     no complaints, and no_dossiers_zero gives 0 when it had no dossiers,
//     whatever the ratio;
//   - each indicator score is rounded to 2 decimals, half away from zero; a
//     group is the sum of its rounded indicator scores; the total is the sum
//     of the groups; the band is the first whose minimum the total reaches.
//
// Our assumptions (each is listed in Result.Assumptions when a score rests
// on it, except the ForDay convention, which is the caller's choice):
//
//   - an indicator whose input ratio is missing (nil: no data, such as a
//     zero denominator) scores 0 and is reported as missing;
//   - a ratio outside [0, 1] is clamped to [0, 1];
//   - a period is scored with the version in force on its last day
//     (Set.ForDay with the period's To);
//   - the day the six-group version took effect (see the version's
//     assumed_fields), and every indicator or band marked unconfirmed.
//
// Inputs.Dossiers and Inputs.Complaints are counts; nil means unknown, and
// then the no-dossiers and no-complaints modifiers do not apply (the
// indicator is scored on its ratio, or reported missing).
//
// Package m766 does not import package metrics (metrics imports m766); the
// input names match the metrics KPI ids where a KPI exists.
package m766
