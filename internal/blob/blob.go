// Package blob stores uploaded files. Files are streamed to a temp file,
// sniffed by content and size-capped while streaming, fsynced, then renamed
// into place under a generated key, so a failed or interrupted upload never
// leaves a partial file where a reader could find it.
package blob

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"partnership-service/internal/fsync"
)

// Object describes a stored file.
type Object struct {
	Key         string // "<2 hex>/<32 hex>", random, never derived from user input
	Size        int64
	SHA256      string // hex; empty when Open did not compute it
	ContentType string // sniffed: application/pdf, image/jpeg, image/png, …
}

// Limits are enforced while streaming.
type Limits struct {
	MaxBytes     int64    // must be > 0
	AllowedTypes []string // sniffed types accepted; empty means any
	// CheckStructure refuses, as ErrTypeNotAllowed, a file whose structure
	// is not what its first bytes say (a PDF/HTML polyglot): a PDF must
	// start with its header, end in %%EOF (white space after it allowed)
	// and have no HTML in its first bytes; a JPEG or PNG must decode its
	// header. Checked while streaming, before anything is stored.
	CheckStructure bool
}

var (
	ErrTooLarge       = errors.New("blob: file exceeds the size limit")
	ErrTypeNotAllowed = errors.New("blob: file type not allowed")
	ErrEmpty          = errors.New("blob: empty file")
	ErrNotFound       = errors.New("blob: not found")
)

