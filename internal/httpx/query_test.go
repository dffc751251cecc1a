package httpx

import (
	"net/url"
	"testing"
)

// Query must read every query as url.ParseQuery's map does, or a partner's
// filter would mean something else on the catalog than elsewhere.
func FuzzQueryReadsAsParseQuery(f *testing.F) {
	for _, raw := range []string{
		"state=SP&city=S%C3%A3o%20Paulo", "city=S%C3%A3o+Paulo&state=sp", "state=SP&state=RJ", "st%61te=MG",
		"state", "state=", "&&state=SP&", "state=%zz&state=BA", "sta;te=SP&state=PE", "city=a;b", "=x&state=AC",
		"ibge_code=%203509502%20", "state=%", "%=1&state=RS",
	} {
		f.Add(raw, "state")
	}
	f.Fuzz(func(t *testing.T, raw, name string) {
		want, _ := url.ParseQuery(raw)
		if got := Query(raw).Get(name); got != want.Get(name) {
			t.Fatalf("Query(%q).Get(%q) = %q, url.ParseQuery gives %q", raw, name, got, want.Get(name))
		}
	})
}
