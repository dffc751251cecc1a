package signpage

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWriteEscapesAndMasks(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	Write(rec, http.StatusOK, Page{
		Title: "Assinatura do contrato", Customer: "<b>Ana</b>", Document: "111.444.777-35", ShowForm: true,
		Signers: []Signer{{Name: "Ana", CPF: "11144477735"}, {Name: "Bia", CPF: "1", Signed: true}},
		Form:    Form{Name: `"x"`},
	})
	body := rec.Body.String()
	for _, want := range []string{"&lt;b&gt;Ana&lt;/b&gt;", "(CPF ***.444.777-**) — pendente", "Bia (CPF ***) — assinado", `value="&#34;x&#34;"`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, "11144477735") {
		t.Error("the page shows the whole CPF")
	}
	h := rec.Header()
	if h.Get("Referrer-Policy") != "no-referrer" || h.Get("Cache-Control") != "no-store" || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("headers = %v", h)
	}
}
