package storesql

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"partnership-service/internal/webhook"
)

// The statements of Emit, which every context's write transaction runs,
// so SQLite prepares them with the lead writes.
const (
	// ListeningSQL reads the endpoints an event of an owner may go to.
	ListeningSQL = `SELECT id, events, url, secret, previous_secret, previous_secret_until
	FROM webhook_endpoints WHERE surface = ? AND owner_id = ? AND disabled_at IS NULL`
	// InsertEventSQL writes an event already fanned out.
	InsertEventSQL = `INSERT INTO webhook_events (id, surface, owner_id, type, data, created_at, dispatched_at)
	VALUES (?, ?, ?, ?, ?, ?, ?)`
	// InsertDeliverySQL queues an event for one endpoint, leased to the
	// hand-off (webhook.Handoff) or not (NULL).
	InsertDeliverySQL = `INSERT INTO webhook_deliveries (id, endpoint_id, event_id, state, next_attempt_at, lease_until, created_at)
	VALUES (?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (event_id, endpoint_id) DO NOTHING`
)

// Emit records ev in the transaction q belongs to, fanned out at once: one
// delivery for each endpoint of its owner that wants it (Endpoint.Wants)
// as the transaction sees them, due at once. It is delivered if and only
// if that transaction commits. An event no endpoint wants is not written
// at all (most owners have none). Fanning out here, rather than in the
// dispatcher after the commit, spares each event a second write of its row
// and the dispatcher's read of it. When ctx carries a webhook.Handoff (a
// request to a process running the dispatcher), each delivery is written
// leased to that dispatcher and handed to it once the transaction commits,
// so its first attempt needs no claim. The one primitive behind LeadTx,
// SubscriptionTx and CompanyTx's Emit.
func Emit(ctx context.Context, q Querier, ev webhook.Event) error {
	listening, err := QueryAll(ctx, q, func(r Row) (webhook.Endpoint, error) {
		ep := webhook.Endpoint{Owner: ev.Owner}
		var events string
		var until Time
		err := r.Scan(&ep.ID, &events, &ep.URL, &ep.Secret, &ep.PreviousSecret, &until)
		ep.Events, ep.PreviousUntil = webhook.SplitEvents(events), until.T
		return ep, err
	}, ListeningSQL, string(ev.Owner.Surface), ev.Owner.ID)
	if err != nil {
		return err
	}
	listening = slices.DeleteFunc(listening, func(ep webhook.Endpoint) bool { return !ep.Wants(ev) })
	if len(listening) == 0 {
		return nil
	}
	at := Time{T: ev.At}
	if _, err := q.Exec(ctx, InsertEventSQL, ev.ID, string(ev.Owner.Surface), ev.Owner.ID, ev.Type, string(ev.Data), at, at); err != nil {
		return err
	}
	hand := webhook.HandoffFrom(ctx)
	lease := Time{T: hand.LeaseUntil()}
	for _, ep := range listening {
		id := uuid.Must(uuid.NewV7()).String()
		if _, err := q.Exec(ctx, InsertDeliverySQL, id, ep.ID, ev.ID, at, lease, at); err != nil {
			return err
		}
		hand.Add(webhook.Attempt{
			Delivery: webhook.Delivery{ID: id, EndpointID: ep.ID, EventID: ev.ID, EventType: ev.Type, State: webhook.Pending,
				NextAttemptAt: ev.At, CreatedAt: ev.At},
			Event: ev, Endpoint: ep,
		})
	}
	return nil
}

const endpointColumns = `id, surface, owner_id, url, description, events, secret, previous_secret,
	previous_secret_until, failing_since, disabled_at, disabled_reason, created_at, updated_at`

func scanEndpoint(r Row) (webhook.Endpoint, error) {
	var ep webhook.Endpoint
	var surface, events string
	var until, failing, disabled, created, updated Time
	err := r.Scan(&ep.ID, &surface, &ep.Owner.ID, &ep.URL, &ep.Description, &events, &ep.Secret, &ep.PreviousSecret,
		&until, &failing, &disabled, &ep.DisabledReason, &created, &updated)
	ep.Owner.Surface, ep.Events = webhook.Surface(surface), webhook.SplitEvents(events)
	ep.PreviousUntil, ep.FailingSince, ep.DisabledAt, ep.CreatedAt, ep.UpdatedAt = until.T, failing.T, disabled.T, created.T, updated.T
	return ep, err
}

const deliveryColumns = `d.id, d.endpoint_id, d.event_id, e.type, d.state, d.attempts, d.next_attempt_at,
	d.last_attempt_at, d.last_status, d.last_error, d.last_response, d.created_at`

