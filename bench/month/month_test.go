package main

import (
	"context"
	"testing"
)

// A small month on SQLite in which every applicant answers: every case is
// done or has a way forward, and the money invariants hold.
func TestMonthEveryApplicantAnswers(t *testing.T) {
	ok, err := run(context.Background(), "sqlite", 32, 3, true, false, false, false, 0)
	if err != nil || !ok {
		t.Fatalf("run: ok %v, err %v", ok, err)
	}
}

// Without the 2027 table the January applications still have a way
// forward: from 1 January a person calculates them by hand
// (workflow.CalculateManually) and decides. (Before the manual
// calculation this run exited 1: the cases waited with a person who could
// not decide them.)
func TestMonthWithoutThe2027TableCalculatedByHand(t *testing.T) {
	ok, err := run(context.Background(), "sqlite", 16, 3, false, false, false, true, 0)
	if err != nil || !ok {
		t.Fatalf("run without the 2027 table: ok %v, err %v", ok, err)
	}
}

// Applicants who never answer a document request: the request's due date
// sends the case back to a caseworker (documents_overdue), who decides it on
// what is there, so every case still has a way forward. (The harness found
// these cases stuck in awaiting_applicant before the documents_due job.)
func TestMonthSilentApplicantsGoBackToACaseworker(t *testing.T) {
	ok, err := run(context.Background(), "sqlite", 48, 3, true, false, false, false, 2)
	if err != nil || !ok {
		t.Fatalf("run with silent applicants: ok %v, err %v", ok, err)
	}
}
