package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"partnership-service/internal/blob/blobtest"
	"partnership-service/internal/storefront"
	"partnership-service/internal/testdb"
	"partnership-service/internal/testkit"
)

// replica is one instance of the service as serve wires it: its own app,
// caches and change listener, on the shared database and bucket.
type replica struct {
	app *app
	h   http.Handler
}

// startReplicas opens n replicas on one fresh PostgreSQL database and one
// S3 prefix, each with a data directory of its own and the one secret key
// they all must share.
func startReplicas(t *testing.T, ctx context.Context, n int) []replica {
	t.Helper()
	dbURL := testdb.PostgresDatabase(t)
	blobURL := blobtest.S3URL(t)
	var key [32]byte
	_, _ = rand.Read(key[:])
	t.Setenv("PARTNERSHIP_SECRET_KEY", hex.EncodeToString(key[:]))
	out := make([]replica, n)
	for i := range out {
		a, err := openApp(ctx, config{DataDir: t.TempDir(), DatabaseURL: dbURL, BlobURL: blobURL,
			MaxUploadSize: 1 << 20, PublicURL: "http://parceiros.test"}, quietLog())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		if i == 0 {
			// The demo data goes in once, through the first replica.
			if err := a.loadDemo(ctx, io.Discard, a.cfg.PublicURL); err != nil {
				t.Fatal(err)
			}
		}
		h := appHandler(t, ctx, a)
		out[i] = replica{app: a, h: h}
	}
	return out
}

// do sends one request to r and returns the recorded answer.
func (r replica) do(method, path string, body io.Reader, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, body)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	r.h.ServeHTTP(rec, req)
	return rec
}

func jsonBody(t *testing.T, v any) io.Reader {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(b)
}

