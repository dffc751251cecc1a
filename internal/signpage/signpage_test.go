package signpage

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWriteEscapesAndMasks(t *testing.T) {
	t.Parallel()
	signers := []Signer{
		{Number: 1, Name: "Ana", MaskedCPF: MaskCPF("11144477735"), Email: "a***@example.com"},
		{Number: 2, Name: "Bia", MaskedCPF: MaskCPF("1"), Signed: true},
		{Number: 3, Name: "Cid", MaskedCPF: MaskCPF("52998224725"), Locked: true},
	}
	tests := []struct {
		name string
		form Form
		want []string
		not  []string
	}{
		{"choose who signs", Form{}, []string{`name="signer" value="1"`, "a***@example.com", "Enviar código por e-mail"},
			[]string{`value="2"`, `value="3"`, `name="code"`}},
		{"enter the code", Form{Signer: 1, AskCode: true, SentTo: "a***@example.com"},
			[]string{`name="code"`, `type="hidden" name="signer" value="1"`, "Enviamos um código de 6 dígitos para a***@example.com"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			Write(rec, http.StatusOK, Page{
				Title: "Assinatura do contrato", Customer: "<b>Ana</b>", Document: MaskCPF("11144477735"), ShowForm: true,
				SignURL: "/s/t", CodeURL: "/s/t/code", Signers: signers, Form: tt.form,
			})
			body := rec.Body.String()
			for _, want := range append(tt.want, "&lt;b&gt;Ana&lt;/b&gt;", "Ana (CPF ***.444.777-**) — pendente", "Bia (CPF ***) — assinado", "Cid (CPF ***.982.247-**) — bloqueado") {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			for _, not := range tt.not {
				if strings.Contains(body, not) {
					t.Errorf("page shows %q", not)
				}
			}
			if strings.Contains(body, "11144477735") || strings.Contains(body, "444.777-35") {
				t.Error("the page shows the whole CPF")
			}
			h := rec.Header()
			if h.Get("Referrer-Policy") != "no-referrer" || h.Get("Cache-Control") != "no-store" || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
				t.Errorf("headers = %v", h)
			}
		})
	}
}
