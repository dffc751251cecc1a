package storetest

import (
	"testing"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/storage"
	"partnership-service/internal/webauth"
)

// runWebAuth checks an engine's console users and sessions: an e-mail is
// unique per realm only, users are found in their realm alone, and a
// session's times, its touch and the three ways sessions end.
func runWebAuth(t *testing.T, open func(t *testing.T) storage.Stores) {
	newStore := func(t *testing.T) webauth.Store {
		s := open(t)
		addPartner(t, s.EnergyPartners(), "p7", "Parceiro", time.Now())
		return s.WebAuth()
	}
	t0 := epoch
	hash := func(b byte) []byte {
		h := make([]byte, 32)
		h[0] = b
		return h
	}
	user := func(t *testing.T, s webauth.Store, realm webauth.Realm, email string) webauth.User {
		t.Helper()
		u := webauth.User{Realm: realm, Role: "admin", Email: email, Name: "Ana"}
		switch realm {
		case webauth.RealmOperator:
			u.Role = "operator"
		case webauth.RealmPartner:
			u.PartnerID = "p7"
		case webauth.RealmProvider:
			u.OwnerID = 3
		}
		u, err := s.CreateUser(t.Context(), u, "$argon2id$x", t0)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}

	t.Run("an e-mail is unique per realm", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		op := user(t, s, webauth.RealmOperator, "ana@example.com")
		_, err := s.CreateUser(t.Context(), webauth.User{Realm: webauth.RealmOperator, Role: "operator", Email: "ana@example.com"}, "h", t0)
		wantCode(t, "the same e-mail twice in a realm", err, apperr.Conflict)
		partner := user(t, s, webauth.RealmPartner, "ana@example.com")
		if op.ID == 0 || partner.ID == op.ID {
			t.Fatalf("ids %d and %d", op.ID, partner.ID)
		}
		got, h, err := s.UserByEmail(t.Context(), webauth.RealmPartner, "ana@example.com")
		if err != nil || got != partner || h != "$argon2id$x" {
			t.Errorf("UserByEmail = %+v, %q, %v; want %+v", got, h, err, partner)
		}
		_, _, err = s.UserByEmail(t.Context(), webauth.RealmProvider, "ana@example.com")
		wantCode(t, "a user of another realm", err, apperr.NotFound)
		_, err = s.CreateUser(t.Context(), webauth.User{Realm: webauth.RealmPartner, PartnerID: "nobody", Role: "admin", Email: "x@example.com"}, "h", t0)
		wantCode(t, "a partner user of a partner that does not exist", err, apperr.Invalid)
	})

	t.Run("sessions", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ana := user(t, s, webauth.RealmProvider, "ana@example.com")
		bia := user(t, s, webauth.RealmProvider, "bia@example.com")
		for i, u := range []webauth.User{ana, ana, bia} {
			if err := s.CreateSession(t.Context(), hash(byte(i+1)), u.ID, t0); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.TouchSession(t.Context(), hash(1), t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		got, err := s.SessionByHash(t.Context(), hash(1))
		if want := (webauth.Session{User: ana, Created: t0, LastSeen: t0.Add(time.Minute)}); err != nil || got != want {
			t.Errorf("SessionByHash = %+v, %v; want %+v", got, err, want)
		}
		_, err = s.SessionByHash(t.Context(), hash(9))
		wantCode(t, "an unknown token", err, apperr.NotFound)
		wantCode(t, "touch an unknown token", s.TouchSession(t.Context(), hash(9), t0), apperr.NotFound)

		if err := s.DeleteSession(t.Context(), hash(1)); err != nil {
			t.Fatal(err)
		}
		_, err = s.SessionByHash(t.Context(), hash(1))
		wantCode(t, "a deleted session", err, apperr.NotFound)
		wantCode(t, "delete it twice", s.DeleteSession(t.Context(), hash(1)), apperr.NotFound)

		if n, err := s.DeleteUserSessions(t.Context(), ana.ID); err != nil || n != 1 {
			t.Errorf("DeleteUserSessions = %d, %v; want 1", n, err)
		}
		if _, err := s.SessionByHash(t.Context(), hash(3)); err != nil {
			t.Errorf("another user's session ended with hers: %v", err)
		}
		if n, err := s.DeleteSessionsSeenBefore(t.Context(), t0); err != nil || n != 0 {
			t.Errorf("DeleteSessionsSeenBefore(its last use) = %d, %v; want 0", n, err)
		}
		if n, err := s.DeleteSessionsSeenBefore(t.Context(), t0.Add(time.Second)); err != nil || n != 1 {
			t.Errorf("DeleteSessionsSeenBefore(after) = %d, %v; want 1", n, err)
		}
	})
}
