package simulator

import (
	"strconv"
	"unicode/utf8"

	"egovkpi/collector/protocol"
)

// The pages are encoded by hand into one reused buffer: no reflection, no
// intermediate strings. The output decodes exactly as encoding/json would
// encode the protocol types (field names, order and omitempty).

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendKey appends ,"name": (or "name": for the first field).
func appendKey(b []byte, first bool, name string) []byte {
	if !first {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, name...)
	return append(b, '"', ':')
}

func appendCount(b []byte, name string, v *int64) []byte {
	if v == nil {
		return b
	}
	b = appendKey(b, false, name)
	return strconv.AppendInt(b, *v, 10)
}

// appendUsage appends one usage record as a JSON object.
func appendUsage(b []byte, r *protocol.Usage) []byte {
	b = append(b, '{')
	b = appendKey(b, true, "date")
	b = appendString(b, r.Date)
	b = appendKey(b, false, "procedure")
	b = appendString(b, r.Procedure)
	b = appendCount(b, "received", r.Received)
	b = appendCount(b, "received_in_person", r.ReceivedInPerson)
	b = appendCount(b, "received_online", r.ReceivedOnline)
	b = appendCount(b, "received_post", r.ReceivedPost)
	b = appendCount(b, "full_process_online", r.FullProcessOnline)
	b = appendCount(b, "processed", r.Processed)
	b = appendCount(b, "processed_on_time", r.ProcessedOnTime)
	b = appendCount(b, "processed_late", r.ProcessedLate)
	b = appendCount(b, "in_progress_on_time", r.InProgressOnTime)
	b = appendCount(b, "in_progress_overdue", r.InProgressOverdue)
	b = appendCount(b, "financial_obligation", r.FinancialObligation)
	b = appendCount(b, "paid_online", r.PaidOnline)
	b = appendCount(b, "digitized", r.Digitized)
	b = appendCount(b, "e_result", r.EResult)
	b = appendCount(b, "reused_data", r.ReusedData)
	b = appendCount(b, "synced_npsp", r.SyncedNPSP)
	b = appendCount(b, "complaints_received", r.ComplaintsReceived)
	b = appendCount(b, "complaints_on_time", r.ComplaintsOnTime)
	b = appendCount(b, "complaints_pending_on_time", r.ComplaintsPendingOnTime)
	b = appendCount(b, "votes_satisfied", r.VotesSatisfied)
	b = appendCount(b, "votes_dissatisfied", r.VotesDissatisfied)
	return append(b, '}')
}

func appendBool(b []byte, name string, v bool) []byte {
	b = appendKey(b, false, name)
	return strconv.AppendBool(b, v)
}

// appendProcedure appends one catalogue entry as a JSON object.
func appendProcedure(b []byte, p *protocol.Procedure) []byte {
	b = append(b, '{')
	b = appendKey(b, true, "code")
	b = appendString(b, p.Code)
	b = appendKey(b, false, "name")
	b = appendString(b, p.Name)
	b = appendKey(b, false, "field")
	b = appendString(b, p.Field)
	b = appendKey(b, false, "level")
	b = appendString(b, p.Level)
	b = appendBool(b, "eligible_full_process", p.EligibleFullProcess)
	b = appendBool(b, "fee_bearing", p.FeeBearing)
	b = appendBool(b, "paper_result", p.PaperResult)
	b = appendBool(b, "npsp_integrated", p.NPSPIntegrated)
	return append(b, '}')
}

// pageHead appends the fields common to both pages.
func pageHead(b []byte, unit string) []byte {
	b = append(b, '{')
	b = appendKey(b, true, "protocol")
	b = appendString(b, protocol.Version)
	b = appendKey(b, false, "unit")
	return appendString(b, unit)
}

func pageTail(b []byte, next string) []byte {
	b = append(b, ']')
	if next != "" {
		b = appendKey(b, false, "next_page_token")
		b = appendString(b, next)
	}
	return append(b, '}', '\n')
}
