package companies

import (
	"context"
	"net/http"
	"time"

	"partnership-service/internal/httpx"
)

// contactDataJSON is the LGPD export of a company's contact.
type contactDataJSON struct {
	CompanyID        int64       `json:"company_id"`
	ExportedAt       time.Time   `json:"exported_at"`
	ContactName      *string     `json:"contact_name"`
	ContactTelephone *string     `json:"contact_telephone"`
	ContactCellphone *string     `json:"contact_cellphone"`
	ContactEmail     *string     `json:"contact_email"`
	History          []auditJSON `json:"history"`
}

// contactData answers GET …/personal-data with the export.
func (h *Handler) contactData(w http.ResponseWriter, r *http.Request, sess *Session) {
	h.serveContactData(w, r, sess, h.svc.ContactData)
}

// eraseContact answers DELETE …/personal-data with the contact data the
// erasure leaves.
func (h *Handler) eraseContact(w http.ResponseWriter, r *http.Request, sess *Session) {
	h.serveContactData(w, r, sess, h.svc.EraseContact)
}

// serveContactData runs do on the company in the path and writes the
// contact data it returns.
func (h *Handler) serveContactData(w http.ResponseWriter, r *http.Request, sess *Session, do func(context.Context, *Session, int64) (ContactData, error)) {
	id, err := pathID(r)
	var d ContactData
	if err == nil {
		d, err = do(r.Context(), sess, id)
	}
	if err != nil {
		Render(w, r, err)
		return
	}
	c := d.Company
	out := contactDataJSON{CompanyID: c.ID, ExportedAt: h.svc.now().UTC(),
		ContactName: optString(c.ContactName), ContactTelephone: optString(c.ContactTelephone),
		ContactCellphone: optString(c.ContactCellphone), ContactEmail: optString(c.ContactEmail),
		History: make([]auditJSON, len(d.History))}
	for i, e := range d.History {
		out.History[i] = toAuditJSON(e)
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusOK, out)
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
