// Package egovkpi holds the shared vocabulary of the project: units
// (ministries and provinces across the 2025 mergers) and their eras.
// It does no I/O; the packages under collector, metrics, dashboards, reports
// and migrations build on it.
package egovkpi
