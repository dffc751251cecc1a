package companies_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// TestContactPersonalData: the contact of a company is exported with its
// history, and erased from the company and from the audit log's values,
// the entries themselves kept, and the erasure recorded.
func TestContactPersonalData(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		id := w.create(w.client, map[string]any{"name": "Padaria", "contact_name": "Joana Lima", "contact_email": "joana@padaria.com.br", "contact_cellphone": "(11) 99888-7766"})
		w.client.api.JSON(http.MethodPut, path(id), map[string]any{"contact_telephone": "(11) 3333-4444", "name": "Padaria Lima"}).Expect(http.StatusOK)
		pd := path(id) + "/personal-data"

		w.foreign.api.Get(pd).Expect(http.StatusNotFound)
		w.foreign.api.Do(w.foreign.api.NewRequest(http.MethodDelete, pd, nil, "")).Expect(http.StatusNotFound)
		w.anon.Get(pd).Expect(http.StatusUnauthorized)

		type export struct {
			ContactName  *string `json:"contact_name"`
			ContactEmail *string `json:"contact_email"`
			History      []struct {
				Action  string         `json:"action"`
				Changes map[string]any `json:"changes"`
			} `json:"history"`
		}
		var before export
		w.client.api.Get(pd).Expect(http.StatusOK).Decode(&before)
		if before.ContactName == nil || *before.ContactName != "Joana Lima" || len(before.History) != 2 {
			t.Fatalf("export = %+v", before)
		}
		if _, ok := before.History[1].Changes["name"]; ok {
			t.Error("the export carries changes to the company's own fields")
		}

		var after export
		w.manager.api.Do(w.manager.api.NewRequest(http.MethodDelete, pd, nil, "")).Expect(http.StatusOK).Decode(&after)
		if after.ContactName != nil || after.ContactEmail != nil || len(after.History) != 3 || after.History[2].Action != "erase" {
			t.Errorf("after the erasure = %+v", after)
		}
		log := w.super.api.Get("/api/v4/audit-log?company_id=" + strings.TrimPrefix(path(id), "/api/v4/companies/")).Expect(http.StatusOK)
		for _, gone := range []string{"Joana", "joana@padaria", "99888-7766", "3333-4444"} {
			if bytes.Contains(log.Body, []byte(gone)) {
				t.Errorf("the audit log still quotes %q", gone)
			}
		}
		if !bytes.Contains(log.Body, []byte("Padaria Lima")) || !bytes.Contains(log.Body, []byte("gestor@example.com")) {
			t.Errorf("the audit log lost what is not the contact's: %s", log.Body)
		}
	})
}