const deliveryFrom = ` FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id`

func scanDelivery(r Row) (webhook.Delivery, error) {
	var d webhook.Delivery
	var state string
	var next, last, created Time
	err := r.Scan(&d.ID, &d.EndpointID, &d.EventID, &d.EventType, &state, &d.Attempts, &next, &last,
		&d.LastStatus, &d.LastError, &d.LastResponse, &created)
	d.State, d.NextAttemptAt, d.LastAttemptAt, d.CreatedAt = webhook.DeliveryState(state), next.T, last.T, created.T
	return d, err
}

// Webhooks is webhook.Store on either engine.
type Webhooks struct {
	DB DB
	// Jobs, when set, runs the dispatcher's queries (fan-out, claims,
	// records, prunes): PostgreSQL gives them a pool of their own, so they
	// do not queue behind the requests. SQLite leaves it nil: its single
	// writer already batches them with the requests' writes.
	Jobs DB
	// SkipLocked ends the claims' selects: " FOR UPDATE OF … SKIP LOCKED"
	// on PostgreSQL, where replicas claim concurrently; "" on SQLite,
	// whose single writer runs one claim at a time.
	SkipLocked func(alias string) string
}

var _ webhook.Store = Webhooks{}

// jobs is where the dispatcher's queries run.
func (s Webhooks) jobs() DB {
	if s.Jobs == nil {
		return s.DB
	}
	return s.Jobs
}

func (s Webhooks) lock(alias string) string {
	if s.SkipLocked == nil {
		return ""
	}
	return s.SkipLocked(alias)
}

func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

func (s Webhooks) CreateEndpoint(ctx context.Context, ep webhook.Endpoint) error {
	_, err := s.DB.Exec(ctx, `INSERT INTO webhook_endpoints (`+endpointColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ep.ID, string(ep.Owner.Surface), ep.Owner.ID, ep.URL, ep.Description, webhook.JoinEvents(ep.Events),
		ep.Secret, nullBytes(ep.PreviousSecret), Time{T: ep.PreviousUntil}, Time{T: ep.FailingSince},
		Time{T: ep.DisabledAt}, ep.DisabledReason, Time{T: ep.CreatedAt}, Time{T: ep.UpdatedAt})
	return s.DB.MapError(err)
}

