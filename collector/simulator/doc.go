// Package simulator simulates the statistics portal of every ministry and
// province of both eras (the 63 provinces until 2025-06-30, the 34 from
// 2025-07-01, the ministries before and after 2025-03-01), serving protocol
// v1 (egovkpi/collector/protocol) over net/http. The demo, "egovkpi
// simulate" and the collector's tests and benchmarks use it; Catalogue and
// Usage return exactly what a clean portal serves, so they are the ground
// truth of those tests.
//
// # Determinism
//
// Every number comes from a counter-based generator: a splitmix64 stream
// started from a hash of the seed, the unit, the day and the procedure. No
// global or shared random state is used: any day of any unit can be
// generated alone, in any order, concurrently, with the same result; two
// simulators with the same seed and registry serve identical data.
//
// # Catalogues
//
// A national pool of 2,400 provincial procedures (codes 1.00xxxx and
// 2.00xxxx) is ranked by national popularity. Every province applies the
// 1,700 most used and a unit-specific draw of the others, 1,800–2,000 in
// all, so provinces overlap heavily. Each ministry has its own procedures
// (codes 1.BBBNNN, BBB = 100 + its index; 50–800 of them, from a table of
// sizes: MPS 300, MOF 380, MOIT 400, GI 60, …); from the day after a
// ministry ends (2025-02-28), its successor also serves its procedures
// (MOF serves MPI's and VSS's, MAE MARD's and MONRE's, …). Procedures carry
// Vietnamese names and sectors (the most used of a sector get real names
// such as "Đăng ký khai sinh"; the others "Thủ tục <sector> số N").
// Nationally 68 % are eligible for full-process, 42 % fee-bearing, 60 %
// with a paper result.
//
// Service levels follow the national paths: level 4 reaches ≈11 % of
// eligible procedures in March 2020, 31 % in early 2021, 48 % in September
// 2021, 97 % by mid-2022 and 99 % later; level ≥ 3 covers 35 % of all
// procedures in 2019, 75 % in September 2021, 90 % by 2024. Each procedure
// of a unit gets fixed days on which it reaches level 3 and level 4, so
// levels never go back. A unit leads or lags with a factor c in −0.8..0.8
// (its share is x + c·x·(1−x) when the national share is x; c is spread
// evenly over the units of a group, so the group averages the national
// path). Before 2022-08-15 the level is "1".."4" (levels 1–2 for
// procedures not yet at level 3); from 2022-08-15 "full" (eligible and at
// level 4), "partial" (level 3) or "none". npsp_integrated rises from 0 at
// the NPSP launch (2019-12-09) to 65 % of online services at the end of
// 2022 and 85 % in 2026.
//
// # Usage
//
// A province of the 63 receives 310k–540k dossiers in 2019 (430k × a size
// factor of 0.72–1.25; Hà Nội and Hồ Chí Minh City 1.25), growing 5 % a
// year (395k–690k in 2024). A province of the 34 receives the sum of its
// predecessors' volumes × 1.15 (≈1.3 M a year on average in 2025–2026),
// and inherits their volume-weighted online, on-time, maturity and lead
// factors. Ministries range from a few hundred dossiers a year (GO, GI) to
// millions (MPS 4 M, MOF 3 M, VSS 3 M in 2019). A year's volume is spread
// over its days with weights 1 on weekdays, 0.2 on Saturdays, 0.05 on
// Sundays and public holidays (1 January, the Tết break, 30 April, 1 May,
// 2 September, and 3 September from 2021).
//
// Dossiers per procedure are heavy-tailed: the 600 most used procedures of
// the pool share the volume by a Zipf law of exponent 1.5 (times a
// unit-specific log-normal factor, and 10 % unused in a given unit); half of
// the others get a few dossiers a year, the rest none. Received, processed
// and complaints are Poisson counts of the procedure's daily mean; a
// procedure is listed on a day only if one of them is not 0 (in_progress_*
// are the end-of-day stock of the listed procedures), so a weekday has
// about 300 records in a mid-size province, up to about 550 in the largest
// merged ones, 40–100 on a Sunday; a ministry-day 5–400.
//
// Only procedures at level ≥ 3 (partial or full) receive online dossiers.
// The unit's online share is the national path (3 % early 2019, 7 % at the
// end of 2019, 30 % at the end of 2021, 40 % in August 2022, 43 % in
// November 2022, 48 % at the end of 2023, 57 % at the end of 2024, 66 % at
// the end of 2025) × a unit factor (provinces 0.7–1.3; MOIT, MOET, MOF
// ≈2), divided among the online-capable procedures so that the unit's
// expected share is exactly that. full_process_online is 90 % of the online
// dossiers of level-4/full procedures, 0 otherwise. On time: 90–98 % of
// processed dossiers by unit (+0.4 point a year); satisfaction 88 % (2020)
// → 90 % (2022) → 93 % (2024) ± 1.5 points. Payment online (of
// dossiers with a financial obligation: 85 % of a fee-bearing procedure's
// dossiers), digitized, e-result (of paper-result procedures), reused data
// and NPSP sync shares rise along their own national paths × a unit
// maturity factor of 0.8–1.2. Parts are split with stochastic rounding, so
// in clean data every part ≤ its whole and the channels add up to
// received.
//
// Counts that are not reported are nil, never 0: digitized, e_result and
// reused_data before 2022, synced_npsp before 2020, votes before
// 2022-07-01; and, for ever, by a seeded share of the units: received_post
// (15 %; its dossiers count as in person), full_process_online (5 %),
// in-progress counts (10 %), reused_data (20 %), synced_npsp (10 %),
// complaints (10 %), votes (20 %). received, the online and in-person
// channels, processed, on time, late, financial obligation and paid online
// are always reported.
//
// Each unit has 2–6 outage days a year (seeded), listed in missing_days
// with no records.
//
// # Serving
//
// See Handler for the routes and errors, Fault for the faults. Pages are
// encoded by hand into a reused buffer; a per-(unit, day) cache of record
// counts lets a page of a long window generate only the days it covers.
// Page tokens are opaque (offset and a MAC of the unit, resource and
// window), so a token of another window is refused.
package simulator
