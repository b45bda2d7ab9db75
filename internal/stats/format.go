package stats

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// figure is one row of the month's table: a name in Swedish for the text
// table, a stable code for the CSV, and the value of a set of counts (text
// gives it for the text table when it differs).
type figure struct {
	swedish, code string
	value         func(c *Counts) string
	text          func(c *Counts) string
}

// textValue is the figure's value in the text table.
func (f *figure) textValue(c *Counts) string {
	if f.text != nil {
		return f.text(c)
	}
	return sv(f.value(c))
}

func itoa(n int) string { return strconv.Itoa(n) }

// seconds formats a duration in whole seconds: "129600".
func seconds(d time.Duration) string { return strconv.FormatInt(int64(d/time.Second), 10) }

// readable formats a duration for a reader, in Swedish: "45 s", "12,5 min",
// "36,0 h".
func readable(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.FormatInt(int64(d/time.Second), 10) + " s"
	case d < time.Hour:
		return sv(strconv.FormatFloat(d.Minutes(), 'f', 1, 64)) + " min"
	}
	return sv(strconv.FormatFloat(d.Hours(), 'f', 1, 64)) + " h"
}

// figures are the rows of the month's table, in order.
var figures = func() []figure {
	fs := []figure{
		{"Ansökningar", "applications", func(c *Counts) string { return itoa(c.Applications) }, nil},
		{"  grundansökan", "applications.first", func(c *Counts) string { return itoa(c.First) }, nil},
		{"  fortsatt ansökan", "applications.continued", func(c *Counts) string { return itoa(c.Monthly) }, nil},
		{"Återtagna", "withdrawn", func(c *Counts) string { return itoa(c.Withdrawn) }, nil},
		{"Ej beslutade ännu", "open", func(c *Counts) string { return itoa(c.Open) }, nil},
		{"Styrda (beslutade eller hos handläggare)", "routed", func(c *Counts) string { return itoa(c.Routed) }, nil},
		{"  till handläggare", "routed.to_person", func(c *Counts) string { return itoa(c.ToPerson) }, nil},
		{"Beslut", "decided", func(c *Counts) string { return itoa(c.Decided) }, nil},
	}
	for _, r := range Routes {
		fs = append(fs, figure{"  " + r.Swedish(), "decided." + string(r), func(c *Counts) string { return itoa(c.ByRoute[r].Decided) }, nil})
		for _, o := range Outcomes {
			fs = append(fs, figure{"    " + o.Swedish(), "decided." + string(r) + "." + string(o),
				func(c *Counts) string { return itoa(c.ByRoute[r].Of(o)) }, nil})
		}
	}
	for _, o := range Outcomes {
		fs = append(fs, figure{"Utfall: " + o.Swedish(), "outcome." + string(o), func(c *Counts) string { return itoa(c.ByOutcome.Of(o)) }, nil})
	}
	return append(fs,
		figure{"Tid till beslut, median", "time_to_decision.median_seconds",
			func(c *Counts) string { return seconds(c.ToDecision.Median) }, func(c *Counts) string { return readable(c.ToDecision.Median) }},
		figure{"Tid till beslut, 90:e percentilen", "time_to_decision.p90_seconds",
			func(c *Counts) string { return seconds(c.ToDecision.P90) }, func(c *Counts) string { return readable(c.ToDecision.P90) }},
		figure{"Ändringar av beslut", "decided.changes", func(c *Counts) string { return itoa(c.Changes) }, nil},
		figure{"Beviljat belopp (kr)", "granted_kr", func(c *Counts) string { return c.Granted.String() }, nil},
		figure{"Utbetalningsordrar", "payments", func(c *Counts) string { return itoa(c.Payments) }, nil},
		figure{"Belopp till utbetalning (kr)", "paid_kr", func(c *Counts) string { return c.Paid.String() }, nil},
		figure{"  utbetalda av banken", "payments.executed", func(c *Counts) string { return itoa(c.Executed) }, nil},
		figure{"  utbetalt belopp (kr)", "executed_kr", func(c *Counts) string { return c.ExecutedPaid.String() }, nil},
	)
}()

