package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
)

// config is the global configuration every command shares. Each flag has an
// environment variable; the flag wins when both are set.
type config struct {
	Addr        string
	DataDir     string
	DatabaseURL string
	// BlobURL is where uploaded files and contract PDFs live:
	// file://<dir> or s3://bucket?endpoint=…&region=…; empty:
	// file://<data-dir>/files.
	BlobURL       string
	LogLevel      slog.Level
	MaxUploadSize int64
	// PublicURL is the scheme and host clients reach the service at
	// (https://parceiros.example.com), from which every absolute link the
	// service returns is built, never from request headers. Empty: serve
	// sets it to http://<listen address>. Validated and normalised (no
	// trailing slash) by validate.
	PublicURL string
	// SMTPURL is where mail goes (smtp://user:pass@host:587); empty: .eml
	// files under <data-dir>/outbox. MailFrom is the From address.
	SMTPURL, MailFrom string
}

// newFlagSet returns a flag set for a command with the global flags bound
// to cfg, their defaults taken from the environment.
func newFlagSet(env *environment, name string, cfg *config) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.StringVar(&cfg.Addr, "addr", envOr(env, "PARTNERSHIP_ADDR", "127.0.0.1:8080"), "listen address (PARTNERSHIP_ADDR)")
	fs.StringVar(&cfg.DataDir, "data-dir", envOr(env, "PARTNERSHIP_DATA_DIR", "./data"), "directory for the SQLite file, uploads and keys (PARTNERSHIP_DATA_DIR)")
	fs.StringVar(&cfg.DatabaseURL, "database-url", env.getenv("DATABASE_URL"), "empty: SQLite at <data-dir>/partnership.db; postgres://… for PostgreSQL (DATABASE_URL)")
	fs.StringVar(&cfg.BlobURL, "blob-url", env.getenv("PARTNERSHIP_BLOB_URL"), "where uploaded files live: file://<dir>, or s3://bucket[/prefix]?endpoint=https://host&region=… with credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; empty: file://<data-dir>/files (PARTNERSHIP_BLOB_URL)")
	fs.TextVar(&cfg.LogLevel, "log-level", levelFromEnv(env), "debug, info, warn or error (PARTNERSHIP_LOG_LEVEL)")
	fs.StringVar(&cfg.PublicURL, "public-url", env.getenv("PARTNERSHIP_PUBLIC_URL"), "scheme and host clients use, for the links the service returns, e.g. https://parceiros.example.com; empty: http://<listen address> (PARTNERSHIP_PUBLIC_URL)")
	fs.StringVar(&cfg.SMTPURL, "smtp-url", env.getenv("PARTNERSHIP_SMTP_URL"), "SMTP server for the signers' mail, smtp://[user:pass@]host[:port] (STARTTLS when offered) or smtps://…; empty: .eml files under <data-dir>/outbox (PARTNERSHIP_SMTP_URL)")
	fs.StringVar(&cfg.MailFrom, "mail-from", env.getenv("PARTNERSHIP_MAIL_FROM"), "From address of the service's mail, e.g. \"Parceria <no-reply@example.com>\" (PARTNERSHIP_MAIL_FROM)")
	fs.Int64Var(&cfg.MaxUploadSize, "max-upload-size", int64FromEnv(env, "PARTNERSHIP_MAX_UPLOAD_SIZE", 10<<20), "largest accepted upload file, in bytes (PARTNERSHIP_MAX_UPLOAD_SIZE)")
	return fs
}

func envOr(env *environment, key, fallback string) string {
	if v := env.getenv(key); v != "" {
		return v
	}
	return fallback
}

func levelFromEnv(env *environment) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(env.getenv("PARTNERSHIP_LOG_LEVEL"))); err != nil {
		return slog.LevelInfo
	}
	return l
}

func int64FromEnv(env *environment, key string, fallback int64) int64 {
	if n, err := strconv.ParseInt(env.getenv(key), 10, 64); err == nil && n > 0 {
		return n
	}
	return fallback
}

// sqlitePath is where the embedded database lives.
func (c config) sqlitePath() string { return filepath.Join(c.DataDir, "partnership.db") }

// usesPostgres reports whether DatabaseURL names a PostgreSQL server.
func (c config) usesPostgres() bool {
	return strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://")
}

// normalizePublicURL checks that s is an http(s) URL of a host alone (no
// path, query, fragment or credentials) and returns it without a trailing
// slash, lower-cased where case does not matter.
func normalizePublicURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" ||
		u.User != nil || u.Opaque != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		return "", fmt.Errorf("--public-url must be http:// or https:// and a host, with an optional port and nothing else (got %q)", s)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("--public-url has an invalid port %q", p)
		}
	}
	return u.Scheme + "://" + strings.ToLower(u.Host), nil
}

// publicURL is the configured public URL, or http://<listen> when none is
// (a wildcard listen address, such as ":8080", as 127.0.0.1).
func (c config) publicURL(listen string) string {
	if c.PublicURL != "" {
		return c.PublicURL
	}
	if host, port, err := net.SplitHostPort(listen); err == nil {
		if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
			listen = net.JoinHostPort("127.0.0.1", port)
		}
	}
	return "http://" + listen
}

func (c *config) validate() error {
	if c.PublicURL != "" {
		u, err := normalizePublicURL(c.PublicURL)
		if err != nil {
			return err
		}
		c.PublicURL = u
	}
	if c.DatabaseURL != "" && !c.usesPostgres() {
		return fmt.Errorf("--database-url must be empty (SQLite) or a postgres:// URL")
	}
	if c.MaxUploadSize <= 0 {
		return fmt.Errorf("--max-upload-size must be positive")
	}
	return nil
}
