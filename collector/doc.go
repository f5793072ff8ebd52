// Package collector brings usage statistics in: it pulls them from every
// ministry and provincial portal on a schedule, accepts pushes and file
// uploads, validates every record (bad ones go to quarantine with their
// reason), and writes idempotent loads to ClickHouse. It also holds the
// portal simulator used by the demo and the tests.
package collector
