package routing

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"slices"
	"strconv"

	"skalig"
)

// delegation returns the first delegation that covers the case with the
// outcome o, or nil and the reason of the proposal: no_delegation when the
// configuration has none, outside_delegation with, per delegation, what
// keeps the case outside it.
func (c *Config) delegation(x *caseView, o skalig.Outcome) (*DelegationSpec, Reason) {
	if len(c.spec.Delegations) == 0 {
		return nil, reason(skalig.ReasonNoDelegation)
	}
	in := x.in
	var why []finding
	for i := range c.spec.Delegations {
		d := &c.spec.Delegations[i]
		var fails []skalig.DetailArg
		if !slices.Contains(d.Kinds, in.Kind) {
			fails = append(fails, skalig.MsgArg("detail.delegation.kind", kindArg(in.Kind)))
		}
		if !slices.Contains(d.Outcomes, o) {
			fails = append(fails, skalig.MsgArg("detail.delegation.outcome", outcomeArg(o)))
		}
		if lim := skalig.Kronor(d.MaxAmount); in.Calc.Aid > lim {
			fails = append(fails, skalig.MsgArg("detail.delegation.amount", skalig.MoneyArg(in.Calc.Aid), skalig.MoneyArg(lim)))
		}
		if d.UnchangedOnly {
			if !x.unchanged.done {
				x.unchanged.yes, x.unchanged.detail = unchangedSincePrevious(in)
				x.unchanged.done = true
			}
			if !x.unchanged.yes {
				fails = append(fails, skalig.MsgArg("detail.delegation.unchanged_only", skalig.DetailAsArg(x.unchanged.detail)))
			}
		}
		if len(fails) == 0 {
			return d, Reason{}
		}
		why = append(why, found("detail.delegation", skalig.TextArg(d.Name), skalig.ListArg(skalig.DetailSepComma, fails...)))
	}
	return nil, reason(skalig.ReasonOutsideDelegation, why...)
}

// unchangedSincePrevious reports whether in is a re-application without
// changes: the previous decided month is the month before, and the facts
// declared by the applicant and reported by registers are the same, by
// kind, person, source and value (not time, period or evidence), counted as
// a multiset. The message to the caseworker is not compared (it stops the
// robot anyway). When they differ, it also returns a detail naming the
// changed kinds.
func unchangedSincePrevious(in *Input) (bool, skalig.Detail) {
	p := in.Previous
	if p == nil {
		return false, skalig.NewDetail("detail.unchanged.no_previous")
	}
	if p.Month != in.Month-1 {
		return false, skalig.NewDetail("detail.unchanged.not_month_before", skalig.MonthArg(p.Month))
	}
	// A fact's value is its text or its amount, as it is given.
	type key struct {
		kind, person, text string
		source             skalig.FactSource
		amount             skalig.Money
		isText             bool
	}
	count := make(map[key]int, len(in.Facts))
	tally := func(fs []skalig.Fact, d int) {
		for i := range fs {
			f := &fs[i]
			if _, reg := f.Source.Register(); (f.Source != skalig.SourceApplicant && !reg) || f.Kind == skalig.KindMessage {
				continue
			}
			k := key{kind: f.Kind, person: f.PersonID, source: f.Source, isText: f.Value.IsText}
			if f.Value.IsText {
				k.text = f.Value.Text
			} else {
				k.amount = f.Value.Amount
			}
			count[k] += d
		}
	}
	tally(in.Facts, 1)
	tally(p.Facts, -1)
	var changed []string
	for k, n := range count {
		if n != 0 {
			changed = append(changed, k.kind)
		}
	}
	if len(changed) == 0 {
		return true, skalig.Detail{}
	}
	slices.Sort(changed)
	changed = slices.Compact(changed)
	args := make([]skalig.DetailArg, len(changed))
	for i, k := range changed {
		args[i] = skalig.TextArg(k)
	}
	return false, skalig.NewDetail("detail.unchanged.changed", skalig.MonthArg(p.Month), skalig.ListArg(skalig.DetailSepComma, args...))
}

// Draw is a sample draw: Value is computed from the configuration's seed
// and the case id (see draw), and the case is Drawn when Value < Rate.
type Draw struct {
	Seed  string
	Value float64
	Rate  float64
	Drawn bool
}

// draw makes the sample draw of case id: the first 8 bytes of
// HMAC-SHA256(key = sample_seed, message = case id) as a big-endian
// unsigned integer x, and Value = (x >> 11) / 2^53, a number in [0, 1)
// exact in a float64. Drawn is Value < Rate. docs/routing.md shows how to
// redo it by hand.
func (c *Config) draw(caseID string) Draw {
	mac, _ := c.macs.Get().(hash.Hash)
	if mac == nil {
		mac = hmac.New(sha256.New, []byte(c.spec.SampleSeed))
	} else {
		mac.Reset()
	}
	d := drawMAC(mac, c.spec.SampleSeed, c.spec.SampleRate, caseID)
	c.macs.Put(mac)
	return d
}

// drawMAC is the draw of caseID with mac, an HMAC-SHA256 keyed with seed
// and reset.
func drawMAC(mac hash.Hash, seed string, rate float64, caseID string) Draw {
	var buf [sha256.Size]byte
	mac.Write([]byte(caseID))
	sum := mac.Sum(buf[:0])
	x := binary.BigEndian.Uint64(sum[:8])
	v := float64(x>>11) / (1 << 53)
	return Draw{Seed: seed, Value: v, Rate: rate, Drawn: v < rate}
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// String describes the draw for an audit log: "0.0123 < 0.05: drawn".
func (d Draw) String() string {
	if d.Drawn {
		return fmt.Sprintf("%s < %s: drawn", formatFloat(d.Value), formatFloat(d.Rate))
	}
	return fmt.Sprintf("%s >= %s: not drawn", formatFloat(d.Value), formatFloat(d.Rate))
}
