// Package boardreport renders the board's report of delegated decisions
// (kommunallagen 6 kap. 40 §, stats.DelegationReport) as a document a
// secretary can attach to the board's agenda: a tagged PDF (PDF/A-2a and
// PDF/UA-1 identification, fonts embedded, title and language set) or
// accessible HTML, through the same document model and writer as the
// decision letters (internal/letters). The figures are computed in package
// stats, once; this package only lays them out in Swedish.
package boardreport

import (
	"fmt"
	"strconv"
	"time"

	"skalig"
	"skalig/internal/letters"
	"skalig/internal/stats"
)

// Options say who the report is for and when it is made.
type Options struct {
	// Municipality is the municipality's name, "Högsby kommun"; empty:
	// "kommun <code>".
	Municipality string
	// Board is the board the decisions are delegated from, "Socialnämnden
	// i Högsby kommun"; empty: "Socialnämnden".
	Board string
	// At is when the report is made: its date in the text and the PDF's
	// dates. The same report and At give the same bytes.
	At time.Time
}

func itoa(n int) string { return strconv.Itoa(n) }

// Document lays out r as a document.
func Document(r *stats.DelegationReport, o Options) *letters.Document {
	mun := o.Municipality
	if mun == "" {
		mun = "kommun " + r.Municipality
	}
	board := o.Board
	if board == "" {
		board = "Socialnämnden"
	}
	period := r.From.String() + "–" + r.To.String()
	if r.From == r.To {
		period = r.From.String()
	}
	d := &letters.Document{
		Title:   fmt.Sprintf("Återrapportering av delegerade beslut om ekonomiskt bistånd, %s, %s", mun, period),
		Lang:    "sv-SE",
		Author:  board,
		Created: o.At.UTC().Truncate(time.Second),
		Footer:  fmt.Sprintf("%s – återrapportering av delegerade beslut %s", board, period),
	}
	h1 := func(s string) { d.Blocks = append(d.Blocks, letters.Block{Kind: letters.KindH1, Text: s}) }
	h2 := func(s string) { d.Blocks = append(d.Blocks, letters.Block{Kind: letters.KindH2, Text: s}) }
	p := func(format string, args ...any) {
		d.Blocks = append(d.Blocks, letters.Block{Kind: letters.KindP, Text: fmt.Sprintf(format, args...)})
	}
	table := func(t *letters.Table) { d.Blocks = append(d.Blocks, letters.Block{Kind: letters.KindTable, Table: t}) }
	outcomeHead := []string{"", "Beslut", "Bifall", "Delvis bifall", "Avslag"}
	numeric := []bool{false, true, true, true, true}
	outcomeRow := func(name string, decided int, c stats.OutcomeCounts) []string {
		return []string{name, itoa(decided), itoa(c.Approved), itoa(c.PartlyApproved), itoa(c.Rejected)}
	}

	h1("Återrapportering av delegerade beslut")
	p("%s, %s. Beslut om ekonomiskt bistånd (försörjningsstöd) i ärenden som gäller ansökningsmånaderna %s. Rapporten är gjord %s enligt kommunallagen (2017:725) 6 kap. 40 §: beslut som har fattats med stöd av delegation ska anmälas till nämnden.",
		board, mun, period, skalig.DateOf(o.At))
	automated := 0
	for _, pt := range r.Automated {
		automated += pt.Decided
	}
	h2("Sammanfattning")
	p("Under perioden kom %d ansökningar in. %d beslut fattades automatiserat enligt delegation, %d av handläggare på beslutsförslag från Skälig och %d av handläggare efter undantag eller stickprov.",
		r.Cases, automated, r.Proposal.Decided, r.Person.Decided)

	h2("Automatiserade beslut per delegationspunkt")
	if len(r.Automated) == 0 {
		p("Inga automatiserade beslut fattades under perioden.")
	}
	for _, pt := range r.Automated {
		p("Delegationspunkt: %s. Beslut enligt förvaltningslagen (2017:900) 28 § (automatiserat beslutsfattande): %d, varav bifall %d, delvis bifall %d och avslag %d. Begäran om omprövning av dessa beslut: %d. Överklaganden: %d.",
			pt.Delegation, pt.Decided, pt.Outcomes.Approved, pt.Outcomes.PartlyApproved, pt.Outcomes.Rejected, pt.Reviewed, pt.Appealed)
		t := &letters.Table{Caption: "Automatiserade beslut enligt " + pt.Delegation + ", per hushållstyp", Head: append([]string{"Hushållstyp"}, outcomeHead[1:]...),
			Numeric: numeric, RowHeaders: true}
		t.Rows = append(t.Rows, outcomeRow("Alla", pt.Decided, pt.Outcomes))
		for _, g := range pt.ByGroup {
			t.Rows = append(t.Rows, outcomeRow(capitalize(g.Group.Swedish()), g.Decided, g.Outcomes))
		}
		table(t)
	}
	p("En grundansökan räknas också i sin hushållstyp, så hushållstyperna summerar inte till Alla.")

	h2("Beslut av handläggare")
	table(&letters.Table{Caption: "Beslut som handläggare har fattat", Head: append([]string{"Väg"}, outcomeHead[1:]...), Numeric: numeric, RowHeaders: true,
		Rows: [][]string{outcomeRow("På beslutsförslag från Skälig", r.Proposal.Decided, r.Proposal.OutcomeCounts),
			outcomeRow("Efter undantag eller stickprov", r.Person.Decided, r.Person.OutcomeCounts)}})

	h2("Stickprovskontroll")
	s := r.Samples
	table(&letters.Table{Caption: "Ärenden som valdes ut för stickprovskontroll", Head: []string{"", "Antal"}, Numeric: []bool{false, true}, RowHeaders: true,
		Rows: [][]string{{"Utvalda", itoa(s.Drawn)}, {"Med resultat", itoa(s.Recorded)}, {"Uppgifterna bekräftades", itoa(s.Confirmed)},
			{"Avvikelser", itoa(s.Discrepancies)}}})
	if s.Discrepancies > 0 {
		p("Vid avvikelserna hade de sökande uppgett sammanlagt %s; underlagen visade %s.", s.Declared.Swedish(), s.Verified.Swedish())
	}

	h2("Omprövning och överklagande")
	rv := func(name string, c stats.ReviewCounts) []string {
		return []string{name, itoa(c.Received), itoa(c.Kept), itoa(c.Forwarded), itoa(c.RejectedLate), itoa(c.Open), itoa(c.OfAutomated)}
	}
	table(&letters.Table{Caption: "Begäran om omprövning och överklaganden av periodens beslut",
		Head:    []string{"", "Inkomna", "Beslutet står fast", "Till förvaltningsrätten", "Avvisade, för sent", "Ej avgjorda", "Av automatiserade beslut"},
		Numeric: []bool{false, true, true, true, true, true, true}, RowHeaders: true,
		Rows: [][]string{rv("Begäran om omprövning", r.Reviews.Requests), rv("Överklaganden", r.Reviews.Appeals)}})
	p("Omprövning enligt förvaltningslagen 37–39 §§, överklagande enligt 44–45 §§. Ett överklagande som kommunen inte ändrar skickas till förvaltningsrätten.")

	h2("Uppgifter som rapporten inte kan visa")
	for _, l := range r.Lacks {
		p("%s", l)
	}
	return d
}

// PDF renders r as a tagged PDF.
func PDF(r *stats.DelegationReport, o Options) ([]byte, error) { return Document(r, o).PDF() }

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	if r[0] >= 'a' && r[0] <= 'z' {
		r[0] -= 'a' - 'A'
	}
	return string(r)
}
