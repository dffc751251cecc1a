package webhook

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// Timeout bounds one attempt: connecting, sending and the answer.
const Timeout = 15 * time.Second

// maxResponse is how much of an answer's body is read and kept.
const maxResponse = 4 << 10

// errPrivateAddress refuses a connection to an address that is not public.
var errPrivateAddress = errors.New("webhook: destination address is not public")

// nonPublic are the ranges an endpoint may not reach unless private
// addresses are allowed: besides what netip classifies as loopback,
// private, link-local, multicast or unspecified, the shared (CGNAT),
// benchmarking, IETF, reserved and NAT64 ranges, through which a public
// name could still reach an internal host.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
}

// Public reports whether ip is a public unicast address.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// newClient is the HTTP client deliveries go through. Unless allowPrivate,
// its dialer refuses, in its Control function, any address that is not
// public: the check runs on the address actually dialled, after DNS, so a
// name that resolved to a public address when the endpoint was registered
// and to an internal one now (DNS rebinding) is still refused. No proxy
// (it would dial for us, unchecked), no redirects (a 3xx is an answer, and
// a failed attempt).
func newClient(allowPrivate bool, workers int) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	if !allowPrivate {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || !Public(ap.Addr()) {
				return errPrivateAddress
			}
			return nil
		}
	}
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: Timeout,
			// As many as the attempts that may run at once: with net/http's
			// 2, most attempts to a busy endpoint dialled a new connection
			// (and checked its address) and closed it after one message.
			MaxIdleConnsPerHost: workers,
			IdleConnTimeout:     90 * time.Second,
		},
		Timeout:       Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// checkURL is the message (pt-BR) saying why raw may not be an endpoint's
// URL, or "": https with a host whose addresses are all public, unless
// allowPrivate (tests, the demo), which allows http and any address too.
func checkURL(ctx context.Context, raw string, allowPrivate bool) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || u.Hostname() == "" || u.Opaque != "":
		return "deve ser uma URL absoluta, como https://exemplo.com.br/webhooks"
	case len(raw) > 2048:
		return "deve ter no máximo 2048 caracteres"
	case u.User != nil:
		return "não pode conter usuário ou senha"
	case u.Fragment != "":
		return "não pode conter fragmento (#)"
	case allowPrivate:
		if u.Scheme != "https" && u.Scheme != "http" {
			return "deve usar https"
		}
		return ""
	case u.Scheme != "https":
		return "deve usar https"
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		if !Public(ip) {
			return "deve apontar para um endereço público"
		}
		return ""
	}
	lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(lctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return "o host não pôde ser resolvido"
	}
	for _, a := range addrs {
		if !Public(a) {
			return "deve apontar para um endereço público"
		}
	}
	return ""
}
