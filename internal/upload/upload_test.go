package upload_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"partnership-service/internal/blob"
	"partnership-service/internal/blob/blobtest"
	"partnership-service/internal/upload"
)

var text = []byte("just some text, not a document")

type part struct {
	field, fileName string
	content         []byte
}

// multipartBody encodes parts as mime/multipart writes them; a part with a
// file name is a file.
func multipartBody(tb testing.TB, parts ...part) (body []byte, contentType string) {
	tb.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
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
		if _, err := w.Write(p.content); err != nil {
			tb.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes(), mw.FormDataContentType()
}

func request(body io.Reader, contentType string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", body)
	r.Header.Set("Content-Type", contentType)
	return r
}

func multipartRequest(tb testing.TB, parts ...part) *http.Request {
	tb.Helper()
	body, ct := multipartBody(tb, parts...)
	return request(bytes.NewReader(body), ct)
}

func policy() upload.Policy {
	return upload.Policy{
		Fields:         []upload.Field{{Name: "front", Required: true}, {Name: "back"}, {Name: "files[selfie]"}},
		MaxFileBytes:   1 << 10,
		MaxFileNameLen: 20,
		AllowedTypes:   blobtest.Docs,
		MaxParts:       5,
		MaxValueBytes:  16,
		CheckStructure: true, // the whole suite runs with the polyglot checks on
	}
}

func assertFieldError(tb testing.TB, err error, field string, reason upload.Reason) *upload.FieldError {
	tb.Helper()
	var fe *upload.FieldError
	if !errors.As(err, &fe) {
		tb.Fatalf("err = %v, want a *FieldError %q %s", err, field, reason)
	}
	if fe.Field != field || fe.Reason != reason {
		tb.Fatalf("err = %+v, want field %q reason %s", fe, field, reason)
	}
	return fe
}

func withSize(head []byte, size int) []byte {
	b := make([]byte, size)
	copy(b, head)
	return b
}

func TestReceiveStoresDocuments(t *testing.T) {
	t.Parallel()
	store, root := blobtest.NewDir(t)
	ctx := context.Background()
	bigPDF := withSize(blobtest.PDF, 1<<10) // exactly MaxFileBytes
	r := multipartRequest(t,
		part{"front", "frente.pdf", bigPDF},
		part{"note", "", []byte("hi")},
		part{"back", "../../etc/passwd", blobtest.PNG},
		part{"files[selfie]", "selfie.png", blobtest.JPEG}, // named .png, sniffed as what it is
	)
	res, err := upload.Receive(ctx, r, store, policy())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		field, fileName, contentType string
		content                      []byte
	}{
		{"front", "frente.pdf", "application/pdf", bigPDF},
		// mime/multipart reduces a client's path to its base name.
		{"back", "passwd", "image/png", blobtest.PNG},
		{"files[selfie]", "selfie.png", "image/jpeg", blobtest.JPEG},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			t.Parallel()
			st, ok := res.Files[tt.field]
			if !ok {
				t.Fatalf("%s not stored: %+v", tt.field, res.Files)
			}
			sum := sha256.Sum256(tt.content)
			want := hex.EncodeToString(sum[:])
			if st.Field != tt.field || st.FileName != tt.fileName || st.Object.ContentType != tt.contentType ||
				st.Object.Size != int64(len(tt.content)) || st.Object.SHA256 != want {
				t.Fatalf("stored = %+v, want name %q, type %s, size %d, sha256 %s", st, tt.fileName, tt.contentType, len(tt.content), want)
			}
			if got, _ := blobtest.Read(t, store, st.Object.Key); !bytes.Equal(got, tt.content) {
				t.Fatal("stored bytes differ from the upload")
			}
		})
	}
	if len(res.Files) != 3 || len(res.Values) != 1 || res.Values["note"] != "hi" {
		t.Errorf("files = %d, values = %v", len(res.Files), res.Values)
	}
	if stored := blobtest.Files(t, root); len(stored) != 3 {
		t.Errorf("stored %v, want the 3 files", stored)
	}
}

