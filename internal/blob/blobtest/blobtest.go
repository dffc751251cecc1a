// Package blobtest has small files of each accepted type that pass the
// blob store's structure checks, for the tests of every package that
// uploads: a real 1×1 PNG and JPEG (made by the standard encoders) and a
// minimal PDF.
package blobtest

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"partnership-service/internal/blob"
)

var (
	// PDF is a minimal PDF: header at offset 0, %%EOF at the end.
	PDF = []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
	// PNG is a 1×1 PNG.
	PNG = encode(func(b *bytes.Buffer, img image.Image) error { return png.Encode(b, img) })
	// JPEG is a 1×1 JPEG.
	JPEG = encode(func(b *bytes.Buffer, img image.Image) error { return jpeg.Encode(b, img, nil) })
	// Docs are the content types of the three.
	Docs = []string{"application/pdf", "image/jpeg", "image/png"}
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

// Put stores content in s under a 1 KiB limit, failing tb on an error.
func Put(tb testing.TB, s blob.Store, content []byte) blob.Object {
	tb.Helper()
	obj, err := s.Put(context.Background(), bytes.NewReader(content), blob.Limits{MaxBytes: 1 << 10})
	if err != nil {
		tb.Fatal(err)
	}
	return obj
}

// NotFound checks that s answers ErrNotFound to opening and deleting key.
func NotFound(tb testing.TB, s blob.Store, key string) {
	tb.Helper()
	ctx := context.Background()
	if rc, _, err := s.Open(ctx, key); !errors.Is(err, blob.ErrNotFound) {
		if rc != nil {
			rc.Close()
		}
		tb.Errorf("Open(%q) = %v, want ErrNotFound", key, err)
	}
	if err := s.Delete(ctx, key); !errors.Is(err, blob.ErrNotFound) {
		tb.Errorf("Delete(%q) = %v, want ErrNotFound", key, err)
	}
}

// Read opens key in s and reads it whole, failing tb on an error.
func Read(tb testing.TB, s blob.Store, key string) ([]byte, blob.Object) {
	tb.Helper()
	rc, obj, err := s.Open(context.Background(), key)
	if err != nil {
		tb.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		tb.Fatal(err)
	}
	return b, obj
}
