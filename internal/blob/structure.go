package blob

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"io"
)

// A file is accepted by its structure, not only by its first bytes, so a
// polyglot (an HTML page that starts like a PDF or a PNG) is refused as a
// type that is not allowed.

var pdfHeader = []byte("%PDF-")

// configDecoders read an image's header: a file sniffed as one of these
// types must decode as it.
var configDecoders = map[string]func(io.Reader) (image.Config, error){
	"image/jpeg": jpeg.DecodeConfig,
	"image/png":  decodePNGConfig,
}

// maxImageHeader bounds what a decoder may read to find the image's size:
// a JPEG's frame header may follow metadata segments (EXIF, ICC profiles),
// but not a megabyte of them.
const maxImageHeader = 1 << 20

var errHeaderTooLong = errors.New("blob: image header too long")

// decodePNGConfig insists that IHDR is the first chunk, as the format
// says; image/png would skip unknown chunks before it, reading a
// polyglot's whole body as one.
func decodePNGConfig(r io.Reader) (image.Config, error) {
	var head [16]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return image.Config{}, err
	}
	if string(head[12:16]) != "IHDR" {
		return image.Config{}, errors.New("blob: png: IHDR is not the first chunk")
	}
	return png.DecodeConfig(io.MultiReader(bytes.NewReader(head[:]), r))
}

// htmlMarkers are what makes a browser that sniffs treat bytes as HTML;
// none of them belongs in the first bytes of a PDF, which are its header
// and the dictionary of its first object.
var htmlMarkers = [][]byte{[]byte("<html"), []byte("<script"), []byte("<body"), []byte("<!doctype"), []byte("<iframe"), []byte("<svg")}

func htmlInHead(head []byte) bool {
	lower := bytes.ToLower(head)
	for _, m := range htmlMarkers {
		if bytes.Contains(lower, m) {
			return true
		}
	}
	return false
}

// pdfTrailer watches a PDF stream go by and remembers how it ends once
// trailing white space (PDF's: NUL, TAB, LF, FF, CR, space) is set aside.
// It keeps a few bytes, whatever the file's size, and allocates nothing.
type pdfTrailer struct {
	raw     window // the last bytes of the stream, white space included
	trimmed window // the last bytes before the trailing white space
}

// window holds the last len(pdfEOFMarker) bytes written to it.
type window struct {
	b [len(pdfEOFMarker)]byte
	n int
}

// then returns w followed by p, cut to the window's size.
func (w window) then(p []byte) window {
	if len(p) >= len(w.b) {
		var out window
		out.n = copy(out.b[:], p[len(p)-len(w.b):])
		return out
	}
	keep := min(w.n, len(w.b)-len(p))
	var out window
	copy(out.b[:], w.b[w.n-keep:w.n])
	out.n = keep + copy(out.b[keep:], p)
	return out
}

const pdfEOFMarker = "%%EOF"

func isPDFSpace(c byte) bool {
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '
}

func (t *pdfTrailer) Write(p []byte) (int, error) {
	end := len(p)
	for end > 0 && isPDFSpace(p[end-1]) {
		end--
	}
	if end > 0 {
		// What came before p, white space included, now precedes text.
		t.trimmed = t.raw.then(p[:end])
	}
	t.raw = t.raw.then(p)
	return len(p), nil
}

func (t *pdfTrailer) endsInEOF() bool {
	return string(t.trimmed.b[:t.trimmed.n]) == pdfEOFMarker
}

// tee hands the decoder what it reads from the client and writes it to
// the temp file, counting it; it keeps the client's and the disk's
// failures apart from a decoder's verdict.
type tee struct {
	r    io.Reader
	w    io.Writer
	size *int64
}

func (t tee) Read(p []byte) (int, error) {
	if *t.size >= maxImageHeader {
		return 0, errHeaderTooLong
	}
	n, err := t.r.Read(p[:min(int64(len(p)), maxImageHeader-*t.size)])
	if n > 0 {
		if _, werr := t.w.Write(p[:n]); werr != nil {
			return 0, teeError{err: werr, write: true}
		}
		*t.size += int64(n)
	}
	if err != nil && err != io.EOF {
		return n, teeError{err: err}
	}
	return n, err
}

type teeError struct {
	err   error
	write bool
}

func (e teeError) Error() string { return e.err.Error() }
func (e teeError) Unwrap() error { return e.err }

// eofReader is a source already read to its end.
type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
