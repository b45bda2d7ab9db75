package registerutdrag

import (
	"fmt"
	"strings"
	"time"

	"skalig"
	"skalig/internal/letters"
)

// Document returns the extract as a document of headings, paragraphs and
// tables, in Swedish: what Document().PDF() and HTML() render.
func (e *Extract) Document() *letters.Document {
	d := &letters.Document{
		Title:   "Registerutdrag för " + skalig.PersonalNumber(e.PersonalNumber).Masked(),
		Lang:    "sv-SE",
		Author:  "Skälig",
		Created: e.Produced,
		Footer:  "Registerutdrag " + when(e.Produced) + " (dataskyddsförordningen artikel 15)",
	}
	h1 := func(s string) { d.Blocks = append(d.Blocks, letters.Block{Kind: letters.KindH1, Text: s}) }
	h2 := func(s string) { d.Blocks = append(d.Blocks, letters.Block{Kind: letters.KindH2, Text: s}) }
	p := func(format string, args ...any) {
		d.Blocks = append(d.Blocks, letters.Block{Kind: letters.KindP, Text: fmt.Sprintf(format, args...)})
	}
	// Tables have at most three columns, the first the widest: the
	// letters' layout gives the first column what the others leave.
	table := func(caption string, head []string, rows [][]string) {
		if len(rows) == 0 {
			p("%s: inga.", caption)
			return
		}
		d.Blocks = append(d.Blocks, letters.Block{Kind: letters.KindTable, Table: &letters.Table{Caption: caption, Head: head, Rows: rows, Numeric: make([]bool, len(head))}})
	}

	h1("Registerutdrag")
	p("Det här är alla uppgifter som Skälig har om personen med personnummer %s, den %s. Du har rätt att få en kopia av "+
		"uppgifterna enligt dataskyddsförordningen (GDPR) artikel 15. Samma uppgifter finns i en maskinläsbar fil (JSON), "+
		"där också dina uppladdade dokument och beslutsbreven ingår i sin helhet.", e.PersonalNumber, when(e.Produced))
	if len(e.Municipalities) > 0 {
		p("Utdraget gäller ärenden i kommun %s.", strings.Join(e.Municipalities, ", "))
	}
	if e.Channel == ChannelPost {
		p("Utdraget har tagits fram av en handläggare efter en begäran per post.")
	}
	if len(e.Cases) == 0 && len(e.Drafts) == 0 && len(e.Claims) == 0 && len(e.AidHistory) == 0 {
		p("Skälig har inga uppgifter om dig utöver det som står i det här utdraget och i loggen över att utdraget har tagits fram.")
	}

	h2("Om behandlingen")
	p("Personuppgiftsansvarig: %s", e.About.Controller)
	for _, s := range e.About.Purposes {
		p("Ändamål: %s", s)
	}
	for _, s := range e.About.Recipients {
		p("Mottagare: %s", s)
	}
	p("Lagring: %s", e.About.Retention)
	for _, s := range e.About.Sources {
		p("Källa: %s", s)
	}
	p("Automatiserade beslut: %s", e.About.Automated)
	for _, s := range e.About.Rights {
		p("%s", s)
	}

	for _, c := range e.Cases {
		h2(fmt.Sprintf("Ärende %s: %s, %s", c.ID, kindText(c.Kind), c.Month))
		p("Kommun %s. Status: %s. Inkommet %s, senast ändrat %s.", c.Municipality, c.StateText, when(c.Created), when(c.Updated))
		var rows [][]string
		for _, m := range c.Members {
			rows = append(rows, []string{m.PersonalNumber, m.Name, roleText(skalig.MemberRole(m.Role), m.You) + " (" + m.ID + ")"})
		}
		table("Hushållet i ansökan", []string{"Personnummer", "Namn", "Roll"}, rows)
		rows = nil
		for _, f := range c.Facts {
			src := f.SourceText
			if f.RecordedBy != "" {
				src += " (" + f.RecordedBy + ")"
			}
			what := f.Kind
			if f.Member != "" {
				what += ", " + f.Member
			}
			rows = append(rows, []string{what + ", " + f.Period + ": " + f.Value, src, when(f.At)})
		}
		table("Uppgifter och var de kommer ifrån", []string{"Uppgift, period: värde", "Källa", "Registrerad"}, rows)
		if dec := c.Decision; dec != nil {
			p("Beslut %s: %s, %s kr för %s, av %s.", when(dec.DecidedAt), dec.OutcomeText, dec.Amount, dec.Month, dec.DecidedBy)
			for _, r := range dec.Reasons {
				p("Skäl: %s", r)
			}
			if len(dec.LetterPDF) > 0 {
				p("Beslutsbrevet finns i sin helhet i den maskinläsbara filen och på Mina sidor.")
			} else if dec.LetterError != "" {
				p("%s", dec.LetterError)
			}
		} else {
			p("Inget beslut ännu.")
		}
		if pay := c.Payment; pay != nil {
			p("Utbetalning: %s kr den %s till kontot som slutar på %s (%s).", pay.Amount, pay.PayOn, pay.Account, pay.Status)
		}
		rows = nil
		for _, m := range c.Messages {
			rows = append(rows, []string{m.Body, ActorText(m.From), when(m.At)})
		}
		table("Meddelanden", []string{"Meddelande", "Från", "När"}, rows)
		rows = nil
		for _, r := range c.DocumentRequests {
			answered := "nej"
			if !r.AnsweredAt.IsZero() {
				answered = when(r.AnsweredAt)
			}
			rows = append(rows, []string{r.Text + " (senast " + r.Due + ")", answered, when(r.At)})
		}
		table("Begäran om komplettering", []string{"Vad", "Besvarad", "När"}, rows)
		rows = nil
		for _, doc := range c.Documents {
			rows = append(rows, []string{doc.Name, fmt.Sprintf("%s, %d byte", doc.MediaType, doc.Size), when(doc.At)})
		}
		table("Dokument", []string{"Namn", "Typ och storlek", "När"}, rows)
		rows = nil
		for _, r := range c.ReviewRequests {
			res := r.Resolution
			if res == "" {
				res = "öppen"
			}
			kind := map[string]string{"review": "omprövning", "appeal": "överklagande"}[r.Kind]
			rows = append(rows, []string{kind + ": " + r.Text, res, when(r.At)})
		}
		table("Omprövning och överklagande", []string{"Begäran", "Utfall", "När"}, rows)
		rows = nil
		for _, r := range c.Records {
			rows = append(rows, []string{short(string(r.Body), 300), r.Kind, when(r.At)})
		}
		table("Anteckningar i ärendet", []string{"Innehåll", "Slag", "När"}, rows)
		rows = nil
		for _, r := range c.Reads {
			rows = append(rows, []string{r.Who, r.What + " (" + r.Via + ")", when(r.At)})
		}
		table("Vem som har läst ärendet", []string{"Vem", "Vad (hur)", "När"}, rows)
	}

	if len(e.Drafts) > 0 {
		h2("Påbörjade och inskickade ansökningar (utkast)")
		var rows [][]string
		for _, dr := range e.Drafts {
			rows = append(rows, []string{kindText(dr.Kind) + " " + dr.Month + " (" + dr.ID + "): " + short(string(dr.Data), 300), dr.State, when(dr.Updated)})
		}
		table("Utkast", []string{"Ansökan och innehåll", "Status", "Ändrat"}, rows)
	}
	if len(e.Claims) > 0 {
		h2("Återkrav")
		var rows [][]string
		for _, c := range e.Claims {
			closed := "öppet"
			if !c.ClosedAt.IsZero() {
				closed = "avslutat " + when(c.ClosedAt)
			}
			rows = append(rows, []string{"kommun " + c.Municipality + " (" + c.ID + "): " + c.Note, closed, when(c.OpenedAt)})
		}
		table("Återkrav", []string{"Återkrav", "Status", "Registrerat"}, rows)
	}
	if len(e.AidHistory) > 0 {
		h2("Tidigare bistånd (inläst från kommunens tidigare system)")
		var ms []string
		for _, m := range e.AidHistory {
			ms = append(ms, m.String())
		}
		p("Månader med bistånd: %s.", strings.Join(ms, ", "))
	}
	return d
}

// PDF renders the extract as a tagged PDF.
func (e *Extract) PDF() ([]byte, error) { return e.Document().PDF() }

var stockholm = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Stockholm"); err == nil {
		return l
	}
	return time.UTC
}()

func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(stockholm).Format("2006-01-02 15.04")
}

func kindText(k string) string {
	switch skalig.ApplicationKind(k) {
	case skalig.FirstApplication:
		return "första ansökan"
	case skalig.MonthlyApplication:
		return "månadsansökan"
	}
	return k
}

func short(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + " …"
}
