package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skalig/internal/audit"
)

func TestLoginKeys(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("s3cret-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"SKALIG_BASE_URL": "https://skalig.example.se", "SKALIG_OIDC_ISSUER": "https://idp.example.se",
		"SKALIG_OIDC_CLIENT_ID": "skalig", "SKALIG_OIDC_CLIENT_SECRET_FILE": secret, "SKALIG_MUNICIPALITY": "0880",
	}
	c := Default()
	c.FromEnv(func(k string) string { return env[k] })
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.OIDCClientSecret != "s3cret-from-file" || c.Municipality != "0880" || c.BaseURL != "https://skalig.example.se" {
		t.Errorf("config %+v", c)
	}
	if d := c.Dump(); strings.Contains(d, "s3cret") || !strings.Contains(d, "SKALIG_OIDC_CLIENT_SECRET=(dold)") {
		t.Errorf("dump shows the secret:\n%s", d)
	}

	for name, tc := range map[string]struct {
		env     map[string]string
		wantKey string
	}{
		"IssuerWithoutBase": {map[string]string{"SKALIG_OIDC_ISSUER": "https://idp.example.se", "SKALIG_OIDC_CLIENT_ID": "x"}, "SKALIG_BASE_URL"},
		"IssuerWithoutID":   {map[string]string{"SKALIG_OIDC_ISSUER": "https://idp.example.se", "SKALIG_BASE_URL": "https://a.se"}, "SKALIG_OIDC_CLIENT_ID"},
		"BaseWithPath":      {map[string]string{"SKALIG_BASE_URL": "https://a.se/x"}, "SKALIG_BASE_URL"},
		"BadMunicipality":   {map[string]string{"SKALIG_MUNICIPALITY": "82"}, "SKALIG_MUNICIPALITY"},
		"MissingSecretFile": {map[string]string{"SKALIG_OIDC_CLIENT_SECRET_FILE": "/no/such/file"}, "SKALIG_OIDC_CLIENT_SECRET_FILE"},
		"IssuerNotURL":      {map[string]string{"SKALIG_OIDC_ISSUER": "idp", "SKALIG_OIDC_CLIENT_ID": "x", "SKALIG_BASE_URL": "https://a.se"}, "SKALIG_OIDC_ISSUER"},
		"GallringSchedule":  {map[string]string{"SKALIG_GALLRING_SCHEDULE": "13-01"}, "SKALIG_GALLRING_SCHEDULE"},
		"GallringRulesFile": {map[string]string{"SKALIG_GALLRING_RULES": "/no/such/file"}, "SKALIG_GALLRING_RULES"},
	} {
		t.Run(name, func(t *testing.T) {
			c := Default()
			c.FromEnv(func(k string) string { return tc.env[k] })
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.wantKey) {
				t.Errorf("Validate() = %v, want an error naming %s", err, tc.wantKey)
			}
		})
	}
}

func TestTokensWithActions(t *testing.T) {
	c := Default()
	c.APITokens = "web@0821=aaaaaaaaaaaaaaaa;sys@0821,0880/submit,read,decide,act_for_person=bbbbbbbbbbbbbbbb"
	ts, err := c.Tokens()
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 2 || ts[0].Actions != nil || strings.Join(ts[1].Actions, ",") != "submit,read,decide,act_for_person" ||
		strings.Join(ts[1].Municipalities, ",") != "0821,0880" || ts[1].Secret != "bbbbbbbbbbbbbbbb" {
		t.Fatalf("tokens %+v", ts)
	}
	if d := c.Dump(); !strings.Contains(d, "sys@0821,0880/submit,read,decide,act_for_person=(dold)") || strings.Contains(d, "bbbb") {
		t.Errorf("dump:\n%s", d)
	}
	c.APITokens = "sys@0821/approve=bbbbbbbbbbbbbbbb"
	if _, err := c.Tokens(); err == nil || !strings.Contains(err.Error(), `"approve"`) {
		t.Errorf("unknown action: %v", err)
	}
}

