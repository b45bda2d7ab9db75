// Package decisioninput is the compact stored form of what a what-if run
// (internal/whatif) needs of a decision: the household, the facts its
// calculation used, the month and date it was calculated for, the aid it
// calculated, and every fact the case had when it was decided (routing
// reads them). The store writes it beside the decision (the decisions
// table's inputs column) in the transaction that records the decision, so
// that a run reads one row and one short binary value a decision instead of
// the receipt's JSON and two dozen fact rows.
//
// The receipt stays the record: this form is derived from it and from the
// case's facts, and is only ever read by runs that compare a candidate
// with the live configuration. It holds personal data like the receipt,
// and is deleted with the decision's row.
//
// Format 1: the byte 1, then varints and a string table. Every string
// (kinds, person ids, sources, evidence, personal numbers) is written once
// in the table and referred to by index, and Decode slices them out of one
// string: a decision decodes with three allocations.
package decisioninput

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"skalig"
)

// Inputs is what a what-if run needs of one decision.
type Inputs struct {
	Month        skalig.Month
	CalculatedOn skalig.Date
	// Aid is the aid the receipt's calculation gave.
	Aid     skalig.Money
	Members []skalig.Member
	// Facts are the receipt's facts: those the calculation used.
	Facts []skalig.Fact
	// CaseFacts are every fact of the case, in stored order, when it was
	// decided.
	CaseFacts []skalig.Fact
}

// Format is the first byte of the encoding.
const Format = 1

// ErrFormat is returned by Decode for bytes that are not this encoding.
var ErrFormat = errors.New("decision inputs: not format 1")

// Encode appends the encoding of in to dst.
func Encode(dst []byte, in *Inputs) []byte {
	var e encoder
	e.index = make(map[string]uint64, 32)
	body := make([]byte, 0, 64+40*(len(in.Facts)+len(in.CaseFacts)))
	body = binary.AppendVarint(body, int64(in.Month))
	body = binary.AppendVarint(body, int64(in.CalculatedOn.Y))
	body = append(body, byte(in.CalculatedOn.M), byte(in.CalculatedOn.D))
	body = binary.AppendVarint(body, int64(in.Aid))
	body = binary.AppendUvarint(body, uint64(len(in.Members)))
	for _, m := range in.Members {
		body = e.str(body, m.ID)
		body = e.str(body, string(m.PersonalNumber))
		body = e.str(body, string(m.Role))
	}
	body = binary.AppendUvarint(body, uint64(len(in.CaseFacts)))
	for i := range in.CaseFacts {
		body = e.fact(body, &in.CaseFacts[i])
	}
	// The receipt's facts are mostly the case's own: a reference to one
	// (its index + 1), or 0 and the fact.
	body = binary.AppendUvarint(body, uint64(len(in.Facts)))
	for i := range in.Facts {
		f := &in.Facts[i]
		ref := -1
		for j := range in.CaseFacts {
			if sameFact(f, &in.CaseFacts[j]) {
				ref = j
				break
			}
		}
		if ref >= 0 {
			body = binary.AppendUvarint(body, uint64(ref+1))
			continue
		}
		body = binary.AppendUvarint(body, 0)
		body = e.fact(body, f)
	}
	dst = append(dst, Format)
	dst = binary.AppendUvarint(dst, uint64(len(e.strs)))
	n := 0
	for _, s := range e.strs {
		n += len(s)
	}
	dst = binary.AppendUvarint(dst, uint64(n))
	for _, s := range e.strs {
		dst = binary.AppendUvarint(dst, uint64(len(s)))
	}
	for _, s := range e.strs {
		dst = append(dst, s...)
	}
	return append(dst, body...)
}

func sameFact(a, b *skalig.Fact) bool {
	return a.Kind == b.Kind && a.PersonID == b.PersonID && a.Period == b.Period && a.Value == b.Value &&
		a.Source == b.Source && a.At.Equal(b.At) && a.Evidence == b.Evidence && a.RecordedBy == b.RecordedBy
}

type encoder struct {
	index map[string]uint64
	strs  []string
}

func (e *encoder) str(b []byte, s string) []byte {
	i, ok := e.index[s]
	if !ok {
		i = uint64(len(e.strs))
		e.index[s] = i
		e.strs = append(e.strs, s)
	}
	return binary.AppendUvarint(b, i)
}

func (e *encoder) fact(b []byte, f *skalig.Fact) []byte {
	b = e.str(b, f.Kind)
	b = e.str(b, f.PersonID)
	b = binary.AppendVarint(b, int64(f.Period))
	if f.Value.IsText {
		b = append(b, 1)
		b = e.str(b, f.Value.Text)
		// A text value may carry an amount too (FactValue is a struct).
		b = binary.AppendVarint(b, int64(f.Value.Amount))
	} else {
		b = append(b, 0)
		b = binary.AppendVarint(b, int64(f.Value.Amount))
	}
	b = e.str(b, string(f.Source))
	if f.At.IsZero() {
		b = append(b, 0)
	} else {
		b = append(b, 1)
		b = binary.AppendVarint(b, f.At.UnixMicro())
	}
	b = e.str(b, f.Evidence)
	return e.str(b, f.RecordedBy)
}

// Decode decodes b (made by Encode) into in, reusing its slices.
func Decode(b []byte, in *Inputs) error { return decode(b, in, true) }