// WriteText writes the figures as plain-text tables in Swedish: the
// figures by household group, the stop reasons, the sample controls and
// the bias watch. Decimals are written with a comma.
func (f *Figures) WriteText(w io.Writer) error {
	bw := &errWriter{w: w}
	fmt.Fprintf(bw, "Uppföljning för kommun %s, ansökningsmånad %s\n\n", f.Municipality, f.Month)
	head := []string{"", "Totalt"}
	for _, g := range f.Groups {
		head = append(head, g.Group.Short())
	}
	rows := [][]string{head}
	for _, fig := range figures {
		row := []string{fig.swedish, fig.textValue(&f.Total)}
		for i := range f.Groups {
			row = append(row, fig.textValue(&f.Groups[i].Counts))
		}
		rows = append(rows, row)
	}
	writeTable(bw, rows)
	fmt.Fprintln(bw, "\nGrupper (en grundansökan räknas också i sin hushållstyp):")
	for _, g := range f.Groups {
		fmt.Fprintf(bw, "  %-10s %s\n", g.Group.Short(), g.Group.Swedish())
	}

	fmt.Fprintln(bw, "\nSkäl till stopp (antal ärenden med koden; docs/routing.md förklarar koderna)")
	if len(f.Reasons) == 0 {
		fmt.Fprintln(bw, "  inga")
	}
	rows = nil
	for _, r := range f.Reasons {
		rows = append(rows, []string{"  " + r.Code, itoa(r.Cases)})
	}
	writeTable(bw, rows)

	s := f.Samples
	fmt.Fprintln(bw, "\nStickprovskontroll")
	fmt.Fprintf(bw, "  utvalda %d, med resultat %d: bekräftade %d, avvikelser %d\n", s.Drawn, s.Recorded, s.Confirmed, s.Discrepancies)
	if s.Discrepancies > 0 {
		fmt.Fprintf(bw, "  vid avvikelse: uppgett sammanlagt %s, styrkt %s\n", s.Declared.Swedish(), s.Verified.Swedish())
	}

	fmt.Fprintf(bw, "\nBevakning av skillnader mellan hushållstyper\n(flaggas när andelen är minst %s gånger de övrigas, z minst %s och båda har minst %d ärenden)\n",
		sv(strconv.FormatFloat(MinRiskRatio, 'f', 2, 64)), sv(strconv.FormatFloat(MinZ, 'f', 2, 64)), MinCases)
	rows = [][]string{{"", "gruppen", "andel", "övriga", "andel", "kvot", "z", ""}}
	for _, b := range f.Bias {
		flag := ""
		switch {
		case b.Flagged:
			flag = "FLAGGAD"
		case !b.Tested:
			flag = "för få ärenden"
		}
		rows = append(rows, []string{"  " + b.Group.Swedish() + ": " + b.Measure.Swedish(),
			fmt.Sprintf("%d av %d", b.GroupHits, b.GroupCases), percent(b.GroupRate),
			fmt.Sprintf("%d av %d", b.RestHits, b.RestCases), percent(b.RestRate),
			ratio(b.RiskRatio), sv(strconv.FormatFloat(b.Z, 'f', 2, 64)), flag})
	}
	writeTable(bw, rows)
	return bw.err
}

