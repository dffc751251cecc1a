package loja

import (
	"strings"
	"testing"

	"partnership-service/internal/storefront"
)

func TestThemeKeepsTextReadable(t *testing.T) {
	c := &storefront.Catalog{Provider: storefront.Provider{ID: 1, Branding: storefront.Branding{
		NavbarColor: "#3f89ff", PlansBackgroundColor: "#fff", IntroFontColor: "#eeeeee",
		FooterColor: "#1d2b4f", FooterFontColor: "#ffffff", Wallpaper: `https://cdn.example/a"b.jpg`,
	}}, Plans: []storefront.Plan{{ID: 7, PrimaryColor: "red"}, {ID: 8, PrimaryColor: "#d18080"}}}
	css := string(theme(c))
	for _, want := range []string{
		"--brand:#3f89ff;",
		"--brand-fg:#000000;",                  // white on #3f89ff is 3.4:1: black instead
		"--plans-fg:#000000;",                  // #eeeeee on white is unreadable
		"--footer-fg:#ffffff;",                 // the provider's choice reads fine
		`url("https://cdn.example/a%22b.jpg")`, // quotes cannot end the string
		".plan-8{border-top:6px solid #d18080}",
	} {
		if !strings.Contains(css, want) {
			t.Errorf("theme lacks %q:\n%s", want, css)
		}
	}
	if strings.Contains(css, ".plan-7") {
		t.Error("a colour name was used; only hex colours are")
	}
	accent, _ := parseHex(css[strings.Index(css, "--accent:")+9 : strings.Index(css, "--accent:")+16])
	if contrast(accent, white) < minContrast {
		t.Errorf("accent %v has contrast %.2f on white", accent, contrast(accent, white))
	}
	for _, bad := range []string{"http://cdn.example/x.png", "javascript:alert(1)", "/relative.png", "https://user@x.example/a.png"} {
		if safeImageURL(bad) != "" {
			t.Errorf("safeImageURL(%q) accepted", bad)
		}
	}
}
