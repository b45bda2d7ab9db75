package api

import (
	"math"
	"net/http"
	"time"

	"skalig"
	"skalig/internal/stats"
)

// The follow-up figures of a municipality's month for other systems:
// GET /api/v1/statistics?month=YYYY-MM[&municipality=CODE]. The figures
// are those of package stats (docs/statistics.md); this file only
// translates the request and writes them as JSON.

// statisticsJSON is the response of GET /api/v1/statistics.
type statisticsJSON struct {
	Municipality string        `json:"municipality"`
	Month        string        `json:"month"`
	Total        countsJSON    `json:"total"`
	Groups       []groupJSON   `json:"groups"`
	StopReasons  []reasonJSON  `json:"stop_reasons"`
	Samples      samplesJSON   `json:"samples"`
	BiasWatch    biasWatchJSON `json:"bias_watch"`
}

type groupJSON struct {
	Group  string     `json:"group"`
	Name   string     `json:"name"`
	Counts countsJSON `json:"counts"`
}

type countsJSON struct {
	Applications int                        `json:"applications"`
	First        int                        `json:"first_applications"`
	Continued    int                        `json:"continued_applications"`
	Withdrawn    int                        `json:"withdrawn"`
	Open         int                        `json:"open"`
	Routed       int                        `json:"routed"`
	ToPerson     int                        `json:"to_person"`
	Decided      int                        `json:"decided"`
	ByRoute      map[string]routeCountsJSON `json:"by_route"`
	ByOutcome    outcomesJSON               `json:"by_outcome"`
	ToDecision   durationsJSON              `json:"time_to_decision"`
	Granted      skalig.Money               `json:"granted"`
	Payments     int                        `json:"payments"`
	Paid         skalig.Money               `json:"paid"`
	Executed     int                        `json:"payments_executed"`
	ExecutedPaid skalig.Money               `json:"executed"`
	Changes      int                        `json:"changes"`
}

type routeCountsJSON struct {
	Decided int `json:"decided"`
	outcomesJSON
}

type outcomesJSON struct {
	Approved       int `json:"approved"`
	PartlyApproved int `json:"partly_approved"`
	Rejected       int `json:"rejected"`
}

type durationsJSON struct {
	Count         int   `json:"count"`
	MedianSeconds int64 `json:"median_seconds"`
	P90Seconds    int64 `json:"p90_seconds"`
}

type reasonJSON struct {
	Code  string `json:"code"`
	Cases int    `json:"cases"`
}

type samplesJSON struct {
	Drawn         int          `json:"drawn"`
	Recorded      int          `json:"recorded"`
	Confirmed     int          `json:"confirmed"`
	Discrepancies int          `json:"discrepancies"`
	Declared      skalig.Money `json:"declared"`
	Verified      skalig.Money `json:"verified"`
}

type biasWatchJSON struct {
	MinCases     int             `json:"min_cases"`
	MinRiskRatio float64         `json:"min_risk_ratio"`
	MinZ         float64         `json:"min_z"`
	Checks       []biasCheckJSON `json:"checks"`
}

type biasCheckJSON struct {
	Group      string   `json:"group"`
	Measure    string   `json:"measure"`
	GroupCases int      `json:"group_cases"`
	GroupHits  int      `json:"group_hits"`
	GroupRate  float64  `json:"group_rate"`
	RestCases  int      `json:"rest_cases"`
	RestHits   int      `json:"rest_hits"`
	RestRate   float64  `json:"rest_rate"`
	RiskRatio  *float64 `json:"risk_ratio"` // null when the rest's rate is 0 and the group's is not
	Z          float64  `json:"z"`
	Tested     bool     `json:"tested"`
	Flagged    bool     `json:"flagged"`
}

func outcomesOf(o stats.OutcomeCounts) outcomesJSON {
	return outcomesJSON{Approved: o.Approved, PartlyApproved: o.PartlyApproved, Rejected: o.Rejected}
}