func TestAuditKey(t *testing.T) {
	dir := t.TempDir()
	pemKey, err := audit.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "audit.key")
	notKey := filepath.Join(dir, "not.key")
	if err := os.WriteFile(good, pemKey, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(notKey, []byte("hemligt\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := Default()
	if k, err := c.AuditKey(); k != nil || err != nil {
		t.Errorf("AuditKey() without a file = %v, %v", k, err)
	}
	c.FromEnv(func(k string) string { return map[string]string{"SKALIG_AUDIT_KEY_FILE": good}[k] })
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if k, err := c.AuditKey(); err != nil || len(k) == 0 {
		t.Errorf("AuditKey() = %v, %v", k, err)
	}
	// The dump names the file, never what is in it.
	if d := c.Dump(); !strings.Contains(d, "SKALIG_AUDIT_KEY_FILE="+good+"\n") || strings.Contains(d, "PRIVATE") {
		t.Errorf("dump:\n%s", d)
	}
	for _, f := range []string{notKey, filepath.Join(dir, "missing")} {
		c.AuditKeyFile = f
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "SKALIG_AUDIT_KEY_FILE") || strings.Contains(err.Error(), "hemligt") {
			t.Errorf("Validate() with %s = %v, want an error naming SKALIG_AUDIT_KEY_FILE", f, err)
		}
	}
}

func TestMetricsToken(t *testing.T) {
	file := filepath.Join(t.TempDir(), "metrics")
	if err := os.WriteFile(file, []byte("metrics-secret-0123456789\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := Default()
	c.FromEnv(func(k string) string {
		return map[string]string{"SKALIG_METRICS_TOKEN_FILE": file, "SKALIG_DEBUG_ADDR": "127.0.0.1:6060"}[k]
	})
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.MetricsToken != "metrics-secret-0123456789" {
		t.Errorf("MetricsToken=%q", c.MetricsToken)
	}
	d := c.Dump()
	if strings.Contains(d, "metrics-secret") || !strings.Contains(d, "SKALIG_METRICS_TOKEN=(dold)") || !strings.Contains(d, "SKALIG_DEBUG_ADDR=127.0.0.1:6060") {
		t.Errorf("dump:\n%s", d)
	}
	c = Default()
	c.FromEnv(func(k string) string { return map[string]string{"SKALIG_METRICS_TOKEN": "short"}[k] })
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "SKALIG_METRICS_TOKEN") {
		t.Errorf("Validate() = %v, want an error naming SKALIG_METRICS_TOKEN", err)
	}
}

func TestPaymentKeys(t *testing.T) {
	c := Default()
	c.FromEnv(func(k string) string {
		return map[string]string{"SKALIG_PAYMENT_DEBTOR_IBAN": "SE45 5000 0000 0583 9825 7466", "SKALIG_PAYMENT_DIR": "/var/lib/skalig/bank/ut",
			"SKALIG_PAYMENT_INTERVAL": "15m", "SKALIG_PAYMENT_ACCOUNT_CHANGE_DAYS": "60", "SKALIG_PAYMENT_HOLD_ABOVE": "25000"}[k]
	})
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.PaymentDir != "/var/lib/skalig/bank/ut" || c.PaymentInterval.String() != "15m0s" || c.PaymentAccountChangeDays != 60 || c.PaymentHoldAbove != 25000 {
		t.Errorf("payment keys %+v", c)
	}
	for key, v := range map[string]string{
		"SKALIG_PAYMENT_DEBTOR_IBAN":         "SE46 5000 0000 0583 9825 7466",
		"SKALIG_PAYMENT_DEBTOR_BIC":          "esses",
		"SKALIG_PAYMENT_INTERVAL":            "10s",
		"SKALIG_PAYMENT_ACCOUNT_CHANGE_DAYS": "-1",
		"SKALIG_PAYMENT_HOLD_ABOVE":          "tiotusen",
	} {
		c := Default()
		c.FromEnv(func(k string) string {
			if k == key {
				return v
			}
			return ""
		})
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s=%s: err=%v, want one naming the key", key, v, err)
		}
	}
}

// TestGallringConfig: the yearly gallring's day and rules; an unknown value
// in the rules file is refused naming the variable and the key, in Swedish.
func TestGallringConfig(t *testing.T) {
	c := Default()
	if m, d, on, err := c.GallringDay(); err != nil || !on || m != time.January || d != 15 {
		t.Errorf("default day: %v %d %v %v", m, d, on, err)
	}
	c.GallringSchedule = "off"
	if _, _, on, err := c.GallringDay(); err != nil || on {
		t.Errorf("off: %v %v", on, err)
	}
	f := filepath.Join(t.TempDir(), "gallring.json")
	if err := os.WriteFile(f, []byte(`{"research_sample": "ingen"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	c.GallringRules = f
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), "SKALIG_GALLRING_RULES") || !strings.Contains(err.Error(), `research_sample: okänt värde "ingen"`) {
		t.Errorf("Validate() = %v", err)
	}
	if err := os.WriteFile(f, []byte(`{"batch_size": 10}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if r, err := c.Gallring(); err != nil || r.BatchSize != 10 || r.Municipality != "0821" {
		t.Errorf("Gallring() = %+v, %v", r, err)
	}
}
