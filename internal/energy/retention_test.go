package energy_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"partnership-service/internal/energy"
)

// TestRetentionSweep: the background sweep destroys the files and utility
// login of leads left unsigned past the retention period, and only those:
// a signed lead and a recently changed one keep theirs.
func TestRetentionSweep(t *testing.T) {
	eachLeadEnv(t, func(t *testing.T, env *leadEnv) {
		c := env.A
		withFiles := func(body map[string]any) string {
			path := leadPath(t, c, body)
			c.JSON(http.MethodPatch, path+"/energy-utility-credentials", map[string]any{"utilityBillLogin": "login", "password": "segredo-1"}).Expect(http.StatusOK)
			c.Do(multipartRequest(c, http.MethodPost, path+"/utility-bill", filePart{"utilityBill", "conta.pdf", pdfBytes})).Expect(http.StatusCreated)
			return path
		}
		stale := withFiles(naturalLead())
		signed := withFiles(juridicalLead())
		sp := signPath(t, juridicalContract(t, c, signed, representative("John Doe", "607.384.560-04")))
		signAs(t, env, sp, 1).Expect(http.StatusOK)

		env.clock.Advance(energy.DefaultRetention - time.Hour)
		other := naturalLead()
		other["identificationNumber"] = "529.982.247-25"
		recent := withFiles(other) // changed an hour before the sweep's cutoff passes it
		env.clock.Advance(2 * time.Hour)

		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { env.Leads.SweepRetentionEvery(ctx, energy.DefaultRetention, 10*time.Millisecond); close(done) }()
		defer func() { cancel(); <-done }()
		deadline := time.Now().Add(5 * time.Second)
		for {
			l := c.Get(stale).Expect(http.StatusOK).Map()
			if len(l["documents"].([]any)) == 0 {
				if l["hasEnergyUtilityCredentials"] != false || l["status"] != "indicado" {
					t.Errorf("expired lead = %v", l)
				}
				hist := l["statusHistory"].([]any)
				if d := hist[len(hist)-1].(map[string]any)["statusDetails"].(string); !strings.Contains(d, "180 dias") {
					t.Errorf("the expiry is recorded as %q", d)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the sweep did not expire the stale lead within 5 s")
			}
			time.Sleep(20 * time.Millisecond)
		}
		for _, path := range []string{signed, recent} {
			if l := c.Get(path).Expect(http.StatusOK).Map(); len(l["documents"].([]any)) != 1 || l["hasEnergyUtilityCredentials"] != true {
				t.Errorf("%s lost its files: %v", path, l["documents"])
			}
		}
		// stale's bill is gone; signed's bill, signed's contract and recent's bill stay.
		if files := storedFiles(t, env.BlobDir); len(files) != 3 {
			t.Errorf("stored files = %v, want 3", files)
		}
	})
}
