package energy_test

import (
	"bytes"
	"context"
	"database/sql"
	"net/http"
	"testing"
)

// TestLeadAnswerSnapshot (issue 13): a lead's GET answers the snapshot its
// last write stored, byte for byte what encoding the lead read back gives
// (the answer once the snapshot is cleared), after every kind of write;
// a lead holding a contract stores none, since its answer's links carry
// the signer's token.
func TestLeadAnswerSnapshot(t *testing.T) {
	eachLeadEnv(t, func(t *testing.T, env *leadEnv) {
		ctx := context.Background()
		c := env.A
		id, path := newLead(t, c, naturalLead())
		check := func(step string, stored bool) {
			t.Helper()
			answer := c.Get(path).Expect(http.StatusOK).Body
			var snapshot sql.NullString
			if err := env.Stores.Shared().QueryRow(ctx, `SELECT snapshot FROM energy_leads WHERE id = ?`, id).Scan(&snapshot); err != nil {
				t.Fatal(err)
			}
			if snapshot.Valid != stored || stored && snapshot.String != string(answer) {
				t.Fatalf("%s: snapshot stored %v, want %v (or it is not the answer)", step, snapshot.Valid, stored)
			}
			if _, err := env.Stores.Shared().Exec(ctx, `UPDATE energy_leads SET snapshot = NULL WHERE id = ?`, id); err != nil {
				t.Fatal(err)
			}
			if read := c.Get(path).Expect(http.StatusOK).Body; !bytes.Equal(read, answer) {
				t.Fatalf("%s: the stored answer\n%s\ndiffers from the lead read back\n%s", step, answer, read)
			}
		}
		check("created", true)
		c.JSON(http.MethodPut, path, map[string]any{"fullName": "John Felix Cena", "address": map[string]any{"number": "778"}}).
			Expect(http.StatusOK)
		check("updated", true)
		c.JSON(http.MethodPatch, path+"/energy-utility-credentials",
			map[string]any{"utilityBillLogin": "login@cpfl.com", "password": "qwer1234"}).Expect(http.StatusOK)
		check("credentials", true)
		c.Do(multipartRequest(c, http.MethodPost, path+"/utility-bill", filePart{"utilityBill", "conta.pdf", pdfBytes})).
			Expect(http.StatusCreated)
		check("bill", true)
		c.JSON(http.MethodPost, path+"/contracts", map[string]any{}).Expect(http.StatusCreated)
		check("contract", false)
	})
}
