package blob_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"partnership-service/internal/blob"
)

var pdf = []byte("%PDF-1.4\n%âãÏÓ\n1 0 obj << >> endobj\n%%EOF\n")

func TestPutOpenDelete(t *testing.T) {
	t.Parallel()
	d, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	obj, err := d.Put(ctx, bytes.NewReader(pdf), blob.Limits{MaxBytes: 1 << 10, AllowedTypes: []string{"application/pdf"}})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(pdf)
	if obj.SHA256 != hex.EncodeToString(sum[:]) || obj.Size != int64(len(pdf)) || obj.ContentType != "application/pdf" {
		t.Fatalf("object = %+v", obj)
	}
	rc, got, err := d.Open(ctx, obj.Key)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(b, pdf) || got.ContentType != "application/pdf" {
		t.Fatal("read back differs")
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
		{"over the limit", append(append([]byte{}, pdf...), make([]byte, 100)...), blob.Limits{MaxBytes: 64}, blob.ErrTooLarge},
		{"type by content, not name", []byte("MZ\x90\x00 an executable"), blob.Limits{MaxBytes: 1 << 10, AllowedTypes: []string{"application/pdf"}}, blob.ErrTypeNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			d, _ := blob.NewDir(root)
			_, err := d.Put(context.Background(), bytes.NewReader(tt.content), tt.lim)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			entries, _ := os.ReadDir(filepath.Join(root, "tmp"))
			if len(entries) != 0 {
				t.Fatalf("temp files left: %v", entries)
			}
		})
	}
}

func TestKeysCannotEscapeRoot(t *testing.T) {
	t.Parallel()
	d, _ := blob.NewDir(t.TempDir())
	for _, key := range []string{"../secret.key", "/etc/passwd", "ab/../../x", "", strings.Repeat("a", 35)} {
		if _, _, err := d.Open(context.Background(), key); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("Open(%q) = %v, want ErrNotFound", key, err)
		}
	}
}

func TestSweepTempRemovesOnlyOldFiles(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	d, _ := blob.NewDir(root)
	old := filepath.Join(root, "tmp", "up-old")
	fresh := filepath.Join(root, "tmp", "up-fresh")
	os.WriteFile(old, []byte("x"), 0o600)
	os.WriteFile(fresh, []byte("x"), 0o600)
	os.Chtimes(old, time.Now().Add(-2*time.Hour), time.Now().Add(-2*time.Hour))
	if err := d.SweepTemp(time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Error("old temp file kept")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("fresh temp file removed")
	}
}
