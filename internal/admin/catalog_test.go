package admin_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestGDCatalog: a utility's commercial data, its plans and the
// free-market threshold, each with the energy admin API's messages on bad
// input and each change in the trail.
func TestGDCatalog(t *testing.T) {
	c := newConsole(t)
	u := c.gd.Data().Utilities[0]
	path := "/admin/catalogo/distribuidoras/" + u.PublicID
	if code, page := c.do(http.MethodGet, "/admin/catalogo", nil); code != http.StatusOK || !strings.Contains(page, u.Name) {
		t.Fatalf("catalog: %d", code)
	}
	code, page := c.post(path, path, url.Values{"energyUtilityName": {u.Name}, "state": {u.UF}, "gdMinimumBill.natural": {"muito"}})
	if code != http.StatusBadRequest || !strings.Contains(page, "gdMinimumBill.natural deve ser um valor positivo") {
		t.Fatalf("bad minimum: %d\n%s", code, page)
	}
	if code, _ := c.post(path, path, url.Values{"energyUtilityName": {u.Name}, "state": {u.UF}, "energyUtilityQualified": {"sim"},
		"gdMinimumBill.natural": {"250,50"}}); code != http.StatusSeeOther {
		t.Fatalf("update: %d", code)
	}
	if got, _ := c.gd.Utility(u.PublicID); !got.Qualified || got.GDMinNaturalCents != 25050 {
		t.Fatalf("utility after: %+v", got)
	}

	code, page = c.post(path, path+"/planos", url.Values{"name": {"Verde"}, "fidelityMonths": {"12"}, "discount": {"15%"}})
	if code != http.StatusBadRequest || !strings.Contains(page, "discount deve ser uma fração decimal") {
		t.Fatalf("bad plan: %d\n%s", code, page)
	}
	if code, _ := c.post(path, path+"/planos", url.Values{"name": {"Verde"}, "fidelityMonths": {"12"}, "discount": {"0.15"},
		"offeredBenefits": {"Sem taxa de adesão\r\n\r\nApp de acompanhamento"}}); code != http.StatusSeeOther {
		t.Fatalf("create plan: %d", code)
	}
	_, plans, _ := c.gd.PlansOf(u.PublicID)
	if len(plans) != 1 || plans[0].Discount != "0.15" || len(plans[0].Benefits) != 2 {
		t.Fatalf("plans: %+v", plans)
	}
	planPath := "/admin/catalogo/planos/" + itoa(plans[0].ID)
	if code, _ := c.post(planPath, planPath, url.Values{"name": {"Verde"}, "fidelityMonths": {"24"}, "discount": {"0.15"},
		"offeredBenefits": {"Sem taxa de adesão\nApp de acompanhamento"}}); code != http.StatusSeeOther {
		t.Fatalf("update plan: %d", code)
	}
	code, page = c.post(planPath, planPath, url.Values{"name": {"Verde"}, "fidelityMonths": {"doze"}, "discount": {"0.15"}})
	if code != http.StatusBadRequest || !strings.Contains(page, "fidelityMonths deve estar entre 0 e 240") {
		t.Fatalf("bad fidelity: %d\n%s", code, page)
	}

	code, page = c.post("/admin/catalogo", "/admin/catalogo/mercado-livre", url.Values{"freeMarketMinimumBill": {"x"}})
	if code != http.StatusBadRequest || !strings.Contains(page, "freeMarketMinimumBill deve ser um valor positivo") {
		t.Fatalf("bad threshold: %d\n%s", code, page)
	}
	if code, _ := c.post("/admin/catalogo", "/admin/catalogo/mercado-livre", url.Values{"freeMarketMinimumBill": {"20000"}}); code != http.StatusSeeOther ||
		c.gd.Data().Thresholds.FreeMarketMinCents != 2_000_000 {
		t.Fatalf("threshold: %d %+v", code, c.gd.Data().Thresholds)
	}
	var actions []string
	for _, e := range c.entries() {
		actions = append(actions, e.Action)
	}
	if strings.Join(actions, ", ") != "Limite do Mercado Livre alterado, Plano GD alterado, Plano GD criado, Distribuidora alterada" {
		t.Errorf("trail: %v", actions)
	}
	if e := c.entries()[1]; len(e.Changes) != 1 || e.Changes[0].Before != "12" || e.Changes[0].After != "24" {
		t.Errorf("plan change recorded as %+v", e.Changes)
	}
}

// TestAreasImport: the CSV upload goes through import-areas' reader and
// import, and the page reports the refused lines; a dry run writes
// nothing; the upload's CSRF token is in its URL.
func TestAreasImport(t *testing.T) {
	c := newConsole(t)
	u := c.gd.Data().Utilities[0]
	before := len(c.gd.Data().Areas)
	csv := "utility_name,ibge_code\n" + u.Name + ",3550308\n" + u.Name + ",9999999\nDistribuidora Inexistente,3304557\n"
	upload := func(token string, dryRun bool) (int, string) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		if dryRun {
			_ = mw.WriteField("simulacao", "sim")
		}
		fw, _ := mw.CreateFormFile("arquivo", "areas.csv")
		_, _ = fw.Write([]byte(csv))
		_ = mw.Close()
		c.signIn()
		a := c.browser.Do(http.MethodPost, "/admin/catalogo/areas?"+url.Values{"csrf": {token}}.Encode(), &body, mw.FormDataContentType())
		return a.Status, a.Body
	}
	c.signIn()
	token := c.browser.TokenOf("/admin/catalogo")
	if code, _ := upload("forjado", false); code != http.StatusForbidden {
		t.Fatalf("forged token: %d", code)
	}
	code, page := upload(token, true)
	if code != http.StatusOK || !strings.Contains(page, "Simulação da importação") || !strings.Contains(page, "Distribuidora Inexistente") ||
		!strings.Contains(page, "Linha 3") || len(c.gd.Data().Areas) != before || len(c.entries()) != 0 {
		t.Fatalf("dry run: %d, %d areas, %d entries\n%s", code, len(c.gd.Data().Areas), len(c.entries()), page)
	}
	code, page = upload(token, false)
	if code != http.StatusOK || !strings.Contains(page, "Importação concluída") || !strings.Contains(page, "2 recusada(s)") {
		t.Fatalf("import: %d\n%s", code, page)
	}
	if e := c.entries(); len(e) != 1 || e[0].Action != "Áreas importadas" || e[0].Changes[0].After != "areas.csv" {
		t.Fatalf("trail: %+v", e)
	}
}
