package energy

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/idempotency"
	"partnership-service/internal/webhook"
)

// The rules every lead write follows, run inside the store's transaction:
// one open lead per customer and partner, and the per-status counts moving
// with the status. They exist only here; the stores offer the primitives.

// createLead stores l, a new lead with its first history entry.
// Its answer (snapshot and lead.created event) is encoded before the
// write, so that SQLite's single writer does not spend its time on it.
func (s *LeadService) createLead(ctx context.Context, l *Lead) error {
	events, err := s.encode(Lead{}, l)
	if err != nil {
		return err
	}
	// The answer is the lead's snapshot: an Idempotency-Key's record keeps
	// it with the lead, and a retry whose answer a crash lost reads the
	// lead back.
	idempotency.Refer(ctx, "/sales-conversion/leads/"+l.ID, l.Snapshot)
	return s.writeLeads(ctx, func(tx LeadTx) error {
		if err := checkOpenLead(tx, *l); err != nil {
			return err
		}
		if err := tx.Insert(*l); err != nil {
			return err
		}
		if err := emit(tx, events); err != nil {
			return err
		}
		return recordChanges(tx, Lead{}, *l)
	})
}

// updateLead loads a lead, lets change modify it and saves it, all in one
// transaction: an error from change saves nothing and is returned. Besides
// the lead's own fields it records the history entries, documents and
// signatures change appended. change may run more than once (see
// writeLeads), each time on a freshly loaded lead.
func (s *LeadService) updateLead(ctx context.Context, p Principal, id string, change func(*Lead) error) (Lead, error) {
	return s.rewriteLead(ctx, p, id, func(_ LeadTx, _, l *Lead) error { return change(l) })
}

// rewriteLead is updateLead for a change that also uses the transaction's
// primitives on what was loaded (old): one that deletes the documents sets
// old.Documents to nil, so that only what is appended after is recorded.
func (s *LeadService) rewriteLead(ctx context.Context, p Principal, id string, change func(tx LeadTx, old, l *Lead) error) (Lead, error) {
	var out Lead
	err := s.writeLeads(ctx, func(tx LeadTx) error {
		old, err := tx.Lead(p.PartnerID, id)
		if err != nil {
			return err
		}
		if !p.sees(old) {
			return leadNotFound(apperr.New(apperr.NotFound, "not the caller's seller"))
		}
		l := old.clone()
		if err := change(tx, &old, &l); err != nil {
			return err
		}
		if err := checkOpenLead(tx, l); err != nil {
			return err
		}
		events, err := s.encode(old, &l)
		if err != nil {
			return err
		}
		if err := tx.Save(l); err != nil {
			return err
		}
		if err := emit(tx, events); err != nil {
			return err
		}
		if err := recordChanges(tx, old, l); err != nil {
			return err
		}
		out = l
		return nil
	})
	if err != nil {
		return Lead{}, err
	}
	return out, nil
}

// dropDocuments deletes the records of every document of the lead being
// rewritten and returns their stored files, to delete after the commit.
func dropDocuments(tx LeadTx, old, l *Lead) ([]string, error) {
	var files []string
	for _, d := range old.Documents {
		files = append(files, d.Key)
	}
	if err := tx.DeleteDocuments(l.ID); err != nil {
		return nil, err
	}
	old.Documents, l.Documents = nil, nil
	return files, nil
}

// writeLeads runs fn in a store transaction, and once more when the
// open-lead index refused it: a concurrent transaction opened a lead for
// the same customer first, and the second run's check finds that lead and
// names it.
func (s *LeadService) writeLeads(ctx context.Context, fn func(LeadTx) error) error {
	err := s.store.WriteLeads(ctx, fn)
	if errors.Is(err, ErrOpenLeadTaken) {
		err = s.store.WriteLeads(ctx, fn)
	}
	return err
}

// checkOpenLead enforces one open lead per customer and partner, naming the
// existing lead so the client can continue with it.
func checkOpenLead(tx LeadTx, l Lead) error {
	if !l.Status.Open() {
		return nil
	}
	existing, err := tx.OpenLeadWith(l.PartnerID, l.IdentificationNumber, l.ID)
	if err != nil || existing == "" {
		return err
	}
	return &apperr.Error{
		Code:    apperr.Conflict,
		Message: "Já existe um lead em aberto com este identificationNumber.",
		Meta:    map[string]string{"id": existing},
	}
}

