package loja

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"

	"partnership-service/internal/storefront"
	"partnership-service/internal/web"
)

// A provider's colours come from its record as free text; the pages use
// only hex colours (#rgb, #rrggbb) and ignore the rest. Every text colour is
// checked against its background: below WCAG's 4.5:1 it is replaced by
// black or white, whichever reads better, so a provider's palette never
// makes its own sign-up page unreadable.

type rgb struct{ r, g, b float64 }

func parseHex(s string) (rgb, bool) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "#") {
		return rgb{}, false
	}
	h := s[1:]
	if len(h) == 3 {
		h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
	}
	if len(h) != 6 {
		return rgb{}, false
	}
	n, err := strconv.ParseUint(h, 16, 32)
	if err != nil {
		return rgb{}, false
	}
	return rgb{float64(n >> 16 & 0xff), float64(n >> 8 & 0xff), float64(n & 0xff)}, true
}

func (c rgb) String() string {
	return fmt.Sprintf("#%02x%02x%02x", int(math.Round(c.r)), int(math.Round(c.g)), int(math.Round(c.b)))
}

func (c rgb) luminance() float64 {
	ch := func(v float64) float64 {
		v /= 255
		if v <= 0.03928 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(c.r) + 0.7152*ch(c.g) + 0.0722*ch(c.b)
}

func contrast(a, b rgb) float64 {
	la, lb := a.luminance()+0.05, b.luminance()+0.05
	if la < lb {
		la, lb = lb, la
	}
	return la / lb
}

const minContrast = 4.5

var (
	black = rgb{0, 0, 0}
	white = rgb{255, 255, 255}
)

// readableOn is fg when it reads on bg, else black or white.
func readableOn(bg rgb, fg string) rgb {
	if c, ok := parseHex(fg); ok && contrast(c, bg) >= minContrast {
		return c
	}
	if contrast(black, bg) >= contrast(white, bg) {
		return black
	}
	return white
}

// darkenFor darkens c until it reads on bg (links and buttons on white).
func darkenFor(c, bg rgb) rgb {
	for i := 0; i < 20 && contrast(c, bg) < minContrast; i++ {
		c = rgb{c.r * 0.9, c.g * 0.9, c.b * 0.9}
	}
	return c
}

// safeImageURL is an https URL fit for a CSS url("…") or an img src, or
// "": the CSP allows images from https only, and quoting characters are
// escaped so the value cannot end the CSS string.
func safeImageURL(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return ""
	}
	return u.String()
}

func cssString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", "", "\r", "", "<", `\3c `).Replace(s) + `"`
}

// theme renders a provider's stylesheet: its colours as the custom
// properties base.css uses, its wallpaper behind the introduction, and
// each plan's primary colour on its card.
func theme(c *storefront.Catalog) []byte {
	b := c.Provider.Branding
	var css strings.Builder
	css.WriteString(":root{")
	prop := func(name string, v rgb) { fmt.Fprintf(&css, "--%s:%s;", name, v) }
	if nav, ok := parseHex(b.NavbarColor); ok {
		prop("brand", nav)
		prop("brand-fg", readableOn(nav, ""))
		accent := darkenFor(nav, white)
		prop("accent", accent)
		prop("accent-fg", readableOn(accent, "#ffffff"))
	}
	if plans, ok := parseHex(b.PlansBackgroundColor); ok {
		prop("plans-bg", plans)
		prop("plans-fg", readableOn(plans, b.IntroFontColor))
	}
	if footer, ok := parseHex(b.FooterColor); ok {
		prop("footer-bg", footer)
		prop("footer-fg", readableOn(footer, b.FooterFontColor))
	}
	css.WriteString("}\n")
	if wp := safeImageURL(b.Wallpaper); wp != "" {
		fmt.Fprintf(&css, ".intro{background-image:url(%s)}\n", cssString(wp))
	}
	for _, p := range c.Plans {
		if col, ok := parseHex(p.PrimaryColor); ok {
			fmt.Fprintf(&css, ".plan-%d{border-top:6px solid %s}\n", p.ID, col)
		}
	}
	return []byte(css.String())
}

// themeCSS is a provider's stylesheet and its content hash.
type themeCSS struct {
	body    []byte
	version string
}

func newThemeCSS(c *storefront.Catalog) themeCSS {
	body := theme(c)
	return themeCSS{body: body, version: web.Fingerprint(body)}
}
