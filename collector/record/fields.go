// Package record holds the collector's form of usage and catalogue records
// and the rules every record must pass before it is stored: decoding with
// clear errors, normalisation (derived totals), and checks that a part never
// exceeds its whole. A record that fails is returned with its reason for
// the quarantine; the others of the same payload are kept.
package record

// Field is one count of a usage record: its protocol name (also its column
// in usage_facts and the rollups).
type Field int

// The counts of a usage record, in column order.
const (
	Received Field = iota
	ReceivedInPerson
	ReceivedOnline
	ReceivedPost
	FullProcessOnline
	Processed
	ProcessedOnTime
	ProcessedLate
	InProgressOnTime
	InProgressOverdue
	FinancialObligation
	PaidOnline
	Digitized
	EResult
	ReusedData
	SyncedNPSP
	ComplaintsReceived
	ComplaintsOnTime
	ComplaintsPendingOnTime
	VotesSatisfied
	VotesDissatisfied
	NumFields
)

// names are the protocol's JSON names and the columns' names.
var names = [NumFields]string{
	"received", "received_in_person", "received_online", "received_post", "full_process_online",
	"processed", "processed_on_time", "processed_late", "in_progress_on_time", "in_progress_overdue",
	"financial_obligation", "paid_online", "digitized", "e_result", "reused_data", "synced_npsp",
	"complaints_received", "complaints_on_time", "complaints_pending_on_time", "votes_satisfied", "votes_dissatisfied",
}

// Name is the field's protocol and column name.
func (f Field) Name() string { return names[f] }

// Fields returns every field in column order.
func Fields() []Field {
	out := make([]Field, NumFields)
	for i := range out {
		out[i] = Field(i)
	}
	return out
}

// wholes lists the part ≤ whole rules: the sum of the parts present must
// not exceed the whole when both are reported.
var wholes = []struct {
	whole Field
	parts []Field
}{
	{Received, []Field{ReceivedInPerson, ReceivedOnline, ReceivedPost}},
	{ReceivedOnline, []Field{FullProcessOnline}},
	{Processed, []Field{ProcessedOnTime, ProcessedLate}},
	{FinancialObligation, []Field{PaidOnline}},
	{Received, []Field{Digitized}},
	{Received, []Field{ReusedData}},
	{Received, []Field{SyncedNPSP}},
	{ComplaintsReceived, []Field{ComplaintsOnTime, ComplaintsPendingOnTime}},
}
