package energy

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/mail"
)

// A signer proves who they are with a one-time code mailed to their own
// address: whoever holds the link (it is shared by every signer, and mail
// gets forwarded) can read the contract, but signs only as someone who also
// reads that person's mailbox. The code is stored only as a MAC (the box's
// key, bound to lead, contract version and signer); five wrong codes lock
// that signer on this link until the partner sends a new contract.
const (
	SignCodeDigits      = 6
	SignCodeTTL         = 10 * time.Minute
	MaxSignCodeFailures = 5
	// signCodeInterval is the least time between two codes for one signer,
	// and maxSignCodeSends how many one link may mail to each: the page
	// must not become a way to flood someone's mailbox.
	signCodeInterval = time.Minute
	maxSignCodeSends = 5
)

// SignCode is one signer's code state on the current contract.
type SignCode struct {
	CPF       string    // the signer
	MAC       []byte    // of the pending code; nil once used
	ExpiresAt time.Time // of the pending code
	SentAt    time.Time
	Sends     int // codes mailed on this contract
	Failures  int // wrong codes entered on this contract
}

// Locked reports whether the signer entered too many wrong codes.
func (c SignCode) Locked() bool { return c.Failures >= MaxSignCodeFailures }

// signCode is the signer's code state, the zero value when none was sent.
func (c *Contract) signCode(cpf string) SignCode {
	for _, sc := range c.Codes {
		if sc.CPF == cpf {
			return sc
		}
	}
	return SignCode{CPF: cpf}
}

func (c *Contract) setSignCode(sc SignCode) {
	for i := range c.Codes {
		if c.Codes[i].CPF == sc.CPF {
			c.Codes[i] = sc
			return
		}
	}
	c.Codes = append(c.Codes, sc)
}

// SignerLocked reports whether the signer is locked out of the current
// contract's link.
func (l *Lead) SignerLocked(cpf string) bool {
	return l.Contract != nil && l.Contract.signCode(cpf).Locked()
}

func signCodeContext(l *Lead, cpf string) string {
	return "energy-sign-code:" + l.ID + ":" + l.Contract.SignReference + ":" + cpf
}

// SentCode says where a code went, for the page.
type SentCode struct {
	Signer int    // 1-based position among the contract's signers
	To     string // the address, masked
}

var errSignerChoice = apperr.New(apperr.Invalid, "Escolha quem vai assinar.")

// chooseSigner finds the pending signer at 1-based position n.
func chooseSigner(ss SigningSession, n int) (Signer, error) {
	signers := ss.Lead.signers()
	if n < 1 || n > len(signers) {
		return Signer{}, errSignerChoice
	}
	sg := signers[n-1]
	switch {
	case ss.Lead.signedBy(sg.CPF):
		return sg, apperr.New(apperr.Conflict, "%s já assinou o contrato.", sg.Name)
	case ss.Lead.SignerLocked(sg.CPF):
		return sg, errSignerLocked(sg)
	}
	return sg, nil
}

func errSignerLocked(sg Signer) error {
	return apperr.New(apperr.Forbidden,
		"A assinatura de %s neste link foi bloqueada após %d códigos incorretos. Peça um novo link ao seu consultor.", sg.Name, MaxSignCodeFailures)
}

