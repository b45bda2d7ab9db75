// Package letters writes decision letters (beslutsbrev) from a decision's
// receipt: what was applied for and what was granted per item, the amount
// and period, the reasons (förvaltningslagen 32 §) with the legal
// paragraphs in force for the month as the calculation's trace cites them,
// who decided (or that the decision was automated, under which delegation),
// how to appeal (förvaltningslagen 33 §), the payment, the municipality's
// contact details and the case number. A letter is built from the stored
// receipt and decision, never from a web page, and rendered as accessible
// HTML and as a tagged PDF (PDF/UA-1 identification) whose bytes depend
// only on the receipt and the decision: a replayed decision gives the same
// letter. See docs/letters.md.
package letters

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"skalig"
	"skalig/internal/calcformat"
	"skalig/internal/municipal"
	"skalig/internal/rules"
	"skalig/internal/workflow/casecalc"
)

// Input is what a letter is made from.
type Input struct {
	// Receipt is the decision's sealed receipt: the facts, the calculation
	// and its trace, the outcome, the amount and who decided. Required.
	Receipt *skalig.Receipt
	// Decision is the stored decision: its id, date and statement of
	// reasons. Required; it must be the receipt's (same hash).
	Decision *skalig.Decision
	// Payment is the payment ordered for the decision; nil when none is
	// ordered (yet).
	Payment *Payment
	// CaseNumber is the case number people quote (skalig.Case.Number);
	// empty: the receipt's case id is printed.
	CaseNumber string
	// Municipality is the municipality's name, "Högsby kommun". Required.
	Municipality string
	// Contact is the municipality's contact details. Required: a letter
	// must say where to send an appeal.
	Contact *municipal.Contact
	// DeciderName and DeciderTitle name the caseworker who decided; empty
	// name: the caseworker's id is printed; empty title: "handläggare".
	DeciderName, DeciderTitle string
	// StaffNames are the names of the municipality's staff by login
	// subject: a line of the calculation a caseworker approved names the
	// person, not the subject (calcformat.Line.NamePersons).
	StaffNames map[string]string
	// Recipients are the names of the applicant and the co-applicant the
	// letter is to (skalig.Member.Name), those known; none: the letter
	// names nobody (an application an API client submitted).
	Recipients []string
}

// Payment is when and to which account the aid is paid.
type Payment struct {
	PayOn   skalig.Date
	Account string // as stored; the letter shows only its last four digits
}

// Item is one thing applied for with what was granted.
type Item struct {
	Name     string
	Applied  skalig.Money
	Granted  skalig.Money
	Decision skalig.Outcome
	// Ground is the specific ground of a reduced or refused item, in plain
	// Swedish; empty for an item granted in full.
	Ground string
}

// Letter is the content of a decision letter, before rendering.
type Letter struct {
	Document
	Items []Item
	// Laws are the legal references the decision rests on, in the order
	// the calculation cites them, each once.
	Laws []string
}

var monthNames = [...]string{"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
	"september", "oktober", "november", "december"}

// MonthSwedish names a month as a letter does: "november 2026".
func MonthSwedish(m skalig.Month) string {
	return fmt.Sprintf("%s %d", monthNames[m.Num()-1], m.Year())
}

// MaskAccount shows only the last four digits of an account number:
// "konto som slutar på 4567".
func MaskAccount(account string) string {
	var digits []rune
	for _, r := range account {
		if r >= '0' && r <= '9' {
			digits = append(digits, r)
		}
	}
	if len(digits) < 4 {
		return "ditt konto"
	}
	return "kontot som slutar på " + string(digits[len(digits)-4:])
}

