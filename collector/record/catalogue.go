package record

import (
	"encoding/json"
	"strings"
	"time"

	"egovkpi"
	"egovkpi/collector/protocol"
)

// Service is a procedure's online service on the 2022 scale.
type Service string

// The 2022 service levels (Decree 42/2022/ND-CP).
const (
	ServiceNone    Service = "none"
	ServicePartial Service = "partial"
	ServiceFull    Service = "full"
)

// Procedure is one procedure of a unit's catalogue as of a date.
type Procedure struct {
	Code                string
	Name                string
	Field               string
	Level               string  // as reported
	Service             Service // Level on the 2022 scale
	EligibleFullProcess bool
	FeeBearing          bool
	PaperResult         bool
	NPSPIntegrated      bool
}

// ServiceOf maps a reported level onto the 2022 scale: level 4 →
// full-process, level 3 → partial, levels 1–2 → none (a mapping for history,
// not a legal text). Levels 1–4 are accepted before 2022-08-15 and
// full/partial/none from then.
func ServiceOf(level string, asOf time.Time) (Service, error) {
	before := asOf.Before(egovkpi.FullProcessDecree)
	switch level {
	case protocol.Level1, protocol.Level2, protocol.Level3, protocol.Level4:
		if !before {
			return "", invalid("level %q is a Decree 43/2011 level, but as of %s (from 2022-08-15) levels are full, partial or none", level, asOf.Format(protocol.DateLayout))
		}
		switch level {
		case protocol.Level4:
			return ServiceFull, nil
		case protocol.Level3:
			return ServicePartial, nil
		}
		return ServiceNone, nil
	case protocol.LevelFull, protocol.LevelPartial, protocol.LevelNone:
		if before {
			return "", invalid("level %q is a Decree 42/2022 level, but as of %s (before 2022-08-15) levels are 1 to 4", level, asOf.Format(protocol.DateLayout))
		}
		return Service(level), nil
	}
	return "", invalid("unknown level %q (accepted: 1, 2, 3, 4 before 2022-08-15; full, partial, none from then)", level)
}

// DecodeProcedure decodes and checks one raw catalogue entry as of asOf.
func DecodeProcedure(raw json.RawMessage, asOf time.Time) (Procedure, error) {
	var p protocol.Procedure
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Procedure{}, invalid("catalogue entry: %v", protocol.DescribeJSONError(raw, err))
	}
	return ProcedureOf(p, asOf)
}

// ProcedureOf checks a catalogue entry as of asOf (code format, name, level
// of its era, full-process eligibility) and returns it in the stored form.
func ProcedureOf(p protocol.Procedure, asOf time.Time) (Procedure, error) {
	code := strings.TrimSpace(p.Code)
	if !ValidProcedureCode(code) {
		return Procedure{}, invalid("procedure %q is not a national procedure code (like 1.001234)", p.Code)
	}
	if strings.TrimSpace(p.Name) == "" {
		return Procedure{}, invalid("procedure %s has no name", code)
	}
	svc, err := ServiceOf(strings.TrimSpace(p.Level), asOf)
	if err != nil {
		return Procedure{}, err
	}
	if svc == ServiceFull && !p.EligibleFullProcess {
		return Procedure{}, invalid("procedure %s is offered full-process but not flagged eligible_full_process", code)
	}
	return Procedure{
		Code: code, Name: strings.TrimSpace(p.Name), Field: strings.TrimSpace(p.Field), Level: strings.TrimSpace(p.Level), Service: svc,
		EligibleFullProcess: p.EligibleFullProcess, FeeBearing: p.FeeBearing, PaperResult: p.PaperResult, NPSPIntegrated: p.NPSPIntegrated,
	}, nil
}