// writeTable writes rows as columns: the first left-aligned, the others
// right-aligned, two spaces apart.
func writeTable(w io.Writer, rows [][]string) {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i == 0 {
				b.WriteString(c + pad)
			} else {
				b.WriteString("  " + pad + c)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// sv writes a decimal point as a comma, as Swedish text does.
func sv(s string) string { return strings.Replace(s, ".", ",", 1) }

func percent(r float64) string { return sv(strconv.FormatFloat(100*r, 'f', 1, 64)) + " %" }

// ratio formats a risk ratio; "∞" when the rest's rate is 0.
func ratio(r float64) string {
	if math.IsInf(r, 1) {
		return "∞"
	}
	return sv(strconv.FormatFloat(r, 'f', 2, 64))
}

// csvRatio is ratio for the CSV: "inf" for an infinite one.
func csvRatio(r float64) string {
	if math.IsInf(r, 1) {
		return "inf"
	}
	return strconv.FormatFloat(r, 'f', 4, 64)
}

// WriteCSV writes the figures as CSV (RFC 4180, comma, UTF-8) in long
// form, one value a row: municipality, month, group ("all" or a Group),
// figure (a stable code, docs/statistics.md) and value (an integer, kronor
// with up to two decimals, or hours with one decimal).
func (f *Figures) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"municipality", "month", "group", "figure", "value"})
	row := func(group, figure, value string) {
		cw.Write([]string{f.Municipality, f.Month.String(), group, figure, value})
	}
	for _, fig := range figures {
		row("all", fig.code, fig.value(&f.Total))
		for i := range f.Groups {
			row(string(f.Groups[i].Group), fig.code, fig.value(&f.Groups[i].Counts))
		}
	}
	for _, r := range f.Reasons {
		row("all", "reason."+r.Code, itoa(r.Cases))
	}
	s := f.Samples
	for _, x := range []struct{ code, v string }{
		{"sample.drawn", itoa(s.Drawn)}, {"sample.recorded", itoa(s.Recorded)}, {"sample.confirmed", itoa(s.Confirmed)},
		{"sample.discrepancies", itoa(s.Discrepancies)}, {"sample.declared_kr", s.Declared.String()},
		{"sample.verified_kr", s.Verified.String()},
	} {
		row("all", x.code, x.v)
	}
	for _, b := range f.Bias {
		p := "bias." + string(b.Measure) + "."
		flag := "0"
		if b.Flagged {
			flag = "1"
		}
		tested := "0"
		if b.Tested {
			tested = "1"
		}
		for _, x := range []struct{ code, v string }{
			{"group_cases", itoa(b.GroupCases)}, {"group_hits", itoa(b.GroupHits)},
			{"rest_cases", itoa(b.RestCases)}, {"rest_hits", itoa(b.RestHits)},
			{"risk_ratio", csvRatio(b.RiskRatio)}, {"z", strconv.FormatFloat(b.Z, 'f', 4, 64)},
			{"tested", tested}, {"flagged", flag},
		} {
			row(string(b.Group), p+x.code, x.v)
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteText writes the board's report as plain text in Swedish.
func (r *DelegationReport) WriteText(w io.Writer) error {
	bw := &errWriter{w: w}
	fmt.Fprintf(bw, "Återrapportering av delegerade beslut (kommunallagen 6 kap. 40 §)\n")
	fmt.Fprintf(bw, "Kommun %s, ansökningsmånaderna %s–%s: %d ansökningar\n\n", r.Municipality, r.From, r.To, r.Cases)
	fmt.Fprintln(bw, "Automatiserade beslut (kommunallagen 6 kap. 37 §), per delegationspunkt")
	if len(r.Automated) == 0 {
		fmt.Fprintln(bw, "  Inga automatiserade beslut under perioden.")
	}
	head := []string{"", "beslut", "bifall", "delvis bifall", "avslag"}
	line := func(name string, decided int, o OutcomeCounts) []string {
		return []string{name, itoa(decided), itoa(o.Approved), itoa(o.PartlyApproved), itoa(o.Rejected)}
	}
	for _, p := range r.Automated {
		fmt.Fprintf(bw, "\n  Delegation: %s\n", p.Delegation)
		rows := [][]string{head, line("    alla", p.Decided, p.Outcomes)}
		for _, g := range p.ByGroup {
			rows = append(rows, line("    "+g.Group.Swedish(), g.Decided, g.Outcomes))
		}
		writeTable(bw, rows)
		fmt.Fprintf(bw, "    begäran om omprövning %d, överklaganden %d\n", p.Reviewed, p.Appealed)
	}
	fmt.Fprintln(bw, "\nBeslut av handläggare (delegationspunkt registreras inte, se nedan)")
	writeTable(bw, [][]string{head,
		line("  på beslutsförslag från Skälig", r.Proposal.Decided, r.Proposal.OutcomeCounts),
		line("  efter undantag eller stickprov", r.Person.Decided, r.Person.OutcomeCounts)})
	s := r.Samples
	fmt.Fprintln(bw, "\nStickprovskontroll")
	fmt.Fprintf(bw, "  utvalda %d, med resultat %d: bekräftade %d, avvikelser %d\n", s.Drawn, s.Recorded, s.Confirmed, s.Discrepancies)
	if s.Discrepancies > 0 {
		fmt.Fprintf(bw, "  vid avvikelse: uppgett sammanlagt %s, styrkt %s\n", s.Declared.Swedish(), s.Verified.Swedish())
	}
	fmt.Fprintln(bw, "\nOmprövning och överklagande (förvaltningslagen 37–39 och 44–45 §§)")
	rh := []string{"", "inkomna", "står fast", "till förvaltningsrätten", "avvisade (för sent)", "ej avgjorda", "av automatiserade beslut"}
	rl := func(name string, c ReviewCounts) []string {
		return []string{name, itoa(c.Received), itoa(c.Kept), itoa(c.Forwarded), itoa(c.RejectedLate), itoa(c.Open), itoa(c.OfAutomated)}
	}
	writeTable(bw, [][]string{rh, rl("  begäran om omprövning", r.Reviews.Requests), rl("  överklaganden", r.Reviews.Appeals)})
	fmt.Fprintln(bw, "\nUppgifter som rapporten inte kan visa")
	for _, l := range r.Lacks {
		fmt.Fprintf(bw, "  - %s\n", l)
	}
	return bw.err
}

// WriteCSV writes the board's report as CSV (RFC 4180, comma, UTF-8), one
// value a row: municipality, from, to, section (automated, proposal,
// person, sample, review, appeal, overturned), delegation (the point, for
// automated), group ("all" or a Group), figure and value.
func (r *DelegationReport) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"municipality", "from", "to", "section", "delegation", "group", "figure", "value"})
	row := func(section, delegation, group, figure, value string) {
		cw.Write([]string{r.Municipality, r.From.String(), r.To.String(), section, delegation, group, figure, value})
	}
	outcomes := func(section, delegation, group string, decided int, o OutcomeCounts) {
		row(section, delegation, group, "decided", itoa(decided))
		for _, x := range Outcomes {
			row(section, delegation, group, string(x), itoa(o.Of(x)))
		}
	}
	row("all", "", "all", "cases", itoa(r.Cases))
	for _, p := range r.Automated {
		outcomes("automated", p.Delegation, "all", p.Decided, p.Outcomes)
		row("automated", p.Delegation, "all", "reviewed", itoa(p.Reviewed))
		row("automated", p.Delegation, "all", "appealed", itoa(p.Appealed))
		for _, g := range p.ByGroup {
			outcomes("automated", p.Delegation, string(g.Group), g.Decided, g.Outcomes)
		}
	}
	outcomes("proposal", "", "all", r.Proposal.Decided, r.Proposal.OutcomeCounts)
	outcomes("person", "", "all", r.Person.Decided, r.Person.OutcomeCounts)
	s := r.Samples
	row("sample", "", "all", "drawn", itoa(s.Drawn))
	row("sample", "", "all", "recorded", itoa(s.Recorded))
	row("sample", "", "all", "confirmed", itoa(s.Confirmed))
	row("sample", "", "all", "discrepancies", itoa(s.Discrepancies))
	row("sample", "", "all", "declared_kr", s.Declared.String())
	row("sample", "", "all", "verified_kr", s.Verified.String())
	for _, x := range []struct {
		section string
		c       ReviewCounts
	}{{"review", r.Reviews.Requests}, {"appeal", r.Reviews.Appeals}} {
		for _, f := range []struct {
			figure string
			n      int
		}{{"received", x.c.Received}, {"kept", x.c.Kept}, {"forwarded", x.c.Forwarded}, {"rejected_late", x.c.RejectedLate},
			{"open", x.c.Open}, {"of_automated", x.c.OfAutomated}} {
			row(x.section, "", "all", f.figure, itoa(f.n))
		}
	}
	// Decisions changed on review or by a court are not recorded
	// (DelegationReport.Lacks).
	row("overturned", "", "all", "decisions", "not_recorded")
	cw.Flush()
	return cw.Error()
}

// errWriter keeps the first write error, so that a report can be written
// with Fprintf and checked once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
