package upload_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"partnership-service/internal/blob"
	"partnership-service/internal/upload"
)

var (
	pdf  = []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer\n%%EOF\n")
	png  = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")
	jpeg = []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9")
	text = []byte("just some text, not a document")
)

var docs = []string{"application/pdf", "image/jpeg", "image/png"}

type part struct {
	field, fileName string
	content         []byte
}

func multipartRequest(tb testing.TB, parts ...part) *http.Request {
	tb.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, p := range parts {
		var w io.Writer
		var err error
		if p.fileName == "" {
			w, err = mw.CreateFormField(p.field)
		} else {
			w, err = mw.CreateFormFile(p.field, p.fileName)
		}
		if err != nil {
			tb.Fatal(err)
		}
		w.Write(p.content)
	}
	mw.Close()
	r := httptest.NewRequest(http.MethodPost, "/", &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return r
}

func policy() upload.Policy {
	return upload.Policy{
		Fields:         []upload.Field{{Name: "front", Required: true}, {Name: "back"}},
		MaxFileBytes:   1 << 10,
		MaxFileNameLen: 20,
		AllowedTypes:   docs,
		MaxParts:       4,
		MaxValueBytes:  16,
	}
}

// storedFiles lists every regular file under root: what a failed upload must not leave.
func storedFiles(tb testing.TB, root string) []string {
	tb.Helper()
	var files []string
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return nil
	})
	return files
}

func newStore(tb testing.TB) (*blob.Dir, string) {
	tb.Helper()
	root := tb.TempDir()
	d, err := blob.NewDir(root)
	if err != nil {
		tb.Fatal(err)
	}
	return d, root
}

func TestReceiveStoresDocuments(t *testing.T) {
	t.Parallel()
	store, root := newStore(t)
	r := multipartRequest(t, part{"front", "frente.pdf", pdf}, part{"back", "../../etc/passwd", png}, part{"note", "", []byte("hi")})
	res, err := upload.Receive(context.Background(), r, store, policy())
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Files["front"].Object.ContentType; got != "application/pdf" {
		t.Errorf("front type = %s", got)
	}
	if got := res.Files["back"].Object.ContentType; got != "image/png" {
		t.Errorf("back type = %s", got)
	}
	if res.Values["note"] != "hi" {
		t.Errorf("values = %v", res.Values)
	}
	rc, obj, err := store.Open(context.Background(), res.Files["back"].Object.Key)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, png) || obj.Size != int64(len(png)) {
		t.Fatal("stored bytes differ from the upload")
	}
	stored := storedFiles(t, root)
	if len(stored) != 2 {
		t.Fatalf("%d files stored, want 2", len(stored))
	}
	for _, path := range stored {
		if strings.Contains(path, "passwd") {
			t.Fatalf("client file name used in the stored path %s", path)
		}
	}
	// mime/multipart already reduces a client's path to its base name.
	if res.Files["back"].FileName != "passwd" {
		t.Errorf("original file name not reported: %q", res.Files["back"].FileName)
	}
}

func TestReceiveRefusalsLeaveNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		parts  []part
		field  string
		reason upload.Reason
	}{
		{"required missing", []part{{"back", "b.pdf", pdf}}, "front", upload.ReasonMissing},
		{"too large", []part{{"back", "b.pdf", pdf}, {"front", "a.pdf", append(append([]byte{}, pdf...), make([]byte, 2<<10)...)}}, "front", upload.ReasonTooLarge},
		{"wrong type", []part{{"back", "b.pdf", pdf}, {"front", "a.pdf", text}}, "front", upload.ReasonTypeNotAllowed},
		{"file name too long", []part{{"front", strings.Repeat("n", 21) + ".pdf", pdf}}, "front", upload.ReasonFileNameTooLong},
		{"empty", []part{{"front", "a.pdf", nil}}, "front", upload.ReasonEmpty},
		{"duplicate", []part{{"front", "a.pdf", pdf}, {"front", "b.pdf", jpeg}}, "front", upload.ReasonDuplicate},
		{"unexpected field", []part{{"front", "a.pdf", pdf}, {"selfie", "s.png", png}}, "selfie", upload.ReasonUnexpected},
		{"value too large", []part{{"front", "a.pdf", pdf}, {"note", "", bytes.Repeat([]byte("x"), 17)}}, "note", upload.ReasonTooLarge},
		{"too many parts", []part{{"front", "a.pdf", pdf}, {"a", "", nil}, {"b", "", nil}, {"c", "", nil}, {"d", "", nil}}, "", upload.ReasonMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			store, root := newStore(t)
			_, err := upload.Receive(context.Background(), multipartRequest(t, tt.parts...), store, policy())
			var fe *upload.FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field || fe.Reason != tt.reason {
				t.Fatalf("err = %v, want field %q reason %s", err, tt.field, tt.reason)
			}
			if left := storedFiles(t, root); len(left) > 0 {
				t.Fatalf("refused upload left %v", left)
			}
		})
	}
}

