package energy_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"partnership-service/internal/apitest"
	"partnership-service/internal/blob/blobtest"
)

// Files the upload routes accept, recognised by content.
var (
	pdfBytes  = blobtest.PDF
	pngBytes  = blobtest.PNG
	jpegBytes = blobtest.JPEG
)

type filePart struct {
	field, name string
	data        []byte
}

func multipartRequest(c *apitest.Client, method, path string, parts ...filePart) *http.Request {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		w, _ := mw.CreateFormFile(p.field, p.name)
		w.Write(p.data)
	}
	mw.Close()
	return c.NewRequest(method, path, &buf, mw.FormDataContentType())
}

func naturalLead() map[string]any {
	return map[string]any{
		"fullName": "John Cena", "personType": "natural", "companyName": "Empresa Social LTDA",
		"emailAddress": "another@mail.com", "mobilePhone": "(11) 99988-5544", "utilityBillHolder": "natural",
		"utilityBillingValue": 850.15, "identificationNumber": "111.444.777-35", "nationality": "Brasileiro",
		"maritalStatus": "Solteiro", "profession": "Mecânico", "zipCode": "13010-000", "state": "SP",
		"city": "Campinas", "street": "Rua Ladrilhos Dourados", "number": "777", "neighborhood": "Centro",
		"complement": "Quadra 2",
		"plan":       map[string]any{"benefit": "Ganhou_1_Fatura_Gratis", "discount": "14", "loyaltyRequirement": "60", "planName": "Premium"},
	}
}

func juridicalLead() map[string]any {
	l := naturalLead()
	l["personType"], l["utilityBillHolder"] = "PJ", "juridical"
	l["fullName"], l["companyName"] = "Claire Redfield", "Empresa Parceria LTDA"
	l["identificationNumber"] = "47.526.391/0001-46"
	delete(l, "plan")
	delete(l, "nationality")
	delete(l, "maritalStatus")
	delete(l, "profession")
	return l
}

func representative(name, cpf string) map[string]any {
	return map[string]any{
		"name": name, "identificationNumber": cpf, "email": "rep@example.com", "cellphone": "11999885544",
		"nationality": "Brasileiro", "profession": "Diretor Comercial", "maritalStatus": "Casado",
		"address": map[string]any{"street": "Rua Ladrilhos Dourados", "number": "777", "complement": "Quadra 2",
			"neighborhood": "Centro", "zipCode": "13010-000", "city": "Campinas", "state": "SP"},
	}
}

// twoRepresentatives are a juridical contract's signers 1 (John Doe) and
// 2 (Jill Valentine).
func twoRepresentatives() []any {
	return []any{representative("John Doe", "607.384.560-04"), representative("Jill Valentine", "529.982.247-25")}
}

func createLead(t *testing.T, c *apitest.Client, body map[string]any) map[string]any {
	t.Helper()
	return c.JSON(http.MethodPost, "/sales-conversion/leads", body).Expect(http.StatusCreated).Map()
}

// leadPath creates a lead from body as c and returns its path.
func leadPath(t *testing.T, c *apitest.Client, body map[string]any) string {
	t.Helper()
	_, path := newLead(t, c, body)
	return path
}

// newLead creates a lead from body as c and returns its id and its path.
func newLead(t *testing.T, c *apitest.Client, body map[string]any) (id, path string) {
	t.Helper()
	id = createLead(t, c, body)["id"].(string)
	return id, "/sales-conversion/leads/" + id
}

// signPath is the path of a lead's signing link.
func signPath(t *testing.T, lead map[string]any) string {
	t.Helper()
	link, _ := lead["contractSignerLink"].(string)
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(u.Path, "/sales-conversion/sign/") {
		t.Fatalf("contractSignerLink = %q, want a signing page URL", link)
	}
	return u.Path
}

// contractLink creates a contract on the lead at path, from the lead as it
// stands (an empty body), and returns the path of its signing link.
func contractLink(t *testing.T, c *apitest.Client, path string) string {
	t.Helper()
	return signPath(t, c.JSON(http.MethodPost, path+"/contracts", map[string]any{}).Expect(http.StatusCreated).Map())
}

