package blob_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"partnership-service/internal/blob"
	"partnership-service/internal/blob/blobtest"
)

var (
	pdf  = []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
	png  = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde")
	jpeg = blobtest.JPEG // a JPEG must decode its header (issue 10 #12)
	exe  = []byte("MZ\x90\x00\x03\x00\x00\x00 this program cannot be run in DOS mode")
)

var docs = []string{"application/pdf", "image/jpeg", "image/png"}

var keyShape = regexp.MustCompile(`^([0-9a-f]{2})/([0-9a-f]{32})$`)

func withSize(head []byte, size int) []byte {
	b := make([]byte, size)
	copy(b, head)
	return b
}

func TestNewDirCreatesRootAndTmp(t *testing.T) {
	t.Parallel()
	root := filepath.Join(t.TempDir(), "a", "b")
	if _, err := blob.NewDir(root); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{root, filepath.Join(root, "tmp")} {
		st, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if !st.IsDir() || st.Mode().Perm()&^0o750 != 0 {
			t.Errorf("%s: mode %v, want a directory no more open than 0750", dir, st.Mode())
		}
	}
}

func TestPutStoresByContent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		content []byte
		want    string
	}{
		{"pdf", pdf, "application/pdf"},
		{"png", png, "image/png"},
		{"jpeg", jpeg, "image/jpeg"},
		{"pdf of exactly the limit", withSize(pdf, 100<<10), "application/pdf"},
		{"pdf over several chunks", withSize(pdf, 3*32<<10+7), "application/pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, root := blobtest.NewDir(t)
			ctx := context.Background()
			obj, err := d.Put(ctx, bytes.NewReader(tt.content), blob.Limits{MaxBytes: 100 << 10, AllowedTypes: docs})
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(tt.content)
			if obj.SHA256 != hex.EncodeToString(sum[:]) || obj.Size != int64(len(tt.content)) || obj.ContentType != tt.want {
				t.Fatalf("object = %+v", obj)
			}
			m := keyShape.FindStringSubmatch(obj.Key)
			if m == nil || m[1] != m[2][:2] {
				t.Fatalf("key %q is not <2 hex>/<32 hex>", obj.Key)
			}
			onDisk, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(obj.Key)))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(onDisk, tt.content) {
				t.Fatal("file on disk differs from the upload")
			}

			rc, got, err := d.Open(ctx, obj.Key)
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			read, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(read, tt.content) {
				t.Fatal("Open reads back different bytes")
			}
			if got.Key != obj.Key || got.Size != obj.Size || got.ContentType != tt.want {
				t.Fatalf("Open object = %+v, want key, size and type of %+v", got, obj)
			}
			if files := blobtest.Files(t, root); len(files) != 1 {
				t.Fatalf("files = %v, want just the stored one", files)
			}
		})
	}
}

func TestPutKeysAreUnique(t *testing.T) {
	t.Parallel()
	d, _ := blobtest.NewDir(t)
	seen := map[string]bool{}
	for range 20 {
		obj, err := d.Put(context.Background(), bytes.NewReader(pdf), blob.Limits{MaxBytes: 1 << 10})
		if err != nil {
			t.Fatal(err)
		}
		if seen[obj.Key] {
			t.Fatalf("key %s given twice", obj.Key)
		}
		seen[obj.Key] = true
	}
}

func TestPutRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		content []byte
		lim     blob.Limits
		want    error
	}{
		{"empty", nil, blob.Limits{MaxBytes: 10}, blob.ErrEmpty},
		{"one byte over the limit", withSize(pdf, 64<<10+1), blob.Limits{MaxBytes: 64 << 10}, blob.ErrTooLarge},
		{"over a limit smaller than the sniffed head", withSize(pdf, 100), blob.Limits{MaxBytes: 64}, blob.ErrTooLarge},
		{"type by content, not by name", exe, blob.Limits{MaxBytes: 1 << 10, AllowedTypes: docs}, blob.ErrTypeNotAllowed},
		{"text starting like a PDF", []byte("%PDF in the middle is not a PDF"), blob.Limits{MaxBytes: 1 << 10, AllowedTypes: docs}, blob.ErrTypeNotAllowed},
		{"png refused where only pdf is", png, blob.Limits{MaxBytes: 1 << 10, AllowedTypes: []string{"application/pdf"}}, blob.ErrTypeNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, root := blobtest.NewDir(t)
			_, err := d.Put(context.Background(), bytes.NewReader(tt.content), tt.lim)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			blobtest.NothingLeft(t, root)
		})
	}
}

