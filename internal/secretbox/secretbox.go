// Package secretbox seals small secrets for storage with AES-256-GCM, and
// reads or creates the key: from the environment, or from a key file made
// once with mode 0600.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeyEnv names the environment variable holding the secret key.
const KeyEnv = "PARTNERSHIP_SECRET_KEY"

// keyLen is an AES-256 key.
const keyLen = 32

// sealVersion prefixes every sealed value, so the format (or the key) can
// change later without guessing what old values are.
const sealVersion = 1

// Box seals small secrets (utility passwords, signing links) for storage
// with AES-256-GCM. Each value is bound to a context string (what it is and
// whose), so a sealed value copied onto another record or field does not
// open.
type Box struct {
	aead   cipher.AEAD
	macKey []byte // derived from the key, never the key itself
}

// New returns a box for a 32-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != keyLen {
		return nil, fmt.Errorf("secretbox: secret key must be %d bytes, got %d", keyLen, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	// A separate key for MAC, so no value is both encrypted and
	// authenticated under the same key.
	macKey, err := hkdf.Key(sha256.New, key, nil, "secretbox mac v1", 32)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead, macKey: macKey}, nil
}

// MAC is HMAC-SHA256 of data bound to context, under a key derived from
// the box's: the stored form of a short secret (a one-time code) that must
// be checked but never read back, and that a plain hash would not protect
// (a million six-digit codes hash in a blink).
func (b *Box) MAC(data []byte, context string) []byte {
	m := hmac.New(sha256.New, b.macKey)
	m.Write([]byte(context))
	m.Write([]byte{0})
	m.Write(data)
	return m.Sum(nil)
}

// Seal encrypts plain, bound to context: version byte, random nonce,
// ciphertext and tag.
func (b *Box) Seal(plain []byte, context string) []byte {
	out := make([]byte, 1+b.aead.NonceSize(), 1+b.aead.NonceSize()+len(plain)+b.aead.Overhead())
	out[0] = sealVersion
	_, _ = rand.Read(out[1:]) // crypto/rand.Read never fails
	return b.aead.Seal(out, out[1:], plain, []byte(context))
}

// Open decrypts a value from Seal with the same context.
func (b *Box) Open(sealed []byte, context string) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < 1+n+b.aead.Overhead() || sealed[0] != sealVersion {
		return nil, errors.New("secretbox: sealed value is malformed")
	}
	plain, err := b.aead.Open(nil, sealed[1:1+n], sealed[1+n:], []byte(context))
	if err != nil {
		return nil, errors.New("secretbox: sealed value does not open with this key")
	}
	return plain, nil
}

// ParseKey reads a 32-byte key written as 64 hex digits or as base64
// (standard or URL alphabet, padded or not).
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 2*keyLen {
		if k, err := hex.DecodeString(s); err == nil {
			return k, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil && len(k) == keyLen {
			return k, nil
		}
	}
	return nil, fmt.Errorf("%s must be %d bytes as 64 hex digits or base64 (e.g. the output of 'openssl rand -base64 32')", KeyEnv, keyLen)
}

// LoadKey returns the key from env (the value of KeyEnv) when
// set; otherwise the key in path, generated there on first use with 0600
// permissions. Creating with O_EXCL means two processes starting together
// cannot end up with different keys.
func LoadKey(env, path string) ([]byte, error) {
	if strings.TrimSpace(env) != "" {
		return ParseKey(env)
	}
	if b, err := os.ReadFile(path); err == nil {
		return ParseKey(string(b))
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("secretbox: read secret key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("secretbox: create secret key dir: %w", err)
	}
	key := make([]byte, keyLen)
	_, _ = rand.Read(key)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadKey("", path) // another process won the race
	}
	if err != nil {
		return nil, fmt.Errorf("secretbox: create secret key: %w", err)
	}
	_, werr := f.WriteString(hex.EncodeToString(key) + "\n")
	serr := f.Sync()
	if err := errors.Join(werr, serr, f.Close()); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("secretbox: write secret key: %w", err)
	}
	return key, nil
}
