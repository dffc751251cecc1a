package energy

import (
	"context"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"partnership-service/internal/apperr"
)

// UtilityCredentials is the customer's login on the utility's website.
type UtilityCredentials struct {
	Login    string
	Password string
}

const maxCredential = 200

// SetCredentials stores the utility login, sealed: the stored value is
// encrypted and authenticated, bound to the lead, and no answer carries it
// back; the lead only shows that it exists.
func (s *LeadService) SetCredentials(ctx context.Context, p Principal, id string, c UtilityCredentials) (Lead, error) {
	if err := checkLeadID(id); err != nil {
		return Lead{}, err
	}
	var f apperr.Fields
	c.Login = strings.TrimSpace(c.Login)
	for _, v := range []struct{ field, value string }{{"utilityBillLogin", c.Login}, {"password", c.Password}} {
		switch {
		case v.value == "":
			f.Add(v.field, v.field+" é obrigatório")
		case !utf8.ValidString(v.value) || utf8.RuneCountInString(v.value) > maxCredential:
			f.Add(v.field, v.field+" deve ter no máximo 200 caracteres")
		}
	}
	if err := f.Err(apperr.Invalid); err != nil {
		return Lead{}, err
	}
	plain, err := json.Marshal(sealedCredentials{c.Login, c.Password})
	if err != nil {
		return Lead{}, err
	}
	sealed := s.box.Seal(plain, credentialsContext(id))
	clear(plain)
	l, err := s.updateLead(ctx, p, id, func(l *Lead) error {
		if err := l.checkChangeable(); err != nil {
			return err
		}
		l.Credentials = sealed
		l.UpdatedAt = s.clock()
		return nil
	})
	return l, leadNotFound(err)
}

// Credentials opens a lead's stored utility login, for the back office that
// logs in to the utility; no partner route calls it.
func (s *LeadService) Credentials(l Lead) (UtilityCredentials, bool, error) {
	if !l.HasCredentials() {
		return UtilityCredentials{}, false, nil
	}
	plain, err := s.box.Open(l.Credentials, credentialsContext(l.ID))
	if err != nil {
		return UtilityCredentials{}, false, err
	}
	var c sealedCredentials
	if err := json.Unmarshal(plain, &c); err != nil {
		return UtilityCredentials{}, false, err
	}
	return UtilityCredentials{Login: c.Login, Password: c.Password}, true, nil
}

// sealedCredentials is the plaintext layout inside the sealed value.
type sealedCredentials struct {
	Login    string `json:"l"`
	Password string `json:"p"`
}

func credentialsContext(leadID string) string { return "energy-lead-credentials:" + leadID }
