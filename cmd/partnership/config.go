package main

import (
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
)

// config is the global configuration every command shares. Each flag has an
// environment variable; the flag wins when both are set.
type config struct {
	Addr          string
	DataDir       string
	DatabaseURL   string
	LogLevel      slog.Level
	MaxUploadSize int64
}

// newFlagSet returns a flag set for a command with the global flags bound
// to cfg, their defaults taken from the environment.
func newFlagSet(env *environment, name string, cfg *config) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.StringVar(&cfg.Addr, "addr", envOr(env, "PARTNERSHIP_ADDR", "127.0.0.1:8080"), "listen address (PARTNERSHIP_ADDR)")
	fs.StringVar(&cfg.DataDir, "data-dir", envOr(env, "PARTNERSHIP_DATA_DIR", "./data"), "directory for the SQLite file, uploads and keys (PARTNERSHIP_DATA_DIR)")
	fs.StringVar(&cfg.DatabaseURL, "database-url", env.getenv("DATABASE_URL"), "empty: SQLite at <data-dir>/partnership.db; postgres://… for PostgreSQL (DATABASE_URL)")
	fs.TextVar(&cfg.LogLevel, "log-level", levelFromEnv(env), "debug, info, warn or error (PARTNERSHIP_LOG_LEVEL)")
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

func (c config) validate() error {
	if c.DatabaseURL != "" && !c.usesPostgres() {
		return fmt.Errorf("--database-url must be empty (SQLite) or a postgres:// URL")
	}
	if c.MaxUploadSize <= 0 {
		return fmt.Errorf("--max-upload-size must be positive")
	}
	return nil
}
