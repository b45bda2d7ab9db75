package sim

import (
	"crypto/tls"
	"fmt"

	"skalig"
)

// Helpers that only the tests use.

// Profile returns the person's profile for month m.
func (s *Sim) Profile(pn skalig.PersonalNumber, m skalig.Month) Profile {
	return ProfileOf(s.seed, pn, m)
}

// ClientTLSConfig returns a client's TLS configuration: the client
// certificate, and the CA trusted for the server.
func (c *Certs) ClientTLSConfig() (*tls.Config, error) {
	cert, err := tls.X509KeyPair(c.ClientCert, c.ClientKey)
	if err != nil {
		return nil, fmt.Errorf("sim: client certificate: %w", err)
	}
	p, err := c.pool()
	if err != nil {
		return nil, err
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: p, MinVersion: tls.VersionTLS12}, nil
}

// Addr returns the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the server at once.
func (s *Server) Close() error { return s.srv.Close() }
