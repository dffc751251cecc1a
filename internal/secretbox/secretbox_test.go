package secretbox

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

func TestSecretBoxSealsBoundToContext(t *testing.T) {
	t.Parallel()
	key := bytes.Repeat([]byte{7}, 32)
	box, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	sealed := box.Seal([]byte("qwer1234"), "lead-1")
	if bytes.Contains(sealed, []byte("qwer1234")) {
		t.Fatal("sealed value contains the plaintext")
	}
	if again := box.Seal([]byte("qwer1234"), "lead-1"); bytes.Equal(again, sealed) {
		t.Fatal("two seals of one value are equal: the nonce is not random")
	}
	plain, err := box.Open(sealed, "lead-1")
	if err != nil || string(plain) != "qwer1234" {
		t.Fatalf("Open = %q, %v", plain, err)
	}
	if _, err := box.Open(sealed, "lead-2"); err == nil {
		t.Fatal("opened with another context")
	}
	other, _ := New(bytes.Repeat([]byte{8}, 32))
	if _, err := other.Open(sealed, "lead-1"); err == nil {
		t.Fatal("opened with another key")
	}
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	if _, err := box.Open(tampered, "lead-1"); err == nil {
		t.Fatal("opened a tampered value")
	}
	if _, err := box.Open(sealed[:5], "lead-1"); err == nil {
		t.Fatal("opened a truncated value")
	}
}

func TestParseKey(t *testing.T) {
	t.Parallel()
	key := bytes.Repeat([]byte{0xab}, 32)
	for _, s := range []string{
		hex.EncodeToString(key), base64.StdEncoding.EncodeToString(key), base64.RawURLEncoding.EncodeToString(key),
		" " + base64.StdEncoding.EncodeToString(key) + "\n",
	} {
		got, err := ParseKey(s)
		if err != nil || !bytes.Equal(got, key) {
			t.Errorf("ParseKey(%q) = %x, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "short", hex.EncodeToString(key[:16]), base64.StdEncoding.EncodeToString(append(key, 1))} {
		if _, err := ParseKey(s); err == nil {
			t.Errorf("ParseKey(%q) accepted a bad key", s)
		}
	}
}

func TestLoadKeyGeneratesOnce(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "data", "secret.key")
	first, err := LoadKey("", path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Fatalf("key file mode = %o, want 600", perm)
	}
	second, err := LoadKey("", path)
	if err != nil || !bytes.Equal(first, second) {
		t.Fatalf("second load = %x, %v; want the same key %x", second, err, first)
	}
	env := bytes.Repeat([]byte{1}, 32)
	fromEnv, err := LoadKey(hex.EncodeToString(env), path)
	if err != nil || !bytes.Equal(fromEnv, env) {
		t.Fatalf("env key = %x, %v; want %x", fromEnv, err, env)
	}
	if _, err := LoadKey("not a key", path); err == nil {
		t.Fatal("a bad environment key was accepted")
	}
}

// TestMACBindsKeyAndContext: a code's MAC is stable for one key and
// context, differs for another of either, and is not keyed by the sealing
// key itself.
func TestMACBindsKeyAndContext(t *testing.T) {
	t.Parallel()
	box, _ := New(bytes.Repeat([]byte{7}, 32))
	other, _ := New(bytes.Repeat([]byte{8}, 32))
	mac := box.MAC([]byte("123456"), "sign-code:a")
	for name, got := range map[string][]byte{
		"other code":    box.MAC([]byte("123457"), "sign-code:a"),
		"other context": box.MAC([]byte("123456"), "sign-code:b"),
		"other key":     other.MAC([]byte("123456"), "sign-code:a"),
	} {
		if bytes.Equal(got, mac) {
			t.Errorf("%s: same MAC", name)
		}
	}
	if !bytes.Equal(box.MAC([]byte("123456"), "sign-code:a"), mac) || len(mac) != 32 {
		t.Error("MAC is not a stable 32-byte value")
	}
}
