package storefront_test

import (
	"bytes"
	"io/fs"
	"net/http"
	"path/filepath"
	"testing"
)

// TestSubscriptionPersonalDataExportAndErasure: the provider exports a
// subscription's personal data, then erases it: the personal attributes
// become null, the files are gone (records and bytes), the rest stays, and
// the erasure is recorded without naming the token in clear.
func TestSubscriptionPersonalDataExportAndErasure(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		id := *h.a.subscribe(t, subscription(h.a.fast, nil)).Data.ID
		upload(t, h.a.client, id, part{"files[comprovante_rg]", "rg-maria.jpg", jpegFile}).Expect(http.StatusOK)
		path := "/api/v2/admin/subscriptions/" + id + "/personal-data"

		h.b.admin.Get(path).Expect(http.StatusNotFound)
		h.b.admin.Do(h.b.admin.NewRequest(http.MethodDelete, path, nil, "")).Expect(http.StatusNotFound)
		h.a.client.Get(path).Expect(http.StatusUnauthorized)

		type export struct {
			Data struct {
				Attributes struct {
					Subscription map[string]any `json:"subscription"`
					Erasures     []struct {
						ErasedBy string   `json:"erased_by"`
						Fields   []string `json:"fields"`
					} `json:"erasures"`
				} `json:"attributes"`
			} `json:"data"`
		}
		var before export
		h.a.admin.Get(path).Expect(http.StatusOK).Decode(&before)
		if sub := before.Data.Attributes.Subscription; sub["nome_razao_social"] == nil || len(sub["files"].([]any)) != 1 || len(before.Data.Attributes.Erasures) != 0 {
			t.Fatalf("export = %+v", before)
		}

		resp := h.a.admin.Do(h.a.admin.NewRequest(http.MethodDelete, path, nil, "")).Expect(http.StatusOK)
		var after export
		resp.Decode(&after)
		sub := after.Data.Attributes.Subscription
		for _, f := range []string{"nome_razao_social", "email", "telefone_celular", "cpf_cnpj", "data_nascimento", "rua", "numero", "bairro", "cep", "coordinates"} {
			if sub[f] != nil {
				t.Errorf("after the erasure %s = %v", f, sub[f])
			}
		}
		if len(sub["files"].([]any)) != 0 || sub["cidade"] == nil || sub["plan_id"] == nil {
			t.Errorf("after the erasure: %v", sub)
		}
		if er := after.Data.Attributes.Erasures; len(er) != 1 || len(er[0].Fields) == 0 || len(er[0].ErasedBy) != len("token ")+12 {
			t.Errorf("erasure record = %+v", er)
		}
		if bytes.Contains(resp.Body, []byte(h.a.token)) {
			t.Error("the erasure record carries the admin token")
		}
		var files []string
		_ = filepath.WalkDir(h.blobDir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				files = append(files, p)
			}
			return err
		})
		if len(files) != 0 {
			t.Errorf("stored files after the erasure: %v", files)
		}
		// The subscription itself (plan, coverage) stays for the provider.
		h.a.admin.Get("/api/v2/admin/subscriptions/" + id).Expect(http.StatusOK)
	})
}