func TestReceiveNeverUsesTheClientFileName(t *testing.T) {
	t.Parallel()
	store, root := blobtest.NewDir(t)
	// A raw header, because mime/multipart's writer would not send
	// this; the escape must not work whoever builds the body.
	const boundary = "xyz"
	body := "--xyz\r\n" +
		`Content-Disposition: form-data; name="front"; filename="../../etc/passwd"` + "\r\n" +
		"Content-Type: application/blobtest.PDF\r\n\r\n" +
		string(blobtest.PDF) + "\r\n--xyz--\r\n"
	res, err := upload.Receive(context.Background(), request(strings.NewReader(body), "multipart/form-data; boundary="+boundary), store, policy())
	if err != nil {
		t.Fatal(err)
	}
	stored := blobtest.Files(t, root)
	want := filepath.Join(root, filepath.FromSlash(res.Files["front"].Object.Key))
	if len(stored) != 1 || stored[0] != want {
		t.Fatalf("stored %v, want only %s", stored, want)
	}
	if strings.Contains(res.Files["front"].Object.Key, "passwd") {
		t.Fatalf("key %s derived from the file name", res.Files["front"].Object.Key)
	}
	for _, escaped := range []string{filepath.Join(root, "..", "..", "etc", "passwd"), filepath.Join(root, "etc", "passwd")} {
		if b, err := os.ReadFile(escaped); err == nil && bytes.Equal(b, blobtest.PDF) {
			t.Fatalf("upload written to %s", escaped)
		}
	}
}

func TestReceiveRefusalsLeaveNothing(t *testing.T) {
	t.Parallel()
	tooBig := withSize(blobtest.PDF, 1<<10+1)
	tests := []struct {
		name   string
		parts  []part
		field  string
		reason upload.Reason
		limit  int64
	}{
		{"required missing", []part{{"back", "b.pdf", blobtest.PDF}}, "front", upload.ReasonMissing, 0},
		{"required sent as a plain value", []part{{"back", "b.pdf", blobtest.PDF}, {"front", "", []byte("%PDF-")}}, "front", upload.ReasonMissing, 0},
		{"too large", []part{{"back", "b.pdf", blobtest.PDF}, {"front", "a.pdf", tooBig}}, "front", upload.ReasonTooLarge, 1 << 10},
		{"wrong type", []part{{"back", "b.pdf", blobtest.PDF}, {"front", "a.pdf", text}}, "front", upload.ReasonTypeNotAllowed, 0},
		{"wrong type behind a document name", []part{{"back", "b.pdf", blobtest.PDF}, {"front", "a.pdf", []byte("MZ\x90\x00 an executable")}}, "front", upload.ReasonTypeNotAllowed, 0},
		{"file name too long", []part{{"back", "b.pdf", blobtest.PDF}, {"front", strings.Repeat("n", 17) + ".pdf", blobtest.PDF}}, "front", upload.ReasonFileNameTooLong, 20},
		{"file name too long in runes", []part{{"back", "b.pdf", blobtest.PDF}, {"front", strings.Repeat("ç", 17) + ".pdf", blobtest.PDF}}, "front", upload.ReasonFileNameTooLong, 20},
		{"file name with a right-to-left override", []part{{"back", "b.pdf", blobtest.PDF}, {"front", "inv\u202efdp.exe", blobtest.PDF}}, "front", upload.ReasonFileNameNotAllowed, 0},
		{"file name with a zero-width space", []part{{"back", "b.pdf", blobtest.PDF}, {"front", "a\u200b.pdf", blobtest.PDF}}, "front", upload.ReasonFileNameNotAllowed, 0},
		{"file name not UTF-8", []part{{"back", "b.pdf", blobtest.PDF}, {"front", "a\xff.pdf", blobtest.PDF}}, "front", upload.ReasonFileNameNotAllowed, 0},
		{"empty", []part{{"back", "b.pdf", blobtest.PDF}, {"front", "a.pdf", nil}}, "front", upload.ReasonEmpty, 0},
		{"duplicate file", []part{{"front", "a.pdf", blobtest.PDF}, {"front", "b.pdf", blobtest.JPEG}}, "front", upload.ReasonDuplicate, 0},
		{"duplicate value", []part{{"front", "a.pdf", blobtest.PDF}, {"note", "", []byte("a")}, {"note", "", []byte("b")}}, "note", upload.ReasonDuplicate, 0},
		{"unexpected file field", []part{{"front", "a.pdf", blobtest.PDF}, {"selfie", "s.png", blobtest.PNG}}, "selfie", upload.ReasonUnexpected, 0},
		{"value too large", []part{{"front", "a.pdf", blobtest.PDF}, {"note", "", bytes.Repeat([]byte("x"), 17)}}, "note", upload.ReasonTooLarge, 16},
		{"too many parts", []part{{"front", "a.pdf", blobtest.PDF}, {"a", "", nil}, {"b", "", nil}, {"c", "", nil}, {"d", "", nil}, {"e", "", nil}}, "", upload.ReasonMalformed, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			store, root := blobtest.NewDir(t)
			res, err := upload.Receive(context.Background(), multipartRequest(t, tt.parts...), store, policy())
			fe := assertFieldError(t, err, tt.field, tt.reason)
			if fe.Limit != tt.limit {
				t.Errorf("limit = %d, want %d", fe.Limit, tt.limit)
			}
			if res.Files != nil || res.Values != nil {
				t.Errorf("result on failure = %+v, want zero", res)
			}
			blobtest.NothingLeft(t, root)
		})
	}
}

