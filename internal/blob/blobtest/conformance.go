package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"partnership-service/internal/blob"
)

// NewStore opens a fresh, empty store of one driver, and a function
// listing everything it holds: stored files and unfinished uploads alike.
type NewStore func(tb testing.TB) (blob.Driver, func(tb testing.TB) []string)

// Run is the one conformance suite every blob driver passes against real
// storage: the same answers, the same checks while streaming, nothing
// visible or left behind by a refused, failed or cancelled upload, the
// orphan sweep, and memory that does not grow with the file.
//
// The memory subtests run first and alone (the others are parallel and
// wait for them), so the process's allocations are the upload's.
func Run(t *testing.T, newStore NewStore) {
	t.Run("MemoryStaysFlat", func(t *testing.T) { testMemory(t, newStore) })
	t.Run("PutStoresByContent", func(t *testing.T) { t.Parallel(); testPutStoresByContent(t, newStore) })
	t.Run("PutRefusalsLeaveNothing", func(t *testing.T) { t.Parallel(); testPutRefusals(t, newStore) })
	t.Run("PutStopsReadingOnRefusal", func(t *testing.T) { t.Parallel(); testPutStopsReading(t, newStore) })
	t.Run("PutFailuresLeaveNothing", func(t *testing.T) { t.Parallel(); testPutFailures(t, newStore) })
	t.Run("OpenAndDeleteRefuseForeignKeys", func(t *testing.T) { t.Parallel(); testForeignKeys(t, newStore) })
	t.Run("Delete", func(t *testing.T) { t.Parallel(); testDelete(t, newStore) })
	t.Run("SweepOrphans", func(t *testing.T) { t.Parallel(); testSweepOrphans(t, newStore) })
}

// exe is a Windows executable's head: sniffed, and refused, by content.
var exe = []byte("MZ\x90\x00\x03\x00\x00\x00 this program cannot be run in DOS mode")

// sized is head padded with zeros to size bytes.
func sized(head []byte, size int) []byte {
	b := make([]byte, size)
	copy(b, head)
	return b
}

// pdfOf is a structurally valid PDF of size bytes: header, padding, %%EOF.
func pdfOf(size int) []byte {
	b := sized(PDF, size)
	copy(b[size-6:], "%%EOF\n")
	return b
}

// mustBeEmpty fails tb when the store holds anything.
func mustBeEmpty(tb testing.TB, held func(testing.TB) []string) {
	tb.Helper()
	if left := held(tb); len(left) > 0 {
		tb.Fatalf("left behind: %v", left)
	}
}

// generated streams a PDF of size bytes without holding it: header,
// zeros, %%EOF.
type generated struct{ size, sent int }

func (g *generated) Read(p []byte) (int, error) {
	if g.sent >= g.size {
		return 0, io.EOF
	}
	p = p[:min(len(p), g.size-g.sent)]
	clear(p)
	for i := range p {
		at := g.sent + i
		switch {
		case at < len(PDF):
			p[i] = PDF[at]
		case at >= g.size-6:
			p[i] = "%%EOF\n"[at-(g.size-6)]
		}
	}
	g.sent += len(p)
	return len(p), nil
}