// Store is what domain code depends on; the local directory (Dir) and
// S3-compatible object storage (S3) implement it.
type Store interface {
	// Put streams r into the store under a new key.
	Put(ctx context.Context, r io.Reader, lim Limits) (Object, error)
	// Open returns the file and its Key, Size and sniffed ContentType.
	Open(ctx context.Context, key string) (io.ReadCloser, Object, error)
	// Delete removes key; a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// Dir stores files in a local directory: root/<2 hex>/<32 hex>, with
// in-flight uploads in root/tmp.
type Dir struct {
	root string
}

var _ Store = (*Dir)(nil)

// NewDir opens (creating) a file store rooted at root.
func NewDir(root string) (*Dir, error) {
	if err := os.MkdirAll(filepath.Join(root, tmpDir), 0o700); err != nil {
		return nil, fmt.Errorf("blob: create %s: %w", root, err)
	}
	return &Dir{root: root}, nil
}

const (
	tmpDir    = "tmp"
	chunkSize = 32 << 10
	// sniffLen is all http.DetectContentType ever looks at.
	sniffLen = 512
)

// Put streams r into the store through one fixed buffer, so memory stays
// constant whatever the file size.
func (d *Dir) Put(ctx context.Context, r io.Reader, lim Limits) (Object, error) {
	return put(ctx, r, lim, d.begin)
}

// sink is where put writes a file that passed the head checks: nothing
// written to it is visible until commit, and abort leaves nothing of it.
type sink interface {
	io.Writer
	// commit makes what was written readable under a new key.
	commit() (key string, err error)
	// abort discards what was written; only called when commit was not.
	abort()
}

// put is the one checking pipeline of every driver: it sniffs and checks
// the head, then streams the rest through one fixed buffer into the sink
// begin opens, checking size and structure on the way, and commits only a
// file that passed every check.
func put(ctx context.Context, r io.Reader, lim Limits, begin func(contentType string) (sink, error)) (obj Object, err error) {
	if lim.MaxBytes <= 0 {
		return Object{}, errors.New("blob: Limits.MaxBytes must be positive")
	}
	src := ctxReader{ctx: ctx, r: r}
	buf := make([]byte, chunkSize)

	// The type is decided before any storage work, so a refused file costs
	// one read of at most sniffLen bytes and nothing else of it is read.
	n, eof, err := readHead(src, buf[:sniffLen])
	if err != nil {
		return Object{}, fmt.Errorf("blob: read: %w", err)
	}
	if n == 0 {
		return Object{}, ErrEmpty
	}
	contentType := sniff(buf[:n])
	if len(lim.AllowedTypes) > 0 && !slices.Contains(lim.AllowedTypes, contentType) {
		return Object{}, ErrTypeNotAllowed
	}
	if int64(n) > lim.MaxBytes {
		return Object{}, ErrTooLarge
	}

	if lim.CheckStructure && contentType == "application/pdf" && (!bytes.HasPrefix(buf[:n], pdfHeader) || htmlInHead(buf[:n])) {
		return Object{}, ErrTypeNotAllowed
	}

	out, err := begin(contentType)
	if err != nil {
		return Object{}, err
	}
	defer func() {
		if err != nil {
			out.abort()
		}
	}()
	sum := sha256.New()
	var dst io.Writer = io.MultiWriter(out, sum)
	var pdfEnd *pdfTrailer
	if lim.CheckStructure && contentType == "application/pdf" {
		pdfEnd = &pdfTrailer{}
		dst = io.MultiWriter(out, sum, pdfEnd)
	}
	if _, err := dst.Write(buf[:n]); err != nil {
		return Object{}, fmt.Errorf("blob: write: %w", err)
	}
	size := int64(n)
	// One byte past the limit is enough to know the file is too large
	// without reading any more of it.
	rest := &io.LimitedReader{R: src, N: lim.MaxBytes - size + 1}
	if decode := configDecoders[contentType]; lim.CheckStructure && decode != nil {
		// An image must decode its header, read from the head and then
		// straight from the client into the sink, so a file that only
		// starts like an image is refused as soon as the decoder gives up.
		var tail io.Reader = tee{rest, dst, &size}
		if eof {
			tail = eofReader{}
		}
		_, derr := decode(io.MultiReader(bytes.NewReader(buf[:n]), tail))
		var te teeError
		switch {
		case errors.As(derr, &te) && te.write:
			return Object{}, fmt.Errorf("blob: write: %w", te.err)
		case errors.As(derr, &te):
			return Object{}, fmt.Errorf("blob: read: %w", te.err)
		case size > lim.MaxBytes:
			return Object{}, ErrTooLarge
		case derr != nil:
			return Object{}, ErrTypeNotAllowed
		}
	}
	if !eof {
		copied, err := io.CopyBuffer(dst, readerOnly{rest}, buf)
		size += copied
		if err != nil {
			if isReadErr(err) {
				return Object{}, fmt.Errorf("blob: read: %w", err)
			}
			return Object{}, fmt.Errorf("blob: write: %w", err)
		}
		if size > lim.MaxBytes {
			return Object{}, ErrTooLarge
		}
	}
	if pdfEnd != nil && !pdfEnd.endsInEOF() {
		return Object{}, ErrTypeNotAllowed
	}
	key, err := out.commit()
	if err != nil {
		return Object{}, err
	}
	return Object{Key: key, Size: size, SHA256: hex.EncodeToString(sum.Sum(nil)), ContentType: contentType}, nil
}

// dirSink is an upload in root/tmp, renamed into place on commit.
type dirSink struct {
	*os.File
	root string
}

func (d *Dir) begin(string) (sink, error) {
	tmp, err := os.CreateTemp(filepath.Join(d.root, tmpDir), "up-*")
	if err != nil {
		return nil, fmt.Errorf("blob: temp file: %w", err)
	}
	return dirSink{File: tmp, root: d.root}, nil
}

func (s dirSink) abort() {
	_ = s.Close()
	_ = os.Remove(s.Name())
}

// commit syncs the temp file and renames it under a new key; on failure
// the temp file is left for abort.
func (s dirSink) commit() (string, error) {
	if err := s.Sync(); err != nil {
		return "", fmt.Errorf("blob: sync: %w", err)
	}
	if err := s.Close(); err != nil {
		return "", fmt.Errorf("blob: close: %w", err)
	}
	key := newKey()
	dir := filepath.Join(s.root, key[:2])
	created, err := mkdir(dir)
	if err != nil {
		return "", err
	}
	final := filepath.Join(s.root, filepath.FromSlash(key))
	if err := os.Rename(s.Name(), final); err != nil {
		return "", fmt.Errorf("blob: rename: %w", err)
	}
	// The rename is durable only once the directory holding the new name
	// is synced, and a new prefix directory only once its parent is.
	err = syncDir(dir)
	if err == nil && created {
		err = syncDir(s.root)
	}
	if err != nil {
		_ = os.Remove(final)
		return "", err
	}
	return key, nil
}

// readHead fills head unless r ends first. Unlike io.ReadFull it keeps a
// reader's own io.ErrUnexpectedEOF (a truncated request body) apart from
// a file that is merely shorter than head.
func readHead(r io.Reader, head []byte) (n int, eof bool, err error) {
	for n < len(head) {
		m, err := r.Read(head[n:])
		n += m
		if err == io.EOF {
			return n, true, nil
		}
		if err != nil {
			return n, false, err
		}
	}
	return n, false, nil
}

// ctxReader lets a cancelled request stop the copy between chunks; a Read
// already blocked on the client is left to the server's read timeout.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(p)
	if err != nil && err != io.EOF {
		err = readError{err}
	}
	return n, err
}

// readError marks a failure of the source, so Put can tell it from a
// failure of the disk once io.CopyBuffer has mixed both into one error.
type readError struct{ err error }

func (e readError) Error() string { return e.err.Error() }
func (e readError) Unwrap() error { return e.err }

