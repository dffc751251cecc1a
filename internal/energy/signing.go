package energy

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/blob"
)

// ESigner sends a contract for electronic signature. The built-in
// SigningPage serves the signing page from this service; an external
// provider (Clicksign, ZapSign) would upload the document, return the
// provider's signing URL as Link and its document id as Reference, and
// complete the signature from its webhook through the same store update the
// page uses.
type ESigner interface {
	Request(ctx context.Context, r SignatureRequest) (SignatureTicket, error)
}

// SignatureRequest is a contract to be signed.
type SignatureRequest struct {
	LeadID   string
	Contract blob.Object
	Signers  []Signer
}

// SignatureTicket tells how to reach a signature request.
type SignatureTicket struct {
	Provider  string    // "pagina" for the built-in page
	Reference string    // unique; how the provider's answer finds the lead again
	Link      string    // where signers go: a path on this service ("/…") or a URL
	ExpiresAt time.Time // zero: never
}

// Signature is the evidence of one signer's acceptance.
type Signature struct {
	SignerName     string
	SignerCPF      string
	SignedAt       time.Time
	IP             string // the connection's peer address
	ForwardedFor   string // X-Forwarded-For as received, when a proxy sent one
	UserAgent      string
	ContractSHA256 string // of the PDF the signer was shown, re-hashed at signing
	Reference      string // the signature request signed
}

// SignPathPrefix is where the built-in signing page lives; the token follows.
const SignPathPrefix = "/sales-conversion/sign/"

// DefaultSignTTL is how long a signing link stays valid by default.
const DefaultSignTTL = 7 * 24 * time.Hour

// SigningPage is the built-in ESigner: a link carrying an unguessable
// 32-byte token to a page of this service. Only the token's SHA-256 is
// used to find the lead (the Reference); the link itself is stored sealed.
type SigningPage struct {
	TTL time.Duration // DefaultSignTTL when 0
	Now func() time.Time
}

// Request issues a new token.
func (p SigningPage) Request(ctx context.Context, r SignatureRequest) (SignatureTicket, error) {
	var raw [32]byte
	_, _ = rand.Read(raw[:]) // crypto/rand.Read never fails
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	ttl := p.TTL
	if ttl <= 0 {
		ttl = DefaultSignTTL
	}
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	return SignatureTicket{
		Provider:  "pagina",
		Reference: signReference(token),
		Link:      SignPathPrefix + token,
		ExpiresAt: now().UTC().Add(ttl).Truncate(time.Microsecond),
	}, nil
}

