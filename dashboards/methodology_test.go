package dashboards

import (
	"testing"

	"egovkpi/metrics/m766"
)

// An indicator is collected when every input it reads is a KPI: a payment
// indicator whose C input is not is scored 0, so it is not collected.
func TestCollectedNeedsEveryInput(t *testing.T) {
	pay := m766.Indicator{Input: "online_payment_rate", Rule: m766.Rule{Type: m766.RulePayment,
		BInput: "fee_procedures_paid_online_rate", CInput: "fee_procedures_with_dossiers_rate"}}
	if !collected(pay) {
		t.Error("a payment indicator of three KPIs is not collected")
	}
	pay.Rule.CInput = "paper_fee_rate"
	if collected(pay) {
		t.Error("a payment indicator with an input that is no KPI is collected")
	}
}
