package energy_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"partnership-service/internal/energy"
)

// TestSigningCodeLocksAfterFiveWrong replays issue 10 #4: whoever holds the
// link tried CPFs until one matched. Now each try is a guess at a code
// mailed to the signer, and the fifth wrong one locks that signer on the
// link (the other representative is not affected) until a new contract.
func TestSigningCodeLocksAfterFiveWrong(t *testing.T) {
	eachLeadEnv(t, func(t *testing.T, env *leadEnv) {
		c := env.A
		path := leadPath(t, c, juridicalLead())
		reps := twoRepresentatives()
		sp := signPath(t, juridicalContract(t, c, path, reps...))

		requestCode(env.Anon, sp, 1).Expect(http.StatusOK)
		code := lastCode(t, env.Mail)
		for i, want := range []string{"Restam 4", "Restam 3", "Restam 2", "Resta 1"} {
			if body := postSign(env.Anon, sp, 1, otherCode(code), true).Expect(http.StatusBadRequest).Body; !bytes.Contains(body, []byte(want)) {
				t.Fatalf("wrong code %d: page lacks %q: %s", i+1, want, body)
			}
		}
		postSign(env.Anon, sp, 1, "12", true).Expect(http.StatusBadRequest) // malformed: not a guess
		postSign(env.Anon, sp, 1, otherCode(code), true).Expect(http.StatusForbidden)
		postSign(env.Anon, sp, 1, code, true).Expect(http.StatusForbidden)
		requestCode(env.Anon, sp, 1).Expect(http.StatusForbidden)
		if got := c.Get(path).Expect(http.StatusOK).Map(); got["status"] != "negociacao" || len(got["signatures"].([]any)) != 0 ||
			!strings.Contains(got["statusDetails"].(string), "John Doe foi bloqueada") {
			t.Fatalf("after the lock the partner reads: status %v (%v), signatures %v", got["status"], got["statusDetails"], got["signatures"])
		}
		page := env.Anon.Get(sp).Expect(http.StatusOK).Body
		if !bytes.Contains(page, []byte("John Doe (CPF ***.384.560-**) — bloqueado")) || !bytes.Contains(page, []byte("Jill Valentine (CPF ***.982.247-**) — pendente")) {
			t.Errorf("page after the lock: %s", page)
		}
		for _, full := range []string{"60738456004", "607.384.560-04", "52998224725", "529.982.247-25", "384.560-04"} {
			if bytes.Contains(page, []byte(full)) {
				t.Errorf("the page shows a CPF in full (%s)", full)
			}
		}
		signAs(t, env, sp, 2).Expect(http.StatusOK) // the other signer is not locked

		// A new contract (issued later, so another document: Jill's
		// signature was on the old one) is a new link with new codes.
		env.clock.Advance(time.Hour)
		sp = signPath(t, c.JSON(http.MethodPost, path+"/contracts", map[string]any{"legalRepresentatives": reps}).Expect(http.StatusCreated).Map())
		signAs(t, env, sp, 1).Expect(http.StatusOK)
		signAs(t, env, sp, 2).Expect(http.StatusOK)
		if got := c.Get(path).Expect(http.StatusOK).Map()["status"]; got != "assinado" {
			t.Errorf("after the new contract: status %v, want assinado", got)
		}
	})
}

// TestSigningCodeLifetime: a code is asked at most once a minute, replaces
// the one before, expires after ten minutes, works once, and is stored
// only as a MAC.
func TestSigningCodeLifetime(t *testing.T) {
	eachLeadEnv(t, func(t *testing.T, env *leadEnv) {
		c := env.A
		id, path := newLead(t, c, naturalLead())
		sp := contractLink(t, c, path)

		requestCode(env.Anon, sp, 1).Expect(http.StatusOK)
		first := lastCode(t, env.Mail)
		if body := requestCode(env.Anon, sp, 1).Expect(http.StatusTooManyRequests).Body; !bytes.Contains(body, []byte(`name="code"`)) {
			t.Errorf("a second code within a minute: the page should still ask for the first: %s", body)
		}
		l, err := env.Stores.EnergyLeads().Lead(context.Background(), env.PartnerA, id)
		if err != nil {
			t.Fatal(err)
		}
		if stored := energy.EncodeSignCodes(l.Contract.Codes); strings.Contains(stored, first) || len(l.Contract.Codes) != 1 || len(l.Contract.Codes[0].MAC) != 32 {
			t.Errorf("stored code state %s: want one 32-byte MAC and no code", stored)
		}

		env.clock.Advance(time.Minute)
		requestCode(env.Anon, sp, 1).Expect(http.StatusOK)
		second := lastCode(t, env.Mail)
		if first != second {
			postSign(env.Anon, sp, 1, first, true).Expect(http.StatusBadRequest) // replaced
		}
		env.clock.Advance(energy.SignCodeTTL)
		if body := postSign(env.Anon, sp, 1, second, true).Expect(http.StatusBadRequest).Body; !bytes.Contains(body, []byte("expirou")) {
			t.Errorf("an expired code: %s", body)
		}
		requestCode(env.Anon, sp, 1).Expect(http.StatusOK)
		third := lastCode(t, env.Mail)
		postSign(env.Anon, sp, 1, third, true).Expect(http.StatusOK)
		postSign(env.Anon, sp, 1, third, true).Expect(http.StatusConflict)
		if n := len(env.Mail.Messages()); n != 4 { // the link and three codes
			t.Errorf("%d messages, want 4", n)
		}
	})
}
