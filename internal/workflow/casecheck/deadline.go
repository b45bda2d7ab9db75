package casecheck

import (
	"time"

	"skalig"
)

// AppealPeriodDays is the appeal period of FL 44 §: three weeks from the
// day the applicant was notified of the decision.
const AppealPeriodDays = 21

// AppealLate reports whether an appeal received at received comes in after
// the appeal period of a decision notified at notified: after the day
// three weeks after the day of notification (Swedish dates).
func AppealLate(notified, received time.Time) bool {
	return AppealLastDay(notified).Before(skalig.DateOf(received))
}

// AppealLastDay is the last day of the appeal period of a decision
// notified at notified: three weeks after the day of notification (FL 44
// §, Swedish dates).
func AppealLastDay(notified time.Time) skalig.Date {
	n := skalig.DateOf(notified)
	l := time.Date(int(n.Y), time.Month(n.M), int(n.D)+AppealPeriodDays, 0, 0, 0, 0, time.UTC)
	return skalig.Date{Y: int16(l.Year()), M: int8(l.Month()), D: int8(l.Day())}
}

// DayAfter is the start of the day after d in Swedish time: when a
// deadline of d (a document request's, a kommunicering's) has passed.
func DayAfter(d skalig.Date) time.Time {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		loc = time.UTC
	}
	return time.Date(int(d.Y), time.Month(d.M), int(d.D)+1, 0, 0, 0, 0, loc)
}
