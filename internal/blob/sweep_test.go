package blob_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"partnership-service/internal/blob"
	"partnership-service/internal/blob/blobtest"
)

// TestSweepOrphans: issue 10 #8. A file stored before a crash whose record
// never committed is deleted; a file a record names, and any file younger
// than the cutoff (a write still in flight), stays.
func TestSweepOrphans(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, root := blobtest.NewDir(t)
	put := func() string {
		obj, err := d.Put(ctx, bytes.NewReader(blobtest.PDF), blob.Limits{MaxBytes: 1 << 10})
		if err != nil {
			t.Fatal(err)
		}
		return obj.Key
	}
	orphan, kept, young := put(), put(), put()
	cutoff := time.Now().Add(-time.Minute)
	old := cutoff.Add(-time.Hour)
	for _, k := range []string{orphan, kept} {
		if err := os.Chtimes(filepath.Join(root, filepath.FromSlash(k)), old, old); err != nil {
			t.Fatal(err)
		}
	}
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
	files := blobtest.Files(t, root)
	has := func(k string) bool { return slices.Contains(files, filepath.Join(root, filepath.FromSlash(k))) }
	if has(orphan) || !has(kept) || !has(young) {
		t.Fatalf("after the sweep: %v (orphan %s, kept %s, young %s)", files, orphan, kept, young)
	}
}
