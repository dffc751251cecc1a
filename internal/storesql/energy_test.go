package storesql

import (
	"errors"
	"testing"
	"time"

	"partnership-service/internal/energy"
)

// fakeRow scans fixed values, as a driver would convert them.
type fakeRow []any

func (r fakeRow) Scan(dest ...any) error {
	if len(dest) != len(r) {
		return errors.New("column count differs")
	}
	for i, d := range dest {
		switch d := d.(type) {
		case *string:
			*d = r[i].(string)
		case *int64:
			*d = r[i].(int64)
		case *Time:
			if err := d.Scan(r[i]); err != nil {
				return err
			}
		default:
			return errors.New("unexpected destination")
		}
	}
	return nil
}

func TestLeadPageAttachesDocuments(t *testing.T) {
	t.Parallel()
	page := NewLeadPage([]energy.Lead{{ID: "a"}, {ID: "b"}})
	if ids := page.IDs(); len(ids) != 2 || ids[0] != "a" || ids[1] != "b" {
		t.Fatalf("IDs = %v", ids)
	}
	at := time.Date(2024, 7, 1, 12, 0, 0, 0, time.UTC)
	for _, text := range []any{"2024-07-01T12:00:00.000000Z", at} { // SQLite's text, PostgreSQL's timestamptz
		if err := page.ScanDocument(fakeRow{"b", "utilityBill", "k", "conta.pdf", "application/pdf", int64(3), "ff", text}); err != nil {
			t.Fatal(err)
		}
	}
	if len(page.Leads[0].Documents) != 0 || len(page.Leads[1].Documents) != 2 || !page.Leads[1].Documents[0].UploadedAt.Equal(at) {
		t.Fatalf("documents landed wrong: %+v", page.Leads)
	}
	if err := page.ScanDocument(fakeRow{"c", "utilityBill", "k", "x", "y", int64(1), "ff", at}); err == nil {
		t.Fatal("a document of a lead not on the page: want an error")
	}
	if empty := NewLeadPage(nil); empty.Leads == nil {
		t.Fatal("an empty page must list no leads, not nil")
	}
}