func (s Webhooks) Endpoint(ctx context.Context, id string) (webhook.Endpoint, error) {
	ep, err := scanEndpoint(s.DB.QueryRow(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints WHERE id = ?`, id))
	return ep, s.DB.MapError(err)
}

func (s Webhooks) Endpoints(ctx context.Context, owner webhook.Owner) ([]webhook.Endpoint, error) {
	eps, err := QueryAll(ctx, s.DB, scanEndpoint, `SELECT `+endpointColumns+` FROM webhook_endpoints
		WHERE surface = ? AND owner_id = ? ORDER BY created_at, id`, string(owner.Surface), owner.ID)
	return eps, s.DB.MapError(err)
}

func (s Webhooks) SaveEndpoint(ctx context.Context, ep webhook.Endpoint) error {
	return s.DB.MapError(s.DB.Write(ctx, func(tx Querier) error {
		return ExecOne(ctx, tx, `UPDATE webhook_endpoints SET url = ?, description = ?, events = ?, secret = ?,
			previous_secret = ?, previous_secret_until = ?, failing_since = ?, disabled_at = ?, disabled_reason = ?,
			updated_at = ? WHERE id = ?`,
			ep.URL, ep.Description, webhook.JoinEvents(ep.Events), ep.Secret, nullBytes(ep.PreviousSecret),
			Time{T: ep.PreviousUntil}, Time{T: ep.FailingSince}, Time{T: ep.DisabledAt}, ep.DisabledReason,
			Time{T: ep.UpdatedAt}, ep.ID)
	}))
}

func (s Webhooks) DeleteEndpoint(ctx context.Context, id string) error {
	return s.DB.MapError(s.DB.Write(ctx, func(tx Querier) error {
		return ExecOne(ctx, tx, `DELETE FROM webhook_endpoints WHERE id = ?`, id)
	}))
}

func (s Webhooks) Deliveries(ctx context.Context, endpointID string, limit int) ([]webhook.Delivery, error) {
	ds, err := QueryAll(ctx, s.DB, scanDelivery, `SELECT `+deliveryColumns+deliveryFrom+`
		WHERE d.endpoint_id = ? ORDER BY d.created_at DESC, d.id DESC LIMIT ?`, endpointID, limit)
	return ds, s.DB.MapError(err)
}

func (s Webhooks) RetryDelivery(ctx context.Context, endpointID, deliveryID string, at time.Time) (webhook.Delivery, error) {
	var d webhook.Delivery
	err := s.DB.Write(ctx, func(tx Querier) error {
		if err := ExecOne(ctx, tx, `UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = ?, lease_until = NULL
			WHERE id = ? AND endpoint_id = ?`, Time{T: at}, deliveryID, endpointID); err != nil {
			return err
		}
		var err error
		d, err = scanDelivery(tx.QueryRow(ctx, `SELECT `+deliveryColumns+deliveryFrom+` WHERE d.id = ?`, deliveryID))
		return err
	})
	return d, s.DB.MapError(err)
}

// any reports whether query (SELECT 1 … LIMIT 1) finds a row, read outside
// any write: an idle dispatcher's polls then cost SQLite's single writer
// nothing.
func (s Webhooks) any(ctx context.Context, query string, args ...any) (bool, error) {
	var one int
	err := s.jobs().QueryRow(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) { // pgx.ErrNoRows matches it too
		return false, nil
	}
	return err == nil, err
}

// inList is "(?, ?, …)" for n values.
func inList(n int) string { return "(?" + strings.Repeat(", ?", n-1) + ")" }

func (s Webhooks) FanOut(ctx context.Context, at time.Time, limit int, wants func(webhook.Endpoint, webhook.Event) bool) (int, error) {
	if found, err := s.any(ctx, `SELECT 1 FROM webhook_events WHERE dispatched_at IS NULL LIMIT 1`); !found {
		return 0, s.jobs().MapError(err)
	}
	var n int
	err := s.jobs().Write(ctx, func(tx Querier) error {
		events, err := QueryAll(ctx, tx, func(r Row) (webhook.Event, error) {
			var e webhook.Event
			var surface string
			var at Time
			err := r.Scan(&e.ID, &surface, &e.Owner.ID, &e.Type, &at)
			e.Owner.Surface, e.At = webhook.Surface(surface), at.T
			return e, err
		}, `SELECT id, surface, owner_id, type, created_at FROM webhook_events
			WHERE dispatched_at IS NULL ORDER BY id LIMIT ?`+s.lock(""), limit)
		if err != nil {
			return err
		}
		n = len(events)
		owners := map[webhook.Owner][]webhook.Endpoint{}
		now := Time{T: at}
		// An event no endpoint wants is done with at once: deleted, so
		// the owners without endpoints (most) leave nothing behind.
		var sent, unsent []any
		for _, e := range events {
			eps, ok := owners[e.Owner]
			if !ok {
				if eps, err = QueryAll(ctx, tx, scanEndpoint, `SELECT `+endpointColumns+` FROM webhook_endpoints
					WHERE surface = ? AND owner_id = ?`, string(e.Owner.Surface), e.Owner.ID); err != nil {
					return err
				}
				owners[e.Owner] = eps
			}
			wanted := false
			for _, ep := range eps {
				if !wants(ep, e) {
					continue
				}
				wanted = true
				if _, err := tx.Exec(ctx, InsertDeliverySQL, uuid.Must(uuid.NewV7()).String(), ep.ID, e.ID, now, nil, now); err != nil {
					return err
				}
			}
			if wanted {
				sent = append(sent, e.ID)
			} else {
				unsent = append(unsent, e.ID)
			}
		}
		if len(sent) > 0 {
			if _, err := tx.Exec(ctx, `UPDATE webhook_events SET dispatched_at = ? WHERE id IN `+inList(len(sent)),
				append([]any{now}, sent...)...); err != nil {
				return err
			}
		}
		if len(unsent) > 0 {
			_, err = tx.Exec(ctx, `DELETE FROM webhook_events WHERE id IN `+inList(len(unsent)), unsent...)
		}
		return err
	})
	return n, s.jobs().MapError(err)
}

func (s Webhooks) Claim(ctx context.Context, now, leaseUntil time.Time, limit int) ([]webhook.Attempt, error) {
	if found, err := s.any(ctx, `SELECT 1 FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= ?
		AND (lease_until IS NULL OR lease_until <= ?) LIMIT 1`, Time{T: now}, Time{T: now}); !found {
		return nil, s.jobs().MapError(err)
	}
	var out []webhook.Attempt
	err := s.jobs().Write(ctx, func(tx Querier) error {
		var err error
		out, err = QueryAll(ctx, tx, func(r Row) (webhook.Attempt, error) {
			var a webhook.Attempt
			var at, until Time
			var data string
			err := r.Scan(&a.Delivery.ID, &a.Delivery.Attempts, &a.Event.ID, &a.Event.Type, &data, &at,
				&a.Endpoint.ID, &a.Endpoint.URL, &a.Endpoint.Secret, &a.Endpoint.PreviousSecret, &until)
			a.Event.Data, a.Event.At, a.Endpoint.PreviousUntil = []byte(data), at.T, until.T
			a.Delivery.EndpointID, a.Delivery.EventID, a.Delivery.EventType = a.Endpoint.ID, a.Event.ID, a.Event.Type
			return a, err
		}, `SELECT d.id, d.attempts, e.id, e.type, e.data, e.created_at, p.id, p.url, p.secret, p.previous_secret, p.previous_secret_until
			FROM webhook_deliveries d
			JOIN webhook_events e ON e.id = d.event_id
			JOIN webhook_endpoints p ON p.id = d.endpoint_id
			WHERE d.state = 'pending' AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until <= ?)
				AND p.disabled_at IS NULL
			ORDER BY d.next_attempt_at, d.id LIMIT ?`+s.lock("d"), Time{T: now}, Time{T: now}, limit)
		if err != nil || len(out) == 0 {
			return err
		}
		ids := make([]any, 0, len(out)+1)
		ids = append(ids, Time{T: leaseUntil})
		for _, a := range out {
			ids = append(ids, a.Delivery.ID)
		}
		_, err = tx.Exec(ctx, `UPDATE webhook_deliveries SET lease_until = ? WHERE id IN `+inList(len(out)), ids...)
		return err
	})
	return out, s.jobs().MapError(err)
}

func (s Webhooks) Record(ctx context.Context, rs []webhook.Result) ([]webhook.Recorded, error) {
	var out []webhook.Recorded
	err := s.jobs().Write(ctx, func(tx Querier) error {
		out = make([]webhook.Recorded, len(rs)) // afresh if the write is retried
		// The endpoints a success of this batch has cleared already: a
		// healthy endpoint's row is rewritten at most once a batch (once
		// per success wrote a page per delivery).
		cleared := map[string]bool{}
		for i, r := range rs {
			n, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET state = ?, attempts = attempts + 1, next_attempt_at = ?,
				lease_until = NULL, last_attempt_at = ?, last_status = ?, last_error = ?, last_response = ? WHERE id = ?`,
				string(r.State), Time{T: r.NextAttemptAt}, Time{T: r.At}, r.Status, r.Error, r.Response, r.DeliveryID)
			switch {
			case err != nil:
				return err
			case n == 0:
				out[i].Gone = true
			case r.State == webhook.Succeeded && !cleared[r.EndpointID]:
				cleared[r.EndpointID] = true
				if _, err := tx.Exec(ctx, `UPDATE webhook_endpoints SET failing_since = NULL
					WHERE id = ? AND failing_since IS NOT NULL`, r.EndpointID); err != nil {
					return err
				}
			case r.State != webhook.Succeeded:
				delete(cleared, r.EndpointID)
				var failing Time
				if err := tx.QueryRow(ctx, `UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, ?)
					WHERE id = ? RETURNING failing_since`, Time{T: r.At}, r.EndpointID).Scan(&failing); err != nil {
					return err
				}
				out[i].FailingSince = failing.T
			}
		}
		return nil
	})
	return out, s.jobs().MapError(err)
}

