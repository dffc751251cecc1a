package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"partnership-service/internal/apperr"
	"partnership-service/internal/secretbox"
)

// Config is what a Service is built from.
type Config struct {
	Store Store
	// Box seals the signing secrets at rest.
	Box *secretbox.Box
	// Schedule is the retry schedule (default DefaultSchedule).
	Schedule Schedule
	// AllowPrivate lets endpoints use http and private addresses
	// (--webhook-allow-private): for tests and the demo only.
	AllowPrivate bool
	// Poll is how often the dispatcher looks for work (default 500 ms).
	Poll time.Duration
	// Workers is how many deliveries are sent at once, and so how many one
	// claim takes (default 32). Each claim waits for a commit, about 10 ms
	// on SQLite's busy writer: with 16, about 1,600 deliveries a second,
	// and under 2,400 lead creates a second a third of the events were
	// still queued when the creates stopped.
	Workers int
	// Lease is how long a claimed or handed delivery is kept from other
	// claims (default twice Timeout): a process that dies mid-attempt
	// leaves it to be claimed again after it.
	Lease time.Duration
	// Exclusive says this process is the only one delivering (SQLite): a
	// lease found at start is a dead predecessor's, released at once.
	Exclusive bool
	Log       *slog.Logger
	Now       func() time.Time
}

// Service manages endpoints and delivers events.
type Service struct {
	store        Store
	box          *secretbox.Box
	schedule     Schedule
	allowPrivate bool
	client       *http.Client
	poll, lease  time.Duration
	workers      int
	exclusive    bool
	log          *slog.Logger
	now          func() time.Time
	handed       handedAttempts // see HandOff
}

// NewService checks cfg and builds the service.
func NewService(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Box == nil {
		return nil, errors.New("webhook: the service needs a store and a secret box")
	}
	s := &Service{store: cfg.Store, box: cfg.Box, schedule: cfg.Schedule, allowPrivate: cfg.AllowPrivate,
		poll: cfg.Poll, lease: cfg.Lease, workers: cfg.Workers, log: cfg.Log, now: cfg.Now, exclusive: cfg.Exclusive}
	if len(s.schedule) == 0 {
		s.schedule, _ = ParseSchedule(DefaultSchedule)
	}
	if s.poll <= 0 {
		s.poll = 500 * time.Millisecond
	}
	if s.lease <= 0 {
		s.lease = 2 * Timeout
	}
	if s.workers <= 0 {
		s.workers = 32
	}
	s.client = newClient(cfg.AllowPrivate, s.workers)
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.handed = handedAttempts{ch: make(chan []Attempt, handedQueue), svc: s}
	return s, nil
}

// Schedule is the retry schedule in use.
func (s *Service) Schedule() Schedule { return s.schedule }

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// MaxEndpoints is how many endpoints one owner may register.
const MaxEndpoints = 20

// Input is a create or update body: nil fields are left as they are (on
// create, URL is required).
type Input struct {
	URL         *string
	Description *string
	Events      *[]string
	// Enabled re-enables a disabled endpoint (true) or disables it (false).
	Enabled *bool
}

// Access is what one request may do: the owners whose endpoints it may
// manage.
type Access func(Owner) bool

func errNotFound() error {
	return apperr.New(apperr.NotFound, "Endpoint de webhook não encontrado.")
}

// Create registers an endpoint for owner and returns it with its signing
// secret, shown this once.
func (s *Service) Create(ctx context.Context, owner Owner, in Input) (Endpoint, string, error) {
	now := s.clock()
	ep := Endpoint{ID: uuid.Must(uuid.NewV7()).String(), Owner: owner, CreatedAt: now, UpdatedAt: now}
	if in.URL == nil {
		in.URL = new(string)
	}
	if err := s.apply(ctx, &ep, in); err != nil {
		return Endpoint{}, "", err
	}
	existing, err := s.store.Endpoints(ctx, owner)
	if err != nil {
		return Endpoint{}, "", err
	}
	if len(existing) >= MaxEndpoints {
		return Endpoint{}, "", apperr.Field(apperr.Unprocessable, "url",
			fmt.Sprintf("url: limite de %d endpoints de webhook atingido", MaxEndpoints))
	}
	secret := NewSecret()
	ep.Secret = s.box.Seal([]byte(secret), sealContext(ep.ID))
	if err := s.store.CreateEndpoint(ctx, ep); err != nil {
		return Endpoint{}, "", err
	}
	return ep, secret, nil
}

func sealContext(endpointID string) string { return "webhook-secret:" + endpointID }