func countsOf(c *stats.Counts) countsJSON {
	out := countsJSON{Applications: c.Applications, First: c.First, Continued: c.Monthly, Withdrawn: c.Withdrawn,
		Open: c.Open, Routed: c.Routed, ToPerson: c.ToPerson, Decided: c.Decided,
		ByRoute: map[string]routeCountsJSON{}, ByOutcome: outcomesOf(c.ByOutcome),
		ToDecision: durationsJSON{Count: c.ToDecision.Count, MedianSeconds: int64(c.ToDecision.Median / time.Second),
			P90Seconds: int64(c.ToDecision.P90 / time.Second)},
		Granted: c.Granted, Payments: c.Payments, Paid: c.Paid,
		Executed: c.Executed, ExecutedPaid: c.ExecutedPaid, Changes: c.Changes}
	for _, r := range stats.Routes {
		rc := c.ByRoute[r]
		out.ByRoute[string(r)] = routeCountsJSON{Decided: rc.Decided, outcomesJSON: outcomesOf(rc.OutcomeCounts)}
	}
	return out
}

func statisticsOf(f *stats.Figures) statisticsJSON {
	out := statisticsJSON{Municipality: f.Municipality, Month: f.Month.String(), Total: countsOf(&f.Total),
		Groups: []groupJSON{}, StopReasons: []reasonJSON{},
		Samples: samplesJSON{Drawn: f.Samples.Drawn, Recorded: f.Samples.Recorded, Confirmed: f.Samples.Confirmed,
			Discrepancies: f.Samples.Discrepancies, Declared: f.Samples.Declared, Verified: f.Samples.Verified},
		BiasWatch: biasWatchJSON{MinCases: stats.MinCases, MinRiskRatio: stats.MinRiskRatio, MinZ: stats.MinZ,
			Checks: []biasCheckJSON{}}}
	for i := range f.Groups {
		g := &f.Groups[i]
		out.Groups = append(out.Groups, groupJSON{Group: string(g.Group), Name: g.Group.Swedish(), Counts: countsOf(&g.Counts)})
	}
	for _, r := range f.Reasons {
		out.StopReasons = append(out.StopReasons, reasonJSON(r))
	}
	for _, b := range f.Bias {
		j := biasCheckJSON{Group: string(b.Group), Measure: string(b.Measure), GroupCases: b.GroupCases,
			GroupHits: b.GroupHits, GroupRate: b.GroupRate, RestCases: b.RestCases, RestHits: b.RestHits,
			RestRate: b.RestRate, Z: round(b.Z), Tested: b.Tested, Flagged: b.Flagged}
		if !math.IsInf(b.RiskRatio, 0) {
			r := round(b.RiskRatio)
			j.RiskRatio = &r
		}
		out.BiasWatch.Checks = append(out.BiasWatch.Checks, j)
	}
	return out
}

// round keeps four decimals: enough for a ratio or a z statistic.
func round(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// handleStatistics answers the figures of the month in the query for the
// client's municipality: the one named, or the client's only one.
func (s *Server) handleStatistics(w http.ResponseWriter, r *http.Request, c *client) {
	q := r.URL.Query()
	mun := q.Get("municipality")
	if mun == "" && !c.may("*") && len(c.mun) == 1 {
		mun = c.mun[0]
	}
	if mun == "" {
		s.writeError(w, r, &skalig.Error{Code: skalig.EINVALID, Message: "Ange kommun.",
			Fields: []skalig.FieldError{{Field: "municipality", Message: "Ange vilken kommuns statistik du vill se."}}})
		return
	}
	code, err := stats.ParseMunicipality("municipality", mun)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !c.may(code) {
		s.writeError(w, r, &skalig.Error{Code: skalig.EFORBIDDEN, Message: "API-nyckeln gäller inte den kommunen.",
			Fields: []skalig.FieldError{{Field: "municipality", Message: "API-nyckeln gäller inte kommun " + code + "."}}})
		return
	}
	m, err := stats.ParseMonth("month", q.Get("month"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if s.stats == nil {
		s.writeError(w, r, skalig.Errorf(skalig.EUNAVAILABLE, "Statistiken är inte igång i den här processen."))
		return
	}
	rows, err := s.stats.MonthCases(r.Context(), code, m)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := stats.Month(code, m, rows)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, statisticsOf(f))
}