// RequestSignCode mails a new one-time code to the signer at 1-based
// position n, replacing any earlier one. A signer who already signed or is
// locked, a code asked again within a minute, or more than five per
// contract are refused; a closed link changes nothing.
func (s *LeadService) RequestSignCode(ctx context.Context, token string, n int) (SigningSession, SentCode, error) {
	ss, err := s.Signing(ctx, token)
	if err != nil {
		return ss, SentCode{}, err
	}
	if ss.State != SigningOpen {
		return ss, SentCode{}, ErrSigningClosed
	}
	sg, err := chooseSigner(ss, n)
	if err != nil {
		return ss, SentCode{}, err
	}
	to := ss.Lead.signerEmails()[n-1]
	if s.mail == nil || to == "" {
		return ss, SentCode{}, apperr.New(apperr.Unavailable, "Não é possível enviar o código de confirmação agora. Tente novamente mais tarde.")
	}
	code := newSignCode()
	ref := ss.Lead.Contract.SignReference
	now := s.clock()
	l, err := s.updateLead(ctx, Principal{PartnerID: ss.Lead.PartnerID}, ss.Lead.ID, func(l *Lead) error {
		if l.Contract == nil || l.Contract.SignReference != ref || s.session(*l).State != SigningOpen {
			return ErrSigningClosed
		}
		sc := l.Contract.signCode(sg.CPF)
		switch {
		case sc.Locked():
			return errSignerLocked(sg)
		case sc.Sends >= maxSignCodeSends:
			return apperr.New(apperr.TooManyRequests, "Já enviamos o número máximo de códigos para este link. Peça um novo link ao seu consultor.")
		case now.Sub(sc.SentAt) < signCodeInterval:
			return apperr.New(apperr.TooManyRequests, "Um código acabou de ser enviado. Confira seu e-mail ou aguarde um minuto para pedir outro.")
		}
		sc.MAC, sc.ExpiresAt, sc.SentAt = s.box.MAC([]byte(code), signCodeContext(l, sg.CPF)), now.Add(SignCodeTTL), now
		sc.Sends++
		l.Contract.setSignCode(sc)
		return nil
	})
	sent := SentCode{Signer: n, To: mail.MaskAddress(to)}
	if apperr.Is(err, apperr.TooManyRequests) {
		return ss, sent, err // the earlier code stands: the page asks for it
	}
	if err != nil {
		return s.closedSession(ctx, token, ss, err)
	}
	m := mail.Message{
		To:      to,
		Subject: "Código para assinar o contrato",
		Text: "Olá, " + sg.Name + ".\n\n" +
			"Seu código para assinar o contrato de energia é:\n\n" + code + "\n\n" +
			"Ele vale por " + strconv.Itoa(int(SignCodeTTL/time.Minute)) + " minutos e só pode ser usado uma vez. " +
			"Não o compartilhe com ninguém, nem com o seu consultor. Se não foi você quem pediu, ignore esta mensagem.\n",
	}
	if err := s.mail.Enqueue(ctx, m); err != nil {
		s.log.Error("enqueue signing code mail", "lead", l.ID, "to", mail.MaskAddress(to), "err", err)
		return s.session(l), sent, apperr.New(apperr.Unavailable, "Não foi possível enviar o código agora. Tente novamente em instantes.")
	}
	return s.session(l), sent, nil
}

// closedSession turns a refusal from inside a signing write into what the
// page shows: ErrSigningClosed with the session as it is now, or err.
func (s *LeadService) closedSession(ctx context.Context, token string, ss SigningSession, err error) (SigningSession, SentCode, error) {
	if errors.Is(err, ErrSigningClosed) {
		now, serr := s.Signing(ctx, token)
		return now, SentCode{}, errors.Join(ErrSigningClosed, serr)
	}
	return ss, SentCode{}, err
}

// newSignCode is a uniform random code of SignCodeDigits digits.
func newSignCode() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000)) // crypto/rand never fails
	return fmt.Sprintf("%06d", n.Int64())
}

// normalizeSignCode accepts the code as people type it: spaces and a dash
// between the digits do not matter.
func normalizeSignCode(s string) (string, bool) {
	s = strings.NewReplacer(" ", "", "-", "", ".", "").Replace(strings.TrimSpace(s))
	if len(s) != SignCodeDigits {
		return "", false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return "", false
		}
	}
	return s, true
}

// checkSignCode judges the code entered for sg on l, recording a failure
// on l's contract. ok is true for the right, unexpired code, which it
// consumes; verdict is the refusal to show otherwise.
func (s *LeadService) checkSignCode(l *Lead, sg Signer, code string, now time.Time) (ok bool, verdict error) {
	sc := l.Contract.signCode(sg.CPF)
	switch {
	case sc.Locked():
		return false, errSignerLocked(sg)
	case sc.MAC == nil:
		return false, codeError("Peça o código de confirmação por e-mail antes de assinar.")
	case !now.Before(sc.ExpiresAt):
		return false, codeError("O código expirou. Peça um novo código.")
	case !hmac.Equal(s.box.MAC([]byte(code), signCodeContext(l, sg.CPF)), sc.MAC):
		sc.Failures++
		l.Contract.setSignCode(sc)
		if sc.Locked() {
			// The partner must act: say so where it reads the lead.
			l.moveTo(l.Status, fmt.Sprintf("A assinatura de %s foi bloqueada após %d códigos incorretos; envie um novo contrato para liberá-la.", sg.Name, MaxSignCodeFailures), now)
			return false, errSignerLocked(sg)
		}
		left := MaxSignCodeFailures - sc.Failures
		msg := fmt.Sprintf("Código incorreto. Restam %d tentativas.", left)
		if left == 1 {
			msg = "Código incorreto. Resta 1 tentativa; depois dela este link será bloqueado para você."
		}
		return false, codeError(msg)
	}
	sc.MAC, sc.ExpiresAt = nil, time.Time{}
	l.Contract.setSignCode(sc)
	return true, nil
}

func codeError(msg string) error {
	var f apperr.Fields
	f.Add("code", msg)
	return f.Err(apperr.Invalid)
}
