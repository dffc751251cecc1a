package storetest

import (
	"slices"
	"testing"

	"partnership-service/internal/blob"
	"partnership-service/internal/storage"
	"partnership-service/internal/storefront"
)

// runBlobReferences checks that UnreferencedBlobs finds exactly the stored
// files no record names: lead documents, contract PDFs and subscription
// files are named; anything else is an orphan.
func runBlobReferences(t *testing.T, s storage.Stores) {
	ctx := t.Context()
	at := epoch
	addPartner(t, s.EnergyPartners(), "partner-a", "Parceiro A", at)
	l := fullLead("partner-a", "00000000-0000-7000-8000-0000000000b1", at) // a document (aa/0123) and a contract (bb/4567)
	mustCreate(t, s.EnergyLeads(), l)
	w := newStorefrontWorld(t, s.Storefront())
	sub := w.subscription(w.a, w.planA)
	if err := w.create(ctx, sub); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Storefront().PutSubscriptionFiles(ctx, w.a, sub.ID, []storefront.SubscriptionFile{{
		Kind: storefront.Selfie, FileName: "eu.png", UploadedAt: at,
		Object: blob.Object{Key: "cc/89ab", Size: 10, SHA256: "ab", ContentType: "image/png"},
	}}, filesEvent(t, w.a)); err != nil {
		t.Fatal(err)
	}
	got, err := s.UnreferencedBlobs(ctx, []string{"aa/0123", "dd/orphan", "bb/4567", "cc/89ab", "ee/orphan"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"dd/orphan", "ee/orphan"}; !slices.Equal(got, want) {
		t.Fatalf("UnreferencedBlobs = %v, want %v", got, want)
	}
	if got, err := s.UnreferencedBlobs(ctx, nil); err != nil || len(got) != 0 {
		t.Fatalf("no keys: %v, %v", got, err)
	}
}
