package municipal

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"skalig"
	"skalig/internal/routing"
	"skalig/internal/rules"
)

// The versions of a municipality's configuration that administrators make
// (guidelines, routing, casework settings), and the pure rules that check
// and merge them over the embedded files. internal/store keeps them
// (internal/store/configdb.MunicipalConfig implements Configuration).

// Kinds of a Change.
const (
	KindGuidelines = "guidelines"
	KindRouting    = "routing"
	KindCasework   = "casework"
)

// Change is one version of a municipality's configuration made in
// the administration pages. Body is the version in its file form: a
// guidelines version of this package's files, a routing.Spec, or
// CaseworkSettings.
type Change struct {
	ID           string
	Municipality string
	Kind         string
	Version      string
	From         skalig.Month
	Body         json.RawMessage
	Author       string // the administrator's subject
	Reason       string // why the change was made
	At           time.Time
}

// CaseworkSettings are a municipality's rules for the caseworker's side.
type CaseworkSettings struct {
	// FourEyesOverride makes a decision that departs from the automated
	// proposal (another outcome, or another amount than calculated) wait
	// for a second person's signature.
	FourEyesOverride bool `json:"four_eyes_override"`
	// FourEyesReject makes every rejection (avslag) wait for a second
	// person's signature.
	FourEyesReject bool `json:"four_eyes_reject"`
	// OverdueDays is how many days after submission an undecided case is
	// overdue, in the queue of overdue cases.
	OverdueDays int `json:"overdue_days"`
}

// DefaultCaseworkSettings are the settings of a municipality that has
// stored none: no four-eyes rule, overdue after 5 days.
var DefaultCaseworkSettings = CaseworkSettings{OverdueDays: 5}

// Validate checks the settings.
func (c CaseworkSettings) Validate() error {
	if c.OverdueDays < 1 || c.OverdueDays > 90 {
		return &skalig.Error{Code: skalig.EINVALID, Message: "Antal dagar ska vara 1-90.",
			Fields: []skalig.FieldError{{Field: "overdue_days", Message: "Ange antal dagar, 1-90."}}}
	}
	return nil
}

// CaseworkIn returns the casework settings of the versions vs (oldest
// From first) in force in month mo; DefaultCaseworkSettings without one.
func CaseworkIn(vs []Change, mo skalig.Month) (CaseworkSettings, error) {
	out := DefaultCaseworkSettings
	for _, v := range vs {
		if v.From <= mo {
			var c CaseworkSettings
			if err := json.Unmarshal(v.Body, &c); err != nil {
				return DefaultCaseworkSettings, fmt.Errorf("casework settings %s: %w", v.Version, err)
			}
			out = c
		}
	}
	return out, nil
}

// Merge builds the configuration of municipality code from base (the
// embedded files) with the versions made in the administration pages laid
// over it (guidelines and routingVersions, each in the order made: a later
// version with the same From replaces an earlier one), and validates it as
// a file is validated. Without versions it returns base.
//
// Errors: ENOTFOUND (unknown municipality); EINVALID (the result is not a
// valid configuration).
func Merge(base *Set, code string, guidelines, routingVersions []Change) (*Set, error) {
	if _, err := base.Get(code); err != nil {
		return nil, err
	}
	if len(guidelines) == 0 && len(routingVersions) == 0 {
		return base, nil
	}
	b, err := MergeFile(base, code, guidelines, routingVersions)
	if err != nil {
		return nil, err
	}
	set, err := Parse(map[string][]byte{code + ".json": b})
	if err != nil {
		return nil, skalig.Errorf(skalig.EINVALID, "Konfigurationen är inte giltig: %v", err)
	}
	return set, nil
}