func TestReceiveMalformedBodies(t *testing.T) {
	t.Parallel()
	full := multipartRequest(t, part{"front", "a.pdf", append(append([]byte{}, pdf...), make([]byte, 512)...)})
	whole, _ := io.ReadAll(full.Body)
	tests := []struct {
		name string
		req  func() *http.Request
	}{
		{"not multipart", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"a":1}`))
			r.Header.Set("Content-Type", "application/json")
			return r
		}},
		{"truncated body", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(whole[:len(whole)-60]))
			r.Header.Set("Content-Type", full.Header.Get("Content-Type"))
			return r
		}},
		{"connection drops mid-file", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/", io.MultiReader(bytes.NewReader(whole[:300]), errReader{}))
			r.Header.Set("Content-Type", full.Header.Get("Content-Type"))
			return r
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			store, root := newStore(t)
			_, err := upload.Receive(context.Background(), tt.req(), store, policy())
			var fe *upload.FieldError
			if !errors.As(err, &fe) || fe.Reason != upload.ReasonMalformed {
				t.Fatalf("err = %v, want malformed", err)
			}
			if left := storedFiles(t, root); len(left) > 0 {
				t.Fatalf("interrupted upload left %v", left)
			}
		})
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset by peer") }

// TestReceiveLargeUploadInConstantMemory sends 50 MiB through a pipe, so
// the test never holds it either, and samples the heap while it streams.
func TestReceiveLargeUploadInConstantMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 50 MiB")
	}
	store, _ := newStore(t)
	const size = 50 << 20
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		w, _ := mw.CreateFormFile("front", "big.pdf")
		w.Write(pdf)
		rng := rand.New(rand.NewPCG(1, 2))
		buf := make([]byte, 64<<10)
		for written := len(pdf); written < size; written += len(buf) {
			for i := range buf {
				buf[i] = byte(rng.Uint32())
			}
			if _, err := w.Write(buf); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		mw.Close()
		pw.Close()
	}()
	r := httptest.NewRequest(http.MethodPost, "/", pr)
	r.Header.Set("Content-Type", mw.FormDataContentType())

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	p := policy()
	p.MaxFileBytes = 64 << 20
	res, err := upload.Receive(context.Background(), r, store, p)
	close(stop)
	<-sampled
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Files["front"].Object.Size; got < size {
		t.Fatalf("stored %d bytes, want ≥ %d", got, size)
	}
	growth := int64(peak.Load()) - int64(before.HeapInuse)
	t.Logf("heap in use grew by %.2f MiB while streaming 50 MiB", float64(growth)/(1<<20))
	if growth > 8<<20 {
		t.Fatalf("heap grew by %d bytes: the upload is being buffered", growth)
	}
}

func BenchmarkReceive1MiB(b *testing.B) {
	store, _ := newStore(b)
	content := append(append([]byte{}, pdf...), make([]byte, 1<<20)...)
	p := policy()
	p.MaxFileBytes = 2 << 20
	req := multipartRequest(b, part{"front", "a.pdf", content})
	body, _ := io.ReadAll(req.Body)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		r.Header.Set("Content-Type", req.Header.Get("Content-Type"))
		res, err := upload.Receive(context.Background(), r, store, p)
		if err != nil {
			b.Fatal(err)
		}
		store.Delete(context.Background(), res.Files["front"].Object.Key)
	}
}
