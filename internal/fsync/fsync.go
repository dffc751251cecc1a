// Package fsync makes a file system change durable: what the blob store
// and the mail outbox share when they rename or link a file into place.
package fsync

import (
	"fmt"
	"os"
)

// Dir syncs directory dir, so a name just created, renamed or linked in it
// survives a crash.
func Dir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open dir: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync dir: %w", err)
	}
	return nil
}