// recordChanges writes what l gained over old (the zero Lead for a new
// one): the history entries, documents and signatures appended, and the
// count of its status. It is a write's last step, and the counts its last
// part: their rows are shared by all of a partner's writes, and
// PostgreSQL holds a written row's lock until the commit, so the later
// they are taken the sooner the next write of the partner may take them.
func recordChanges(tx LeadTx, old, l Lead) error {
	for _, h := range l.History[len(old.History):] {
		if err := tx.AppendHistory(l.ID, h); err != nil {
			return err
		}
	}
	for _, d := range l.Documents[len(old.Documents):] {
		if err := tx.AppendDocument(l.ID, d); err != nil {
			return err
		}
	}
	for _, sg := range l.Signatures[len(old.Signatures):] {
		if err := tx.AppendSignature(l.ID, sg); err != nil {
			return err
		}
	}
	if l.Status == old.Status {
		return nil
	}
	if old.Status == "" {
		return tx.AdjustCount(l, l.Status, 1)
	}
	// In status order: two writes moving leads of one shard between the
	// same two statuses, in opposite directions, would otherwise each hold
	// a row the other waits for (PostgreSQL then aborts one as a deadlock).
	first, second := func() error { return tx.AdjustCount(old, old.Status, -1) },
		func() error { return tx.AdjustCount(l, l.Status, 1) }
	if l.Status < old.Status {
		first, second = second, first
	}
	if err := first(); err != nil {
		return err
	}
	return second()
}

// clone copies the slices a change may append to, so that the loaded lead
// keeps its lengths for recordChanges, and the contract, so that a change
// to its code states does not reach the loaded lead.
func (l Lead) clone() Lead {
	l.History = append([]StatusChange(nil), l.History...)
	l.Documents = append([]Document(nil), l.Documents...)
	l.Signatures = append([]Signature(nil), l.Signatures...)
	if l.Contract != nil {
		c := *l.Contract
		c.Codes = append([]SignCode(nil), c.Codes...)
		l.Contract = &c
	}
	return l
}

// encode encodes l's GET answer once for what a write that turned old
// (the zero Lead for a new one) into l stores with it: l.Snapshot, the
// answer itself, unless it carries a contract (its links are made from
// the public URL and the signer's token, which are not stored in clear),
// and the webhook events, each carrying the answer.
func (s *LeadService) encode(old Lead, l *Lead) ([]webhook.Event, error) {
	answer, err := json.Marshal(s.leadBody(s.publicURL, *l))
	if err != nil {
		return nil, err
	}
	l.Snapshot = nil
	if l.Contract == nil {
		l.Snapshot = answer
	}
	return s.leadEvents(old, *l, answer)
}

// leadEvents are the webhook events of a write that turned old (the zero
// Lead for a new one) into l, each carrying answer, l as its GET answers
// it: lead.created for a new lead; otherwise lead.updated when the lead's
// own data changed, lead.status_changed, lead.document_uploaded,
// contract.created (a new contract was sent) and contract.signed (the last
// signature made it assinado), as they apply.
func (s *LeadService) leadEvents(old, l Lead, answer []byte) ([]webhook.Event, error) {
	var types []string
	if old.ID == "" {
		types = append(types, webhook.LeadCreated)
	} else {
		if !reflect.DeepEqual(old.ownData(), l.ownData()) {
			types = append(types, webhook.LeadUpdated)
		}
		if l.Status != old.Status {
			types = append(types, webhook.LeadStatusChanged)
		}
		if len(l.Documents) > len(old.Documents) {
			types = append(types, webhook.LeadDocumentUploaded)
		}
		if l.Contract != nil && (old.Contract == nil || l.Contract.Key != old.Contract.Key) {
			types = append(types, webhook.ContractCreated)
		}
		if l.Status == StatusAssinado && old.Status != StatusAssinado {
			types = append(types, webhook.ContractSigned)
		}
	}
	if len(types) == 0 {
		return nil, nil
	}
	owner := webhook.Owner{Surface: webhook.Energy, ID: l.PartnerID}
	events := make([]webhook.Event, len(types))
	for i, t := range types {
		var err error
		if events[i], err = webhook.NewEvent(owner, t, json.RawMessage(answer), s.clock()); err != nil {
			return nil, err
		}
	}
	return events, nil
}

// ownData is the lead without what the journey's own events announce
// (status, documents, contract, signatures), its update time and its
// snapshot.
func (l Lead) ownData() Lead {
	l.Status, l.StatusDetails, l.History, l.Documents, l.Contract, l.Signatures = "", "", nil, nil, nil, nil
	l.UpdatedAt, l.Snapshot = time.Time{}, nil
	return l
}

func emit(tx LeadTx, events []webhook.Event) error {
	for _, ev := range events {
		if err := tx.Emit(ev); err != nil {
			return err
		}
	}
	return nil
}
