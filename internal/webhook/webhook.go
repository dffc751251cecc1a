// Package webhook tells partners, providers and accounts what changed, by
// signed HTTP POSTs to the endpoints they register (Standard Webhooks,
// standardwebhooks.com): endpoints, events, signing, the retry schedule and
// the dispatcher that delivers.
//
// Delivery is a transactional outbox, one table on both engines: an event
// row is written by Emit in the very transaction of the change it
// announces (a lead written through energy.LeadTx, a subscription through
// storefront.SubscriptionTx, a company through companies.CompanyTx), so a
// change that rolls back announces nothing and one that commits is
// announced even if the process dies right after. The dispatcher fans
// each event out to the owner's matching endpoints and sends the
// deliveries, at least once, retrying on the Schedule.
//
// Why not River (riverqueue.com), the job engine the issue suggested: its
// SQLite driver (riversqlite) inserts each job with its own statement on
// its own connection outside our single-writer group commit, so every
// lead create would need a second write on the one SQLite write lock and
// the durable create throughput would fall well below the 80% budget; and
// a job engine on one engine only would leave two delivery paths. The
// outbox is one INSERT inside the write that is committing anyway.
package webhook

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"partnership-service/internal/apperr"
)

// Surface is an API surface: each owns its endpoints and its events.
type Surface string

const (
	Energy     Surface = "energy"     // owners are partners
	Storefront Surface = "storefront" // owners are providers
	Companies  Surface = "companies"  // owners are accounts
)

// Owner is who receives an event: the partner, provider or account whose
// resource changed. Nobody ever receives another owner's events.
type Owner struct {
	Surface Surface
	ID      string
}

// The event types, per surface.
const (
	LeadCreated          = "lead.created"
	LeadUpdated          = "lead.updated"
	LeadStatusChanged    = "lead.status_changed"
	LeadDocumentUploaded = "lead.document_uploaded"
	ContractCreated      = "contract.created"
	ContractSigned       = "contract.signed"

	SubscriptionCreated       = "subscription.created"
	SubscriptionUpdated       = "subscription.updated"
	SubscriptionFilesUploaded = "subscription.files_uploaded"

	CompanyCreated = "company.created"
	CompanyUpdated = "company.updated"
	CompanyDeleted = "company.deleted"
)

// EventTypes are the types an endpoint of each surface may subscribe to.
var EventTypes = map[Surface][]string{
	Energy:     {LeadCreated, LeadUpdated, LeadStatusChanged, LeadDocumentUploaded, ContractCreated, ContractSigned},
	Storefront: {SubscriptionCreated, SubscriptionUpdated, SubscriptionFilesUploaded},
	Companies:  {CompanyCreated, CompanyUpdated, CompanyDeleted},
}

// Event is one change to announce. Data is the resource's JSON exactly as
// its GET answers it, encoded when the event is made.
type Event struct {
	ID    string // msg_<UUIDv7>: the webhook-id of every delivery of it
	Owner Owner
	Type  string
	Data  json.RawMessage
	At    time.Time
}

// NewEvent encodes data (the resource's wire shape) into an event of owner.
// Encode it before a SQLite write where the data is known before, so the
// single writer does not spend its time encoding. A json.RawMessage is
// taken as it is: it is the answer the resource's handler encoded (the
// lead's GET body), and the event carries those very bytes; re-encoding
// it scanned all of it again to change nothing.
func NewEvent(owner Owner, typ string, data any, at time.Time) (Event, error) {
	raw, ok := data.(json.RawMessage)
	if !ok {
		var err error
		if raw, err = json.Marshal(data); err != nil {
			return Event{}, apperr.Wrap(apperr.Internal, err, "webhook: encode event data")
		}
	}
	return Event{ID: "msg_" + uuid.Must(uuid.NewV7()).String(), Owner: owner, Type: typ, Data: raw,
		At: at.UTC().Truncate(time.Microsecond)}, nil
}

// Body is what a delivery of e posts: {"type","timestamp","data"}, with
// the data as NewEvent took it. Built by appending: json.Marshal of a
// struct holding the data scanned all of it again on every attempt.
func (e Event) Body() []byte {
	typ, _ := json.Marshal(e.Type)     // a string always encodes
	timestamp, _ := e.At.MarshalJSON() // NewEvent's times are in range
	b := make([]byte, 0, len(`{"type":,"timestamp":,"data":}`)+len(typ)+len(timestamp)+len(e.Data))
	b = append(append(append(b, `{"type":`...), typ...), `,"timestamp":`...)
	b = append(append(append(b, timestamp...), `,"data":`...), e.Data...)
	return append(b, '}')
}