// MergeFile is the file of municipality code that Merge parses: its
// embedded file with the versions laid over it, in the form of the files
// (a what-if candidate of the whole municipality, internal/whatif).
//
// Errors: ENOTFOUND (unknown municipality).
func MergeFile(base *Set, code string, guidelines, routingVersions []Change) ([]byte, error) {
	mun, err := base.Get(code)
	if err != nil {
		return nil, err
	}
	type dated struct {
		from  string
		body  json.RawMessage
		order int
	}
	merge := func(embedded []json.RawMessage, stored []Change) ([]json.RawMessage, error) {
		var all []dated
		for _, b := range embedded {
			var f struct {
				From string `json:"from"`
			}
			if err := json.Unmarshal(b, &f); err != nil {
				return nil, err
			}
			all = append(all, dated{f.From, b, -1})
		}
		for i, v := range stored {
			all = append(all, dated{v.From.String(), v.Body, i})
		}
		sort.SliceStable(all, func(i, j int) bool {
			if all[i].from != all[j].from {
				return all[i].from < all[j].from
			}
			return all[i].order < all[j].order
		})
		var out []json.RawMessage
		for i, d := range all {
			if i+1 < len(all) && all[i+1].from == d.from {
				continue // a later version with the same From replaces it
			}
			out = append(out, d.body)
		}
		return out, nil
	}
	var embeddedGL []json.RawMessage
	for _, v := range mun.Guidelines {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		embeddedGL = append(embeddedGL, b)
	}
	var embeddedRT []json.RawMessage
	if len(mun.Routing) > 0 {
		if err := json.Unmarshal(mun.Routing, &embeddedRT); err != nil {
			return nil, err
		}
	}
	gl, err := merge(embeddedGL, guidelines)
	if err != nil {
		return nil, err
	}
	rt, err := merge(embeddedRT, routingVersions)
	if err != nil {
		return nil, err
	}
	file := map[string]any{"code": mun.Code, "name": mun.Name, "guidelines": gl}
	if len(rt) > 0 {
		file["routing"] = rt
	}
	return json.Marshal(file)
}

// Check validates v, a new version, against the configuration it joins:
// base (the embedded files) with the versions made before, stored (of v's
// kind) and others (of the other kind of guidelines and routing; unused for
// casework). v.From must not be before earliest (the month in force: a
// change never applies to months already under way before it). For a
// routing version, routing.Check checks the fields and compiles the CEL
// rules first, and every problem it finds is a FieldError on the field's
// path ("delegations[0].max_amount", "rules[1].expression"); a guidelines version is checked as the files are; casework
// settings by CaseworkSettings.Validate. It normalises v.Body (the version's
// name and From written into it). It is pure: the caller reads the versions
// and stores v.
//
// Errors: EINVALID (naming the field: "body", "from", "version", "reason",
// "kind", or a routing field's path); ENOTFOUND (unknown municipality).
func Check(base *Set, v *Change, stored, others []Change, earliest skalig.Month) error {
	fail := func(field, msg string) error {
		return &skalig.Error{Code: skalig.EINVALID, Message: msg, Fields: []skalig.FieldError{{Field: field, Message: msg}}}
	}
	v.Version, v.Reason = strings.TrimSpace(v.Version), strings.TrimSpace(v.Reason)
	switch {
	case v.Version == "" || len(v.Version) > 100:
		return fail("version", "Ge versionen ett namn (högst 100 tecken).")
	case v.Reason == "":
		return fail("reason", "Skriv varför ändringen görs. Skälet sparas i granskningsloggen.")
	case v.Author == "":
		return fail("author", "Det saknas uppgift om vem som gör ändringen.")
	case v.From < earliest:
		return fail("from", "Den nya versionen kan gälla från "+earliest.String()+" eller senare, inte från en månad som redan har varit.")
	}
	mun, err := base.Get(v.Municipality)
	if err != nil {
		return err
	}
	names := map[string]bool{}
	for _, s := range stored {
		names[s.Version] = true
	}
	switch v.Kind {
	case KindRouting:
		var spec routing.Spec
		if err := json.Unmarshal(v.Body, &spec); err != nil {
			return fail("body", "Konfigurationen kunde inte läsas: "+err.Error())
		}
		spec.Version, spec.From = v.Version, v.From.String()
		if ps := routing.Check(spec); len(ps) > 0 {
			// Every problem, each on its field ("delegations[0].max_amount"),
			// in Swedish naming the field: a form shows them all at once.
			e := &skalig.Error{Code: skalig.EINVALID, Message: "Konfigurationen är inte giltig: " + ps[0].Message}
			for _, p := range ps {
				fe := skalig.FieldError{Field: p.Field, Message: p.Message}
				if p.Detail.ID != "" {
					fe.Detail = &p.Detail
				}
				e.Fields = append(e.Fields, fe)
			}
			return e
		}
		v.Body, _ = json.Marshal(spec)
		if len(mun.Routing) > 0 {
			var specs []routing.Spec
			if err := json.Unmarshal(mun.Routing, &specs); err == nil {
				for _, s := range specs {
					names[s.Version] = true
				}
			}
		}
		if names[v.Version] {
			return fail("version", "Det finns redan en version med det namnet. Välj ett annat.")
		}
		if _, err := Merge(base, v.Municipality, others, append(stored, *v)); err != nil {
			return fail("body", skalig.ErrorMessage(err))
		}
	case KindGuidelines:
		var body map[string]json.RawMessage
		var gv Version
		if err := json.Unmarshal(v.Body, &body); err != nil {
			return fail("body", "Riktlinjerna kunde inte läsas: "+err.Error())
		}
		if err := json.Unmarshal(v.Body, &gv); err != nil {
			return fail("body", "Riktlinjerna kunde inte läsas: "+err.Error())
		}
		if ps := gv.problems(); len(ps) > 0 {
			// Every problem, each on its field ("max_housing.one_adult").
			e := &skalig.Error{Code: skalig.EINVALID, Message: "Riktlinjerna är inte giltiga: " + ps[0].swedish}
			for _, p := range ps {
				e.Fields = append(e.Fields, skalig.FieldError{Field: p.field, Message: p.swedish})
			}
			return e
		}
		body["version"], _ = json.Marshal(v.Version)
		body["from"], _ = json.Marshal(v.From.String())
		v.Body, _ = json.Marshal(body)
		for _, g := range mun.Guidelines {
			names[g.Version] = true
		}
		if names[v.Version] {
			return fail("version", "Det finns redan en version med det namnet. Välj ett annat.")
		}
		if _, err := Merge(base, v.Municipality, append(stored, *v), others); err != nil {
			return fail("body", skalig.ErrorMessage(err))
		}
	case KindCasework:
		var c CaseworkSettings
		if err := json.Unmarshal(v.Body, &c); err != nil {
			return fail("body", "Inställningarna kunde inte läsas: "+err.Error())
		}
		if err := c.Validate(); err != nil {
			return err
		}
		if names[v.Version] {
			return fail("version", "Det finns redan en version med det namnet. Välj ett annat.")
		}
		v.Body, _ = json.Marshal(c)
	default:
		return fail("kind", "Okänd sorts konfiguration.")
	}
	return nil
}

