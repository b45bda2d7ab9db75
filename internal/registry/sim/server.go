package sim

import (
	"context"
	"log"
	"net"
	"net/http"
	"time"
)

// Server is the simulator serving HTTPS with mutual TLS.
type Server struct {
	// URL is the SOAP endpoint: https://HOST:PORT/ssbtek.
	URL string
	srv *http.Server
	ln  net.Listener
}

// StartTLS serves s on addr ("127.0.0.1:0" for a free port) with the
// certificates c, requiring client certificates signed by c's CA. errorLog,
// when not nil, receives the server's own errors (handshakes refused).
func (s *Sim) StartTLS(addr string, c *Certs, errorLog *log.Logger) (*Server, error) {
	tc, err := c.ServerTLSConfig()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	srv := &http.Server{
		Handler:           s.Handler(),
		TLSConfig:         tc,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          errorLog,
	}
	go srv.ServeTLS(ln, "", "")
	return &Server{URL: "https://" + ln.Addr().String() + Path, srv: srv, ln: ln}, nil
}

// Shutdown stops the server, waiting for answers under way until ctx ends,
// then closing the connections left.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if err != nil {
		s.srv.Close()
	}
	return err
}
