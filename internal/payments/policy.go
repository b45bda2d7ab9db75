package payments

import (
	"time"

	"skalig"
	"skalig/internal/store"
)

// Hold reasons: why a payment waits for a second person before it goes
// into a payment run. They are stable codes, shown with HoldText.
const (
	// HoldAccountChanged: the household's account differs from the one
	// its last payment went to, and was first stated within the policy's
	// days.
	HoldAccountChanged = "account_changed"
	// HoldAmount: the amount is above the policy's limit.
	HoldAmount = "amount_above_limit"
)

// HoldText is the Swedish text of a hold reason.
func HoldText(code string) string {
	switch code {
	case HoldAccountChanged:
		return "Kontot har bytts nyligen: en andra person ska attestera utbetalningen."
	case HoldAmount:
		return "Beloppet är över kommunens attestgräns: en andra person ska attestera utbetalningen."
	}
	return code
}

// Policy is the municipality's payment control: when a payment waits for
// a second person. It is the one home of that rule; the workflow asks it
// for every payment it orders (Hold), and Release enforces the four eyes.
// The zero Policy holds nothing.
type Policy struct {
	// AccountChangeDays: a payment to an account first stated less than
	// this many days ago, when the household's previous payment went to
	// another account, is held (SKALIG_PAYMENT_ACCOUNT_CHANGE_DAYS); 0
	// turns the rule off.
	AccountChangeDays int
	// HoldAbove: a payment above this amount is held
	// (SKALIG_PAYMENT_HOLD_ABOVE); 0 turns the rule off.
	HoldAbove skalig.Money
}

// NeedsHistory reports whether Hold needs the account's history, so that
// the caller can skip reading it.
func (p Policy) NeedsHistory() bool { return p.AccountChangeDays > 0 }

// Hold returns the reason a payment of amount to account, with the
// account's history h, must wait for a second person at now, or "" when it
// need not. An account the household never was paid to before is not a
// change (a first application goes to a person anyway); an account stated
// only now counts as stated now.
func (p Policy) Hold(amount skalig.Money, account string, h store.AccountHistory, now time.Time) string {
	if p.HoldAbove > 0 && amount > p.HoldAbove {
		return HoldAmount
	}
	if p.AccountChangeDays > 0 && h.Previous != "" && normalize(h.Previous) != normalize(account) {
		since := h.FirstStated
		if since.IsZero() || since.After(now) {
			since = now
		}
		if now.Sub(since) < time.Duration(p.AccountChangeDays)*24*time.Hour {
			return HoldAccountChanged
		}
	}
	return ""
}
