package sim

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Certs are test certificates for mutual TLS between the client and the
// simulator: a CA, a server certificate for the hosts given (and localhost,
// 127.0.0.1, ::1) and a client certificate for a test municipality, all
// ECDSA P-256, PEM-encoded. They are for tests and demos only.
type Certs struct {
	CA, ServerCert, ServerKey, ClientCert, ClientKey []byte
	// Dir is where GenerateCerts keeps them ("" for NewCerts).
	Dir string
}

// File names in Certs.Dir.
const (
	CAFile         = "ca.pem"
	ServerCertFile = "server.pem"
	ServerKeyFile  = "server-key.pem"
	ClientCertFile = "client.pem"
	ClientKeyFile  = "client-key.pem"
)

// Path returns the path of file name in c.Dir.
func (c *Certs) Path(name string) string { return filepath.Join(c.Dir, name) }

// NewCerts creates a CA and a server and client certificate in memory,
// valid for two years.
func NewCerts(hosts ...string) (*Certs, error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "Skälig registersimulator test-CA", Organization: []string{"Skälig (test)"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(2 * 365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	ca, _ := x509.ParseCertificate(caDER)
	c := &Certs{CA: pemBlock("CERTIFICATE", caDER)}
	leaf := func(cn, org string, usage x509.ExtKeyUsage, hosts []string) (certPEM, keyPEM []byte, err error) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		t := &x509.Certificate{
			SerialNumber: serial(),
			Subject:      pkix.Name{CommonName: cn, Organization: []string{org}},
			NotBefore:    now.Add(-time.Hour),
			NotAfter:     now.Add(2 * 365 * 24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{usage},
		}
		for _, h := range hosts {
			if ip := net.ParseIP(h); ip != nil {
				t.IPAddresses = append(t.IPAddresses, ip)
			} else if h != "" {
				t.DNSNames = append(t.DNSNames, h)
			}
		}
		der, err := x509.CreateCertificate(rand.Reader, t, ca, &key.PublicKey, caKey)
		if err != nil {
			return nil, nil, err
		}
		kder, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			return nil, nil, err
		}
		return pemBlock("CERTIFICATE", der), pemBlock("EC PRIVATE KEY", kder), nil
	}
	all := append([]string{"localhost", "127.0.0.1", "::1"}, hosts...)
	if c.ServerCert, c.ServerKey, err = leaf("Skälig registersimulator", "Skälig (test)", x509.ExtKeyUsageServerAuth, all); err != nil {
		return nil, err
	}
	if c.ClientCert, c.ClientKey, err = leaf("Testkommunen ekonomiskt bistånd", "Testkommunen", x509.ExtKeyUsageClientAuth, nil); err != nil {
		return nil, err
	}
	return c, nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	return n
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// GenerateCerts returns the certificates kept in dir, creating dir and new
// certificates when it has none, they do not load, the server certificate
// does not cover hosts or they expire within a week. The keys are written
// readable by the owner only.
func GenerateCerts(dir string, hosts ...string) (*Certs, error) {
	if c, err := loadCerts(dir); err == nil && c.usable(hosts) {
		return c, nil
	}
	c, err := NewCerts(hosts...)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	c.Dir = dir
	for _, f := range []struct {
		name string
		data []byte
		mode os.FileMode
	}{
		{CAFile, c.CA, 0o644}, {ServerCertFile, c.ServerCert, 0o644}, {ServerKeyFile, c.ServerKey, 0o600},
		{ClientCertFile, c.ClientCert, 0o644}, {ClientKeyFile, c.ClientKey, 0o600},
	} {
		if err := os.WriteFile(c.Path(f.name), f.data, f.mode); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func loadCerts(dir string) (*Certs, error) {
	c := &Certs{Dir: dir}
	for _, f := range []struct {
		name string
		dst  *[]byte
	}{{CAFile, &c.CA}, {ServerCertFile, &c.ServerCert}, {ServerKeyFile, &c.ServerKey}, {ClientCertFile, &c.ClientCert}, {ClientKeyFile, &c.ClientKey}} {
		b, err := os.ReadFile(c.Path(f.name))
		if err != nil {
			return nil, err
		}
		*f.dst = b
	}
	return c, nil
}

// usable reports whether c's pairs load, the server certificate covers
// hosts and nothing expires within a week.
func (c *Certs) usable(hosts []string) bool {
	srv, err := tls.X509KeyPair(c.ServerCert, c.ServerKey)
	if err != nil {
		return false
	}
	if _, err := tls.X509KeyPair(c.ClientCert, c.ClientKey); err != nil {
		return false
	}
	leaf, err := x509.ParseCertificate(srv.Certificate[0])
	if err != nil || time.Until(leaf.NotAfter) < 7*24*time.Hour {
		return false
	}
	for _, h := range hosts {
		if h != "" && leaf.VerifyHostname(h) != nil {
			return false
		}
	}
	return true
}

func (c *Certs) pool() (*x509.CertPool, error) {
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(c.CA) {
		return nil, errors.New("sim: no CA certificate")
	}
	return p, nil
}

// ServerTLSConfig returns the server's TLS configuration: its certificate,
// and client certificates required and verified against the CA.
func (c *Certs) ServerTLSConfig() (*tls.Config, error) {
	cert, err := tls.X509KeyPair(c.ServerCert, c.ServerKey)
	if err != nil {
		return nil, fmt.Errorf("sim: server certificate: %w", err)
	}
	p, err := c.pool()
	if err != nil {
		return nil, err
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: p, MinVersion: tls.VersionTLS12}, nil
}