// Endpoint is a URL an owner registered to receive its events.
type Endpoint struct {
	ID          string
	Owner       Owner
	URL         string
	Description string
	// Events are the types it receives; empty: all of its owner's.
	Events []string
	// Secret and PreviousSecret are sealed (secretbox); the previous one
	// keeps signing, next to the new one, until PreviousUntil.
	Secret, PreviousSecret []byte
	PreviousUntil          time.Time
	// FailingSince is the first failed attempt since the last success.
	FailingSince   time.Time
	DisabledAt     time.Time
	DisabledReason string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Wants reports whether e is to be delivered to the endpoint: its owner's,
// of a type it asked for, while it is enabled. (An endpoint receives the
// events fanned out while it exists: those of changes committed up to a
// poll interval before its creation too.)
func (ep Endpoint) Wants(e Event) bool {
	return ep.Owner == e.Owner && ep.DisabledAt.IsZero() && (len(ep.Events) == 0 || slices.Contains(ep.Events, e.Type))
}

// JoinEvents and SplitEvents store an endpoint's event types in one column.
func JoinEvents(types []string) string { return strings.Join(types, " ") }
func SplitEvents(s string) []string    { return strings.Fields(s) }

// DeliveryState is where a delivery is.
type DeliveryState string

const (
	Pending   DeliveryState = "pending"   // waiting for its next attempt
	Succeeded DeliveryState = "succeeded" // a 2xx answered
	Failed    DeliveryState = "failed"    // every attempt of the schedule failed
)

// Delivery is one event sent to one endpoint, over its attempts.
type Delivery struct {
	ID            string
	EndpointID    string
	EventID       string
	EventType     string
	State         DeliveryState
	Attempts      int
	NextAttemptAt time.Time // zero unless pending
	LastAttemptAt time.Time
	LastStatus    int // HTTP status of the last answer; 0: none
	LastError     string
	LastResponse  string // the first bytes of the last answer's body
	CreatedAt     time.Time
}

// Attempt is a claimed delivery, with what sending it needs.
type Attempt struct {
	Delivery Delivery
	Event    Event
	Endpoint Endpoint
}

// Result is what one attempt did, as the dispatcher records it: the
// delivery's new state and, on failure, whether the endpoint is to be
// disabled.
type Result struct {
	DeliveryID, EndpointID string
	State                  DeliveryState
	NextAttemptAt          time.Time
	At                     time.Time
	Status                 int
	Error, Response        string
}

// Recorded is what Store.Record did with one Result.
type Recorded struct {
	// Gone: the delivery no longer exists (its endpoint was deleted while
	// the attempt ran, and the delivery with it): nothing was recorded.
	Gone bool
	// FailingSince is, after a failed attempt, since when its endpoint
	// has failed every attempt.
	FailingSince time.Time
}

// Store keeps endpoints, events and deliveries. Events are written by the
// contexts' own transactions (Emit); the store reads and updates the rest.
type Store interface {
	CreateEndpoint(ctx context.Context, ep Endpoint) error
	// Endpoint returns any endpoint by id; the service checks its owner.
	Endpoint(ctx context.Context, id string) (Endpoint, error)
	// Endpoints lists an owner's endpoints, oldest first.
	Endpoints(ctx context.Context, owner Owner) ([]Endpoint, error)
	// SaveEndpoint writes every field of ep but its owner and creation.
	SaveEndpoint(ctx context.Context, ep Endpoint) error
	DeleteEndpoint(ctx context.Context, id string) error

	// Deliveries lists an endpoint's deliveries, newest first.
	Deliveries(ctx context.Context, endpointID string, limit int) ([]Delivery, error)
	// RetryDelivery makes a delivery of the endpoint pending again, due at
	// at; not found when it is not the endpoint's.
	RetryDelivery(ctx context.Context, endpointID, deliveryID string, at time.Time) (Delivery, error)

	// FanOut takes up to limit events not yet fanned out, in order, and
	// creates a pending delivery, due at now, for each endpoint of the
	// event's owner that wants it; an event none wants is deleted. It
	// returns how many events it took.
	FanOut(ctx context.Context, now time.Time, limit int, wants func(Endpoint, Event) bool) (int, error)
	// Claim leases up to limit pending deliveries due at now, of enabled
	// endpoints, until leaseUntil: no other claim takes them meanwhile.
	Claim(ctx context.Context, now, leaseUntil time.Time, limit int) ([]Attempt, error)
	// ReleaseLeases ends every lease: for a process that knows it is the
	// only one delivering, at its start.
	ReleaseLeases(ctx context.Context) error
	// Record stores attempts' results in one transaction, in order, and
	// ends their leases; what it did with rs[i] is in the answer's [i]. A
	// success clears the endpoint's FailingSince; a failure sets it when
	// unset.
	Record(ctx context.Context, rs []Result) ([]Recorded, error)
	// Prune deletes up to limit events fanned out before before, with their
	// deliveries, once none of those is pending; it returns how many.
	Prune(ctx context.Context, before time.Time, limit int) (int, error)
	// DisableEndpoint disables an endpoint, saying why.
	DisableEndpoint(ctx context.Context, id, reason string, at time.Time) error
}