// within polls check every 20 ms until it holds or d has passed, and
// reports how long it took.
func within(t *testing.T, d time.Duration, what string, check func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !check() {
		if time.Since(start) > d {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

// TestReplicasBehaveAsOne: issue 14. Three replicas in one process, sharing
// one PostgreSQL database and one S3 bucket, answer as one service: a lead
// and its bill through one, its contract through another, the PDF through
// the third; a key revoked on one is refused by another within a second;
// a coupon limited to 5 hammered by 60 concurrent sign-ups over all three
// is redeemed exactly 5 times; a plan changed on one is served, with a new
// ETag, by the others within a second.
func TestReplicasBehaveAsOne(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rs := startReplicas(t, ctx, 3)
	_, partners, err := rs[0].app.energyServices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := partners.CreatePartner(ctx, "Parceiro Réplicas"); err != nil {
		t.Fatal(err)
	}
	key, _, err := partners.CreateKey(ctx, "Parceiro Réplicas", "Ana Vendedora", false)
	if err != nil {
		t.Fatal(err)
	}
	auth := []string{"Authorization", "Bearer " + key, "Content-Type", "application/json"}

	t.Run("a lead's journey over three replicas", func(t *testing.T) {
		res := rs[0].do(http.MethodPost, "/sales-conversion/leads", jsonBody(t, leadBody("52998224725")), auth...)
		var lead struct{ ID string }
		if res.Code != http.StatusCreated || json.Unmarshal(res.Body.Bytes(), &lead) != nil {
			t.Fatalf("create lead on replica 1: %d %s", res.Code, res.Body)
		}
		path := "/sales-conversion/leads/" + lead.ID

		var form bytes.Buffer
		mw := multipart.NewWriter(&form)
		fw, _ := mw.CreateFormFile("utilityBill", "conta.pdf")
		_, _ = fw.Write(blobtest.PDF)
		_ = mw.Close()
		if res := rs[0].do(http.MethodPost, path+"/utility-bill", &form, "Authorization", "Bearer "+key, "Content-Type", mw.FormDataContentType()); res.Code/100 != 2 {
			t.Fatalf("bill upload on replica 1: %d %s", res.Code, res.Body)
		}
		if res := rs[1].do(http.MethodPatch, path+"/energy-utility-credentials",
			jsonBody(t, map[string]any{"utilityBillLogin": "maria", "password": "segredo-123"}), auth...); res.Code != http.StatusOK {
			t.Fatalf("credentials on replica 2: %d %s", res.Code, res.Body)
		}
		if res := rs[1].do(http.MethodPost, path+"/contracts", jsonBody(t, map[string]any{}), auth...); res.Code != http.StatusCreated {
			t.Fatalf("contract on replica 2: %d %s", res.Code, res.Body)
		}
		res = rs[2].do(http.MethodGet, path+"/contract", nil, auth...)
		if res.Code != http.StatusOK || res.Header().Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(res.Body.Bytes(), []byte("%PDF-")) {
			t.Fatalf("contract PDF from replica 3: %d %q, %d bytes", res.Code, res.Header().Get("Content-Type"), res.Body.Len())
		}
	})

	t.Run("a key revoked on one replica is refused by another within 1 s", func(t *testing.T) {
		revoked, _, err := partners.CreateKey(ctx, "Parceiro Réplicas", "Bruno Vendedor", false)
		if err != nil {
			t.Fatal(err)
		}
		areas := "/distribuited-generation/operation-areas?ibge_code=3509502"
		// Replica 2 answers, and caches the answer (for 2 s).
		if res := rs[1].do(http.MethodGet, areas, nil, "Authorization", "Bearer "+revoked); res.Code != http.StatusOK {
			t.Fatalf("before revocation: %d %s", res.Code, res.Body)
		}
		if err := partners.RevokeKey(ctx, revoked[:11]); err != nil {
			t.Fatal(err)
		}
		took := within(t, time.Second, "replica 2 refusing the revoked key", func() bool {
			return rs[1].do(http.MethodGet, areas, nil, "Authorization", "Bearer "+revoked).Code == http.StatusUnauthorized
		})
		t.Logf("refused by replica 2 %v after the revocation", took)
	})

	svc := rs[0].app.storefrontService()
	catalog, _, err := svc.CatalogByOrigin(ctx, demoOrigin)
	if err != nil {
		t.Fatal(err)
	}
	origin := []string{"Origin", demoOrigin, "Content-Type", "application/json"}

	t.Run("a coupon limited to 5, 60 concurrent sign-ups over three replicas", func(t *testing.T) {
		limit := 5
		c, err := svc.SaveCoupon(ctx, catalog.Provider.ID, storefront.Coupon{Name: "CINCO", MaxRedemptions: &limit})
		if err != nil {
			t.Fatal(err)
		}
		statuses := testkit.Burst(60, func(i int) int {
			res := rs[i%3].do(http.MethodPost, "/api/v2/subscriptions", jsonBody(t, map[string]any{
				"plan_id": catalog.Plans[0].ID, "subscription": map[string]any{
					"pre_subscription": true, "nome_razao_social": fmt.Sprintf("Cliente %d", i), "telefone_celular": "(41) 99891-6002",
					"rua": "Av. do Batel", "cep": "80420-090", "cidade": "Curitiba",
					"coordinates": map[string]any{"lat": "-25.4425", "lng": "-49.2880"}, "coupon_id": c.ID,
				}}), origin...)
			if res.Code == http.StatusUnprocessableEntity && !strings.Contains(res.Body.String(), `"coupon_id":["esgotado"]`) {
				t.Errorf("422 for another reason: %s", res.Body)
			}
			return res.Code
		})
		if statuses[http.StatusOK] != limit || statuses[http.StatusUnprocessableEntity] != 60-limit {
			t.Fatalf("statuses = %v, want %d × 200 and %d × 422", statuses, limit, 60-limit)
		}
		got, err := rs[2].app.stores.Storefront().Coupon(ctx, catalog.Provider.ID, c.ID)
		if err != nil || got.Redemptions != limit {
			t.Fatalf("redemptions = %d (%v), want %d", got.Redemptions, err, limit)
		}
	})

	t.Run("a plan changed on one replica is served by the others within 1 s", func(t *testing.T) {
		plans := func(r replica) (etag, body string) {
			res := r.do(http.MethodGet, "/api/v2/providers/plans", nil, origin...)
			if res.Code != http.StatusOK {
				t.Fatalf("plans: %d %s", res.Code, res.Body)
			}
			return res.Header().Get("ETag"), res.Body.String()
		}
		before := map[int]string{}
		for i := 1; i < 3; i++ {
			before[i], _ = plans(rs[i]) // cached by each replica from here on
		}
		p := catalog.Plans[0]
		p.Name = "Fibra 300 Turbo"
		if _, err := svc.SavePlan(ctx, catalog.Provider.ID, p); err != nil {
			t.Fatal(err)
		}
		for i := 1; i < 3; i++ {
			took := within(t, time.Second, fmt.Sprintf("replica %d serving the new plan", i+1), func() bool {
				etag, body := plans(rs[i])
				return etag != before[i] && strings.Contains(body, "Fibra 300 Turbo")
			})
			t.Logf("replica %d served the change %v after it", i+1, took)
		}
	})
}
