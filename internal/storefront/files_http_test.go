package storefront_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"partnership-service/internal/apitest"
	"partnership-service/internal/blob/blobtest"
)

var (
	pngFile  = blobtest.PNG
	jpegFile = blobtest.JPEG
	pdfFile  = []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
)

// part is one multipart part: a file when fileName is set, else a value.
type part struct {
	field, fileName string
	content         []byte
}

func multipartBody(t testing.TB, parts ...part) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		var err error
		if p.fileName == "" {
			err = w.WriteField(p.field, string(p.content))
		} else {
			var fw interface{ Write([]byte) (int, error) }
			fw, err = w.CreateFormFile(p.field, p.fileName)
			if err == nil {
				_, err = fw.Write(p.content)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, w.FormDataContentType()
}

func upload(t testing.TB, c *apitest.Client, id string, parts ...part) *apitest.Response {
	t.Helper()
	body, ct := multipartBody(t, parts...)
	return c.Do(c.NewRequest(http.MethodPost, "/api/v2/subscriptions/"+id+"/files", body, ct))
}

func TestUploadFiles(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		id := *h.a.subscribe(t, subscription(h.a.fast, nil)).Data.ID

		var res subscribeResult
		upload(t, h.a.client, id,
			part{"files[comprovante_res]", "conta de luz.pdf", pdfFile},
			part{"files[comprovante_rg]", "rg.jpg", jpegFile},
			part{"files[selfie]", "eu.png", pngFile},
			part{"plan_id", "", []byte("1")}, // listed by the seed; ignored
		).Expect(http.StatusOK).Decode(&res)
		if res.Data.ID == nil || *res.Data.ID != id || !res.Data.Attributes.Coverage {
			t.Fatalf("answer = %+v", res.Data)
		}

		// The provider's admin sees and downloads them.
		var got struct {
			Data struct {
				Attributes struct {
					Files []struct {
						Kind        string `json:"kind"`
						FileName    string `json:"file_name"`
						ContentType string `json:"content_type"`
						Size        int64  `json:"size"`
						URL         string `json:"url"`
					} `json:"files"`
				} `json:"attributes"`
			} `json:"data"`
		}
		h.a.admin.Get("/api/v2/admin/subscriptions/" + id).Expect(http.StatusOK).Decode(&got)
		files := got.Data.Attributes.Files
		if len(files) != 3 {
			t.Fatalf("files = %+v", files)
		}
		want := map[string][]byte{"comprovante_res": pdfFile, "comprovante_rg": jpegFile, "selfie": pngFile}
		for _, f := range files {
			dl := h.a.admin.Do(h.a.admin.NewRequest(http.MethodGet, f.URL, nil, "")).Expect(http.StatusOK)
			if !bytes.Equal(dl.Body, want[f.Kind]) || dl.Header.Get("Content-Type") != f.ContentType ||
				dl.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s: downloaded %d bytes as %q", f.Kind, len(dl.Body), dl.Header.Get("Content-Type"))
			}
		}
		// Provider B can neither upload to nor download from A's subscription.
		upload(t, h.b.client, id, part{"files[selfie]", "x.png", pngFile}).Expect(http.StatusNotFound)
		h.b.admin.Do(h.b.admin.NewRequest(http.MethodGet, files[0].URL, nil, "")).Expect(http.StatusNotFound)
		h.a.admin.Get("/api/v2/admin/subscriptions/" + id + "/files/nope").Expect(http.StatusNotFound)

		// Sending a kind again replaces it.
		upload(t, h.a.client, id, part{"files[selfie]", "nova.jpg", jpegFile}).Expect(http.StatusOK)
		h.a.admin.Get("/api/v2/admin/subscriptions/" + id).Expect(http.StatusOK).Decode(&got)
		for _, f := range got.Data.Attributes.Files {
			if f.Kind == "selfie" && (f.FileName != "nova.jpg" || f.ContentType != "image/jpeg") {
				t.Errorf("selfie not replaced: %+v", f)
			}
		}
		if len(got.Data.Attributes.Files) != 3 {
			t.Errorf("%d files after replacing one", len(got.Data.Attributes.Files))
		}
	})
}