// DecodeReceipt is Decode without the case's facts: in.CaseFacts is left
// empty, and only those the receipt's facts refer to are read, straight
// into in.Facts. A replay of the receipt needs no more (the case's other
// facts are for routing).
func DecodeReceipt(b []byte, in *Inputs) error { return decode(b, in, false) }

func decode(b []byte, in *Inputs, caseFacts bool) error {
	d := decoder{b: b}
	if len(b) == 0 || b[0] != Format {
		return ErrFormat
	}
	d.i = 1
	ns := d.uvarint()
	total := d.uvarint()
	if d.err || ns > uint64(len(b)) || total > uint64(len(b)) {
		return ErrFormat
	}
	lens := make([]uint32, ns)
	for k := range lens {
		lens[k] = uint32(d.uvarint())
	}
	if d.err || uint64(d.i)+total > uint64(len(b)) {
		return ErrFormat
	}
	all := string(b[d.i : d.i+int(total)])
	d.i += int(total)
	d.strs = make([]string, ns)
	off := 0
	for k, l := range lens {
		if off+int(l) > len(all) {
			return ErrFormat
		}
		d.strs[k] = all[off : off+int(l)]
		off += int(l)
	}
	in.Month = skalig.Month(d.varint())
	in.CalculatedOn.Y = int16(d.varint())
	in.CalculatedOn.M, in.CalculatedOn.D = int8(d.byte()), int8(d.byte())
	in.Aid = skalig.Money(d.varint())
	nm := d.count()
	in.Members = grow(in.Members, nm)
	for k := range in.Members {
		m := &in.Members[k]
		m.ID = d.str()
		m.PersonalNumber = skalig.PersonalNumber(d.str())
		m.Role = skalig.MemberRole(d.str())
	}
	ncf := d.count()
	var at [64]int // where each case fact starts, when they are not read
	var starts []int
	if caseFacts {
		in.CaseFacts = grow(in.CaseFacts, ncf)
		for k := range in.CaseFacts {
			d.fact(&in.CaseFacts[k])
		}
	} else {
		in.CaseFacts = in.CaseFacts[:0]
		starts = at[:0]
		for range ncf {
			starts = append(starts, d.i)
			d.skipFact()
		}
	}
	nf := d.count()
	in.Facts = grow(in.Facts, nf)
	for k := range in.Facts {
		ref := d.uvarint()
		switch {
		case ref == 0:
			d.fact(&in.Facts[k])
		case ref > uint64(ncf):
			return ErrFormat
		case caseFacts:
			in.Facts[k] = in.CaseFacts[ref-1]
		default:
			next := d.i
			d.i = starts[ref-1]
			d.fact(&in.Facts[k])
			d.i = next
		}
	}
	if d.err || d.i != len(b) {
		return ErrFormat
	}
	return nil
}

func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}

type decoder struct {
	b    []byte
	i    int
	err  bool
	strs []string
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b[min(d.i, len(d.b)):])
	if n <= 0 {
		d.err = true
		return 0
	}
	d.i += n
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b[min(d.i, len(d.b)):])
	if n <= 0 {
		d.err = true
		return 0
	}
	d.i += n
	return v
}

func (d *decoder) byte() byte {
	if d.i >= len(d.b) {
		d.err = true
		return 0
	}
	c := d.b[d.i]
	d.i++
	return c
}

// count is a length no larger than the bytes left (each element takes at
// least one).
func (d *decoder) count() int {
	n := d.uvarint()
	if n > uint64(len(d.b)-min(d.i, len(d.b))) {
		d.err = true
		return 0
	}
	return int(n)
}

func (d *decoder) str() string {
	k := d.uvarint()
	if k >= uint64(len(d.strs)) {
		d.err = true
		return ""
	}
	return d.strs[k]
}

// skipFact reads past a fact as fact reads it.
func (d *decoder) skipFact() {
	d.uvarint() // kind
	d.uvarint() // person
	d.varint()  // period
	if d.byte() == 1 {
		d.uvarint() // text
	}
	d.varint()  // amount
	d.uvarint() // source
	if d.byte() == 1 {
		d.varint() // at
	}
	d.uvarint() // evidence
	d.uvarint() // recorded by
}

func (d *decoder) fact(f *skalig.Fact) {
	f.Kind = d.str()
	f.PersonID = d.str()
	f.Period = skalig.Month(d.varint())
	f.Value = skalig.FactValue{}
	if d.byte() == 1 {
		f.Value.IsText = true
		f.Value.Text = d.str()
	}
	f.Value.Amount = skalig.Money(d.varint())
	f.Source = skalig.FactSource(d.str())
	f.At = time.Time{}
	if d.byte() == 1 {
		f.At = time.UnixMicro(d.varint()).UTC()
	}
	f.Evidence = d.str()
	f.RecordedBy = d.str()
}

// FromReceipt is the inputs of a decision whose receipt is r, on a case
// whose facts are caseFacts.
func FromReceipt(r *skalig.Receipt, caseFacts []skalig.Fact) (*Inputs, error) {
	var res struct {
		Aid skalig.Money `json:"aid"`
	}
	if len(r.Result) > 0 {
		if err := json.Unmarshal(r.Result, &res); err != nil {
			return nil, fmt.Errorf("receipt result: %w", err)
		}
	}
	return &Inputs{Month: r.Month, CalculatedOn: r.CalculatedOn, Aid: res.Aid, Members: r.Members, Facts: r.Facts, CaseFacts: caseFacts}, nil
}
