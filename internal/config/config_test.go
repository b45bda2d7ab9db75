package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