func (s Webhooks) DisableEndpoint(ctx context.Context, id, reason string, at time.Time) error {
	return s.jobs().MapError(s.jobs().Write(ctx, func(tx Querier) error {
		// Already disabled (by its owner, or by a concurrent attempt) is fine.
		_, err := tx.Exec(ctx, `UPDATE webhook_endpoints SET disabled_at = ?, disabled_reason = ?, updated_at = ?
			WHERE id = ? AND disabled_at IS NULL`, Time{T: at}, reason, Time{T: at}, id)
		return err
	}))
}

func (s Webhooks) ReleaseLeases(ctx context.Context) error {
	_, err := s.jobs().Exec(ctx, `UPDATE webhook_deliveries SET lease_until = NULL WHERE lease_until IS NOT NULL`)
	return s.jobs().MapError(err)
}

func (s Webhooks) Prune(ctx context.Context, before time.Time, limit int) (int, error) {
	var n int64
	err := s.jobs().Write(ctx, func(tx Querier) error {
		var err error
		n, err = tx.Exec(ctx, `DELETE FROM webhook_events WHERE id IN (
			SELECT e.id FROM webhook_events e WHERE e.dispatched_at < ? AND NOT EXISTS (
				SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id AND d.state = 'pending')
			ORDER BY e.dispatched_at LIMIT ?)`, Time{T: before}, limit)
		return err
	})
	return int(n), s.jobs().MapError(err)
}