// signReference is the stored form of a page token.
func signReference(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// tokenLen is the length of a page token: 32 bytes in unpadded base64url.
var tokenLen = base64.RawURLEncoding.EncodedLen(32)

// SigningState says whether a signing link can still be used.
type SigningState int

const (
	SigningOpen    SigningState = iota // awaiting signatures
	SigningDone                        // every signer signed
	SigningExpired                     // the link's time is up
)

// SigningSession is what the signing page shows.
type SigningSession struct {
	Lead    Lead
	State   SigningState
	Pending []Signer
}

// Signing finds the contract a page token signs. A malformed or unknown
// token, and the token of a contract that was replaced or cancelled (a new
// contract, a change to the lead), is not found.
func (s *LeadService) Signing(ctx context.Context, token string) (SigningSession, error) {
	if len(token) != tokenLen {
		return SigningSession{}, errSigningLink
	}
	ref := signReference(token)
	l, err := s.store.LeadBySignReference(ctx, ref)
	if apperr.Is(err, apperr.NotFound) {
		return SigningSession{}, errSigningLink
	}
	if err != nil {
		return SigningSession{}, err
	}
	return s.session(l), nil
}

var errSigningLink = apperr.New(apperr.NotFound, "Link de assinatura inválido ou cancelado.")

// session reads the state of the lead's current signature request.
func (s *LeadService) session(l Lead) SigningSession {
	ss := SigningSession{Lead: l, Pending: l.pendingSigners()}
	switch {
	case len(ss.Pending) == 0:
		ss.State = SigningDone
	case !l.Contract.SignExpiresAt.IsZero() && !s.clock().Before(l.Contract.SignExpiresAt):
		ss.State = SigningExpired
	}
	return ss
}

func (l *Lead) pendingSigners() []Signer {
	var out []Signer
	for _, sg := range l.signers() {
		if !l.signedBy(sg.CPF) {
			out = append(out, sg)
		}
	}
	return out
}

// signedBy reports whether cpf signed the current contract. A signature
// belongs to one contract version, named by its document's SHA-256: one on
// a replaced or cancelled contract does not count.
func (l *Lead) signedBy(cpf string) bool {
	for _, sg := range l.CurrentSignatures() {
		if sg.SignerCPF == cpf {
			return true
		}
	}
	return false
}

// CurrentSignatures are the signatures of the lead's current contract (by
// its SHA-256), in signing order; none when it has no contract. Signatures
// of earlier contract versions stay in Signatures as evidence.
func (l *Lead) CurrentSignatures() []Signature {
	if l.Contract == nil {
		return nil
	}
	var out []Signature
	for _, sg := range l.Signatures {
		if sg.ContractSHA256 == l.Contract.SHA256 {
			out = append(out, sg)
		}
	}
	return out
}

// SignInput is what the signer confirms on the page, with the request's
// evidence.
type SignInput struct {
	Signer                  int    // 1-based position among the contract's signers
	Code                    string // the one-time code mailed to that signer
	Accepted                bool
	IP, ForwardedFor, Agent string
}

// ErrSigningClosed is returned by Sign when the link can no longer sign;
// the session's State says why.
var ErrSigningClosed = apperr.New(apperr.Conflict, "Este link não aceita mais assinaturas.")

// Sign records one signer's acceptance: the signer (the customer for a
// natural lead, a legal representative for a juridical one) must be
// pending and enter the code RequestSignCode mailed them. When the last
// signer signs the lead moves to assinado. A missing acceptance, a used or
// expired link change nothing; a wrong code counts toward the signer's
// lock and changes nothing else.
func (s *LeadService) Sign(ctx context.Context, token string, in SignInput) (SigningSession, error) {
	ss, err := s.Signing(ctx, token)
	if err != nil {
		return ss, err
	}
	if ss.State != SigningOpen {
		return ss, ErrSigningClosed
	}
	signer, err := chooseSigner(ss, in.Signer)
	if err != nil {
		return ss, err
	}
	var f apperr.Fields
	if !in.Accepted {
		f.Add("accept", "Para assinar é preciso declarar que leu e aceita o contrato.")
	}
	code, codeOK := normalizeSignCode(in.Code)
	if !codeOK {
		f.Add("code", fmt.Sprintf("Informe os %d dígitos do código enviado por e-mail.", SignCodeDigits))
	}
	if err := f.Err(apperr.Invalid); err != nil {
		return ss, err
	}
	digest, err := s.contractDigest(ctx, *ss.Lead.Contract)
	if err != nil {
		return ss, err
	}
	ref := ss.Lead.Contract.SignReference
	now := s.clock()
	var verdict error
	l, err := s.updateLead(ctx, Principal{PartnerID: ss.Lead.PartnerID}, ss.Lead.ID, func(l *Lead) error {
		// Checked again inside the write: another signature may have landed.
		if l.Contract == nil || l.Contract.SignReference != ref || s.session(*l).State != SigningOpen || l.signedBy(signer.CPF) {
			return ErrSigningClosed
		}
		var ok bool
		// A wrong code is saved (it counts toward the lock), so the
		// write commits and the refusal is returned after it.
		if ok, verdict = s.checkSignCode(l, signer, code, now); !ok {
			return nil
		}
		l.Signatures = append(l.Signatures, Signature{
			SignerName: signer.Name, SignerCPF: signer.CPF, SignedAt: now,
			IP: clipBytes(in.IP, 100), ForwardedFor: clipBytes(in.ForwardedFor, 200), UserAgent: clipBytes(in.Agent, 500),
			ContractSHA256: digest, Reference: ref,
		})
		l.UpdatedAt = now
		if pending := l.pendingSigners(); len(pending) > 0 {
			l.moveTo(StatusNegociacao, fmt.Sprintf("Contrato assinado por %s; aguardando %s.", signer.Name, names(pending)), now)
		} else {
			l.moveTo(StatusAssinado, fmt.Sprintf("Contrato assinado eletronicamente por %s.", names(l.signers())), now)
		}
		return nil
	})
	if err != nil {
		ss, _, err = s.closedSession(ctx, token, ss, err)
		return ss, err
	}
	return s.session(l), verdict
}

// contractDigest re-hashes the stored PDF and checks it against the hash
// taken when it was stored, so the evidence names the bytes the signer saw.
func (s *LeadService) contractDigest(ctx context.Context, c Contract) (string, error) {
	br, err := s.openBlob(ctx, c.Key)
	if err != nil {
		return "", err
	}
	defer br.Body.Close()
	h := sha256.New()
	if _, err := io.Copy(h, br.Body); err != nil {
		return "", apperr.Wrap(apperr.Internal, err, "internal error")
	}
	digest := hex.EncodeToString(h.Sum(nil))
	if digest != c.SHA256 {
		return "", apperr.Wrap(apperr.Internal, fmt.Errorf("contract %s: stored SHA-256 %s, file hashes to %s", c.Key, c.SHA256, digest), "internal error")
	}
	return digest, nil
}

// SigningContract opens the PDF a page token signs.
func (s *LeadService) SigningContract(ctx context.Context, token string) (BlobReader, error) {
	ss, err := s.Signing(ctx, token)
	if err != nil {
		return BlobReader{}, err
	}
	if ss.State == SigningExpired {
		return BlobReader{}, ErrSigningClosed
	}
	return s.openBlob(ctx, ss.Lead.Contract.Key)
}

func names(ss []Signer) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Name
	}
	return strings.Join(out, ", ")
}

// clipBytes keeps at most n bytes of evidence text, on a rune boundary.
func clipBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