func TestUploadFilesRefusals(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		id := *h.a.subscribe(t, subscription(h.a.fast, nil)).Data.ID
		tests := []struct {
			name  string
			parts []part
			want  int
			field string
			msg   string
		}{
			{"wrong type by content", []part{{"files[selfie]", "selfie.png", []byte("MZ\x90\x00 not an image")}}, http.StatusUnprocessableEntity,
				"files[selfie]", "tipo de arquivo não permitido"},
			{"HTML behind a PNG magic", []part{{"files[selfie]", "eu.png", []byte("\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>")}},
				http.StatusUnprocessableEntity, "files[selfie]", "tipo de arquivo não permitido"},
			{"HTML behind a PDF header", []part{{"files[comprovante_res]", "conta.pdf", []byte("%PDF-1.4\n<html><script>alert(1)</script></html>")}},
				http.StatusUnprocessableEntity, "files[comprovante_res]", "tipo de arquivo não permitido"},
			{"too large", []part{{"files[selfie]", "eu.png", append(pngFile, make([]byte, maxFileBytes)...)}}, http.StatusUnprocessableEntity,
				"files[selfie]", "muito grande"},
			{"empty", []part{{"files[comprovante_rg]", "rg.jpg", nil}}, http.StatusUnprocessableEntity, "files[comprovante_rg]", "arquivo vazio"},
			{"file name reversing its extension", []part{{"files[selfie]", "eu\u202egnp.exe", pngFile}}, http.StatusUnprocessableEntity,
				"files[selfie]", "o nome do arquivo contém caracteres não permitidos"},
			{"file name too long", []part{{"files[selfie]", strings.Repeat("a", 300) + ".png", pngFile}}, http.StatusUnprocessableEntity,
				"files[selfie]", "nome do arquivo muito longo"},
			{"unexpected field", []part{{"files[cnh]", "cnh.png", pngFile}}, http.StatusUnprocessableEntity, "files[cnh]", "campo não esperado"},
			{"same field twice", []part{{"files[selfie]", "a.png", pngFile}, {"files[selfie]", "b.png", pngFile}}, http.StatusUnprocessableEntity,
				"files[selfie]", "enviado mais de uma vez"},
			{"no file", []part{{"plan_id", "", []byte("1")}}, http.StatusUnprocessableEntity, "files", "nenhum arquivo enviado"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := upload(t, h.a.client, id, tt.parts...).Expect(tt.want)
				if errs := errorsOf(t, res); len(errs[tt.field]) != 1 || !strings.Contains(errs[tt.field][0], tt.msg) {
					t.Errorf("errors = %v, want %q on %s", errs, tt.msg, tt.field)
				}
			})
		}
		// A refused upload in a batch keeps nothing, not even the good file.
		upload(t, h.a.client, id, part{"files[selfie]", "eu.png", pngFile}, part{"files[comprovante_rg]", "rg.exe", []byte("MZ")}).
			Expect(http.StatusUnprocessableEntity)
		sub, err := h.svc.Subscription(t.Context(), h.a.id, id)
		h.must(err)
		if len(sub.Files) != 0 {
			t.Fatalf("refused uploads stored %d files", len(sub.Files))
		}

		// Not multipart: 415. Unknown or malformed subscription: 404, before reading the body.
		c := h.a.client
		c.Do(c.NewRequest(http.MethodPost, "/api/v2/subscriptions/"+id+"/files", strings.NewReader(`{}`), "application/json")).
			Expect(http.StatusUnsupportedMediaType)
		c.Do(c.NewRequest(http.MethodPost, "/api/v2/subscriptions/"+id+"/files", strings.NewReader("--x\r\ngarbage"), "multipart/form-data; boundary=x")).
			Expect(http.StatusBadRequest)
		upload(t, c, "35f6ebd8-79ac-42c5-b260-e10ff12a37a0", part{"files[selfie]", "eu.png", pngFile}).Expect(http.StatusNotFound)
		upload(t, c, "..%2F..%2Fetc", part{"files[selfie]", "eu.png", pngFile}).Expect(http.StatusNotFound)
	})
}