// Build makes the letter for in. Errors are EINVALID *skalig.Error values
// naming what is missing.
func Build(in Input) (*Letter, error) {
	var fe []skalig.FieldError
	add := func(field, msg string) { fe = append(fe, skalig.FieldError{Field: field, Message: msg}) }
	r, d := in.Receipt, in.Decision
	if r == nil {
		add("receipt", "Beslutsunderlaget (kvittot) saknas.")
	}
	if d == nil {
		add("decision", "Beslutet saknas.")
	}
	if r != nil && d != nil && r.Hash != d.ReceiptHash {
		add("receipt", "Kvittot hör inte till beslutet.")
	}
	if in.Contact == nil {
		add("contact", "Kommunens kontaktuppgifter saknas i konfigurationen; brevet måste säga vart ett överklagande ska skickas.")
	}
	if in.Municipality == "" {
		add("municipality", "Kommunens namn saknas.")
	}
	if len(fe) > 0 {
		return nil, &skalig.Error{Code: skalig.EINVALID, Message: "Beslutsbrevet kan inte skrivas.", Fields: fe}
	}
	var out calcformat.Output
	if err := json.Unmarshal(r.Result, &out); err != nil {
		return nil, skalig.Errorf(skalig.EINVALID, "Beräkningen i kvittot kan inte läsas: %v", err)
	}
	var trace []calcformat.Line
	if err := json.Unmarshal(r.Trace, &trace); err != nil {
		return nil, skalig.Errorf(skalig.EINVALID, "Beräkningens förklaring i kvittot kan inte läsas: %v", err)
	}
	calcIn, err := casecalc.InputOf(r.Month, r.Members, r.Facts)
	if err != nil {
		return nil, err
	}
	l := &Letter{Items: items(calcIn, trace)}
	for _, t := range trace {
		if t.Law != "" && t.Item != "review_reason" {
			for _, law := range strings.Split(t.Law, "; ") {
				if !slices.Contains(l.Laws, law) {
					l.Laws = append(l.Laws, law)
				}
			}
		}
	}
	month := MonthSwedish(r.Month)
	decided := skalig.DateOf(d.DecidedAt)
	c := in.Contact
	ref := r.CaseID
	if in.CaseNumber != "" {
		ref = in.CaseNumber
	}
	l.Title = fmt.Sprintf("Beslut om försörjningsstöd för %s, ärende %s", month, ref)
	l.Lang = "sv-SE"
	l.Author = in.Municipality
	l.Created = d.DecidedAt.UTC().Truncate(time.Second)
	l.Footer = fmt.Sprintf("%s, %s – beslut i ärende %s", c.Authority, in.Municipality, ref)
	h1 := func(s string) { l.Blocks = append(l.Blocks, Block{Kind: KindH1, Text: s}) }
	h2 := func(s string) { l.Blocks = append(l.Blocks, Block{Kind: KindH2, Text: s}) }
	p := func(format string, args ...any) {
		l.Blocks = append(l.Blocks, Block{Kind: KindP, Text: fmt.Sprintf(format, args...)})
	}
	table := func(t *Table) { l.Blocks = append(l.Blocks, Block{Kind: KindTable, Table: t}) }

	h1("Beslut om försörjningsstöd")
	p("%s, %s", c.Authority, in.Municipality)
	if len(in.Recipients) > 0 {
		p("Till %s", strings.Join(in.Recipients, " och "))
	}
	p("Ärendenummer: %s. Beslutsdatum: %s. Beslutet gäller %s.", ref, decided, month)

	h2("Beslut")
	switch r.Outcome {
	case skalig.OutcomeApproved:
		p("Beslut: bifall. Du får försörjningsstöd med %s för %s.", r.Amount.Swedish(), month)
	case skalig.OutcomePartlyApproved:
		p("Beslut: delvis bifall. Du får försörjningsstöd med %s för %s. Du får inte allt du har ansökt om; skälen står nedan.", r.Amount.Swedish(), month)
	case skalig.OutcomeRejected:
		p("Beslut: avslag. Du får inget försörjningsstöd för %s. Skälen står nedan.", month)
	}
	if r.Amount != out.Aid && r.Outcome != skalig.OutcomeRejected {
		p("Enligt beräkningen var beloppet %s. Beslutet beviljar %s.", out.Aid.Swedish(), r.Amount.Swedish())
	}
	if len(l.Items) > 0 {
		t := &Table{Caption: "Det du ansökte om och vad som beviljas", Head: []string{"Post", "Sökt", "Beviljat", "Beslut"},
			Numeric: []bool{false, true, true, false}, RowHeaders: true}
		if r.Outcome == skalig.OutcomeRejected {
			// Nothing is granted: the table says what the calculation
			// accepted of each item.
			t.Caption, t.Head = "Det du ansökte om och vad som godtogs i beräkningen", []string{"Post", "Sökt", "Godtaget", "Bedömning"}
		}
		for _, it := range l.Items {
			d := it.Decision.Swedish()
			if r.Outcome == skalig.OutcomeRejected {
				d = map[skalig.Outcome]string{skalig.OutcomeApproved: "godtas", skalig.OutcomePartlyApproved: "godtas delvis",
					skalig.OutcomeRejected: "godtas inte"}[it.Decision]
			}
			t.Rows = append(t.Rows, []string{it.Name, it.Applied.Swedish(), it.Granted.Swedish(), d})
		}
		table(t)
	}

	h2("Skäl för beslutet")
	need := out.Norm + out.NormAdjustment + out.ReasonableCosts + out.OtherCosts
	switch {
	case out.IncomeCounted >= need:
		p("Hushållets inkomster som räknas för %s är %s. Det är lika mycket som eller mer än behovet, %s (riksnormen och skäliga kostnader). Därför har hushållet inte rätt till försörjningsstöd för månaden.",
			month, out.IncomeCounted.Swedish(), need.Swedish())
	case r.Outcome == skalig.OutcomeRejected:
		p("Enligt beräkningen är hushållets behov för %s %s (riksnormen och skäliga kostnader) och inkomsterna som räknas %s. Du får ändå inget försörjningsstöd, av skälen nedan.",
			month, need.Swedish(), out.IncomeCounted.Swedish())
	default:
		p("Hushållets behov för %s är %s (riksnormen och skäliga kostnader). Inkomsterna som räknas är %s. Skillnaden är det som försörjningsstödet ska täcka.",
			month, need.Swedish(), out.IncomeCounted.Swedish())
	}
	if out.BeyondCalculation > 0 {
		p("Utöver det får du bistånd med %s för det som står i tabellen (socialtjänstlagen, bistånd utöver försörjningsstöd).", out.BeyondCalculation.Swedish())
	}
	for _, it := range l.Items {
		if it.Ground != "" {
			p("%s: %s", it.Name, it.Ground)
		}
	}
	for _, s := range d.Reasons {
		p("%s", s)
	}
	p("Beslutet grundar sig på: %s.", strings.Join(l.Laws, "; "))

	h2("Så har vi räknat")
	ct := &Table{Caption: fmt.Sprintf("Beräkningen för %s (parametrar %s)", month, r.ParamSet),
		Head: []string{"Post", "Belopp", "Lagrum"}, Numeric: []bool{false, true, false}, RowHeaders: true}
	for _, t := range trace {
		if t.Item == "review_reason" {
			continue
		}
		ct.Rows = append(ct.Rows, []string{t.NamePersons(in.StaffNames), t.Amount.Swedish(), t.Law})
	}
	table(ct)

	h2("Vem som har fattat beslutet")
	if r.DecidedBy.IsAutomated() {
		p("Beslutet har fattats automatiskt (förvaltningslagen 28 §) enligt nämndens delegation: %s. Ingen handläggare har gjort bedömningen. Om du vill att en handläggare prövar ditt ärende kan du kontakta oss.", r.DecidedBy.Delegation)
	} else {
		who := in.DeciderName
		if who == "" {
			who = "handläggaren med id " + r.DecidedBy.Caseworker
		}
		title := in.DeciderTitle
		if title == "" {
			title = "handläggare"
		}
		p("Beslutet har fattats av %s, %s, %s.", who, title, c.Authority)
	}

	h2("Utbetalning")
	switch {
	case r.Amount == 0:
		p("Inget belopp betalas ut.")
	case in.Payment != nil:
		p("Vi betalar ut %s den %s till %s.", r.Amount.Swedish(), in.Payment.PayOn, MaskAccount(in.Payment.Account))
	default:
		p("Vi betalar ut %s till det konto du har angett. Du ser datumet i Mina sidor.", r.Amount.Swedish())
	}

	h2("Om du inte är nöjd med beslutet")
	p("Du kan överklaga beslutet till förvaltningsrätten. Skicka överklagandet till oss, inte till förvaltningsrätten: %s, %s.",
		c.Authority, strings.Join(c.Address, ", "))
	p("Vi måste ha fått ditt överklagande inom tre veckor från den dag du fick del av beslutet. Annars kan det inte prövas.")
	p("Skriv vilket beslut du överklagar (ärendenummer %s), hur du vill att beslutet ska ändras och varför. Skriv ditt namn, personnummer, adress och telefonnummer och skriv under.", ref)
	p("Vi prövar först om vi själva ska ändra beslutet. Om vi inte ändrar det som du vill skickar vi överklagandet vidare till förvaltningsrätten. Om du vill ha hjälp att överklaga kan du kontakta oss.")
	p("Bestämmelserna finns i förvaltningslagen (2017:900) 33 och 40–46 §§.")

	h2("Kontakt")
	p("%s. Postadress: %s. Telefon: %s. E-post: %s.", c.Authority, strings.Join(c.Address, ", "), c.Phone, c.Email)
	if c.Web != "" {
		p("Webbplats: %s", c.Web)
	}
	if c.Example {
		p("Kontaktuppgifterna är exempel i Skäligs demo, inte kommunens riktiga uppgifter.")
	}
	p("Ange ärendenummer %s när du kontaktar oss.", ref)
	return l, nil
}

