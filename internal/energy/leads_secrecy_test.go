package energy_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"partnership-service/internal/energy"
	"partnership-service/internal/testdb"
)

// TestCredentialsPasswordNeverInClear stores a utility password and looks
// for it in every answer, in the log, and in the bytes of the SQLite
// database file and its WAL; then checks the sealed value does open to it,
// so the test cannot pass by the password having been dropped.
func TestCredentialsPasswordNeverInClear(t *testing.T) {
	t.Parallel()
	db := testdb.SQLite(t)
	env := newLeadEnv(t, db)
	const login, password = "cliente.cpfl@example.com", "Zq9!senha-MUITO-secreta-4711"
	c := env.A
	id, path := newLead(t, c, naturalLead())

	var bodies [][]byte
	bodies = append(bodies,
		c.JSON(http.MethodPatch, path+"/energy-utility-credentials", map[string]any{"utilityBillLogin": login, "password": password}).Expect(http.StatusOK).Body,
		// A refused attempt must not echo it either.
		c.JSON(http.MethodPatch, path+"/energy-utility-credentials", map[string]any{"password": password}).Expect(http.StatusBadRequest).Body,
		c.JSON(http.MethodPatch, path+"/energy-utility-credentials", `{"utilityBillLogin": 1, "password": "`+password+`"}`).Expect(http.StatusBadRequest).Body,
		c.Get(path).Expect(http.StatusOK).Body,
		c.Get("/sales-conversion/leads").Expect(http.StatusOK).Body,
		c.JSON(http.MethodPost, path+"/contracts", map[string]any{}).Expect(http.StatusCreated).Body,
	)
	for i, b := range bodies {
		if bytes.Contains(b, []byte(password)) {
			t.Errorf("answer %d contains the password: %s", i, b)
		}
	}
	if bytes.Contains([]byte(env.Log.String()), []byte(password)) {
		t.Error("the log contains the password")
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(db.DB.Path() + suffix)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, secret := range []string{password, login} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("database file %q contains %q in clear", "partnership.db"+suffix, secret)
			}
		}
	}

	lead, err := env.Leads.Get(context.Background(), energy.Principal{PartnerID: env.PartnerA}, id)
	if err != nil {
		t.Fatal(err)
	}
	creds, ok, err := env.Leads.Credentials(lead)
	if err != nil || !ok || creds.Password != password || creds.Login != login {
		t.Fatalf("stored credentials open to %+v, %v, %v; want the sent ones", creds, ok, err)
	}
}

// TestLargeUploadStreams sends a 50 MiB utility bill through the whole
// handler from a pipe (so the test never holds it either) and samples the
// heap meanwhile: it must not grow by more than a few MiB.
func TestLargeUploadStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 50 MiB")
	}
	env := newLeadEnv(t, testdb.SQLite(t), leadEnvOptions{maxUpload: 60 << 20})
	id := createLead(t, env.A, naturalLead())["id"].(string)

	const size = 50 << 20
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		w, _ := mw.CreateFormFile("utilityBill", "conta.pdf")
		w.Write(pdfBytes)
		chunk := bytes.Repeat([]byte("0123456789abcdef"), 4<<10)
		for written := len(pdfBytes); written < size; written += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		// A PDF ends with its trailer.
		w.Write([]byte("\n%%EOF\n"))
		mw.Close()
		pw.Close()
	}()
	req := httptest.NewRequest(http.MethodPost, "/sales-conversion/leads/"+id+"/utility-bill", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+env.KeyA)

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	stop, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	rec := httptest.NewRecorder()
	env.Handler.ServeHTTP(rec, req)
	close(stop)
	<-sampled
	if rec.Code != http.StatusCreated {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	lead := env.A.Get("/sales-conversion/leads/" + id).Expect(http.StatusOK).Map()
	if docs := lead["documents"].([]any); len(docs) != 1 || docs[0].(map[string]any)["size"].(float64) < size {
		t.Fatalf("documents = %v, want the 50 MiB bill", docs)
	}
	growth := int64(peak.Load()) - int64(before.HeapInuse)
	t.Logf("heap in use grew by %.1f MiB while streaming 50 MiB", float64(growth)/(1<<20))
	if growth > 8<<20 {
		t.Fatalf("heap grew by %d MiB, want at most 8", growth>>20)
	}
}
