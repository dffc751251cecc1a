package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"partnership-service/internal/apitest"
	"partnership-service/internal/server"
)

// TestWebhookEndpointRoutes: the one handler set on each surface, every
// answer validated against the contract: create (secret once), list, read,
// change, rotate, deliveries, retry, delete, and the refusals (a private
// URL without --webhook-allow-private, another owner's endpoint, a bad
// limit), each in the surface's envelope.
func TestWebhookEndpointRoutes(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	cli := newTestCLI(t, dir, "")
	keyA, keyB := cli.partnerKey("Parceiro A", "Ana"), cli.partnerKey("Parceiro B", "Bia")
	providerA := cli.providerToken("Provedor A", "https://a.example.com.br")
	providerB := cli.providerToken("Provedor B", "https://b.example.com.br")
	account := cli.run("account", "create", "--name", "Gestora", "--type", "gestao")
	cli.run("account", "create", "--name", "Outra", "--type", "gestao")
	cli.run("user", "create", "--email", "g@example.com", "--password", "senha-forte-1", "--account", "Gestora")
	cli.run("user", "create", "--email", "o@example.com", "--password", "senha-forte-1", "--account", "Outra")
	cli.run("user", "create", "--email", "root@example.com", "--password", "senha-forte-1", "--super-admin")
	manager, other, root := cli.run("token", "create", "--email", "g@example.com"), cli.run("token", "create", "--email", "o@example.com"),
		cli.run("token", "create", "--email", "root@example.com")

	a := testApp(t, ctx, dir)
	var err error
	if a.webhooks, err = a.webhookService(webhookOptions{retrySchedule: "5s"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, prefix  string
		build         func(context.Context) (server.Surface, error)
		owner, intrud string
		invalid       int
		createExtra   map[string]any
	}{
		{"energy", "/sales-conversion", a.energySurface, keyA, keyB, http.StatusBadRequest, nil},
		{"storefront", "/api/v2/admin", a.storefrontSurface, providerA, providerB, http.StatusUnprocessableEntity, nil},
		{"companies", "/api/v4", a.companiesSurface, manager, other, http.StatusUnprocessableEntity, nil},
		{"companies super admin", "/api/v4", a.companiesSurface, root, other, http.StatusUnprocessableEntity,
			map[string]any{"account_id": account}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := testHandler(t, ctx, tc.build)
			owner := apitest.New(t, h).With("Authorization", "Bearer "+tc.owner)
			intruder := apitest.New(t, h).With("Authorization", "Bearer "+tc.intrud)
			base := tc.prefix + "/webhook-endpoints"
			body := func(fields map[string]any) map[string]any {
				for k, v := range tc.createExtra {
					fields[k] = v
				}
				return fields
			}
			for _, private := range []string{"http://93.184.215.14/hooks", "https://127.0.0.1/hooks", "https://10.0.0.8/hooks"} {
				owner.JSON(http.MethodPost, base, body(map[string]any{"url": private})).Expect(tc.invalid)
			}
			owner.JSON(http.MethodPost, base, body(map[string]any{"url": "https://93.184.215.14/hooks", "events": []string{"nope"}})).Expect(tc.invalid)
			created := owner.JSON(http.MethodPost, base, body(map[string]any{"url": "https://93.184.215.14/hooks", "description": "CRM"})).
				Expect(http.StatusCreated).Map()
			id, _ := created["id"].(string)
			if secret, _ := created["secret"].(string); !strings.HasPrefix(secret, "whsec_") || len(secret) < len("whsec_")+32 {
				t.Fatalf("secret %q", secret)
			}
			path := base + "/" + id
			listPath := base
			if tc.createExtra != nil {
				listPath += "?account_id=" + account
				owner.Get(base).Expect(http.StatusUnprocessableEntity) // a super admin names the account
			}
			list := owner.Get(listPath).Expect(http.StatusOK).Map()
			if items, _ := list["items"].([]any); len(items) != 1 || items[0].(map[string]any)["secret"] != nil {
				t.Fatalf("list %v", list)
			}
			if got := owner.Get(path).Expect(http.StatusOK).Map(); got["secret"] != nil || got["enabled"] != true {
				t.Fatalf("get %v", got)
			}
			intruder.Get(path).Expect(http.StatusNotFound)
			intruder.JSON(http.MethodPatch, path, map[string]any{"enabled": false}).Expect(http.StatusNotFound)
			intruder.JSON(http.MethodDelete, path, nil).Expect(http.StatusNotFound)
			if got := owner.JSON(http.MethodPatch, path, map[string]any{"enabled": false, "events": []string{}}).Expect(http.StatusOK).Map(); got["enabled"] != false || got["disabled_reason"] == nil {
				t.Fatalf("patch %v", got)
			}
			rotated := owner.JSON(http.MethodPost, path+"/rotate-secret", nil).Expect(http.StatusOK).Map()
			if rotated["secret"] == created["secret"] {
				t.Fatal("rotation kept the secret")
			}
			owner.Get(path + "/deliveries").Expect(http.StatusOK)
			owner.Get(path + "/deliveries?limit=0").Expect(tc.invalid)
			owner.JSON(http.MethodPost, path+"/deliveries/nope/retry", nil).Expect(http.StatusNotFound)
			owner.JSON(http.MethodDelete, path, nil).Expect(http.StatusNoContent)
			owner.Get(path).Expect(http.StatusNotFound)
			owner.Get(base + "/not-a-uuid").Expect(http.StatusNotFound)
		})
	}
}
