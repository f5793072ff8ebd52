// Package metrics turns collected facts into the figures people act on: the
// KPI catalogue, periods, the versioned Decision 766 methodologies, scoring,
// bands, league tables and the rollup queries they read.
package metrics
