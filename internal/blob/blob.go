// Package blob stores uploaded files. Files are streamed to a temp file,
// sniffed by content and size-capped while streaming, fsynced, then renamed
// into place under a generated key, so a failed or interrupted upload never
// leaves a partial file where a reader could find it.
package blob

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Object describes a stored file.
type Object struct {
	Key         string // "<2 hex>/<32 hex>", never derived from user input
	Size        int64
	SHA256      string // hex
	ContentType string // sniffed: application/pdf, image/jpeg, image/png, …
}

// Limits are enforced while streaming.
type Limits struct {
	MaxBytes     int64
	AllowedTypes []string // sniffed types accepted; empty means any
}

var (
	ErrTooLarge       = errors.New("blob: file exceeds the size limit")
	ErrTypeNotAllowed = errors.New("blob: file type not allowed")
	ErrEmpty          = errors.New("blob: empty file")
	ErrNotFound       = errors.New("blob: not found")
)

// Store is what domain code depends on; the local directory is one
// implementation, object storage may be another.
type Store interface {
	Put(ctx context.Context, r io.Reader, lim Limits) (Object, error)
	Open(ctx context.Context, key string) (io.ReadCloser, Object, error)
	Delete(ctx context.Context, key string) error
}

// Dir stores files in a local directory.
type Dir struct {
	root string
}

var _ Store = (*Dir)(nil)

// NewDir opens (creating) a file store rooted at root.
func NewDir(root string) (*Dir, error) {
	if err := os.MkdirAll(filepath.Join(root, "tmp"), 0o750); err != nil {
		return nil, fmt.Errorf("blob: create %s: %w", root, err)
	}
	return &Dir{root: root}, nil
}

const chunk = 32 << 10

// Put streams r into the store. It reads through one fixed buffer, so memory
// stays constant whatever the file size.
func (d *Dir) Put(ctx context.Context, r io.Reader, lim Limits) (obj Object, err error) {
	if lim.MaxBytes <= 0 {
		return Object{}, errors.New("blob: Limits.MaxBytes must be positive")
	}
	tmp, err := os.CreateTemp(filepath.Join(d.root, "tmp"), "up-*")
	if err != nil {
		return Object{}, fmt.Errorf("blob: temp file: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	sum := sha256.New()
	size, contentType, err := copySniffed(ctx, io.MultiWriter(tmp, sum), r, lim)
	if err != nil {
		return Object{}, err
	}
	if err := tmp.Sync(); err != nil {
		return Object{}, fmt.Errorf("blob: sync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return Object{}, fmt.Errorf("blob: close: %w", err)
	}
	key := newKey()
	final := filepath.Join(d.root, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return Object{}, fmt.Errorf("blob: mkdir: %w", err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return Object{}, fmt.Errorf("blob: rename: %w", err)
	}
	if err := syncDir(filepath.Dir(final)); err != nil {
		os.Remove(final)
		return Object{}, err
	}
	return Object{Key: key, Size: size, SHA256: hexSum(sum), ContentType: contentType}, nil
}

// copySniffed copies src to dst, checking the type as soon as the first
// bytes are in and the size as it goes, so a refused file is not read to
// its end.
func copySniffed(ctx context.Context, dst io.Writer, src io.Reader, lim Limits) (int64, string, error) {
	buf := make([]byte, chunk)
	head, err := io.ReadFull(src, buf[:512])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return 0, "", err
	}
	if head == 0 {
		return 0, "", ErrEmpty
	}
	contentType := sniff(buf[:head])
	if len(lim.AllowedTypes) > 0 && !slices.Contains(lim.AllowedTypes, contentType) {
		return 0, "", ErrTypeNotAllowed
	}
	if int64(head) > lim.MaxBytes {
		return 0, "", ErrTooLarge
	}
	if _, err := dst.Write(buf[:head]); err != nil {
		return 0, "", err
	}
	size := int64(head)
	for {
		if err := ctx.Err(); err != nil {
			return 0, "", err
		}
		n, rerr := src.Read(buf)
		if n > 0 {
			size += int64(n)
			if size > lim.MaxBytes {
				return 0, "", ErrTooLarge
			}
			if _, err := dst.Write(buf[:n]); err != nil {
				return 0, "", err
			}
		}
		if errors.Is(rerr, io.EOF) {
			return size, contentType, nil
		}
		if rerr != nil {
			return 0, "", rerr
		}
	}
}

// sniff names the type by content; http.DetectContentType knows PDF, JPEG
// and PNG by their magic bytes.
func sniff(head []byte) string {
	ct, _, _ := strings.Cut(http.DetectContentType(head), ";")
	return ct
}

// Open returns the file stored under key.
func (d *Dir) Open(ctx context.Context, key string) (io.ReadCloser, Object, error) {
	if !validKey(key) {
		return nil, Object{}, ErrNotFound
	}
	f, err := os.Open(filepath.Join(d.root, filepath.FromSlash(key)))
	if errors.Is(err, os.ErrNotExist) {
		return nil, Object{}, ErrNotFound
	}
	if err != nil {
		return nil, Object{}, fmt.Errorf("blob: open: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, Object{}, fmt.Errorf("blob: stat: %w", err)
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, Object{}, fmt.Errorf("blob: seek: %w", err)
	}
	return f, Object{Key: key, Size: st.Size(), ContentType: sniff(head[:n])}, nil
}

// Delete removes key; a missing key is not an error.
func (d *Dir) Delete(ctx context.Context, key string) error {
	if !validKey(key) {
		return nil
	}
	err := os.Remove(filepath.Join(d.root, filepath.FromSlash(key)))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("blob: delete: %w", err)
	}
	return nil
}

// SweepTemp removes temp files older than olderThan: uploads a crash cut off.
func (d *Dir) SweepTemp(olderThan time.Duration) error {
	dir := filepath.Join(d.root, "tmp")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	cutoff := time.Now().Add(-olderThan)
	var errs []error
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || info.ModTime().After(cutoff) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func newKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	return id[:2] + "/" + id
}

// validKey accepts only the shape newKey makes, so a key can never walk out
// of the root.
func validKey(key string) bool {
	if len(key) != 35 || key[2] != '/' || key[:2] != key[3:5] {
		return false
	}
	for i, c := range key {
		if i == 2 {
			continue
		}
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func hexSum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("blob: open dir: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("blob: sync dir: %w", err)
	}
	return nil
}
