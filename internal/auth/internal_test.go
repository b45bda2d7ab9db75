package auth

import (
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"skalig"
)

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestPrincipalFromClaims(t *testing.T) {
	cfg := DefaultConfig()
	now := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name   string
		claims map[string]any
		want   *Principal
		code   string // error code when refused
	}{
		{"Applicant",
			map[string]any{"sub": "a", "iss": "i", "name": "Alva Testsson", "personal_number": "199004129822"},
			&Principal{Subject: "a", Issuer: "i", Name: "Alva Testsson", PersonalNumber: "199004129822", Kind: Applicant}, ""},
		{"ApplicantShortForm",
			map[string]any{"sub": "a", "given_name": "Alva", "family_name": "Testsson", "personal_number": "900412-9822"},
			&Principal{Subject: "a", Name: "Alva Testsson", PersonalNumber: "199004129822", Kind: Applicant}, ""},
		{"CoordinationNumber",
			map[string]any{"sub": "j", "personal_number": "198807619898"},
			&Principal{Subject: "j", PersonalNumber: "198807619898", Kind: Applicant}, ""},
		{"ApplicantMunicipalitiesIgnored",
			map[string]any{"sub": "a", "personal_number": "199004129822", "municipalities": []any{"0821"}},
			&Principal{Subject: "a", PersonalNumber: "199004129822", Kind: Applicant}, ""},
		{"Staff",
			map[string]any{"sub": "s", "name": "Sara", "roles": []any{"caseworker", "manager", "caseworker"}, "municipalities": []any{"0821"}},
			&Principal{Subject: "s", Name: "Sara", Kind: Staff, Roles: []Role{RoleCaseworker, RoleManager}, Municipalities: []string{"0821"}}, ""},
		{"StaffRolesAsString",
			map[string]any{"sub": "s", "roles": "caseworker financial_assistant", "municipalities": "0821,0880"},
			&Principal{Subject: "s", Kind: Staff, Roles: []Role{RoleCaseworker, RoleFinancialAssistant}, Municipalities: []string{"0821", "0880"}}, ""},
		{"StaffWithPersonalNumber",
			map[string]any{"sub": "s", "personal_number": "199004129822", "roles": []any{"administrator"}, "municipalities": []any{"0821"}},
			&Principal{Subject: "s", PersonalNumber: "199004129822", Kind: Staff, Roles: []Role{RoleAdministrator}, Municipalities: []string{"0821"}}, ""},
		{"UnknownRolesIgnored",
			map[string]any{"sub": "s", "roles": []any{"superuser", "caseworker"}, "municipalities": []any{"0821", "Högsby"}},
			&Principal{Subject: "s", Kind: Staff, Roles: []Role{RoleCaseworker}, Municipalities: []string{"0821"}}, ""},
		{"StaffWithoutMunicipality",
			map[string]any{"sub": "s", "roles": []any{"caseworker"}}, nil, skalig.EFORBIDDEN},
		{"OnlyUnknownRoles",
			map[string]any{"sub": "s", "roles": []any{"superuser"}, "municipalities": []any{"0821"}}, nil, skalig.EUNAUTHORIZED},
		{"NoPersonalNumber",
			map[string]any{"sub": "a", "name": "Alva"}, nil, skalig.EUNAUTHORIZED},
		{"WrongCheckDigit",
			map[string]any{"sub": "a", "personal_number": "199004129820"}, nil, skalig.EUNAUTHORIZED},
		{"NoSubject",
			map[string]any{"personal_number": "199004129822"}, nil, skalig.EUNAUTHORIZED},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := principalFromClaims(cfg, tt.claims, now, discard)
			if tt.code != "" {
				var e *skalig.Error
				if !errors.As(err, &e) || e.Code != tt.code || e.Message == "" {
					t.Fatalf("err=%v, want %s with a message", err, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.want.LoginAt = now
			if got.Subject != tt.want.Subject || got.Issuer != tt.want.Issuer || got.Name != tt.want.Name || got.PersonalNumber != tt.want.PersonalNumber ||
				got.Kind != tt.want.Kind || !slices.Equal(got.Roles, tt.want.Roles) || !slices.Equal(got.Municipalities, tt.want.Municipalities) || !got.LoginAt.Equal(now) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}

	t.Run("ClaimNames", func(t *testing.T) {
		c := cfg
		c.PersonalNumberClaim, c.RolesClaim, c.MunicipalitiesClaim = "http://sambi.se/attributes/1/personalIdentityNumber", "groups", "kommuner"
		p, err := principalFromClaims(c, map[string]any{"sub": "a", "http://sambi.se/attributes/1/personalIdentityNumber": "199004129822"}, now, discard)
		if err != nil || p.PersonalNumber != "199004129822" {
			t.Errorf("%+v, %v", p, err)
		}
		p, err = principalFromClaims(c, map[string]any{"sub": "s", "groups": []any{"manager"}, "kommuner": []any{"0880"}}, now, discard)
		if err != nil || !p.HasRole(RoleManager) || !p.InMunicipality("0880") {
			t.Errorf("%+v, %v", p, err)
		}
	})
}

func TestPrincipalLogValue(t *testing.T) {
	var b strings.Builder
	log := slog.New(slog.NewTextHandler(&b, nil))
	p := &Principal{Subject: "a", PersonalNumber: "199004129822", Kind: Applicant}
	log.Info("x", "principal", p)
	if strings.Contains(b.String(), "9822") || !strings.Contains(b.String(), "19900412-****") {
		t.Errorf("log %q", b.String())
	}
}

func TestSafeReturn(t *testing.T) {
	for in, want := range map[string]string{
		"":                        "/",
		"/":                       "/",
		"/mina-sidor":             "/mina-sidor",
		"/ansokan?steg=2#bostad":  "/ansokan?steg=2#bostad",
		"//evil.example/":         "/",
		"/\\evil.example/":        "/",
		"https://evil.example/":   "/",
		"javascript:alert(1)":     "/",
		"mina-sidor":              "/",
		"/x\r\nSet-Cookie: a=b":   "/",
		"/%2F%2Fevil.example":     "/%2F%2Fevil.example",
		"/\tjavascript:alert(1)":  "/",
		"\\\\evil.example\\share": "/",
	} {
		if got := safeReturn(in); got != want {
			t.Errorf("safeReturn(%q)=%q, want %q", in, got, want)
		}
	}
	if got := LoginURL("/mina-sidor?x=1"); got != "/login?return=%2Fmina-sidor%3Fx%3D1" {
		t.Errorf("LoginURL=%q", got)
	}
	if got := LoginURL("https://evil.example"); got != "/login" {
		t.Errorf("LoginURL(evil)=%q", got)
	}
}

func TestConfigValidate(t *testing.T) {
	ok := func() Config {
		c := DefaultConfig()
		c.Issuer = "https://idp.example.se"
		c.ClientID = "skalig"
		c.ClientSecret = "s"
		c.RedirectURL = "https://skalig.example.se/auth/callback"
		return c
	}
	c := ok()
	if err := c.Validate(); err != nil {
		t.Fatalf("a good config: %v", err)
	}
	for _, tt := range []struct {
		field string
		mod   func(*Config)
	}{
		{"Issuer", func(c *Config) { c.Issuer = "" }},
		{"Issuer", func(c *Config) { c.Issuer = "http://idp.example.se" }},
		{"Issuer", func(c *Config) { c.Issuer = "idp.example.se" }},
		{"ClientID", func(c *Config) { c.ClientID = "" }},
		{"RedirectURL", func(c *Config) { c.RedirectURL = "" }},
		{"RedirectURL", func(c *Config) { c.RedirectURL = "https://skalig.example.se" }},
		{"RedirectURL", func(c *Config) { c.RedirectURL = "https://skalig.example.se/cb?x=1" }},
		{"RedirectURL", func(c *Config) { c.RedirectURL = "http://skalig.example.se/auth/callback" }},
		{"PostLogoutRedirectURL", func(c *Config) { c.PostLogoutRedirectURL = "/" }},
		{"Scopes", func(c *Config) { c.Scopes = []string{"profile"} }},
		{"RolesClaim", func(c *Config) { c.RolesClaim = "" }},
		{"IdleTimeout", func(c *Config) { c.IdleTimeout = 10 * time.Second }},
		{"TimeoutWarning", func(c *Config) { c.TimeoutWarning = 10 * time.Second }},
		{"TimeoutWarning", func(c *Config) { c.TimeoutWarning = c.IdleTimeout }},
		{"Lifetime", func(c *Config) { c.Lifetime = time.Minute }},
		{"CookieSecure", func(c *Config) { c.CookieSecure = false }},
		{"CookieSecure", func(c *Config) {
			c.Issuer, c.RedirectURL = "http://127.0.0.1:8080/devidp", "http://127.0.0.1:8080/auth/callback"
		}},
	} {
		c := ok()
		tt.mod(&c)
		err := c.Validate()
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Field != tt.field || ce.SV == "" || ce.EN == "" || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("want an error naming %s, got %v", tt.field, err)
		}
	}

	// The local demo: http on loopback with CookieSecure off explicitly.
	c = ok()
	c.Issuer, c.RedirectURL, c.CookieSecure = "http://127.0.0.1:8080/devidp", "http://127.0.0.1:8080/auth/callback", false
	if err := c.Validate(); err != nil {
		t.Errorf("local demo: %v", err)
	}
	// A zero Config with defaults filled still needs CookieSecure set for https.
	z := Config{Issuer: "https://idp.example.se", ClientID: "c", RedirectURL: "https://s.example.se/cb"}.withDefaults()
	if err := z.Validate(); err == nil {
		t.Errorf("a zero CookieSecure with an https redirect was accepted")
	}
}
