package blob_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	stdjpeg "image/jpeg"
	stdpng "image/png"
	"io"
	"math/rand/v2"
	"testing"

	"partnership-service/internal/blob"
	"partnership-service/internal/blob/blobtest"
)

// png is a PNG's signature and header chunk alone: enough for the
// structure check, and the start of one with a broken checksum.
var png = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde")

const htmlPage = "<html><body><script>fetch('/api/v4/companies').then(r=>r.text()).then(alert)</script></body></html>\n"

// TestPutRefusesPolyglots: issue 10 #12. A file is taken for what its
// structure says, not its first bytes: a PDF ends in %%EOF and has no HTML
// in its head, an image decodes its header. Anything else is a type not
// allowed, and nothing is stored.
func TestPutRefusesPolyglots(t *testing.T) {
	t.Parallel()
	lim := blob.Limits{MaxBytes: 2 << 20, AllowedTypes: blobtest.Docs, CheckStructure: true}
	tests := []struct {
		name    string
		content []byte
	}{
		{"HTML behind a PDF header", []byte("%PDF-1.4\n" + htmlPage)},
		{"HTML behind a PDF header, ending in %%EOF", []byte("%PDF-1.4\n" + htmlPage + "%%EOF\n")},
		{"PDF header, no %%EOF", append([]byte("%PDF-1.7\n1 0 obj << >> endobj\n"), bytes.Repeat([]byte("x"), 4096)...)},
		{"%%EOF not at the end", []byte("%PDF-1.4\n%%EOF\nmore text after it")},
		{"PDF header not at offset 0", []byte("\n\n%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n")},
		{"HTML behind a PNG signature", []byte("\x89PNG\r\n\x1a\n" + htmlPage)},
		{"HTML behind a PNG signature, long", append([]byte("\x89PNG\r\n\x1a\n"+htmlPage), bytes.Repeat([]byte{' '}, 64<<10)...)},
		{"PNG with a broken header checksum", append(bytes.Clone(png[:29]), 0, 0, 0, 0)},
		{"HTML behind a JPEG signature", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00" + htmlPage)},
		{"JPEG without a frame", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, root := blobtest.NewDir(t)
			_, err := d.Put(context.Background(), bytes.NewReader(tt.content), lim)
			if !errors.Is(err, blob.ErrTypeNotAllowed) {
				t.Fatalf("err = %v, want %v", err, blob.ErrTypeNotAllowed)
			}
			blobtest.NothingLeft(t, root)
		})
	}
}

// TestPutAcceptsWellFormedFiles: the structure checks keep real files,
// byte for byte, whatever their size relative to the sniffed head.
func TestPutAcceptsWellFormedFiles(t *testing.T) {
	t.Parallel()
	noise := image.NewRGBA(image.Rect(0, 0, 64, 64))
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range noise.Pix {
		noise.Pix[i] = byte(rng.Uint32())
	}
	noise.Set(0, 0, color.RGBA{A: 255})
	var bigPNG, bigJPEG bytes.Buffer
	if err := stdpng.Encode(&bigPNG, noise); err != nil {
		t.Fatal(err)
	}
	if err := stdjpeg.Encode(&bigJPEG, noise, &stdjpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		content []byte
		want    string
	}{
		{"small PNG", png, "image/png"},
		{"PNG larger than a chunk", bigPNG.Bytes(), "image/png"},
		{"small JPEG", blobtest.JPEG, "image/jpeg"},
		{"JPEG larger than the head", bigJPEG.Bytes(), "image/jpeg"},
		{"PDF with trailing white space", append(bytes.Clone(blobtest.PDF), "\r\n \x00\x00\t\f"...), "application/pdf"},
		{"PDF padded past many chunks", withSize(blobtest.PDF, 200<<10), "application/pdf"},
		{"PDF with %%EOF split across chunks", append(withSize(blobtest.PDF, 32<<10-2), "\n%%EOF"...), "application/pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, _ := blobtest.NewDir(t)
			// One byte per read: the tee and the trailer see every split.
			obj, err := d.Put(context.Background(), io.LimitReader(&slowReader{r: bytes.NewReader(tt.content)}, 1<<30), blob.Limits{MaxBytes: 1 << 20, AllowedTypes: blobtest.Docs, CheckStructure: true})
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(tt.content)
			if obj.ContentType != tt.want || obj.Size != int64(len(tt.content)) || obj.SHA256 != hex.EncodeToString(sum[:]) {
				t.Fatalf("stored %+v, want %s of %d bytes", obj, tt.want, len(tt.content))
			}
			f, _, err := d.Open(context.Background(), obj.Key)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got, err := io.ReadAll(f)
			if err != nil || !bytes.Equal(got, tt.content) {
				t.Fatalf("stored bytes differ (err %v)", err)
			}
		})
	}
}

// slowReader hands out at most 7 bytes a read.
type slowReader struct{ r io.Reader }

func (s *slowReader) Read(p []byte) (int, error) { return s.r.Read(p[:min(len(p), 7)]) }

// TestPutImageRefusalStopsReading: a file that only starts like an image is
// refused once its header fails to decode, not after the whole body.
// TestPutWithoutStructureCheckSniffsOnly: the check is the caller's
// choice; without it the head decides, as before.
func TestPutWithoutStructureCheckSniffsOnly(t *testing.T) {
	t.Parallel()
	d, _ := blobtest.NewDir(t)
	obj, err := d.Put(context.Background(), bytes.NewReader([]byte("%PDF-1.4\n"+htmlPage)), blob.Limits{MaxBytes: 1 << 20, AllowedTypes: blobtest.Docs})
	if err != nil || obj.ContentType != "application/pdf" {
		t.Fatalf("Put = %+v, %v", obj, err)
	}
}

func TestPutImageRefusalStopsReading(t *testing.T) {
	t.Parallel()
	d, root := blobtest.NewDir(t)
	cr := &blobtest.CountingReader{R: bytes.NewReader(append([]byte("\x89PNG\r\n\x1a\n"+htmlPage), make([]byte, 4<<20)...))}
	if _, err := d.Put(context.Background(), cr, blob.Limits{MaxBytes: 8 << 20, AllowedTypes: blobtest.Docs, CheckStructure: true}); !errors.Is(err, blob.ErrTypeNotAllowed) {
		t.Fatalf("err = %v", err)
	}
	if cr.N > 64<<10 {
		t.Fatalf("read %d bytes of a refused image", cr.N)
	}
	blobtest.NothingLeft(t, root)
}
