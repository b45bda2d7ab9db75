package store_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"skalig"
	"skalig/internal/dbtest"
	"skalig/internal/store"
)

// TestCaseNumbers: every submitted case gets the next number of its
// municipality and year, a replayed submission keeps its number, numbers
// stay unique under concurrent submissions, and a case is found by its
// number.
func TestCaseNumbers(t *testing.T) {
	db := dbtest.Open(t)
	s := store.NewCaseStore(db)
	ctx := context.Background()
	year := strconv.Itoa(db.Clock().Year())

	first := mustSubmit(t, s, testApp(t, "n1"))
	if want := year + "-0821-000001"; first.Number != want {
		t.Fatalf("first case number %q, want %q", first.Number, want)
	}
	second := mustSubmit(t, s, testApp(t, "n2"))
	if want := year + "-0821-000002"; second.Number != want {
		t.Errorf("second case number %q, want %q", second.Number, want)
	}
	again, created, err := s.SubmitApplication(ctx, testApp(t, "n1"))
	if err != nil || created || again.Number != first.Number {
		t.Errorf("replayed submission: number %q created=%v err=%v, want %q", again.Number, created, err, first.Number)
	}
	other := testApp(t, "n3")
	other.Municipality = "0880"
	if c := mustSubmit(t, s, other); c.Number != year+"-0880-000001" {
		t.Errorf("another municipality's first case number %q", c.Number)
	}

	got, err := s.CaseByNumber(ctx, " "+second.Number+" ")
	if err != nil || got.ID != second.ID {
		t.Errorf("CaseByNumber(%s) = %+v, %v, want case %s", second.Number, got, err, second.ID)
	}
	for _, n := range []string{year + "-0821-999999", "abc", second.ID} {
		if _, err := s.CaseByNumber(ctx, n); skalig.ErrorCode(err) != skalig.ENOTFOUND {
			t.Errorf("CaseByNumber(%q) error %v, want ENOTFOUND", n, err)
		}
	}
	if c, _ := s.Case(ctx, second.ID); c.Number != second.Number {
		t.Errorf("Case reads number %q, want %q", c.Number, second.Number)
	}

	var wg sync.WaitGroup
	numbers := make([]string, 8)
	for i := range numbers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, _, err := s.SubmitApplication(ctx, testApp(t, fmt.Sprintf("par%d", i)))
			if err != nil {
				t.Error(err)
				return
			}
			numbers[i] = c.Number
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, n := range numbers {
		if seen[n] {
			t.Errorf("number %s given twice", n)
		}
		seen[n] = true
	}
	if n := len(seen); n != len(numbers) {
		t.Errorf("%d distinct numbers for %d cases", n, len(numbers))
	}
}
