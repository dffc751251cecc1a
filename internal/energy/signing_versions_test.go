package energy_test

import (
	"bytes"
	"net/http"
	"testing"
)

// TestSignatureBelongsToOneContractVersion replays issue 10 #1: a
// representative's signature on a contract that a PUT cancelled does not
// count toward the next contract with the same representatives.
func TestSignatureBelongsToOneContractVersion(t *testing.T) {
	eachLeadEnv(t, func(t *testing.T, env *leadEnv) {
		c := env.A
		path := leadPath(t, c, juridicalLead())
		reps := twoRepresentatives()
		signAs(t, env, signPath(t, juridicalContract(t, c, path, reps...)), 2).Expect(http.StatusOK)

		changed := c.JSON(http.MethodPut, path, map[string]any{"plan": map[string]any{"planName": "Premium", "discount": "14", "loyaltyRequirement": "60", "benefit": "Ganhou_1_Fatura_Gratis"}}).
			Expect(http.StatusOK).Map()
		if changed["status"] != "indicado" {
			t.Fatalf("changing the plan: status %v, want indicado (contract cancelled)", changed["status"])
		}
		second := c.JSON(http.MethodPost, path+"/contracts", map[string]any{"legalRepresentatives": reps}).Expect(http.StatusCreated).Map()
		if sigs := second["signatures"].([]any); len(sigs) != 0 {
			t.Errorf("new contract lists the cancelled contract's signatures: %v", sigs)
		}
		sp := signPath(t, second)
		page := env.Anon.Get(sp).Expect(http.StatusOK)
		if n := bytes.Count(page.Body, []byte("— pendente")); n != 2 || bytes.Contains(page.Body, []byte("— assinado")) {
			t.Errorf("new signing page shows %d pending signers, want 2 and nobody signed: %s", n, page.Body)
		}
		signAs(t, env, sp, 1).Expect(http.StatusOK)
		if got := c.Get(path).Expect(http.StatusOK).Map(); got["status"] != "negociacao" || len(got["signatures"].([]any)) != 1 {
			t.Fatalf("one of two signatures on the new contract: status %v, signatures %v", got["status"], got["signatures"])
		}
		signAs(t, env, sp, 2).Expect(http.StatusOK)
		if got := c.Get(path).Expect(http.StatusOK).Map()["status"]; got != "assinado" {
			t.Errorf("both signed the new contract: status %v, want assinado", got)
		}
	})
}

// TestSigningPageMasksCPF replays part of issue 10 #4: the signing page of a
// natural lead showed the customer's CPF in full.
func TestSigningPageMasksCPF(t *testing.T) {
	eachLeadEnv(t, func(t *testing.T, env *leadEnv) {
		c := env.A
		path := leadPath(t, c, naturalLead())
		sp := contractLink(t, c, path)
		page := env.Anon.Get(sp).Expect(http.StatusOK)
		for _, full := range []string{"111.444.777-35", "11144477735"} {
			if bytes.Contains(page.Body, []byte(full)) {
				t.Errorf("signing page shows the CPF in full (%s)", full)
			}
		}
		if !bytes.Contains(page.Body, []byte("***.444.777-**")) {
			t.Errorf("signing page lacks the masked CPF: %s", page.Body)
		}
	})
}