func TestPutRejectsNonPositiveLimit(t *testing.T) {
	t.Parallel()
	d, root := blobtest.NewDir(t)
	_, err := d.Put(context.Background(), bytes.NewReader(pdf), blob.Limits{})
	if err == nil || errors.Is(err, blob.ErrTooLarge) {
		t.Fatalf("err = %v, want a configuration error", err)
	}
	blobtest.NothingLeft(t, root)
}

// countingReader counts what Put pulled from the client.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// endless is a PDF that never ends.
type endless struct{ sent int }

func (e *endless) Read(p []byte) (int, error) {
	n := copy(p, pdf[min(e.sent, len(pdf)):])
	clear(p[n:])
	e.sent += len(p)
	return len(p), nil
}

func TestPutStopsReadingOnRefusal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		src     io.Reader
		lim     blob.Limits
		want    error
		maxRead int64
	}{
		{"wrong type: only the sniffed head", bytes.NewReader(withSize(exe, 1<<20)), blob.Limits{MaxBytes: 2 << 20, AllowedTypes: docs}, blob.ErrTypeNotAllowed, 512},
		{"too large: one byte past the limit", &endless{}, blob.Limits{MaxBytes: 100 << 10, AllowedTypes: docs}, blob.ErrTooLarge, 100<<10 + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, root := blobtest.NewDir(t)
			cr := &countingReader{r: tt.src}
			if _, err := d.Put(context.Background(), cr, tt.lim); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if cr.n > tt.maxRead {
				t.Fatalf("read %d bytes, want at most %d", cr.n, tt.maxRead)
			}
			blobtest.NothingLeft(t, root)
		})
	}
}

var errReset = errors.New("connection reset by peer")

// shortThenEOF reports a truncation once and then a clean end, like a
// reader that does not keep its error: that must not pass for a whole
// (shorter) file.
type shortThenEOF struct {
	src     io.Reader
	reached bool
}

func (s *shortThenEOF) Read(p []byte) (int, error) {
	if s.reached {
		return 0, io.EOF
	}
	n, err := s.src.Read(p)
	if err == io.EOF {
		s.reached = true
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

// cancelAfter cancels the upload's context once n bytes are read, and
// would otherwise go on forever.
type cancelAfter struct {
	src    endless
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	if c.src.sent >= c.n {
		c.cancel()
	}
	return c.src.Read(p)
}

func TestPutFailuresLeaveNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  func(cancel context.CancelFunc) io.Reader
		want error
	}{
		{"reader fails inside the head", func(context.CancelFunc) io.Reader {
			return io.MultiReader(bytes.NewReader(withSize(pdf, 100)), iotest.ErrReader(errReset)) // the connection drops
		}, errReset},
		{"reader fails mid-stream", func(context.CancelFunc) io.Reader {
			return io.MultiReader(bytes.NewReader(withSize(pdf, 200<<10)), iotest.ErrReader(errReset)) // the connection drops
		}, errReset},
		{"truncated inside the head, then a clean EOF", func(context.CancelFunc) io.Reader {
			return &shortThenEOF{src: bytes.NewReader(withSize(pdf, 100))}
		}, io.ErrUnexpectedEOF},
		{"truncated mid-stream, then a clean EOF", func(context.CancelFunc) io.Reader {
			return &shortThenEOF{src: bytes.NewReader(withSize(pdf, 200<<10))}
		}, io.ErrUnexpectedEOF},
		{"cancelled before the first byte", func(cancel context.CancelFunc) io.Reader {
			cancel()
			return bytes.NewReader(pdf)
		}, context.Canceled},
		{"cancelled mid-stream", func(cancel context.CancelFunc) io.Reader {
			return &cancelAfter{n: 200 << 10, cancel: cancel}
		}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, root := blobtest.NewDir(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			_, err := d.Put(ctx, tt.src(cancel), blob.Limits{MaxBytes: 1 << 30})
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			blobtest.NothingLeft(t, root)
		})
	}
}

