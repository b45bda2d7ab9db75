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
		Facts        []skalig.Fact   `json:"facts"`
	}
	prefix := make([]byte, 0, cut+1)
	prefix = append(append(prefix, body[:cut]...), '}')
	if err := json.Unmarshal(prefix, &w); err != nil {
		return nil, false
	}
	month, ok := skalig.ParseMonth(w.Month)
	if !ok {
		return nil, false
	}
	on, ok := skalig.ParseDate(w.CalculatedOn)
	if !ok {
		return nil, false
	}
	return &decidedReceipt{Month: month, CalculatedOn: on, Members: w.Members, Facts: w.Facts, Aid: aid}, true
}
