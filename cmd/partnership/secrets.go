package main

import (
	"os"
	"path/filepath"

	"partnership-service/internal/secretbox"
)

// secretKey is the service's secret key: PARTNERSHIP_SECRET_KEY or, when
// it is unset, <data-dir>/secret.key (generated on first start, mode 0600).
func (a *app) secretKey() ([]byte, error) {
	return secretbox.LoadKey(os.Getenv(secretbox.KeyEnv), filepath.Join(a.cfg.DataDir, "secret.key"))
}

// secretBox is the box sealing secrets at rest (utility passwords, signing
// links, webhook secrets), keyed by PARTNERSHIP_SECRET_KEY or, when it is
// unset, by <data-dir>/secret.key (generated on first start, mode 0600).
// Losing that file makes the sealed values unreadable: back it up with the
// database.
func (a *app) secretBox() (*secretbox.Box, error) {
	key, err := a.secretKey()
	if err != nil {
		return nil, err
	}
	return secretbox.New(key)
}
