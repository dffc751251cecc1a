package mail

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/mail"
	"os"
	"path/filepath"
	"time"

	"partnership-service/internal/fsync"
)

// Outbox is the Sender of the embedded default: it writes each message as
// an RFC 5322 .eml file into a directory, for a developer to open or an
// operator to resend. Files appear whole or not at all (written to a temp
// file, fsynced, linked into place, directory fsynced); names sort by the
// time they were written and never collide:
//
//	20261201T204358.123456789Z-3f9a0c1d2e4b5a69.eml
//
// The directory is 0700 and the files 0600: they hold personal data.
type Outbox struct {
	dir  string
	from *mail.Address
	now  func() time.Time
}

var _ Sender = (*Outbox)(nil)

// outboxTimeLayout has a fixed width, so names sort by time.
const outboxTimeLayout = "20060102T150405.000000000Z"

// NewOutbox creates dir (0700) if needed and returns an Outbox writing
// there with the given From address.
func NewOutbox(dir, from string) (*Outbox, error) {
	if dir == "" {
		return nil, errors.New("mail: outbox directory is required")
	}
	f, err := parseAddress("from address", from)
	if err != nil {
		return nil, fmt.Errorf("mail: --mail-from: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("mail: outbox: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("mail: outbox: %w", err)
	}
	return &Outbox{dir: dir, from: f, now: time.Now}, nil
}

// Dir is the directory the messages go to.
func (o *Outbox) Dir() string { return o.dir }

// String describes the sender for a start-up line.
func (o *Outbox) String() string { return "outbox directory " + o.dir }

// Send writes m into the directory.
func (o *Outbox) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := m.Validate(); err != nil {
		return err
	}
	now := o.now().UTC()
	msg, err := render(m, o.from, now)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(o.dir, ".tmp-*") // 0600; never ends in .eml
	if err != nil {
		return fmt.Errorf("mail: outbox: %w", err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // after the link, only the temp name goes
	w := bufio.NewWriter(tmp)
	_, err = msg.WriteTo(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("mail: outbox: writing %s: %w", filepath.Base(tmpName), err)
	}
	if err := o.place(tmpName, now); err != nil {
		return err
	}
	if err := fsync.Dir(o.dir); err != nil {
		return fmt.Errorf("mail: outbox: %w", err)
	}
	return nil
}

// place gives the written temp file its final name. A hard link fails
// rather than replace an existing file, so a name is never reused even if
// two writes drew the same time and random suffix.
func (o *Outbox) place(tmpName string, now time.Time) error {
	for range 8 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		name := filepath.Join(o.dir, now.Format(outboxTimeLayout)+"-"+hex.EncodeToString(b[:])+".eml")
		err := os.Link(tmpName, name)
		if err == nil {
			return nil
		}
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		// A file system without hard links: rename (64 random bits make a
		// collision as good as impossible, and Lstat catches the rest).
		if _, serr := os.Lstat(name); errors.Is(serr, fs.ErrNotExist) {
			if rerr := os.Rename(tmpName, name); rerr == nil {
				return nil
			}
		}
		return fmt.Errorf("mail: outbox: %w", err)
	}
	return errors.New("mail: outbox: no free file name")
}
