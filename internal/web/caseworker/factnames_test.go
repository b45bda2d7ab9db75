package caseworker_test

import (
	"strings"
	"testing"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/demo"
)

// TestCaseworkerAdjustGuidelineWording: the adjust page offers "above the
// guideline" only for a cost the calculation found above it (the high
// housing case's rent), and a higher amount for a cost within it.
func TestCaseworkerAdjustGuidelineWording(t *testing.T) {
	e := newCWEnv(t, 16)
	sara := devidp.SaraHandlaggarsson
	within := e.CaseIn(t, demo.IncomeDiffers, skalig.StateAwaitingCaseworker)
	res := e.Get(t, sara, "/handlaggning/arenden/"+within.ID+"/justera?lang=en")
	wantStatus(t, res, 200, "adjust within")
	mustContain(t, res.Body, "Approve a higher amount for")
	mustNotContain(t, res.Body, "above the guideline", "[cw.")
	for _, id := range e.ByKind[demo.HighHousing] {
		res := e.Get(t, sara, "/handlaggning/arenden/"+id+"/justera")
		if res.StatusCode == 200 && strings.Contains(res.Body, "över riktlinjen") {
			return
		}
	}
	t.Fatal("no high housing case offers an approval above the guideline")
}
