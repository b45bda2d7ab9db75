package skalig

import "fmt"

// InForce is a proposed change of the rules (a municipality's routing
// configuration or guidelines version) about to be put in force. The one
// path for such a change is a proposal by one person, tried in a what-if
// run (internal/whatif), and put in force by a second person from a
// future month; Check is that rule, whoever asks (the administration
// pages, the API, the command line), and the store calls it in the
// transaction that puts the change in force.
type InForce struct {
	Kind         string // "routing" or "guidelines"
	Municipality string
	Version      string
	// From is the first month the change applies to.
	From Month
	// ProposedBy is the subject of who proposed the change; By of who puts
	// it in force.
	ProposedBy, By string
	// Digest is the hex SHA-256 of the change as a what-if candidate
	// (the routing version, or the municipality's file with the
	// guidelines version in it) as it would be put in force now.
	Digest string
	// Run is the what-if run attached: the evidence of what the change
	// does. Nil: none attached.
	Run *InForceRun
}

// InForceRun is what Check needs of the what-if run attached to a change.
type InForceRun struct {
	ID           string
	Actor        string // who started it: "staff:<subject>", "api:<client>", "cli:whatif"
	Status       string // "done" when it is finished
	Municipality string
	Digest       string // its candidate's hex SHA-256
	Cases        int
	Changed      int
}

// Check reports whether the change may be put in force in month now.
//
// Errors: EINVALID naming the field ("by", "from", "run") when no one is
// named, From is not a later month than now (a change never applies to a
// month already under way), no finished what-if run of this very change,
// in its municipality, is attached; EFORBIDDEN when By proposed the
// change or started its what-if run (a second person puts it in force).
func (p *InForce) Check(now Month) error {
	fail := func(field, msg string) error {
		return &Error{Code: EINVALID, Message: msg, Fields: []FieldError{{Field: field, Message: msg}}}
	}
	switch {
	case p.By == "":
		return fail("by", "Det saknas uppgift om vem som sätter ändringen i kraft.")
	case p.From <= now:
		return fail("from", fmt.Sprintf("En ändring kan sättas i kraft tidigast från den första i nästa månad (%s), inte från %s.", (now+1).String(), p.From.String()))
	case p.Run == nil || p.Run.ID == "":
		return fail("run", "Bifoga en provkörning av ändringen: ange provkörningens id.")
	case p.Run.Status != "done":
		return fail("run", "Provkörning "+p.Run.ID+" är inte klar. Vänta tills den är klar.")
	case p.Run.Digest != p.Digest:
		return fail("run", "Provkörning "+p.Run.ID+" gäller inte den här ändringen. Provkör förslaget som det ser ut nu.")
	case p.Run.Municipality != p.Municipality:
		return fail("run", "Provkörning "+p.Run.ID+" gäller en annan kommun.")
	case p.By == p.ProposedBy || p.Run.Actor == "staff:"+p.By:
		return &Error{Code: EFORBIDDEN, Message: "En annan person än den som föreslog ändringen eller startade provkörningen måste sätta den i kraft (fyra ögon)."}
	}
	return nil
}
