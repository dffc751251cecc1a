package storefront

import (
	"context"
	"encoding/hex"
	"strings"
	"time"

	"partnership-service/internal/apperr"
)

// Personal data under LGPD: a subscription's data subject is the visitor
// who filled it in. The provider (the controller) exports and erases it
// through its admin API.

// ErasedFields are the attributes an erasure clears, by their API names.
// What stays identifies nobody: plan, coupon, payment method, due day,
// installation terms, coverage, city and the dates, which the provider's
// reports and the coupon counts rely on. No signed contract lives here,
// so nothing personal has to be kept.
var ErasedFields = []string{"nome_razao_social", "email", "telefone_celular", "cpf_cnpj", "rg_ie", "data_nascimento",
	"rua", "numero", "complemento", "bairro", "cep", "provedor", "coordinates", "files"}

// PersonalData is what a subscription holds about its data subject, and
// the erasures it went through.
type PersonalData struct {
	Subscription Subscription
	Erasures     []Erasure
}

// PersonalData exports one of the provider's subscriptions.
func (s *Service) PersonalData(ctx context.Context, providerID int64, id string) (PersonalData, error) {
	sub, err := s.subscription(ctx, providerID, id)
	if err != nil {
		return PersonalData{}, err
	}
	erasures, err := s.store.Erasures(ctx, providerID, sub.ID)
	return PersonalData{Subscription: sub, Erasures: erasures}, err
}

// ErasePersonalData clears the subscription's personal fields, destroys
// its files and records the erasure, by the admin token whose hash starts
// with by.
func (s *Service) ErasePersonalData(ctx context.Context, providerID int64, id, by string) (PersonalData, error) {
	if _, err := s.subscription(ctx, providerID, id); err != nil {
		return PersonalData{}, err
	}
	now := s.now()
	var files []SubscriptionFile
	err := s.store.UpdateSubscription(ctx, providerID, strings.ToLower(id), func(tx SubscriptionTx, sub Subscription) error {
		var err error
		if files, err = tx.DeleteFiles(sub.ID); err != nil {
			return err
		}
		sub.Name, sub.Email, sub.MobilePhone, sub.Document, sub.IDDocument, sub.BirthDate = "", "", "", "", "", time.Time{}
		sub.Street, sub.Number, sub.Complement, sub.District, sub.CEP, sub.CurrentProvider = "", "", "", "", "", ""
		sub.Location, sub.UpdatedAt = nil, now
		if err := tx.Save(sub); err != nil {
			return err
		}
		return tx.RecordErasure(sub.ID, Erasure{At: now, By: by, Fields: ErasedFields})
	})
	if apperr.Is(err, apperr.NotFound) {
		return PersonalData{}, errSubscriptionNotFound()
	}
	if err != nil {
		return PersonalData{}, err
	}
	s.deleteBlobs(ctx, files)
	return s.PersonalData(ctx, providerID, id)
}

// TokenRef names an admin token in records without revealing it: the
// first 12 hex digits of its stored hash.
func TokenRef(token string) string { return "token " + hex.EncodeToString(hashToken(token))[:12] }