// items pairs each cost applied for (the calculation's input, built from
// the receipt's facts) with what the calculation counted (its trace).
func items(in *rules.Input, trace []calcformat.Line) []Item {
	cut := map[string]skalig.Money{}
	cutText := map[string]string{}
	for _, t := range trace {
		if k, ok := strings.CutSuffix(t.Item, "_guideline"); ok && t.Amount < 0 {
			cut[k] += -t.Amount
			cutText[k] = t.Text
		}
	}
	var out []Item
	byKind := map[string]int{}
	for _, c := range in.Costs {
		var it Item
		switch c.Kind {
		case rules.OtherCost:
			it = Item{Name: "Övrigt behov: " + c.Text, Applied: c.Amount}
		case rules.BeyondCost:
			it = Item{Name: "Bistånd utöver försörjningsstödet: " + c.Text, Applied: c.Amount}
		default:
			it = Item{Name: c.Kind.Swedish(), Applied: c.Amount, Granted: c.Amount}
		}
		if a := c.Approval; a != nil {
			it.Granted = a.Amount
			if a.Amount < c.Amount {
				it.Ground = "En handläggare har godtagit " + a.Amount.Swedish() + ". Skäl: " + a.Reason + "."
			}
		} else if c.Kind == rules.OtherCost || c.Kind == rules.BeyondCost {
			it.Ground = "Behovet har inte beviljats i beräkningen som beslutet bygger på."
		}
		if c.Kind != rules.OtherCost && c.Kind != rules.BeyondCost && c.Approval == nil {
			// Costs of one kind are capped together: merge them.
			k := c.Kind.String()
			if i, ok := byKind[k]; ok {
				out[i].Applied += it.Applied
				out[i].Granted += it.Granted
				continue
			}
			byKind[k] = len(out)
		}
		out = append(out, it)
	}
	for k, i := range byKind {
		if x := cut[k]; x > 0 {
			out[i].Granted -= x
			out[i].Ground = cutText[k] + "."
		}
	}
	for i := range out {
		it := &out[i]
		switch {
		case it.Granted >= it.Applied:
			it.Decision = skalig.OutcomeApproved
		case it.Granted <= 0:
			it.Granted, it.Decision = 0, skalig.OutcomeRejected
		default:
			it.Decision = skalig.OutcomePartlyApproved
		}
	}
	return out
}
