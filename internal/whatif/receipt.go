package whatif

import (
	"bytes"
	"encoding/json"
	"fmt"

	"skalig"
)

// decidedReceipt is what a run needs of a stored receipt: the household,
// the facts the calculation used, the month and date it was calculated
// for, and the aid it calculated.
type decidedReceipt struct {
	Month        skalig.Month
	CalculatedOn skalig.Date
	Members      []skalig.Member
	Facts        []skalig.Fact
	Aid          skalig.Money
}

// The canonical encoding of a receipt (skalig.Receipt.CanonicalJSON,
// format 1) has a fixed field order: ... "members", "facts", then
// "param_set", ..., "result" (its keys sorted, so "aid" first), "trace"
// (most of the bytes), ... A run needs only what comes before
// "param_set" and the result's aid, so parseReceipt decodes that prefix
// and reads the aid in place rather than decoding the whole document (the
// trace is about half of it). Inside a JSON string a quote is always
// escaped, so the byte sequences searched for can only be the keys
// themselves. Anything else (another format, a changed order) falls back
// to skalig.ParseReceipt.
var (
	keyParamSet = []byte(`,"param_set":"`)
	keyAid      = []byte(`,"result":{"aid":`)
	prefixV1    = []byte(`{"format":1,"case_id":`)
)

func parseReceipt(body []byte) (*decidedReceipt, error) {
	if r, ok := parseReceiptPrefix(body); ok {
		return r, nil
	}
	full, err := skalig.ParseReceipt(body)
	if err != nil {
		return nil, err
	}
	var ra struct {
		Aid skalig.Money `json:"aid"`
	}
	if err := json.Unmarshal(full.Result, &ra); err != nil {
		return nil, fmt.Errorf("receipt result: %w", err)
	}
	return &decidedReceipt{Month: full.Month, CalculatedOn: full.CalculatedOn, Members: full.Members, Facts: full.Facts, Aid: ra.Aid}, nil
}

func parseReceiptPrefix(body []byte) (*decidedReceipt, bool) {
	if !bytes.HasPrefix(body, prefixV1) {
		return nil, false
	}
	cut := bytes.Index(body, keyParamSet)
	if cut < 0 {
		return nil, false
	}
	ai := bytes.Index(body[cut:], keyAid)
	if ai < 0 {
		return nil, false
	}
	num := body[cut+ai+len(keyAid):]
	end := bytes.IndexAny(num, ",}")
	if end < 0 {
		return nil, false
	}
	aid, ok := skalig.ParseMoney(string(num[:end]))
	if !ok {
		return nil, false
	}
	var w struct {
		Month        string          `json:"month"`
		CalculatedOn string          `json:"calculated_on"`
		Members      []skalig.Member `json:"members"`
		Facts        []factWire      `json:"facts"`
	}
	prefix := make([]byte, 0, cut+1)
	prefix = append(append(prefix, body[:cut]...), '}')
	if err := json.Unmarshal(prefix, &w); err != nil {
		return nil, false
	}
	facts := make([]skalig.Fact, len(w.Facts))
	for i := range w.Facts {
		if !w.Facts[i].fact(&facts[i]) {
			return nil, false
		}
	}
	month, ok := skalig.ParseMonth(w.Month)
	if !ok {
		return nil, false
	}
	on, ok := skalig.ParseDate(w.CalculatedOn)
	if !ok {
		return nil, false
	}
	return &decidedReceipt{Month: month, CalculatedOn: on, Members: w.Members, Facts: facts, Aid: aid}, true
}

// factWire is a fact as skalig.Fact's JSON writes it, decoded in the same
// pass as the receipt around it (skalig.Fact.UnmarshalJSON decodes each
// fact a second time, and was a third of a run's time). A fact that does
// not read back exactly makes parseReceipt fall back to the full parse;
// TestParseReceiptPrefix compares the two.
type factWire struct {
	Kind       string  `json:"kind"`
	Person     string  `json:"person"`
	Period     string  `json:"period"`
	Amount     *string `json:"amount"`
	Text       *string `json:"text"`
	Source     string  `json:"source"`
	At         string  `json:"at"`
	Evidence   string  `json:"evidence"`
	RecordedBy string  `json:"recorded_by"`
}

func (w *factWire) fact(f *skalig.Fact) bool {
	period, ok := skalig.ParseMonth(w.Period)
	if !ok {
		return false
	}
	at, err := skalig.ParseTime(w.At)
	if err != nil {
		return false
	}
	var v skalig.FactValue
	switch {
	case w.Amount != nil && w.Text != nil:
		return false
	case w.Text != nil:
		v = skalig.TextValue(*w.Text)
	case w.Amount != nil:
		m, ok := skalig.ParseMoney(*w.Amount)
		if !ok {
			return false
		}
		v = skalig.AmountValue(m)
	default:
		return false
	}
	*f = skalig.Fact{Kind: w.Kind, PersonID: w.Person, Period: period, Value: v,
		Source: skalig.FactSource(w.Source), At: at, Evidence: w.Evidence, RecordedBy: w.RecordedBy}
	return true
}