var errReset = errors.New("connection reset by peer")

func TestReceiveBrokenBodiesLeaveNothing(t *testing.T) {
	t.Parallel()
	// The first file is stored before the body breaks in the second.
	whole, ct := multipartBody(t, part{"front", "a.pdf", blobtest.PDF}, part{"back", "b.pdf", withSize(blobtest.PDF, 1000)})
	mid := bytes.LastIndex(whole, blobtest.PDF) + 500
	tests := []struct {
		name   string
		body   func() io.Reader
		ct     string
		reason upload.Reason
	}{
		{"not multipart", func() io.Reader { return strings.NewReader(`{"a":1}`) }, "application/json", upload.ReasonNotMultipart},
		{"no content type", func() io.Reader { return bytes.NewReader(whole) }, "", upload.ReasonNotMultipart},
		{"multipart without a boundary", func() io.Reader { return bytes.NewReader(whole) }, "multipart/form-data", upload.ReasonMalformed},
		{"multipart/mixed", func() io.Reader { return bytes.NewReader(whole) }, strings.Replace(ct, "form-data", "mixed", 1), upload.ReasonNotMultipart},
		{"wrong boundary", func() io.Reader { return bytes.NewReader(whole) }, "multipart/form-data; boundary=nope", upload.ReasonMalformed},
		{"truncated inside the second file", func() io.Reader { return bytes.NewReader(whole[:mid]) }, ct, upload.ReasonMalformed},
		{"truncated before the closing boundary", func() io.Reader { return bytes.NewReader(whole[:len(whole)-4]) }, ct, upload.ReasonMalformed},
		{"connection drops inside the second file", func() io.Reader {
			return io.MultiReader(bytes.NewReader(whole[:mid]), iotest.ErrReader(errReset)) // the connection drops
		}, ct, upload.ReasonMalformed},
		{"body over the server cap inside the second file", func() io.Reader {
			return http.MaxBytesReader(nil, io.NopCloser(bytes.NewReader(whole)), int64(mid))
		}, ct, upload.ReasonTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			store, root := blobtest.NewDir(t)
			_, err := upload.Receive(context.Background(), request(tt.body(), tt.ct), store, policy())
			assertFieldError(t, err, "", tt.reason)
			blobtest.NothingLeft(t, root)
		})
	}
}

// failingStore is a disk that fills up on the nth Put.
type failingStore struct {
	blob.Store
	failOn int
	puts   int
}

var errDiskFull = errors.New("no space left on device")

func (s *failingStore) Put(ctx context.Context, r io.Reader, lim blob.Limits) (blob.Object, error) {
	s.puts++
	if s.puts == s.failOn {
		// Read some first, as a real disk would before running out.
		if _, err := io.CopyN(io.Discard, r, 10); err != nil {
			return blob.Object{}, err
		}
		return blob.Object{}, &os.LinkError{Op: "rename", Old: "a", New: "b", Err: errDiskFull}
	}
	return s.Store.Put(ctx, r, lim)
}

func TestReceiveInternalErrorsLeaveNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		ctx   func() context.Context
		store func(blob.Store) blob.Store
		p     func() upload.Policy
		want  error
	}{
		{"store fails on the second file", context.Background, func(d blob.Store) blob.Store {
			return &failingStore{Store: d, failOn: 2}
		}, policy, errDiskFull},
		{"request cancelled", func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}, func(d blob.Store) blob.Store { return d }, policy, context.Canceled},
		{"policy without a file size limit", context.Background, func(d blob.Store) blob.Store { return d }, func() upload.Policy {
			p := policy()
			p.MaxFileBytes = 0
			return p
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, root := blobtest.NewDir(t)
			r := multipartRequest(t, part{"front", "a.pdf", blobtest.PDF}, part{"back", "b.png", blobtest.PNG})
			_, err := upload.Receive(tt.ctx(), r, tt.store(d), tt.p())
			if err == nil {
				t.Fatal("Receive succeeded")
			}
			var fe *upload.FieldError
			if errors.As(err, &fe) {
				t.Fatalf("err = %v, an internal failure reported as the client's", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			blobtest.NothingLeft(t, root)
		})
	}
}

// countingReader counts what Receive pulled from the client.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func TestReceiveRefusalStopsReading(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		content []byte
		reason  upload.Reason
	}{
		{"wrong type", withSize(text, 4<<20), upload.ReasonTypeNotAllowed},
		{"too large", withSize(blobtest.PDF, 4<<20), upload.ReasonTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			store, root := blobtest.NewDir(t)
			p := policy()
			p.MaxFileBytes = 64 << 10
			body, ct := multipartBody(t, part{"front", "a.pdf", tt.content})
			cr := &countingReader{r: bytes.NewReader(body)}
			_, err := upload.Receive(context.Background(), request(cr, ct), store, p)
			assertFieldError(t, err, "front", tt.reason)
			// The limit plus the multipart reader's buffering, far short
			// of the 4 MiB sent.
			if n := cr.n.Load(); n > 256<<10 {
				t.Fatalf("read %d bytes of a refused upload", n)
			}
			blobtest.NothingLeft(t, root)
		})
	}
}

// TestReceiveOverHTTP runs Receive behind a real server, with the overall
// cap the callers put on the body.
func TestReceiveOverHTTP(t *testing.T) {
	t.Parallel()
	store, root := blobtest.NewDir(t)
	p := policy()
	p.MaxFileBytes = 64 << 10
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
		res, err := upload.Receive(r.Context(), r, store, p)
		var fe *upload.FieldError
		switch {
		case errors.As(err, &fe):
			http.Error(w, fmt.Sprintf("%s %q %d", fe.Reason, fe.Field, fe.Limit), http.StatusBadRequest)
		case err != nil:
			http.Error(w, err.Error(), http.StatusInternalServerError)
		default:
			fmt.Fprint(w, res.Files["front"].Object.SHA256)
		}
	}))
	t.Cleanup(func() {
		srv.Close()
		if files := blobtest.Files(t, root); len(files) != 1 {
			t.Errorf("stored %v, want only the accepted file", files)
		}
	})
	sum := sha256.Sum256(blobtest.PDF)
	tests := []struct {
		name   string
		parts  []part
		status int
		body   string
	}{
		{"stored", []part{{"front", "a.pdf", blobtest.PDF}}, http.StatusOK, hex.EncodeToString(sum[:])},
		{"over the body cap, under the file cap", []part{{"front", "a.pdf", withSize(blobtest.PDF, 12<<10)}}, http.StatusBadRequest, `too_large "" 8192` + "\n"},
		{"refused", []part{{"front", "a.pdf", text}}, http.StatusBadRequest, `type_not_allowed "front" 0` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body, ct := multipartBody(t, tt.parts...)
			resp, err := http.Post(srv.URL, ct, bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status || string(got) != tt.body {
				t.Fatalf("got %d %q, want %d %q", resp.StatusCode, got, tt.status, tt.body)
			}
		})
	}
}