// testMemory: a 50 MiB upload allocates at most 8 MiB in all (so the heap
// cannot grow by more), however the driver ships it.
func testMemory(t *testing.T, newStore NewStore) {
	const size, budget = 50 << 20, 8 << 20
	d, _ := newStore(t)
	ctx := context.Background()
	// A first small upload warms up connections and lazily built tables.
	if _, err := d.Put(ctx, bytes.NewReader(PDF), blob.Limits{MaxBytes: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	obj, err := d.Put(ctx, &generated{size: size}, blob.Limits{MaxBytes: 64 << 20, AllowedTypes: Docs, CheckStructure: true})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if obj.Size != size {
		t.Fatalf("stored %d bytes, want %d", obj.Size, size)
	}
	grew := after.TotalAlloc - before.TotalAlloc
	t.Logf("a %d MiB upload allocated %.1f MiB", size>>20, float64(grew)/(1<<20))
	if grew > budget {
		t.Fatalf("a %d MiB upload allocated %.1f MiB, want at most %d MiB", size>>20, float64(grew)/(1<<20), budget>>20)
	}
	rc, got, err := d.Open(ctx, obj.Key)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	sum := sha256.New()
	if n, err := io.Copy(sum, rc); err != nil || n != size || got.Size != size {
		t.Fatalf("read back %d bytes (%v), object size %d; want %d", n, err, got.Size, size)
	}
	if hex.EncodeToString(sum.Sum(nil)) != obj.SHA256 {
		t.Fatal("read back different bytes")
	}
}

func testPutStoresByContent(t *testing.T, newStore NewStore) {
	tests := []struct {
		name    string
		content []byte
		want    string
	}{
		{"pdf", PDF, "application/pdf"},
		{"png", PNG, "image/png"},
		{"jpeg", JPEG, "image/jpeg"},
		{"pdf of exactly the limit", sized(PDF, 100<<10), "application/pdf"},
		{"pdf over several chunks", sized(PDF, 3*32<<10+7), "application/pdf"},
		// Over the S3 driver's part size: a multipart upload of two parts.
		{"pdf over two upload parts", pdfOf(6 << 20), "application/pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, held := newStore(t)
			ctx := context.Background()
			obj, err := d.Put(ctx, bytes.NewReader(tt.content), blob.Limits{MaxBytes: max(100<<10, int64(len(tt.content))), AllowedTypes: Docs, CheckStructure: true})
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(tt.content)
			if obj.SHA256 != hex.EncodeToString(sum[:]) || obj.Size != int64(len(tt.content)) || obj.ContentType != tt.want {
				t.Fatalf("object = %+v", obj)
			}
			read, got := Read(t, d, obj.Key)
			if !bytes.Equal(read, tt.content) {
				t.Fatal("Open reads back different bytes")
			}
			if got.Key != obj.Key || got.Size != obj.Size || got.ContentType != tt.want {
				t.Fatalf("Open object = %+v, want key, size and type of %+v", got, obj)
			}
			if h := held(t); !slices.Equal(h, []string{obj.Key}) {
				t.Fatalf("store holds %v, want just %s", h, obj.Key)
			}
		})
	}
}

func testPutRefusals(t *testing.T, newStore NewStore) {
	tests := []struct {
		name    string
		content []byte
		lim     blob.Limits
		want    error
	}{
		{"empty", nil, blob.Limits{MaxBytes: 10}, blob.ErrEmpty},
		{"one byte over the limit", sized(PDF, 64<<10+1), blob.Limits{MaxBytes: 64 << 10}, blob.ErrTooLarge},
		{"over a limit smaller than the sniffed head", sized(PDF, 100), blob.Limits{MaxBytes: 64}, blob.ErrTooLarge},
		{"over the limit after two upload parts", pdfOf(11 << 20), blob.Limits{MaxBytes: 11<<20 - 1}, blob.ErrTooLarge},
		{"type by content, not by name", exe, blob.Limits{MaxBytes: 1 << 10, AllowedTypes: Docs}, blob.ErrTypeNotAllowed},
		{"text starting like a PDF", []byte("%PDF in the middle is not a PDF"), blob.Limits{MaxBytes: 1 << 10, AllowedTypes: Docs}, blob.ErrTypeNotAllowed},
		{"png refused where only pdf is", PNG, blob.Limits{MaxBytes: 1 << 10, AllowedTypes: []string{"application/pdf"}}, blob.ErrTypeNotAllowed},
		// Known only at the very end, after every part went out.
		{"pdf without %%EOF, after two upload parts", append(sized([]byte("%PDF-1.4\n"), 6<<20), "trailer"...), blob.Limits{MaxBytes: 8 << 20, CheckStructure: true}, blob.ErrTypeNotAllowed},
		{"zero limit", PDF, blob.Limits{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, held := newStore(t)
			_, err := d.Put(context.Background(), bytes.NewReader(tt.content), tt.lim)
			if tt.want == nil && (err == nil || errors.Is(err, blob.ErrTooLarge)) {
				t.Fatalf("err = %v, want a configuration error", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			mustBeEmpty(t, held)
		})
	}
}

// CountingReader counts what Put pulled from the client: N bytes of R.
type CountingReader struct {
	R io.Reader
	N int64
}

func (c *CountingReader) Read(p []byte) (int, error) {
	n, err := c.R.Read(p)
	c.N += int64(n)
	return n, err
}

// endless is a PDF that never ends.
type endless struct{ sent int }

func (e *endless) Read(p []byte) (int, error) {
	n := copy(p, PDF[min(e.sent, len(PDF)):])
	clear(p[n:])
	e.sent += len(p)
	return len(p), nil
}

func testPutStopsReading(t *testing.T, newStore NewStore) {
	tests := []struct {
		name    string
		src     io.Reader
		lim     blob.Limits
		want    error
		maxRead int64
	}{
		{"wrong type: only the sniffed head", bytes.NewReader(sized(exe, 1<<20)), blob.Limits{MaxBytes: 2 << 20, AllowedTypes: Docs}, blob.ErrTypeNotAllowed, 512},
		{"too large: one byte past the limit", &endless{}, blob.Limits{MaxBytes: 100 << 10, AllowedTypes: Docs}, blob.ErrTooLarge, 100<<10 + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, held := newStore(t)
			cr := &CountingReader{R: tt.src}
			if _, err := d.Put(context.Background(), cr, tt.lim); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if cr.N > tt.maxRead {
				t.Fatalf("read %d bytes, want at most %d", cr.N, tt.maxRead)
			}
			mustBeEmpty(t, held)
		})
	}
}

var errReset = errors.New("connection reset by peer")

// failAfter yields src, then fails with err instead of io.EOF.
type failAfter struct {
	src io.Reader
	err error
}

func (f failAfter) Read(p []byte) (int, error) {
	n, err := f.src.Read(p)
	if err == io.EOF {
		return n, f.err
	}
	return n, err
}

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

func testPutFailures(t *testing.T, newStore NewStore) {
	tests := []struct {
		name string
		src  func(cancel context.CancelFunc) io.Reader
		want error
	}{
		{"reader fails inside the head", func(context.CancelFunc) io.Reader {
			return failAfter{bytes.NewReader(sized(PDF, 100)), errReset}
		}, errReset},
		{"reader fails mid-stream", func(context.CancelFunc) io.Reader {
			return failAfter{bytes.NewReader(sized(PDF, 200<<10)), errReset}
		}, errReset},
		{"reader fails after two upload parts", func(context.CancelFunc) io.Reader {
			return failAfter{bytes.NewReader(sized(PDF, 11<<20)), errReset}
		}, errReset},
		{"truncated inside the head, then a clean EOF", func(context.CancelFunc) io.Reader {
			return &shortThenEOF{src: bytes.NewReader(sized(PDF, 100))}
		}, io.ErrUnexpectedEOF},
		{"truncated mid-stream, then a clean EOF", func(context.CancelFunc) io.Reader {
			return &shortThenEOF{src: bytes.NewReader(sized(PDF, 200<<10))}
		}, io.ErrUnexpectedEOF},
		{"cancelled before the first byte", func(cancel context.CancelFunc) io.Reader {
			cancel()
			return bytes.NewReader(PDF)
		}, context.Canceled},
		{"cancelled mid-stream", func(cancel context.CancelFunc) io.Reader {
			return &cancelAfter{n: 200 << 10, cancel: cancel}
		}, context.Canceled},
		{"cancelled after an upload part", func(cancel context.CancelFunc) io.Reader {
			return &cancelAfter{n: 6 << 20, cancel: cancel}
		}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, held := newStore(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			_, err := d.Put(ctx, tt.src(cancel), blob.Limits{MaxBytes: 1 << 30})
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			mustBeEmpty(t, held)
		})
	}
}

// testForeignKeys: keys the store could not have generated are not found,
// never followed.
func testForeignKeys(t *testing.T, newStore NewStore) {
	d, held := newStore(t)
	obj := Put(t, d, PDF)
	prefix, id, _ := strings.Cut(obj.Key, "/")
	otherPrefix := "00"
	if prefix == otherPrefix {
		otherPrefix = "01"
	}
	for _, key := range []string{
		"../secret.key",
		"tmp/up-1",
		prefix + "/../../secret.key",
		strings.ToUpper(obj.Key),
		"/" + obj.Key,
		obj.Key + "/",
		prefix + "\\" + id,
		otherPrefix + "/" + id, // a well-formed id under the wrong prefix
		"",
		strings.Repeat("a", 35),
	} {
		NotFound(t, d, key)
	}
	if h := held(t); !slices.Equal(h, []string{obj.Key}) {
		t.Fatalf("store holds %v, want just %s", h, obj.Key)
	}
}

func testDelete(t *testing.T, newStore NewStore) {
	d, held := newStore(t)
	ctx := context.Background()
	obj := Put(t, d, PNG)
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
	mustBeEmpty(t, held)
}

// testSweepOrphans: issue 10 #8 on every driver. A file stored before a
// crash whose record never committed is deleted; a file a record names,
// and any file younger than the cutoff (a write still in flight), stays.
// The cutoff falls on a whole second, since object stores keep
// modification times to the second.
func testSweepOrphans(t *testing.T, newStore NewStore) {
	d, held := newStore(t)
	ctx := context.Background()
	orphan, kept := Put(t, d, PDF).Key, Put(t, d, PDF).Key
	cutoff := time.Now().Truncate(time.Second).Add(time.Second)
	time.Sleep(time.Until(cutoff) + 10*time.Millisecond)
	young := Put(t, d, PDF).Key
	var asked []string
	removed, err := d.SweepOrphans(ctx, cutoff, func(_ context.Context, keys []string) ([]string, error) {
		asked = append(asked, keys...)
		return slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return k == kept }), nil
	})
	if err != nil || removed != 1 {
		t.Fatalf("SweepOrphans = %d, %v; want 1 removed", removed, err)
	}
	if slices.Contains(asked, young) {
		t.Error("a file younger than the cutoff was considered")
	}
	h := held(t)
	if slices.Contains(h, orphan) || !slices.Contains(h, kept) || !slices.Contains(h, young) {
		t.Fatalf("after the sweep: %v (orphan %s, kept %s, young %s)", h, orphan, kept, young)
	}
}
