package companies

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"time"
)

// Personal data under LGPD: a company is a legal entity, but its contact
// (name, phones, e-mail) is a person. Whoever may see the company exports
// and erases the contact's data.

// contactFields are the audit log's names of the contact's fields.
var contactFields = []string{"contact_name", "contact_telephone", "contact_cellphone", "contact_email"}

// ErasedValue replaces a contact's value quoted by the audit log.
const ErasedValue = "[eliminado]"

// ContactData is what is stored about a company's contact: the fields,
// and every change to them the audit log holds (changes to other fields
// left out: they are the company's, not the person's).
type ContactData struct {
	Company Company
	History []AuditEntry // oldest first; Changes hold only contact fields
}

// ContactData exports the contact of a company the session may see.
func (s *Service) ContactData(ctx context.Context, sess *Session, id int64) (ContactData, error) {
	c, err := s.visibleCompany(ctx, sess, id)
	if err != nil {
		return ContactData{}, err
	}
	entries, _, err := s.store.AuditLog(ctx, id, math.MaxInt32, 0)
	if err != nil {
		return ContactData{}, err
	}
	out := ContactData{Company: c, History: []AuditEntry{}}
	for i := len(entries) - 1; i >= 0; i-- { // AuditLog is newest first
		e := entries[i]
		if e.Changes = onlyContact(e.Changes); e.Changes != nil {
			out.History = append(out.History, e)
		}
	}
	return out, nil
}

// EraseContact clears the company's contact fields and the contact's
// values the audit log quotes, keeping each entry (who changed what, when:
// the record the law asks for) with the values replaced by ErasedValue.
// The erasure is an audit entry of its own (action erase).
func (s *Service) EraseContact(ctx context.Context, sess *Session, id int64) (ContactData, error) {
	err := s.writeCompany(ctx, sess, id, func(tx CompanyTx, cur Company, now time.Time) error {
		entries, err := tx.CompanyAudit(ctx, id)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if red, changed := redactContact(e.Changes); changed {
				if err := tx.SetAuditChanges(ctx, e.ID, red); err != nil {
					return err
				}
			}
		}
		c := cur
		c.ContactName, c.ContactTelephone, c.ContactCellphone, c.ContactEmail = "", "", "", ""
		c.UpdatedAt = now
		if err := tx.Update(ctx, c); err != nil {
			return err
		}
		changes, _ := redactContact(diff(&cur, &c))
		if changes == nil {
			changes = []byte("{}") // nothing was stored: the request is recorded all the same
		}
		return tx.AppendAudit(ctx, s.audit(sess, id, Erased, changes, now))
	})
	if err != nil {
		return ContactData{}, err
	}
	return s.ContactData(ctx, sess, id)
}

// redactContact replaces the contact values in an audit entry's changes;
// changed reports whether there were any.
func redactContact(changes []byte) (out []byte, changed bool) {
	var m map[string]map[string]any
	if len(changes) == 0 || json.Unmarshal(changes, &m) != nil {
		return changes, false
	}
	for _, f := range contactFields {
		ch, ok := m[f]
		if !ok {
			continue
		}
		for _, side := range []string{"from", "to"} {
			if v, ok := ch[side]; ok && v != nil && v != ErasedValue {
				ch[side], changed = ErasedValue, true
			}
		}
	}
	if !changed {
		return changes, false
	}
	out, _ = json.Marshal(m) // decoded JSON always encodes
	return out, true
}

// onlyContact keeps the contact fields of an audit entry's changes, nil
// when it has none.
func onlyContact(changes []byte) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(changes, &m) != nil {
		return nil
	}
	kept := map[string]json.RawMessage{}
	for k, v := range m {
		if strings.HasPrefix(k, "contact_") {
			kept[k] = v
		}
	}
	if len(kept) == 0 {
		return nil
	}
	out, _ := json.Marshal(kept)
	return out
}