func isReadErr(err error) bool {
	var re readError
	return errors.As(err, &re) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// readerOnly hides any WriterTo of the source, so io.CopyBuffer really
// copies through the one fixed buffer.
type readerOnly struct{ r io.Reader }

func (r readerOnly) Read(p []byte) (int, error) { return r.r.Read(p) }

// sniff names the type by content; http.DetectContentType knows PDF, JPEG
// and PNG by their magic bytes.
func sniff(head []byte) string {
	ct, _, _ := strings.Cut(http.DetectContentType(head), ";")
	return ct
}

// Open returns the file stored under key. SHA256 is left empty: computing
// it would mean reading the whole file before the caller does.
func (d *Dir) Open(ctx context.Context, key string) (io.ReadCloser, Object, error) {
	if err := ctx.Err(); err != nil {
		return nil, Object{}, err
	}
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
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, Object{}, ErrNotFound
	}
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		f.Close()
		return nil, Object{}, fmt.Errorf("blob: read: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, Object{}, fmt.Errorf("blob: seek: %w", err)
	}
	return f, Object{Key: key, Size: st.Size(), ContentType: sniff(head[:n])}, nil
}

// Delete removes key; a missing key is not an error, a key that could not
// have been generated is ErrNotFound. It ignores ctx being done, because it
// is how failed requests clean up after themselves.
func (d *Dir) Delete(_ context.Context, key string) error {
	if !validKey(key) {
		return ErrNotFound
	}
	err := os.Remove(filepath.Join(d.root, filepath.FromSlash(key)))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("blob: delete: %w", err)
	}
	return nil
}

// SweepTemp removes temp files older than olderThan: uploads a crash cut
// off. Younger ones may belong to uploads still running.
func (d *Dir) SweepTemp(_ context.Context, olderThan time.Duration) error {
	dir := filepath.Join(d.root, tmpDir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("blob: sweep: %w", err)
	}
	cutoff := time.Now().Add(-olderThan)
	var errs []error
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil || info.ModTime().After(cutoff) {
			continue // vanished meanwhile, or too young
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("blob: sweep: %w", err))
		}
	}
	return errors.Join(errs...)
}

func newKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails since Go 1.24
	id := hex.EncodeToString(b[:])
	return id[:2] + "/" + id
}

// validKey accepts only the shape newKey makes, so a key can never walk out
// of the root or name tmp.
func validKey(key string) bool {
	if len(key) != 35 || key[2] != '/' || key[:2] != key[3:5] {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if i != 2 && !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// mkdir reports whether it created dir, so the caller knows whether the
// parent needs syncing.
func mkdir(dir string) (bool, error) {
	err := os.Mkdir(dir, 0o700)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, os.ErrExist):
		return false, nil
	}
	return false, fmt.Errorf("blob: mkdir: %w", err)
}

func syncDir(dir string) error {
	if err := fsync.Dir(dir); err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	return nil
}

// Driver is a Store with the upkeep every driver needs: what serve runs on
// start-up, the same for the file store and object storage.
type Driver interface {
	Store
	// SweepTemp removes the uploads begun over olderThan ago that never
	// completed (a crash cut them off); younger ones may still be running.
	SweepTemp(ctx context.Context, olderThan time.Duration) error
	// SweepOrphans deletes the stored files last changed before cutoff that
	// unreferenced says no record names (asked in batches), and reports how
	// many it deleted. A file is stored before its record commits, so a
	// crash in between leaves one; cutoff must be older than any write
	// still in flight.
	SweepOrphans(ctx context.Context, cutoff time.Time, unreferenced func(ctx context.Context, keys []string) ([]string, error)) (int, error)
}

var _ Driver = (*Dir)(nil)

// orphanBatch asks about candidate keys in batches and deletes the
// orphans among them.
type orphanBatch struct {
	store        Store
	unreferenced func(ctx context.Context, keys []string) ([]string, error)
	keys         []string
	removed      int
}

const orphanBatchSize = 200

func (b *orphanBatch) add(ctx context.Context, key string) error {
	if b.keys = append(b.keys, key); len(b.keys) == orphanBatchSize {
		return b.flush(ctx)
	}
	return ctx.Err()
}

func (b *orphanBatch) flush(ctx context.Context) error {
	if len(b.keys) == 0 {
		return nil
	}
	orphans, err := b.unreferenced(ctx, b.keys)
	if err != nil {
		return fmt.Errorf("blob: sweep orphans: %w", err)
	}
	for _, k := range orphans {
		if err := b.store.Delete(ctx, k); err != nil {
			return err
		}
		b.removed++
	}
	b.keys = b.keys[:0]
	return nil
}

// SweepOrphans implements Driver over the files' modification times.
func (d *Dir) SweepOrphans(ctx context.Context, cutoff time.Time, unreferenced func(ctx context.Context, keys []string) ([]string, error)) (int, error) {
	b := orphanBatch{store: d, unreferenced: unreferenced}
	err := filepath.WalkDir(d.root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			if e.Name() == tmpDir {
				return filepath.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(d.root, path)
		key := filepath.ToSlash(rel)
		if err != nil || !validKey(key) {
			return nil // not a stored file: left alone
		}
		if info, err := e.Info(); err != nil || !info.ModTime().Before(cutoff) {
			return nil
		}
		return b.add(ctx, key)
	})
	if err == nil {
		err = b.flush(ctx)
	}
	return b.removed, err
}
