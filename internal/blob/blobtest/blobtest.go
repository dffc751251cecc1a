// Package blobtest has small files of each accepted type that pass the
// blob store's structure checks, for the tests of every package that
// uploads: a real 1×1 PNG and JPEG (made by the standard encoders) and a
// minimal PDF.
package blobtest

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io/fs"
	"os"
	"partnership-service/internal/blob"
	"path/filepath"
	"testing"
)

var (
	// PDF is a minimal PDF: header at offset 0, %%EOF at the end.
	PDF = []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
	// PNG is a 1×1 PNG.
	PNG = encode(func(b *bytes.Buffer, img image.Image) error { return png.Encode(b, img) })
	// JPEG is a 1×1 JPEG.
	JPEG = encode(func(b *bytes.Buffer, img image.Image) error { return jpeg.Encode(b, img, nil) })
)

func encode(enc func(*bytes.Buffer, image.Image) error) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 1, 1))
	img.Set(0, 0, color.RGBA{R: 200, G: 120, B: 40, A: 255})
	var b bytes.Buffer
	if err := enc(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// NewDir is a file store in a fresh temp dir, and its root.
func NewDir(tb testing.TB) (*blob.Dir, string) {
	tb.Helper()
	root := filepath.Join(tb.TempDir(), "files")
	d, err := blob.NewDir(root)
	if err != nil {
		tb.Fatal(err)
	}
	return d, root
}

// Files lists every regular file under root, tmp included, ignoring
// directories (prefix directories may stay).
func Files(tb testing.TB, root string) []string {
	tb.Helper()
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return files
}

// NothingLeft fails tb when a file store holds any file: what a failed or
// refused write must not leave.
func NothingLeft(tb testing.TB, root string) {
	tb.Helper()
	if left := Files(tb, root); len(left) > 0 {
		tb.Fatalf("files left behind: %v", left)
	}
	entries, err := os.ReadDir(filepath.Join(root, "tmp"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(entries) > 0 {
		tb.Fatalf("tmp not empty: %v", entries)
	}
}

// NewDirStore is NewDir for the conformance suite: the store, and a
// function listing what it holds (stored keys, and temp files by path).
func NewDirStore(tb testing.TB) (blob.Driver, func(testing.TB) []string) {
	tb.Helper()
	d, root := NewDir(tb)
	return d, func(tb testing.TB) []string {
		tb.Helper()
		var held []string
		for _, path := range Files(tb, root) {
			rel, err := filepath.Rel(root, path)
			if err != nil {
				tb.Fatal(err)
			}
			held = append(held, filepath.ToSlash(rel))
		}
		return held
	}
}