// basicPlan chooses newLeadEnv's "Plano Básico" in a contract's body.
func basicPlan() map[string]any {
	return map[string]any{"planName": "Plano Básico", "discount": "10,5", "loyaltyRequirement": "12"}
}

// juridicalContract creates a contract on the juridical lead at path, on
// the Plano Básico, with reps as its legal representatives, and returns the
// contract answer.
func juridicalContract(t *testing.T, c *apitest.Client, path string, reps ...any) map[string]any {
	t.Helper()
	return c.JSON(http.MethodPost, path+"/contracts", map[string]any{"plan": basicPlan(), "legalRepresentatives": reps}).
		Expect(http.StatusCreated).Map()
}

// postSign posts the signing form as signer n (1-based) with code.
func postSign(c *apitest.Client, path string, n int, code string, accept bool) *apitest.Response {
	form := url.Values{"signer": {strconv.Itoa(n)}, "code": {code}}
	if accept {
		form.Set("accept", "on")
	}
	return c.Do(c.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"))
}

// requestCode asks the page to mail signer n a one-time code.
func requestCode(c *apitest.Client, path string, n int) *apitest.Response {
	form := url.Values{"signer": {strconv.Itoa(n)}}
	return c.Do(c.NewRequest(http.MethodPost, path+"/code", strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"))
}

// signAs signs as signer n the way a person does: asks for the code,
// reads it in the mail and enters it.
func signAs(t *testing.T, env *leadEnv, path string, n int) *apitest.Response {
	t.Helper()
	requestCode(env.Anon, path, n).Expect(http.StatusOK)
	return postSign(env.Anon, path, n, lastCode(t, env.Mail), true)
}

var codeInMail = regexp.MustCompile(`(?m)^(\d{6})\r?$`)

// lastCode is the code in the last code message the service enqueued.
func lastCode(t *testing.T, box *mailbox) string {
	t.Helper()
	msgs := box.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		if m := codeInMail.FindStringSubmatch(msgs[i].Text); m != nil && strings.Contains(msgs[i].Subject, "Código") {
			return m[1]
		}
	}
	t.Fatal("no code message was enqueued")
	return ""
}

// otherCode is a well-formed code that is not code.
func otherCode(code string) string {
	if code == "000000" {
		return "000001"
	}
	return "000000"
}

func statuses(lead map[string]any) []string {
	var out []string
	for _, h := range lead["statusHistory"].([]any) {
		out = append(out, h.(map[string]any)["status"].(string))
	}
	return out
}

func TestNaturalLeadJourney(t *testing.T) {
	eachLeadEnv(t, func(t *testing.T, env *leadEnv) {
		c := env.A
		lead := createLead(t, c, naturalLead())
		id := lead["id"].(string)
		path := "/sales-conversion/leads/" + id
		for field, want := range map[string]any{
			"status": "indicado", "sellerName": "Seller A", "personType": "natural", "identificationNumber": "11144477735",
			"mobilePhone": "11999885544", "zipCode": "13010-000", "city": "Campinas", "ibgeCode": "3509502",
			"utilityBillingValue": 850.15, "energyUtilityName": "CPFL PAULISTA", "hasEnergyUtilityCredentials": false,
		} {
			if lead[field] != want {
				t.Errorf("created lead %s = %v, want %v", field, lead[field], want)
			}
		}
		wantPlan := map[string]any{"planName": "Plano Premium", "discount": "14", "loyaltyRequirement": "60", "benefit": "Primeira Fatura Grátis"}
		if fmt.Sprint(lead["plan"]) != fmt.Sprint(wantPlan) {
			t.Errorf("plan = %v, want %v", lead["plan"], wantPlan)
		}

		dup := c.JSON(http.MethodPost, "/sales-conversion/leads", naturalLead()).Expect(http.StatusConflict).Map()
		if dup["id"] != id {
			t.Errorf("duplicate answered id %v, want %s", dup["id"], id)
		}

		c.Get(path).Expect(http.StatusOK)
		res := c.Get("/sales-conversion/leads?filters=customer:111.444.777-35,status:indicado").Expect(http.StatusOK)
		if list := res.Map(); list["total"] != 1.0 || res.Header.Get("X-Total-Exact") != "true" {
			t.Errorf("list total = %v (X-Total-Exact %q), want 1, exact", list["total"], res.Header.Get("X-Total-Exact"))
		}

		updated := c.JSON(http.MethodPut, path, map[string]any{
			"fullName": "John Felix Cena", "address": map[string]any{"number": "778"},
			"billingData": map[string]any{"profession": "Eletricista"},
		}).Expect(http.StatusOK).Map()
		if updated["fullName"] != "John Felix Cena" || updated["number"] != "778" || updated["profession"] != "Eletricista" || updated["street"] != "Rua Ladrilhos Dourados" {
			t.Errorf("updated lead = %v", updated)
		}

		creds := c.JSON(http.MethodPatch, path+"/energy-utility-credentials",
			map[string]any{"utilityBillLogin": "login@cpfl.com", "password": "qwer1234"}).Expect(http.StatusOK)
		if creds.Map()["hasEnergyUtilityCredentials"] != true || bytes.Contains(creds.Body, []byte("qwer1234")) {
			t.Errorf("credentials answer: %s", creds.Body)
		}

		c.Do(multipartRequest(c, http.MethodPost, path+"/utility-bill", filePart{"utilityBill", "conta.pdf", pdfBytes})).Expect(http.StatusCreated)
		docs := c.Do(multipartRequest(c, http.MethodPut, path+"/v2/document",
			filePart{"identificacaoFrente", "frente.png", pngBytes}, filePart{"identificacaoVerso", "verso.jpg", jpegBytes})).
			Expect(http.StatusCreated).Map()["documents"].([]any)
		var kinds []string
		for _, d := range docs {
			kinds = append(kinds, d.(map[string]any)["type"].(string)+"/"+d.(map[string]any)["contentType"].(string))
		}
		if got := strings.Join(kinds, ","); got != "utilityBill/application/pdf,identificacaoFrente/image/png,identificacaoVerso/image/jpeg" {
			t.Errorf("documents = %s", got)
		}

		contract := c.JSON(http.MethodPost, path+"/contracts", map[string]any{}).Expect(http.StatusCreated).Map()
		if contract["status"] != "negociacao" {
			t.Errorf("status after contract = %v", contract["status"])
		}
		link, _ := url.Parse(contract["contractLink"].(string))
		pdf := c.Get(link.Path).Expect(http.StatusOK)
		if !bytes.HasPrefix(pdf.Body, []byte("%PDF-")) || pdf.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("contract download: %s %q", pdf.Header.Get("Content-Type"), pdf.Body[:min(len(pdf.Body), 20)])
		}
		env.Anon.Get(link.Path).Expect(http.StatusUnauthorized)

		sp := signPath(t, contract)
		page := env.Anon.Get(sp).Expect(http.StatusOK)
		if !bytes.Contains(page.Body, []byte("John Felix Cena")) || !bytes.Contains(page.Body, []byte(`name="signer"`)) {
			t.Errorf("signing page lacks the customer or the form: %s", page.Body)
		}
		signed := env.Anon.Get(sp + "/contrato.pdf").Expect(http.StatusOK)
		if !bytes.Equal(signed.Body, pdf.Body) {
			t.Error("the signing page shows another PDF than the partner's contract link")
		}

		requestCode(env.Anon, sp, 1).Expect(http.StatusOK)
		code := lastCode(t, env.Mail)
		postSign(env.Anon, sp, 1, otherCode(code), true).Expect(http.StatusBadRequest)
		postSign(env.Anon, sp, 1, code, false).Expect(http.StatusBadRequest)
		if got := c.Get(path).Expect(http.StatusOK).Map()["status"]; got != "negociacao" {
			t.Fatalf("a refused signature changed the status to %v", got)
		}
		done := postSign(env.Anon, sp, 1, code, true).Expect(http.StatusOK)
		if !bytes.Contains(done.Body, []byte("Contrato assinado")) {
			t.Errorf("signing answer: %s", done.Body)
		}
		postSign(env.Anon, sp, 1, code, true).Expect(http.StatusConflict)

		final := c.Get(path).Expect(http.StatusOK).Map()
		if final["status"] != "assinado" || !strings.Contains(final["statusDetails"].(string), "John Felix Cena") {
			t.Errorf("final status = %v (%v)", final["status"], final["statusDetails"])
		}
		if got := strings.Join(statuses(final), ","); got != "indicado,negociacao,assinado" {
			t.Errorf("history = %s", got)
		}
		if sigs := final["signatures"].([]any); len(sigs) != 1 {
			t.Errorf("signatures = %v", sigs)
		}

		c.JSON(http.MethodPut, path, map[string]any{"fullName": "Outro"}).Expect(http.StatusConflict)
		c.JSON(http.MethodPost, path+"/contracts", map[string]any{}).Expect(http.StatusConflict)
		// The signed lead is closed: the customer may be registered again.
		createLead(t, c, naturalLead())
	})
}

func TestJuridicalLeadJourney(t *testing.T) {
	eachLeadEnv(t, func(t *testing.T, env *leadEnv) {
		c := env.A
		lead := createLead(t, c, juridicalLead())
		path := "/sales-conversion/leads/" + lead["id"].(string)
		if lead["personType"] != "juridical" || lead["identificationNumber"] != "47526391000146" || lead["plan"] != nil {
			t.Fatalf("created lead = %v", lead)
		}
		c.Do(multipartRequest(c, http.MethodPost, path+"/document", filePart{"file", "contrato-social.pdf", pdfBytes})).Expect(http.StatusCreated)
		c.Do(multipartRequest(c, http.MethodPut, path+"/v2/document",
			filePart{"identificacaoFrente", "frente.png", pngBytes}, filePart{"identificacaoVerso", "verso.png", pngBytes})).Expect(http.StatusCreated)

		c.JSON(http.MethodPost, path+"/contracts", map[string]any{"legalRepresentatives": []any{representative("John Doe", "607.384.560-04")}}).
			Expect(http.StatusBadRequest)
		c.JSON(http.MethodPost, path+"/contracts", map[string]any{"plan": basicPlan()}).Expect(http.StatusBadRequest)
		contract := juridicalContract(t, c, path, twoRepresentatives()...)
		if contract["status"] != "negociacao" || len(contract["legalRepresentatives"].([]any)) != 2 {
			t.Fatalf("contract answer = %v", contract)
		}
		sp := signPath(t, contract)
		// The company does not sign; its representatives do.
		requestCode(env.Anon, sp, 3).Expect(http.StatusBadRequest)
		signAs(t, env, sp, 1).Expect(http.StatusOK)
		mid := c.Get(path).Expect(http.StatusOK).Map()
		if mid["status"] != "negociacao" || !strings.Contains(mid["statusDetails"].(string), "Jill Valentine") {
			t.Errorf("after one of two signatures: %v (%v)", mid["status"], mid["statusDetails"])
		}
		postSign(env.Anon, sp, 1, "123456", true).Expect(http.StatusConflict)
		signAs(t, env, sp, 2).Expect(http.StatusOK)
		final := c.Get(path).Expect(http.StatusOK).Map()
		if final["status"] != "assinado" || len(final["signatures"].([]any)) != 2 {
			t.Errorf("final = %v, signatures %v", final["status"], final["signatures"])
		}
		if got := strings.Join(statuses(final), ","); got != "indicado,negociacao,negociacao,assinado" {
			t.Errorf("history = %s", got)
		}
	})
}

// TestContractLinkLifecycle covers re-sending a contract, changing a lead
// under negotiation, and expiry: each old link stops working and a
// refused signature changes nothing.
func TestContractLinkLifecycle(t *testing.T) {
	eachLeadEnv(t, func(t *testing.T, env *leadEnv) {
		c := env.A
		path := leadPath(t, c, naturalLead())
		first := contractLink(t, c, path)
		second := contractLink(t, c, path)
		if first == second {
			t.Fatal("a new contract kept the old link")
		}
		env.Anon.Get(first).Expect(http.StatusNotFound)
		postSign(env.Anon, first, 1, "123456", true).Expect(http.StatusNotFound)
		requestCode(env.Anon, first, 1).Expect(http.StatusNotFound)

		changed := c.JSON(http.MethodPut, path, map[string]any{"fullName": "John Cena Jr"}).Expect(http.StatusOK).Map()
		if changed["status"] != "indicado" || changed["contractSignerLink"] != nil {
			t.Fatalf("changing a lead in negotiation: status %v, link %v", changed["status"], changed["contractSignerLink"])
		}
		env.Anon.Get(second).Expect(http.StatusNotFound)

		third := contractLink(t, c, path)
		if files := storedFiles(t, env.BlobDir); len(files) != 1 {
			t.Errorf("replaced and cancelled contracts stayed behind: %v", files)
		}
		env.clock.Advance(8 * 24 * 60 * 60 * 1e9)
		env.Anon.Get(third).Expect(http.StatusGone)
		postSign(env.Anon, third, 1, "123456", true).Expect(http.StatusGone)
		requestCode(env.Anon, third, 1).Expect(http.StatusGone)
		if got := c.Get(path).Expect(http.StatusOK).Map()["status"]; got != "negociacao" {
			t.Fatalf("signing an expired link changed the status to %v", got)
		}
		env.Anon.Get("/sales-conversion/sign/not-a-token").Expect(http.StatusNotFound)
	})
}

func TestLeadRefusals(t *testing.T) {
	eachLeadEnvWith(t, leadEnvOptions{maxUpload: 1 << 10}, func(t *testing.T, env *leadEnv) {
		c := env.A
		natural := leadPath(t, c, naturalLead())
		juridical := leadPath(t, c, juridicalLead())
		with := func(edit func(m map[string]any)) map[string]any {
			m := naturalLead()
			m["identificationNumber"] = "529.982.247-25"
			edit(m)
			return m
		}
		big := bytes.Repeat([]byte("x"), 2<<10)
		tests := []struct {
			name   string
			req    func() *apitest.Response
			status int
			phrase string
		}{
			{"no key", func() *apitest.Response { return env.Anon.Get("/sales-conversion/leads") }, 401, ""},
			{"wrong key", func() *apitest.Response {
				return env.Anon.With("Authorization", "Bearer nope").Get("/sales-conversion/leads")
			}, 401, ""},
			{"malformed JSON", func() *apitest.Response { return c.JSON("POST", "/sales-conversion/leads", `{"fullName":`) }, 400, "JSON"},
			{"wrong type", func() *apitest.Response { return c.JSON("POST", "/sales-conversion/leads", `{"fullName": 5}`) }, 400, "fullName"},
			{"bill as text", func() *apitest.Response {
				return c.JSON("POST", "/sales-conversion/leads", with(func(m map[string]any) { m["utilityBillingValue"] = "muito" }))
			}, 400, "utilityBillingValue"},
			{"wrong content type", func() *apitest.Response {
				return c.Do(c.NewRequest("POST", "/sales-conversion/leads", strings.NewReader("{}"), "text/plain"))
			}, 415, ""},
			{"oversized body", func() *apitest.Response {
				return c.JSON("POST", "/sales-conversion/leads", with(func(m map[string]any) { m["street"] = strings.Repeat("r", 70<<10) }))
			}, 413, ""},
			{"empty body names every required field", func() *apitest.Response { return c.JSON("POST", "/sales-conversion/leads", `{}`) }, 400, "neighborhood é obrigatório"},
			{"bad CPF", func() *apitest.Response {
				return c.JSON("POST", "/sales-conversion/leads", with(func(m map[string]any) { m["identificationNumber"] = "123.456.789-00" }))
			}, 400, "CPF"},
			{"bad CNPJ", func() *apitest.Response {
				return c.JSON("POST", "/sales-conversion/leads", with(func(m map[string]any) {
					m["personType"], m["identificationNumber"] = "juridical", "47.526.391/0001-47"
				}))
			}, 400, "CNPJ"},
			{"juridical without company", func() *apitest.Response {
				return c.JSON("POST", "/sales-conversion/leads", with(func(m map[string]any) {
					m["personType"], m["identificationNumber"] = "PJ", "11.222.333/0001-81"
					delete(m, "companyName")
				}))
			}, 400, "companyName"},
			{"bad e-mail", func() *apitest.Response {
				return c.JSON("POST", "/sales-conversion/leads", with(func(m map[string]any) { m["emailAddress"] = "a@b" }))
			}, 400, "emailAddress"},
			{"bad phone", func() *apitest.Response {
				return c.JSON("POST", "/sales-conversion/leads", with(func(m map[string]any) { m["mobilePhone"] = "11 3333-4444" }))
			}, 400, "mobilePhone"},
			{"CEP of another state", func() *apitest.Response {
				return c.JSON("POST", "/sales-conversion/leads", with(func(m map[string]any) { m["zipCode"] = "20040-020" }))
			}, 400, "zipCode"},
			{"plan not offered", func() *apitest.Response {
				return c.JSON("POST", "/sales-conversion/leads", with(func(m map[string]any) { m["plan"].(map[string]any)["discount"] = "20" }))
			}, 400, "plan"},
			{"unknown person type", func() *apitest.Response {
				return c.JSON("POST", "/sales-conversion/leads", with(func(m map[string]any) { m["personType"] = "robot" }))
			}, 400, "personType"},
			{"list: bad limit", func() *apitest.Response { return c.Get("/sales-conversion/leads?limit=101") }, 400, "limit"},
			{"list: bad page", func() *apitest.Response { return c.Get("/sales-conversion/leads?page=abc") }, 400, "page"},
			{"list: unknown filter", func() *apitest.Response { return c.Get("/sales-conversion/leads?filters=nome:Ana") }, 400, "nome"},
			{"list: bad status", func() *apitest.Response { return c.Get("/sales-conversion/leads?filters=status:ganho") }, 400, "status"},
			{"list: bad date", func() *apitest.Response { return c.Get("/sales-conversion/leads?filters=created_at:2024-13-01") }, 400, "created_at"},
			{"malformed id", func() *apitest.Response { return c.Get("/sales-conversion/leads/123") }, 400, "UUID"},
			{"unknown id", func() *apitest.Response { return c.Get("/sales-conversion/leads/0190a0b0-0000-7000-8000-000000000000") }, 404, ""},
			{"update: bad CEP", func() *apitest.Response {
				return c.JSON("PUT", natural, map[string]any{"address": map[string]any{"zipCode": "1"}})
			}, 400, "zipCode"},
			{"update: cnpj on a natural lead", func() *apitest.Response {
				return c.JSON("PUT", natural, map[string]any{"cnpj": "11.222.333/0001-81"})
			}, 400, "cnpj"},
			{"credentials: missing password", func() *apitest.Response {
				return c.JSON("PATCH", natural+"/energy-utility-credentials", map[string]any{"utilityBillLogin": "x"})
			}, 400, "password"},
			{"upload: not multipart", func() *apitest.Response {
				return c.JSON("POST", natural+"/utility-bill", map[string]any{})
			}, 415, "Content-Type deve ser multipart/form-data"},
			{"upload: missing field", func() *apitest.Response {
				return c.Do(multipartRequest(c, "POST", natural+"/utility-bill", filePart{"fatura", "a.pdf", pdfBytes}))
			}, 400, "fatura"},
			{"upload: wrong type", func() *apitest.Response {
				return c.Do(multipartRequest(c, "POST", natural+"/utility-bill", filePart{"utilityBill", "a.pdf", []byte("MZ\x90\x00 not a pdf")}))
			}, 400, "PDF, JPEG ou PNG"},
			{"upload: too large", func() *apitest.Response {
				return c.Do(multipartRequest(c, "POST", natural+"/utility-bill", filePart{"utilityBill", "a.pdf", append(bytes.Clone(pdfBytes), big...)}))
			}, 400, "1 KiB"},
			{"upload: empty file", func() *apitest.Response {
				return c.Do(multipartRequest(c, "POST", natural+"/utility-bill", filePart{"utilityBill", "a.pdf", nil}))
			}, 400, "vazio"},
			{"upload: long file name", func() *apitest.Response {
				return c.Do(multipartRequest(c, "POST", natural+"/utility-bill", filePart{"utilityBill", strings.Repeat("n", 151) + ".pdf", pdfBytes}))
			}, 400, "nome do arquivo"},
			{"upload: connection drops mid-file", func() *apitest.Response {
				req := multipartRequest(c, "POST", natural+"/utility-bill", filePart{"utilityBill", "a.pdf", append(bytes.Clone(pdfBytes), make([]byte, 600)...)})
				body, _ := io.ReadAll(req.Body)
				req.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body[:len(body)/2]), failingReader{}))
				return c.Do(req)
			}, 400, "multipart"},
			{"upload: document of a natural lead", func() *apitest.Response {
				return c.Do(multipartRequest(c, "POST", natural+"/document", filePart{"file", "a.pdf", pdfBytes}))
			}, 400, "apenas para lead PJ"},
			{"upload: v2 constitucional of a natural lead", func() *apitest.Response {
				return c.Do(multipartRequest(c, "PUT", natural+"/v2/document", filePart{"identificacaoFrente", "f.png", pngBytes},
					filePart{"identificacaoVerso", "v.png", pngBytes}, filePart{"constitucional", "c.pdf", pdfBytes}))
			}, 400, "apenas para lead PJ"},
			{"upload: v2 without the back", func() *apitest.Response {
				return c.Do(multipartRequest(c, "PUT", juridical+"/v2/document", filePart{"identificacaoFrente", "f.png", pngBytes},
					filePart{"constitucional", "c.pdf", pdfBytes}))
			}, 400, "identificacaoVerso"},
			{"upload: v2 PJ without constitucional not sent before", func() *apitest.Response {
				return c.Do(multipartRequest(c, "PUT", juridical+"/v2/document", filePart{"identificacaoFrente", "f.png", pngBytes},
					filePart{"identificacaoVerso", "v.png", pngBytes}))
			}, 400, "constitucional"},
			{"contract: plan when the lead has one", func() *apitest.Response {
				return c.JSON("POST", natural+"/contracts", map[string]any{"plan": naturalLead()["plan"]})
			}, 400, "plan"},
			{"contract: representatives of a natural lead", func() *apitest.Response {
				return c.JSON("POST", natural+"/contracts", map[string]any{"legalRepresentatives": []any{representative("A", "60738456004")}})
			}, 400, "legalRepresentatives"},
			{"contract: no plan on a lead without one", func() *apitest.Response {
				return c.JSON("POST", juridical+"/contracts", map[string]any{"legalRepresentatives": []any{representative("A", "60738456004")}})
			}, 400, "plan"},
			{"contract: bad representative", func() *apitest.Response {
				rep := representative("A", "60738456005")
				rep["address"].(map[string]any)["zipCode"] = "01310-100"
				return c.JSON("POST", juridical+"/contracts", map[string]any{"plan": naturalLead()["plan"], "legalRepresentatives": []any{rep}})
			}, 400, "legalRepresentatives[0].identificationNumber"},
			{"no contract yet", func() *apitest.Response { return c.Get(natural + "/contract") }, 404, ""},
		}
		for _, tt := range tests {
			res := tt.req()
			if res.Status != tt.status {
				t.Errorf("%s: status %d, want %d; body %s", tt.name, res.Status, tt.status, res.Body)
				continue
			}
			if tt.phrase != "" && !bytes.Contains(res.Body, []byte(tt.phrase)) {
				t.Errorf("%s: body %s does not mention %q", tt.name, res.Body, tt.phrase)
			}
		}

		// Every upload above was refused: no record and no file remain.
		lead := c.Get(juridical).Expect(http.StatusOK).Map()
		if docs := lead["documents"].([]any); len(docs) != 0 {
			t.Errorf("refused uploads left documents: %v", docs)
		}
		if files := storedFiles(t, env.BlobDir); len(files) != 0 {
			t.Errorf("refused uploads left files: %v", files)
		}

		// Already sent.
		c.Do(multipartRequest(c, "POST", natural+"/utility-bill", filePart{"utilityBill", "a.pdf", pdfBytes})).Expect(http.StatusCreated)
		again := c.Do(multipartRequest(c, "POST", natural+"/utility-bill", filePart{"utilityBill", "b.pdf", pdfBytes})).Expect(http.StatusBadRequest)
		if !bytes.Contains(again.Body, []byte("utilityBill: documento já enviado")) {
			t.Errorf("second utility bill: %s", again.Body)
		}
		c.Do(multipartRequest(c, "POST", juridical+"/document", filePart{"file", "c.pdf", pdfBytes})).Expect(http.StatusCreated)
		dupV2 := c.Do(multipartRequest(c, "PUT", juridical+"/v2/document", filePart{"identificacaoFrente", "f.png", pngBytes},
			filePart{"identificacaoVerso", "v.png", pngBytes}, filePart{"constitucional", "c.pdf", pdfBytes})).Expect(http.StatusBadRequest)
		if !bytes.Contains(dupV2.Body, []byte("constitucional: documento já enviado")) {
			t.Errorf("constitucional sent twice: %s", dupV2.Body)
		}
		if files := storedFiles(t, env.BlobDir); len(files) != 2 {
			t.Errorf("stored files = %v, want the two accepted ones", files)
		}
	})
}

