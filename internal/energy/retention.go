package energy

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// DefaultRetention is how long a lead that never gets signed keeps its
// uploaded files and utility login after its last change.
const DefaultRetention = 180 * 24 * time.Hour

// retentionBatch is how many leads one sweep step expires.
const retentionBatch = 100

// errRetained marks a lead that stopped being due between the listing and
// its write (it changed or got signed meanwhile).
var errRetained = errors.New("energy: lead no longer past retention")

// SweepRetention destroys the uploaded files (utility bill, identity and
// company documents) and the sealed utility login of every lead not signed
// whose last change is older than retention, and records it in the lead's
// history. The lead itself, its contract and its other fields stay: the
// partner still sees the lead, and LGPD erasure is a separate request.
// It returns how many leads it expired.
func (s *LeadService) SweepRetention(ctx context.Context, retention time.Duration) (int, error) {
	before := s.clock().Add(-retention)
	total := 0
	for {
		refs, err := s.store.LeadsPastRetention(ctx, before, retentionBatch)
		if err != nil {
			return total, err
		}
		for _, ref := range refs {
			err := s.expireLead(ctx, ref, before, retention)
			switch {
			case errors.Is(err, errRetained):
			case err != nil:
				return total, err
			default:
				total++
			}
		}
		if len(refs) < retentionBatch {
			return total, nil
		}
	}
}

func (s *LeadService) expireLead(ctx context.Context, ref LeadRef, before time.Time, retention time.Duration) error {
	now := s.clock()
	var files []string
	_, err := s.rewriteLead(ctx, Principal{PartnerID: ref.PartnerID}, ref.ID, func(tx LeadTx, old, l *Lead) error {
		if old.Status == StatusAssinado || !old.UpdatedAt.Before(before) || len(old.Documents) == 0 && !old.HasCredentials() {
			return errRetained
		}
		var err error
		if files, err = dropDocuments(tx, old, l); err != nil {
			return err
		}
		l.Credentials = nil
		l.History = append(l.History, StatusChange{Status: l.Status, At: now, Details: fmt.Sprintf(
			"Arquivos enviados e login da distribuidora eliminados: %d dias sem alteração e sem assinatura (prazo de retenção).", int(retention.Hours()/24))})
		l.UpdatedAt = now
		return nil
	})
	if err != nil {
		return err
	}
	s.deleteBlobs(ctx, files...)
	return nil
}

// SweepRetentionEvery runs SweepRetention at once and then every interval
// until ctx ends; a failed sweep is logged and tried again next time.
func (s *LeadService) SweepRetentionEvery(ctx context.Context, retention, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := s.SweepRetention(ctx, retention)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Warn("retention sweep", "err", err, "expired", n)
		case n > 0:
			s.log.Info("retention sweep", "expired", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
