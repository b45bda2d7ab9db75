package casecheck

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"skalig"
	"skalig/internal/store"
)

// MaxHistoryRows bounds an import of earlier months with aid.
const MaxHistoryRows = 1_000_000

// ParseAidHistory reads the CSV of earlier months with aid per person
// (docs/history.md): a header "personnummer,månader", then one row per
// person with the personnummer (12 or 10 digits, with or without '-') and
// the months with försörjningsstöd, separated by spaces or ';', each
// "YYYY-MM" or a range "YYYY-MM..YYYY-MM"; an empty field means the person
// had no aid. A ';' as the column separator is accepted too. Every problem
// is reported as a Swedish field error naming the line and the field
// ("rad 3: månader"); today is the date personnummer are read against.
func ParseAidHistory(data []byte, today skalig.Date) ([]store.AidHistory, error) {
	var fe []skalig.FieldError
	add := func(line int, field, format string, args ...any) {
		if len(fe) < 100 {
			fe = append(fe, skalig.FieldError{Field: fmt.Sprintf("rad %d: %s", line, field), Message: fmt.Sprintf(format, args...)})
		}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a BOM from a spreadsheet
	r := csv.NewReader(bytes.NewReader(data))
	if first, _, _ := bytes.Cut(data, []byte("\n")); bytes.Count(first, []byte(";")) > 0 && !bytes.Contains(first, []byte(",")) {
		r.Comma = ';'
	}
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	var out []store.AidHistory
	seen := map[skalig.PersonalNumber]int{}
	for line := 1; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			add(line, "rad", "raden kan inte läsas som CSV (kontrollera citattecknen)")
			break
		}
		if line == 1 {
			if len(rec) != 2 || !strings.EqualFold(strings.TrimSpace(rec[0]), "personnummer") ||
				!slices.Contains([]string{"månader", "manader", "months"}, strings.ToLower(strings.TrimSpace(rec[1]))) {
				add(line, "rubrik", "första raden ska vara rubriken personnummer,månader")
				break
			}
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // an empty line
		}
		if len(rec) != 2 {
			add(line, "rad", "raden ska ha två fält, personnummer och månader, men har %d", len(rec))
			continue
		}
		if len(out) >= MaxHistoryRows {
			add(line, "rad", "filen får ha högst %d personer", MaxHistoryRows)
			break
		}
		pn, err := skalig.ParsePersonalNumber(strings.TrimSpace(rec[0]), today)
		if err != nil {
			add(line, "personnummer", "%s", skalig.ErrorMessage(err))
			continue
		}
		if prev, dup := seen[pn]; dup {
			add(line, "personnummer", "personen finns redan på rad %d", prev)
			continue
		}
		seen[pn] = line
		months, ok := parseMonthList(rec[1], func(format string, args ...any) { add(line, "månader", format, args...) })
		if !ok {
			continue
		}
		out = append(out, store.AidHistory{Person: pn, Months: months})
	}
	if len(fe) == 0 && len(out) == 0 {
		fe = append(fe, skalig.FieldError{Field: "fil", Message: "filen innehåller ingen person"})
	}
	if len(fe) > 0 {
		return nil, &skalig.Error{Code: skalig.EINVALID, Message: "Historiken kan inte läsas in.", Fields: fe}
	}
	return out, nil
}

// parseMonthList reads the months of a row, calling bad for each that is
// not a month or a valid range.
func parseMonthList(s string, bad func(string, ...any)) ([]skalig.Month, bool) {
	var out []skalig.Month
	ok := true
	for _, tok := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ';' || r == '\t' || r == ',' }) {
		from, to, isRange := strings.Cut(tok, "..")
		a, okA := skalig.ParseMonth(from)
		b := a
		okB := true
		if isRange {
			b, okB = skalig.ParseMonth(to)
		}
		switch {
		case !okA || !okB:
			bad("%q är ingen månad (ÅÅÅÅ-MM eller ÅÅÅÅ-MM..ÅÅÅÅ-MM)", tok)
			ok = false
			continue
		case b < a:
			bad("intervallet %q slutar före det börjar", tok)
			ok = false
			continue
		case b-a > 600:
			bad("intervallet %q är längre än 50 år", tok)
			ok = false
			continue
		}
		for m := a; m <= b; m++ {
			out = append(out, m)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), ok
}
