// Package config holds Skälig's one typed configuration: defaults from
// Default, then SKALIG_* environment variables, then command-line flags,
// checked by Validate, which names the offending key.
package config

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
)

// Config is the whole configuration of one skalig process.
type Config struct {
	// Addr is the HOST:PORT the HTTP server listens on (SKALIG_ADDR).
	Addr string
	// LogLevel is debug, info, warn or error (SKALIG_LOG_LEVEL).
	LogLevel string
	// LogFormat is text or json (SKALIG_LOG_FORMAT).
	LogFormat string
}

// Default returns the configuration used when nothing else is set.
func Default() Config {
	return Config{Addr: "127.0.0.1:8080", LogLevel: "info", LogFormat: "text"}
}

// FromEnv applies SKALIG_* variables from getenv (os.Getenv in production)
// over c.
func (c *Config) FromEnv(getenv func(string) string) {
	set := func(dst *string, key string) {
		if v := getenv(key); v != "" {
			*dst = v
		}
	}
	set(&c.Addr, "SKALIG_ADDR")
	set(&c.LogLevel, "SKALIG_LOG_LEVEL")
	set(&c.LogFormat, "SKALIG_LOG_FORMAT")
}

// Error names the configuration key that is wrong.
type Error struct {
	Key string
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("config: %s: %s", e.Key, e.Msg) }

// Validate checks every value and returns an *Error naming the first wrong one.
func (c *Config) Validate() error {
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
		return &Error{Key: "addr (SKALIG_ADDR)", Msg: fmt.Sprintf("%q is not HOST:PORT", c.Addr)}
	}
	if _, err := c.Level(); err != nil {
		return &Error{Key: "log_level (SKALIG_LOG_LEVEL)", Msg: err.Error()}
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return &Error{Key: "log_format (SKALIG_LOG_FORMAT)", Msg: fmt.Sprintf("%q is not text or json", c.LogFormat)}
	}
	return nil
}

// Level parses LogLevel.
func (c *Config) Level() (slog.Level, error) {
	var l slog.Level
	err := l.UnmarshalText([]byte(c.LogLevel))
	return l, err
}

// Logger returns the logger the configuration asks for, writing to stderr.
func (c *Config) Logger() *slog.Logger {
	lvl, _ := c.Level()
	opts := &slog.HandlerOptions{Level: lvl}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// Dump returns the configuration as KEY=value lines, secrets redacted (there
// are none yet; keys ending in _TOKEN, _SECRET or _PASSWORD will be).
func (c *Config) Dump() string {
	rows := [][2]string{{"SKALIG_ADDR", c.Addr}, {"SKALIG_LOG_LEVEL", c.LogLevel}, {"SKALIG_LOG_FORMAT", c.LogFormat}}
	var b strings.Builder
	for _, r := range rows {
		v := r[1]
		if strings.HasSuffix(r[0], "_TOKEN") || strings.HasSuffix(r[0], "_SECRET") || strings.HasSuffix(r[0], "_PASSWORD") {
			v = "(dold)"
		}
		fmt.Fprintf(&b, "%s=%s\n", r[0], v)
	}
	return b.String()
}
