package casecheck_test

import (
	"testing"
	"time"

	"skalig"
	"skalig/internal/workflow/casecheck"
)

func TestAppealLate(t *testing.T) {
	stockholm, _ := time.LoadLocation("Europe/Stockholm")
	notified := time.Date(2026, 11, 30, 23, 30, 0, 0, stockholm)
	for _, tc := range []struct {
		at   time.Time
		late bool
	}{
		{time.Date(2026, 12, 21, 23, 59, 0, 0, stockholm), false},
		{time.Date(2026, 12, 22, 0, 1, 0, 0, stockholm), true},
	} {
		if got := casecheck.AppealLate(notified, tc.at); got != tc.late {
			t.Errorf("AppealLate(%v, %v) = %v", notified, tc.at, got)
		}
	}
}

// The last day of appeal is three weeks after the Swedish day of
// notification, across a month's end; a deadline passes at the start of
// the next Swedish day.
func TestAppealLastDayAndDayAfter(t *testing.T) {
	stockholm, _ := time.LoadLocation("Europe/Stockholm")
	if got, want := casecheck.AppealLastDay(time.Date(2026, 11, 30, 23, 30, 0, 0, stockholm)), (skalig.Date{Y: 2026, M: 12, D: 21}); got != want {
		t.Errorf("AppealLastDay=%v, want %v", got, want)
	}
	if got, want := casecheck.DayAfter(skalig.Date{Y: 2026, M: 12, D: 31}), time.Date(2027, 1, 1, 0, 0, 0, 0, stockholm); !got.Equal(want) {
		t.Errorf("DayAfter=%v, want %v", got, want)
	}
}