// apply validates in and writes it over ep. Each message names its field,
// since the energy surface shows them as one flat list.
func (s *Service) apply(ctx context.Context, ep *Endpoint, in Input) error {
	var errs apperr.Fields
	if in.URL != nil {
		if msg := checkURL(ctx, *in.URL, s.allowPrivate); msg != "" {
			errs.Add("url", "url "+msg)
		}
		ep.URL = *in.URL
	}
	if in.Description != nil {
		if utf8.RuneCountInString(*in.Description) > 500 {
			errs.Add("description", "description deve ter no máximo 500 caracteres")
		}
		ep.Description = *in.Description
	}
	if in.Events != nil {
		ep.Events = nil
		for _, t := range *in.Events {
			if !slices.Contains(EventTypes[ep.Owner.Surface], t) {
				errs.Add("events", fmt.Sprintf("events: evento desconhecido %q (aceitos: %s)", t, JoinEvents(EventTypes[ep.Owner.Surface])))
			} else if !slices.Contains(ep.Events, t) {
				ep.Events = append(ep.Events, t)
			}
		}
	}
	if in.Enabled != nil {
		switch {
		case *in.Enabled:
			ep.DisabledAt, ep.DisabledReason, ep.FailingSince = time.Time{}, "", time.Time{}
		case ep.DisabledAt.IsZero():
			ep.DisabledAt, ep.DisabledReason = s.clock(), "Desativado pelo dono."
		}
	}
	return errs.Err(apperr.Unprocessable)
}

// List returns owner's endpoints.
func (s *Service) List(ctx context.Context, owner Owner) ([]Endpoint, error) {
	return s.store.Endpoints(ctx, owner)
}

// Get returns an endpoint the request may manage; any other is not found.
func (s *Service) Get(ctx context.Context, may Access, id string) (Endpoint, error) {
	if _, err := uuid.Parse(id); err != nil {
		return Endpoint{}, errNotFound()
	}
	ep, err := s.store.Endpoint(ctx, id)
	if apperr.Is(err, apperr.NotFound) || err == nil && !may(ep.Owner) {
		return Endpoint{}, errNotFound()
	}
	return ep, err
}

// Update changes the fields present in in.
func (s *Service) Update(ctx context.Context, may Access, id string, in Input) (Endpoint, error) {
	ep, err := s.Get(ctx, may, id)
	if err != nil {
		return Endpoint{}, err
	}
	if err := s.apply(ctx, &ep, in); err != nil {
		return Endpoint{}, err
	}
	ep.UpdatedAt = s.clock()
	return ep, s.store.SaveEndpoint(ctx, ep)
}

// Delete removes an endpoint and its deliveries.
func (s *Service) Delete(ctx context.Context, may Access, id string) error {
	if _, err := s.Get(ctx, may, id); err != nil {
		return err
	}
	return s.store.DeleteEndpoint(ctx, id)
}

// RotationOverlap is how long a replaced secret keeps signing.
const RotationOverlap = 24 * time.Hour

// RotateSecret gives an endpoint a new secret, returned this once; the
// old one keeps signing too for RotationOverlap, so receivers can switch
// without losing a message.
func (s *Service) RotateSecret(ctx context.Context, may Access, id string) (Endpoint, string, error) {
	ep, err := s.Get(ctx, may, id)
	if err != nil {
		return Endpoint{}, "", err
	}
	now := s.clock()
	secret := NewSecret()
	ep.PreviousSecret, ep.PreviousUntil = ep.Secret, now.Add(RotationOverlap)
	ep.Secret = s.box.Seal([]byte(secret), sealContext(ep.ID))
	ep.UpdatedAt = now
	return ep, secret, s.store.SaveEndpoint(ctx, ep)
}

// Deliveries lists an endpoint's latest deliveries.
func (s *Service) Deliveries(ctx context.Context, may Access, id string, limit int) ([]Delivery, error) {
	if _, err := s.Get(ctx, may, id); err != nil {
		return nil, err
	}
	return s.store.Deliveries(ctx, id, limit)
}

// Retry makes a delivery due now, whatever its state. A failed delivery
// (its schedule spent) that fails again is not retried further.
func (s *Service) Retry(ctx context.Context, may Access, id, deliveryID string) (Delivery, error) {
	if _, err := s.Get(ctx, may, id); err != nil {
		return Delivery{}, err
	}
	d, err := s.store.RetryDelivery(ctx, id, deliveryID, s.clock())
	if apperr.Is(err, apperr.NotFound) {
		return Delivery{}, apperr.New(apperr.NotFound, "Entrega não encontrada.")
	}
	return d, err
}