// largeUpload streams a 50 MiB PDF through a pipe, so the test never holds
// it in memory either.
func largeUpload(tb testing.TB, size int) *http.Request {
	tb.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		w, err := mw.CreateFormFile("front", "big.pdf")
		if err != nil {
			pw.CloseWithError(err)
			return
		}
		if _, err := w.Write(blobtest.PDF); err != nil {
			pw.CloseWithError(err)
			return
		}
		rng := rand.New(rand.NewPCG(1, 2))
		buf := make([]byte, 64<<10)
		// A PDF ends in %%EOF (issue 10 #12): random body, then the marker.
		trailer := []byte("\n%%EOF\n")
		for left := size - len(blobtest.PDF) - len(trailer); left > 0; left -= len(buf) {
			for i := 0; i+8 <= len(buf); i += 8 {
				v := rng.Uint64()
				for j := range 8 {
					buf[i+j] = byte(v >> (8 * j))
				}
			}
			if _, err := w.Write(buf[:min(left, len(buf))]); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		if _, err := w.Write(trailer); err != nil {
			pw.CloseWithError(err)
			return
		}
		pw.CloseWithError(mw.Close())
	}()
	return request(pr, mw.FormDataContentType())
}

// TestReceiveLargeUploadInConstantMemory is not parallel: the heap is
// process-wide, and top-level parallel tests only start once the
// sequential ones are done.
func TestReceiveLargeUploadInConstantMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 50 MiB")
	}
	const size = 50 << 20
	store, _ := blobtest.NewDir(t)
	r := largeUpload(t, size)
	p := policy()
	p.MaxFileBytes = 64 << 20

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peakAlloc, peakInuse atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			peakAlloc.Store(max(peakAlloc.Load(), m.HeapAlloc))
			peakInuse.Store(max(peakInuse.Load(), m.HeapInuse))
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	res, err := upload.Receive(context.Background(), r, store, p)
	close(stop)
	<-sampled
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Files["front"].Object.Size; got != size {
		t.Fatalf("stored %d bytes, want %d", got, size)
	}
	const mib = 1 << 20
	allocGrowth := int64(peakAlloc.Load()) - int64(before.HeapAlloc)
	inuseGrowth := int64(peakInuse.Load()) - int64(before.HeapInuse)
	t.Logf("50 MiB upload: peak HeapAlloc +%.2f MiB, peak HeapInuse +%.2f MiB, TotalAlloc +%.2f MiB",
		float64(allocGrowth)/mib, float64(inuseGrowth)/mib, float64(after.TotalAlloc-before.TotalAlloc)/mib)
	if allocGrowth > 8*mib || inuseGrowth > 8*mib {
		t.Fatalf("heap grew by %d (alloc) / %d (in use) bytes: the upload is being buffered", allocGrowth, inuseGrowth)
	}
}

func BenchmarkReceive1MiB(b *testing.B) {
	store, _ := blobtest.NewDir(b)
	p := policy()
	p.MaxFileBytes = 2 << 20
	body, ct := multipartBody(b, part{"front", "a.pdf", withSize(blobtest.PDF, 1<<20)})
	ctx := context.Background()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := upload.Receive(ctx, request(bytes.NewReader(body), ct), store, p)
		if err != nil {
			b.Fatal(err)
		}
		if err := store.Delete(ctx, res.Files["front"].Object.Key); err != nil {
			b.Fatal(err)
		}
	}
}

// TestReceiveRefusesPolyglots: issue 10 #12. An HTML page behind a PDF
// header or a PNG signature is a type not allowed, and the files already
// stored by the request are gone.
func TestReceiveRefusesPolyglots(t *testing.T) {
	t.Parallel()
	page := "<!doctype html><html><script>alert(document.cookie)</script></html>\n"
	tests := []struct {
		name    string
		content []byte
	}{
		{"PDF-headed HTML", []byte("%PDF-1.4\n" + page)},
		{"HTML with a PNG signature", []byte("\x89PNG\r\n\x1a\n" + page)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			store, root := blobtest.NewDir(t)
			p := policy()
			p.CheckStructure = true
			_, err := upload.Receive(context.Background(),
				multipartRequest(t, part{"back", "b.pdf", blobtest.PDF}, part{"front", "a.pdf", tt.content}), store, p)
			assertFieldError(t, err, "front", upload.ReasonTypeNotAllowed)
			blobtest.NothingLeft(t, root)
		})
	}
}
