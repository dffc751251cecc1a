package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestEnergyAdminCommands(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	// Flags go before positional arguments, as the flag package reads them.
	runOK := func(command, verb string, rest ...string) string {
		t.Helper()
		args := append([]string{command, verb, "--data-dir", dataDir}, rest...)
		env, stdout, stderr := testEnv(nil)
		if err := run(context.Background(), env, args); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, stderr)
		}
		return stdout.String()
	}
	id := strings.TrimSpace(runOK("partner", "create", "--name", "Solar Parceiros"))
	if !regexp.MustCompile(`^[0-9a-f-]{36}$`).MatchString(id) {
		t.Fatalf("partner create printed %q, want the id alone", id)
	}
	key := strings.TrimSpace(runOK("apikey", "create", "--partner", "Solar Parceiros", "--seller", "Ana"))
	if !regexp.MustCompile(`^pk_[a-z2-7]{8}_[a-z2-7]{52}$`).MatchString(key) {
		t.Fatalf("apikey create printed %q, want the key alone", key)
	}
	prefix := strings.Join(strings.Split(key, "_")[:2], "_")
	if out := runOK("apikey", "revoke", prefix); !strings.Contains(out, "revoked") {
		t.Fatalf("revoke printed %q", out)
	}
	env, _, _ := testEnv(nil)
	if err := run(context.Background(), env, []string{"apikey", "revoke", "--data-dir", dataDir, prefix}); err == nil {
		t.Fatal("revoking twice succeeded")
	}
	env, _, _ = testEnv(nil)
	if err := run(context.Background(), env, []string{"apikey", "create", "--partner", "Nobody", "--data-dir", dataDir}); err == nil {
		t.Fatal("a key for an unknown partner was issued")
	}

	csv := filepath.Join(t.TempDir(), "areas.csv")
	os.WriteFile(csv, []byte("utility_name,ibge_code\nCPFL PAULISTA,3509502\nCPFL PAULISTA,3552205\ncemig-d,3106200\nNOPE,3550308\nENEL SP,12\n"), 0o600)
	first := runOK("catalog", "import-areas", csv)
	if !strings.Contains(first, "1 areas added, 2 already known, 2 rows skipped") {
		t.Fatalf("first import: %q", first)
	}
	if again := runOK("catalog", "import-areas", csv); !strings.Contains(again, "0 areas added, 3 already known") {
		t.Fatalf("re-import is not idempotent: %q", again)
	}
}