// Configuration is the municipal configuration in force: the embedded
// files with the versions administrators made laid over them, read
// through a short cache. internal/store implements it
// (configdb.MunicipalConfig); the administration and caseworker pages use it.
// It is declared here, not in package skalig, because its values are this
// package's and internal/routing's.
type Configuration interface {
	// Base returns the embedded configuration.
	Base() *Set

	// Set returns the configuration of municipality code in force, the
	// versions included.
	//
	// Errors: ENOTFOUND (unknown municipality); EINVALID (the stored
	// versions do not make a valid configuration).
	Set(ctx context.Context, code string) (*Set, error)

	// Routing and Guidelines return municipality code's routing
	// configuration and guidelines in force in month mo.
	//
	// Errors: as Set; ENOTFOUND (none in force in mo).
	Routing(ctx context.Context, code string, mo skalig.Month) (*routing.Config, error)
	Guidelines(ctx context.Context, code string, mo skalig.Month) (*rules.Guidelines, error)

	// Casework returns municipality code's casework settings in force in
	// month mo (DefaultCaseworkSettings when none is stored).
	Casework(ctx context.Context, code string, mo skalig.Month) (CaseworkSettings, error)

	// Versions returns the stored versions of municipality code of kind
	// ("" for all), oldest From first.
	Versions(ctx context.Context, code, kind string) ([]Change, error)

	// AddVersion checks v, casework settings, (Check) and stores it,
	// audited with its author and reason; it sets v.ID and v.At. v.From
	// must not be before earliest. Routing and guidelines versions are
	// proposed and put in force by a second person instead
	// (configdb.MunicipalConfig.Propose, PutInForce).
	//
	// Errors: EINVALID (naming the field; "kind" for routing and
	// guidelines); ECONFLICT (the version name is taken); ENOTFOUND
	// (unknown municipality).
	AddVersion(ctx context.Context, v *Change, earliest skalig.Month) error

	// Changes returns the audit events of municipality's configuration
	// changes, newest first.
	Changes(ctx context.Context, municipality string) ([]skalig.AuditEvent, error)
}