func TestOpenAndDeleteRefuseForeignKeys(t *testing.T) {
	t.Parallel()
	d, root := blobtest.NewDir(t)
	ctx := context.Background()
	obj, err := d.Put(ctx, bytes.NewReader(pdf), blob.Limits{MaxBytes: 1 << 10})
	if err != nil {
		t.Fatal(err)
	}
	// Real files the keys below would reach if they were followed.
	secret := filepath.Join(filepath.Dir(root), "secret.key")
	if err := os.WriteFile(secret, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "tmp", "up-1"), pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "loose"), pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	prefix, id, _ := strings.Cut(obj.Key, "/")
	otherPrefix := "00"
	if prefix == otherPrefix {
		otherPrefix = "01"
	}
	for _, key := range []string{
		"../secret.key",
		secret,
		"tmp/up-1",
		"loose",
		prefix + "/../../secret.key",
		strings.ToUpper(obj.Key),
		"/" + obj.Key,
		obj.Key + "/",
		prefix + "\\" + id,
		otherPrefix + "/" + id, // a well-formed id under the wrong prefix
		"",
		strings.Repeat("a", 35),
	} {
		t.Run(key, func(t *testing.T) {
			t.Parallel()
			if rc, _, err := d.Open(ctx, key); !errors.Is(err, blob.ErrNotFound) {
				if rc != nil {
					rc.Close()
				}
				t.Errorf("Open(%q) = %v, want ErrNotFound", key, err)
			}
			if err := d.Delete(ctx, key); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("Delete(%q) = %v, want ErrNotFound", key, err)
			}
		})
	}
	t.Cleanup(func() {
		for _, path := range []string{secret, filepath.Join(root, "tmp", "up-1"), filepath.Join(root, "loose"), filepath.Join(root, filepath.FromSlash(obj.Key))} {
			if _, err := os.Stat(path); err != nil {
				t.Errorf("%s was touched: %v", path, err)
			}
		}
	})
}

func TestDelete(t *testing.T) {
	t.Parallel()
	d, root := blobtest.NewDir(t)
	ctx := context.Background()
	obj, err := d.Put(ctx, bytes.NewReader(png), blob.Limits{MaxBytes: 1 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Delete(ctx, obj.Key); err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.Open(ctx, obj.Key); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Open after Delete = %v, want ErrNotFound", err)
	}
	if err := d.Delete(ctx, obj.Key); err != nil {
		t.Fatalf("second Delete = %v, want nil", err)
	}
	if err := d.Delete(ctx, "ab/ab"+strings.Repeat("0", 30)); err != nil {
		t.Fatalf("Delete of a never-stored key = %v, want nil", err)
	}
	blobtest.NothingLeft(t, root)
}

func TestSweepTempRemovesOnlyOldTempFiles(t *testing.T) {
	t.Parallel()
	d, root := blobtest.NewDir(t)
	stored, err := d.Put(context.Background(), bytes.NewReader(pdf), blob.Limits{MaxBytes: 1 << 10})
	if err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(root, "tmp", "up-old")
	fresh := filepath.Join(root, "tmp", "up-fresh")
	for _, path := range []string{old, fresh} {
		if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-2 * time.Hour)
	storedPath := filepath.Join(root, filepath.FromSlash(stored.Key))
	for _, path := range []string{old, storedPath} {
		if err := os.Chtimes(path, long, long); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.SweepTemp(time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("old temp file kept: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("fresh temp file removed: %v", err)
	}
	if _, err := os.Stat(storedPath); err != nil {
		t.Errorf("stored file removed: %v", err)
	}
}

// TestDirIsPrivate: issue 10 #14. Uploaded identity documents are readable
// by the service's user only: 0700 directories, 0600 files.
func TestDirIsPrivate(t *testing.T) {
	t.Parallel()
	root := filepath.Join(t.TempDir(), "files")
	d, err := blob.NewDir(root)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := d.Put(context.Background(), strings.NewReader("%PDF-1.4\n%%EOF\n"), blob.Limits{MaxBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{
		root:                             0o700,
		filepath.Join(root, "tmp"):       0o700,
		filepath.Join(root, obj.Key[:2]): 0o700,
		filepath.Join(root, obj.Key):     0o600,
	} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != want {
			t.Errorf("%s: mode %v, want %v", path, got, want)
		}
	}
}
