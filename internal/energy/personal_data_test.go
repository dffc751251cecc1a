package energy_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"strings"
	"testing"
)

// TestPersonalDataExportAndErasure: the LGPD rights on a lead. The export
// holds every stored field, the documents' metadata and the full signature
// evidence; the erasure anonymises and destroys the rest, keeping the
// signed contract and its evidence, and records itself.
func TestPersonalDataExportAndErasure(t *testing.T) {
	eachLeadEnv(t, func(t *testing.T, env *leadEnv) {
		c := env.A
		path := leadPath(t, c, naturalLead())
		c.JSON(http.MethodPatch, path+"/energy-utility-credentials", map[string]any{"utilityBillLogin": "login@cpfl.com", "password": "qwer1234"}).Expect(http.StatusOK)
		c.Do(multipartRequest(c, http.MethodPost, path+"/utility-bill", filePart{"utilityBill", "conta-john.pdf", pdfBytes})).Expect(http.StatusCreated)
		sp := contractLink(t, c, path)
		signAs(t, env, sp, 1).Expect(http.StatusOK)

		env.B.Get(path + "/personal-data").Expect(http.StatusNotFound)
		env.B.Do(env.B.NewRequest(http.MethodDelete, path+"/personal-data", nil, "")).Expect(http.StatusNotFound)
		env.Anon.Get(path + "/personal-data").Expect(http.StatusUnauthorized)
		c.Get("/sales-conversion/leads/not-a-uuid/personal-data").Expect(http.StatusBadRequest)

		export := c.Get(path + "/personal-data").Expect(http.StatusOK)
		if bytes.Contains(export.Body, []byte("qwer1234")) {
			t.Fatal("the export carries the utility password")
		}
		ex := export.Map()
		lead := ex["lead"].(map[string]any)
		ev := ex["signatureEvidence"].([]any)
		if lead["identificationNumber"] != "11144477735" || lead["emailAddress"] != "another@mail.com" || len(lead["documents"].([]any)) != 1 ||
			len(ev) != 1 || ev[0].(map[string]any)["ip"] == "" || ex["contract"] == nil {
			t.Fatalf("export = %s", export.Body)
		}

		erased := c.Do(c.NewRequest(http.MethodDelete, path+"/personal-data", nil, "")).Expect(http.StatusOK).Map()
		after := c.Get(path).Expect(http.StatusOK)
		l := after.Map()
		// The signature (name, CPF, time) is the evidence that stays;
		// nothing else names the customer.
		rest := maps.Clone(l)
		delete(rest, "signatures")
		restJSON, _ := json.Marshal(rest)
		for _, gone := range []string{"John Cena", "11144477735", "another@mail.com", "11999885544", "Rua Ladrilhos", "conta-john.pdf", "Mecânico", "13010"} {
			if bytes.Contains(restJSON, []byte(gone)) {
				t.Errorf("after the erasure the lead still shows %q: %s", gone, restJSON)
			}
		}
		if l["status"] != "assinado" || l["fullName"] != "Titular anonimizado" || l["hasEnergyUtilityCredentials"] != false || l["contractSignerLink"] != nil || l["contractLink"] == nil {
			t.Errorf("erased lead = %s", after.Body)
		}
		hist := l["statusHistory"].([]any)
		last := hist[len(hist)-1].(map[string]any)["statusDetails"].(string)
		if !strings.Contains(last, "LGPD") || !strings.Contains(last, "Partner A") || !strings.Contains(last, "mantidos o contrato assinado") {
			t.Errorf("the erasure record says %q", last)
		}
		// Kept: the signed contract, its hash and the signature evidence.
		kept := erased["signatureEvidence"].([]any)
		if len(kept) != 1 || kept[0].(map[string]any)["cpf"] != "11144477735" || erased["contract"] == nil {
			t.Errorf("the erasure dropped the signature evidence: %v", erased)
		}
		if files := storedFiles(t, env.BlobDir); len(files) != 1 {
			t.Errorf("stored files after the erasure: %v, want only the signed contract", files)
		}
		c.Get(path + "/contract").Expect(http.StatusOK)
		env.Anon.Get(sp).Expect(http.StatusNotFound)
	})
}

// TestErasingAnOpenLead: an unsigned lead loses its contract too, leaves
// the open leads (desqualificado), and no file stays behind.
func TestErasingAnOpenLead(t *testing.T) {
	eachLeadEnv(t, func(t *testing.T, env *leadEnv) {
		c := env.A
		path := leadPath(t, c, juridicalLead())
		c.Do(multipartRequest(c, http.MethodPost, path+"/document", filePart{"file", "contrato-social.pdf", pdfBytes})).Expect(http.StatusCreated)
		sp := signPath(t, juridicalContract(t, c, path, representative("John Doe", "607.384.560-04")))

		erased := c.Do(c.NewRequest(http.MethodDelete, path+"/personal-data", nil, "")).Expect(http.StatusOK).Map()
		l := erased["lead"].(map[string]any)
		if l["status"] != "desqualificado" || l["contractLink"] != nil || len(l["legalRepresentatives"].([]any)) != 0 || l["companyName"] == "" || erased["contract"] != nil {
			t.Errorf("erased open lead = %v", erased)
		}
		if files := storedFiles(t, env.BlobDir); len(files) != 0 {
			t.Errorf("stored files after the erasure: %v", files)
		}
		env.Anon.Get(sp).Expect(http.StatusNotFound)
		createLead(t, c, juridicalLead()) // no open lead holds the CNPJ any more
	})
}