// TestPartnersSeeOnlyTheirLeads sends partner B to every lead route with
// partner A's lead id: each answers 404, and A's lead is unchanged.
func TestPartnersSeeOnlyTheirLeads(t *testing.T) {
	eachLeadEnv(t, func(t *testing.T, env *leadEnv) {
		path := leadPath(t, env.A, naturalLead())
		env.A.JSON(http.MethodPost, path+"/contracts", map[string]any{}).Expect(http.StatusCreated)
		b := env.B
		for name, req := range map[string]func() *apitest.Response{
			"GET": func() *apitest.Response { return b.Get(path) },
			"PUT": func() *apitest.Response { return b.JSON(http.MethodPut, path, map[string]any{"fullName": "B"}) },
			"credentials": func() *apitest.Response {
				return b.JSON(http.MethodPatch, path+"/energy-utility-credentials", map[string]any{"utilityBillLogin": "b", "password": "b"})
			},
			"utility-bill": func() *apitest.Response {
				return b.Do(multipartRequest(b, http.MethodPost, path+"/utility-bill", filePart{"utilityBill", "a.pdf", pdfBytes}))
			},
			"document": func() *apitest.Response {
				return b.Do(multipartRequest(b, http.MethodPost, path+"/document", filePart{"file", "a.pdf", pdfBytes}))
			},
			"v2/document": func() *apitest.Response {
				return b.Do(multipartRequest(b, http.MethodPut, path+"/v2/document", filePart{"identificacaoFrente", "f.png", pngBytes}, filePart{"identificacaoVerso", "v.png", pngBytes}))
			},
			"contracts": func() *apitest.Response { return b.JSON(http.MethodPost, path+"/contracts", map[string]any{}) },
			"contract":  func() *apitest.Response { return b.Get(path + "/contract") },
		} {
			if res := req(); res.Status != http.StatusNotFound {
				t.Errorf("partner B %s: status %d, want 404; body %s", name, res.Status, res.Body)
			}
		}
		if list := b.Get("/sales-conversion/leads").Expect(http.StatusOK).Map(); list["total"] != 0.0 {
			t.Errorf("partner B lists %v leads", list["total"])
		}
		after := env.A.Get(path).Expect(http.StatusOK).Map()
		if after["fullName"] != "John Cena" || after["hasEnergyUtilityCredentials"] != false || len(after["documents"].([]any)) != 0 {
			t.Errorf("partner B changed A's lead: %v", after)
		}
		if files := storedFiles(t, env.BlobDir); len(files) != 1 { // the contract
			t.Errorf("partner B's uploads were stored: %v", files)
		}
	})
}

// failingReader is a connection that drops.
type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset by peer") }

// storedFiles lists the files in the blob directory, temp files included.
func storedFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
