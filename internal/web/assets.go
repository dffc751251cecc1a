package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// AssetPrefix is where assets are served.
const AssetPrefix = "/assets/"

// Assets are static files served under URLs that carry a hash of their
// content ("/assets/base.3f2a9c1d.css"): a changed file gets a new URL, so
// browsers may keep each one for a year without asking again.
type Assets struct {
	urls  map[string]string // file name → URL
	files map[string]asset  // URL's last segment → file
}

type asset struct {
	body        []byte
	contentType string
}

func mustAssets(fsys fs.FS, dir string) *Assets {
	a, err := NewAssets(fsys, dir)
	if err != nil {
		panic(err)
	}
	return a
}

// NewAssets loads every file of dir in fsys.
func NewAssets(fsys fs.FS, dir string) (*Assets, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	a := &Assets{urls: map[string]string{}, files: map[string]asset{}}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		body, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ext := path.Ext(e.Name())
		fingerprinted := strings.TrimSuffix(e.Name(), ext) + "." + Fingerprint(body) + ext
		a.urls[e.Name()] = AssetPrefix + fingerprinted
		a.files[fingerprinted] = asset{body: body, contentType: contentType(e.Name())}
	}
	return a, nil
}

// Fingerprint is the short content hash versioned URLs carry.
func Fingerprint(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6])
}

// URL is the fingerprinted URL of file name; an unknown name fails the
// template that asked, so a typo never ships a broken link.
func (a *Assets) URL(name string) (string, error) {
	u, ok := a.urls[name]
	if !ok {
		return "", fmt.Errorf("web: no asset %q", name)
	}
	return u, nil
}

// Size is the size in bytes of file name (0 when unknown).
func (a *Assets) Size(name string) int {
	u := a.urls[name]
	return len(a.files[strings.TrimPrefix(u, AssetPrefix)].body)
}

// Routes serves the assets: GET /assets/{file}.
func (a *Assets) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+AssetPrefix+"{file}", a.serve)
}

// ImmutableCache is the Cache-Control of a URL whose content never
// changes.
const ImmutableCache = "public, max-age=31536000, immutable"

func (a *Assets) serve(w http.ResponseWriter, r *http.Request) {
	f, ok := a.files[r.PathValue("file")]
	if !ok {
		RenderError(w, r, http.StatusNotFound)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", ImmutableCache)
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(f.body)
}
