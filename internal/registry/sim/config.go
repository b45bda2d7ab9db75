package sim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"skalig"
)

// Config configures a simulator. The zero value answers at once and
// without faults, for seed 0.
type Config struct {
	// Seed selects the synthetic population: the same seed and
	// personnummer give the same person, in every process.
	Seed uint64
	// Latency is each source's answer time; an exchange takes as long as
	// its slowest source. Sources not in it answer at once.
	Latency map[string]Latency
	// Faults are each source's fault rates; sources not in it never fail.
	Faults map[string]Faults
	// HangMax bounds a hanging answer (fault Hang): after it the connection
	// is dropped. Zero means one minute.
	HangMax time.Duration
}

// Latency is a uniform distribution of answer times, Min to Max.
type Latency struct{ Min, Max time.Duration }

// Faults are the probabilities (0-1) of each fault for one source, drawn
// anew for every exchange (seeded: the same sequence of requests for a
// person meets the same faults).
//
// Error, Timeout and BadData are faults of the source's part: an error
// answer (temporary), the service reporting that the source did not answer
// in time, and a part whose data cannot be read. Malformed, Hang and Drop
// are faults of the whole exchange, drawn once per exchange with the mean
// rate of the sources asked: an answer that is not a valid answer (broken
// XML, an HTML error page, an answer about another person or to another
// request), an answer that never comes (until HangMax) and a dropped
// connection.
type Faults struct {
	Error, Timeout, BadData float64
	Malformed, Hang, Drop   float64
}

// FaultKinds names the fault kinds as the --faults flag writes them.
var FaultKinds = []string{"error", "timeout", "baddata", "malformed", "hang", "drop"}

func (f *Faults) field(kind string) *float64 {
	switch kind {
	case "error":
		return &f.Error
	case "timeout":
		return &f.Timeout
	case "baddata":
		return &f.BadData
	case "malformed":
		return &f.Malformed
	case "hang":
		return &f.Hang
	case "drop":
		return &f.Drop
	}
	return nil
}

// Total returns the sum of the rates.
func (f Faults) Total() float64 {
	return f.Error + f.Timeout + f.BadData + f.Malformed + f.Hang + f.Drop
}

// ParseLatency reads a latency flag: comma-separated SOURCE=MIN-MAX with
// Go durations ("fk=50ms-200ms") or a unit after both numbers
// ("fk=50-200ms"); SOURCE is a register name or "all" (applied first, so
// that a named source overrides it).
func ParseLatency(s string) (map[string]Latency, error) {
	out := map[string]Latency{}
	entries, err := splitEntries(s)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		lo, hi, ok := strings.Cut(e.val, "-")
		if !ok {
			lo, hi = e.val, e.val
		}
		unit := strings.TrimLeft(hi, "0123456789.")
		if _, err := strconv.ParseFloat(lo, 64); err == nil && unit != "" {
			lo += unit
		}
		min, err1 := time.ParseDuration(lo)
		max, err2 := time.ParseDuration(hi)
		if err1 != nil || err2 != nil || min < 0 || max < min {
			return nil, fmt.Errorf("latens %q: skriv KÄLLA=MIN-MAX, t.ex. fk=50-200ms", e.key+"="+e.val)
		}
		for _, src := range e.sources {
			out[src] = Latency{Min: min, Max: max}
		}
	}
	return out, nil
}

// ParseFaults reads a fault flag: comma-separated SOURCE[:KIND]=RATE, where
// SOURCE is a register name or "all", KIND one of FaultKinds and RATE 0-1.
// Without KIND the rate is shared equally by all kinds ("all=0.3": 5 % of
// each). Entries for "all" apply first.
func ParseFaults(s string) (map[string]Faults, error) {
	out := map[string]Faults{}
	entries, err := splitEntries(s)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		rate, err := strconv.ParseFloat(e.val, 64)
		if err != nil || rate < 0 || rate > 1 {
			return nil, fmt.Errorf("fel %q: andelen ska vara ett tal 0-1", e.key+"="+e.val)
		}
		kinds := FaultKinds
		if e.kind != "" {
			if !slices.Contains(FaultKinds, e.kind) {
				return nil, fmt.Errorf("fel %q: okänt slag %q; tillåtna: %s", e.key+"="+e.val, e.kind, strings.Join(FaultKinds, ", "))
			}
			kinds = []string{e.kind}
		}
		for _, src := range e.sources {
			f := out[src]
			for _, k := range kinds {
				*f.field(k) = rate / float64(len(kinds))
			}
			out[src] = f
		}
	}
	for src, f := range out {
		if f.Total() > 1+1e-9 {
			return nil, fmt.Errorf("fel för %s: andelarna blir tillsammans mer än 1", src)
		}
	}
	return out, nil
}

type entry struct {
	key, kind, val string
	sources        []string
}

// splitEntries splits "a=x,b:k=y" into entries, those for "all" first.
func splitEntries(s string) ([]entry, error) {
	var all, named []entry
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, val, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("%q: skriv KÄLLA=VÄRDE", part)
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		src, kind, _ := strings.Cut(key, ":")
		e := entry{key: key, kind: kind, val: val}
		switch {
		case src == "all":
			e.sources = skalig.RegisterNames
			all = append(all, e)
		case slices.Contains(skalig.RegisterNames, src):
			e.sources = []string{src}
			named = append(named, e)
		default:
			return nil, fmt.Errorf("%q: okänd källa %q; tillåtna: all, %s", part, src, strings.Join(skalig.RegisterNames, ", "))
		}
	}
	return append(all, named...), nil
}
