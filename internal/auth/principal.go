package auth

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"

	"skalig"
)

// Kind says whether a principal is an applicant or a member of staff. The
// two never mix: an applicant has no roles, and staff never pass
// RequireApplicant.
type Kind string

// Kinds.
const (
	Applicant Kind = "applicant"
	Staff     Kind = "staff"
)

// Role is what a member of staff may do. Roles come from the provider's
// roles claim; the web layer decides what each allows.
type Role string

// Roles.
const (
	RoleCaseworker         Role = "caseworker"          // handläggare
	RoleFinancialAssistant Role = "financial_assistant" // ekonomiassistent
	RoleManager            Role = "manager"             // chef
	RoleAdministrator      Role = "administrator"       // administratör
)

// Roles lists every role, in order of the Swedish organisation chart.
var Roles = []Role{RoleCaseworker, RoleFinancialAssistant, RoleManager, RoleAdministrator}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Principal is the person logged in, as the provider vouched for at login.
// It is kept in the session and put in each request's context by
// Middleware; FromContext returns it.
type Principal struct {
	// Subject is the provider's identifier (sub) for the person; with
	// Issuer it identifies the login account.
	Subject string `json:"sub"`
	Issuer  string `json:"iss"`
	// Name is the display name.
	Name string `json:"name"`
	// PersonalNumber is the verified personnummer or samordningsnummer:
	// always set for an applicant; for staff only when the provider sends
	// it. It decides which cases an applicant may see.
	PersonalNumber skalig.PersonalNumber `json:"personal_number,omitempty"`
	Kind           Kind                  `json:"kind"`
	// Roles and Municipalities are set for staff only.
	Roles          []Role   `json:"roles,omitempty"`
	Municipalities []string `json:"municipalities,omitempty"`
	// LoginAt is when the login completed.
	LoginAt time.Time `json:"login_at"`
}

// IsApplicant reports whether p is an applicant.
func (p *Principal) IsApplicant() bool { return p != nil && p.Kind == Applicant }

// IsStaff reports whether p is a member of staff.
func (p *Principal) IsStaff() bool { return p != nil && p.Kind == Staff }

// HasRole reports whether p is staff with role r. It is false for an
// applicant whatever the Roles field holds.
func (p *Principal) HasRole(r Role) bool {
	return p.IsStaff() && slices.Contains(p.Roles, r)
}

// HasAnyRole reports whether p is staff with at least one of roles; with no
// roles given, whether p is staff at all.
func (p *Principal) HasAnyRole(roles ...Role) bool {
	if !p.IsStaff() {
		return false
	}
	if len(roles) == 0 {
		return true
	}
	for _, r := range roles {
		if p.HasRole(r) {
			return true
		}
	}
	return false
}

// InMunicipality reports whether p is staff working for the municipality
// with the four-digit code. It is false for an applicant: an applicant's
// access goes by PersonalNumber, never by municipality.
func (p *Principal) InMunicipality(code string) bool {
	return p.IsStaff() && code != "" && slices.Contains(p.Municipalities, code)
}

// LogValue makes slog print p without the full personal number.
func (p *Principal) LogValue() slog.Value {
	if p == nil {
		return slog.StringValue("anonymous")
	}
	attrs := []slog.Attr{slog.String("sub", p.Subject), slog.String("kind", string(p.Kind))}
	if p.PersonalNumber != "" {
		attrs = append(attrs, slog.String("personal_number", p.PersonalNumber.Masked()))
	}
	if len(p.Roles) > 0 {
		rs := make([]string, len(p.Roles))
		for i, r := range p.Roles {
			rs[i] = string(r)
		}
		attrs = append(attrs, slog.String("roles", strings.Join(rs, ",")), slog.String("municipalities", strings.Join(p.Municipalities, ",")))
	}
	return slog.GroupValue(attrs...)
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p. Middleware uses it; tests of the
// web layer use it to act as someone without logging in.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal of the request ctx belongs to, and
// false when nobody is logged in.
func FromContext(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	return p, ok && p != nil
}

// principalFromClaims builds the principal from the merged claims of the ID
// token and the userinfo response. Staff are recognised by at least one
// known role; anyone else must have a valid personal number. The error is a
// *skalig.Error with a Swedish message for the person logging in.
func principalFromClaims(c Config, claims map[string]any, now time.Time, log *slog.Logger) (*Principal, error) {
	p := &Principal{LoginAt: now.UTC()}
	p.Subject, _ = claims["sub"].(string)
	p.Issuer, _ = claims["iss"].(string)
	if p.Subject == "" {
		return nil, skalig.Errorf(skalig.EUNAUTHORIZED, "Inloggningen saknar användaridentitet. Försök igen eller kontakta kommunen.")
	}
	p.Name, _ = claims["name"].(string)
	if p.Name == "" {
		given, _ := claims["given_name"].(string)
		family, _ := claims["family_name"].(string)
		p.Name = strings.TrimSpace(given + " " + family)
	}

	var pnErr error
	if s, ok := claims[c.PersonalNumberClaim].(string); ok && s != "" {
		today := skalig.Date{Y: int16(now.Year()), M: int8(now.Month()), D: int8(now.Day())}
		pn, err := skalig.ParsePersonalNumber(s, today)
		if err != nil {
			pnErr = err
		} else {
			p.PersonalNumber = pn
		}
	}

	for _, v := range stringList(claims[c.RolesClaim]) {
		if r := Role(v); r.Valid() {
			if !slices.Contains(p.Roles, r) {
				p.Roles = append(p.Roles, r)
			}
		} else {
			log.Info("auth: ignoring unknown role", "role", v, "sub", p.Subject)
		}
	}
	if len(p.Roles) > 0 {
		p.Kind = Staff
		for _, m := range stringList(claims[c.MunicipalitiesClaim]) {
			if !isMunicipalityCode(m) {
				log.Warn("auth: ignoring invalid municipality code", "municipality", m, "sub", p.Subject)
				continue
			}
			if !slices.Contains(p.Municipalities, m) {
				p.Municipalities = append(p.Municipalities, m)
			}
		}
		if len(p.Municipalities) == 0 {
			return nil, skalig.Errorf(skalig.EFORBIDDEN, "Ditt konto är inte kopplat till någon kommun. Kontakta din administratör.")
		}
		if pnErr != nil {
			log.Warn("auth: staff login with an invalid personal number; ignored", "sub", p.Subject)
		}
		return p, nil
	}

	p.Kind = Applicant
	p.Municipalities = nil
	switch {
	case pnErr != nil:
		log.Warn("auth: login with an invalid personal number refused", "sub", p.Subject, "error", pnErr)
		return nil, skalig.Errorf(skalig.EUNAUTHORIZED, "Personnumret från inloggningen kunde inte läsas. Kontakta kommunen.")
	case p.PersonalNumber == "":
		return nil, skalig.Errorf(skalig.EUNAUTHORIZED, "Inloggningen gav inget personnummer. Logga in med e-legitimation.")
	}
	return p, nil
}

// stringList reads a claim that is a JSON array of strings, or one string
// with values separated by spaces or commas.
func stringList(v any) []string {
	var out []string
	switch x := v.(type) {
	case string:
		out = strings.FieldsFunc(x, func(r rune) bool { return r == ' ' || r == ',' })
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok && s != "" {
				out = append(out, s)
			}
		}
	case []string:
		out = x
	}
	return out
}

func isMunicipalityCode(s string) bool {
	if len(s) != 4 {
		return false
	}
	for i := 0; i < 4; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
