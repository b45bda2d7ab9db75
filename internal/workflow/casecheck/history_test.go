package casecheck_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/workflow/casecheck"
)

func TestParseAidHistory(t *testing.T) {
	today := skalig.DateOf(time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC))
	rows, err := casecheck.ParseAidHistory([]byte("\xef\xbb\xbfpersonnummer,månader\n"+
		"19580101-9802,2026-01..2026-03 2026-05\n"+
		"195804089810,\n"+
		"\n"+
		"5807149827,\"2025-12;2026-01\"\n"), today)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || len(rows[0].Months) != 4 || rows[0].Months[3] != skalig.MonthOf(2026, 5) ||
		len(rows[1].Months) != 0 || rows[2].Person != "195807149827" || len(rows[2].Months) != 2 {
		t.Fatalf("rows %+v", rows)
	}
	// Semicolons as the column separator (a Swedish spreadsheet's CSV).
	if rows, err := casecheck.ParseAidHistory([]byte("personnummer;månader\n19580101-9802;2026-01 2026-02\n"), today); err != nil || len(rows) != 1 || len(rows[0].Months) != 2 {
		t.Fatalf("semicolon CSV: %v %+v", err, rows)
	}
	_, err = casecheck.ParseAidHistory([]byte("personnummer,månader\n"+
		"19580101-9803,2026-01\n"+ // wrong check digit
		"19580101-9802,2026-13\n"+
		"19580101-9802,2026-01\n"+ // the same person as on line 3
		"19580101-9802,2026-02\n"+
		"195804089810,2026-05..2026-01\n"+
		"195807149827\n"), today)
	var se *skalig.Error
	if err == nil || !errors.As(err, &se) {
		t.Fatalf("bad file: %v", err)
	}
	var fields []string
	for _, f := range se.Fields {
		fields = append(fields, f.Field)
		if f.Message == "" || strings.Contains(f.Message, "invalid") {
			t.Errorf("message %q", f.Message)
		}
	}
	want := []string{"rad 2: personnummer", "rad 3: månader", "rad 4: personnummer", "rad 5: personnummer", "rad 6: månader", "rad 7: rad"}
	if !slices.Equal(fields, want) {
		t.Errorf("fields %v, want %v", fields, want)
	}
	for _, bad := range []string{"", "pnr,months\n19580101-9802,2026-01\n", "personnummer,månader\n"} {
		if _, err := casecheck.ParseAidHistory([]byte(bad), today); skalig.ErrorCode(err) != skalig.EINVALID {
			t.Errorf("%q: %v, want EINVALID", bad, err)
		}
	}
}
