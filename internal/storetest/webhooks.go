package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/energy"
	"partnership-service/internal/storage"
	"partnership-service/internal/storesql"
	"partnership-service/internal/testkit"
	"partnership-service/internal/webhook"
)

// runWebhooks checks the outbox: an event emitted in a write that rolls
// back is never fanned out, one that commits is, to its owner's endpoints
// only; a claimed delivery is leased from other claims until its lease
// ends or its attempt is recorded; the delivery log and retry.
func runWebhooks(t *testing.T, s storage.Stores) {
	ctx := t.Context()
	wh := s.Webhooks()
	at := epoch
	for _, p := range []string{"partner-a", "partner-b"} {
		addPartner(t, s.EnergyPartners(), p, p, at)
	}
	ownerA := webhook.Owner{Surface: webhook.Energy, ID: "partner-a"}
	ownerB := webhook.Owner{Surface: webhook.Energy, ID: "partner-b"}
	endpoint := func(id string, owner webhook.Owner, events ...string) webhook.Endpoint {
		ep := webhook.Endpoint{ID: id, Owner: owner, URL: "https://example.com/" + id, Events: events,
			Secret: []byte("sealed"), CreatedAt: at, UpdatedAt: at}
		if err := wh.CreateEndpoint(ctx, ep); err != nil {
			t.Fatal(err)
		}
		return ep
	}
	epAll := endpoint("00000000-0000-7000-8000-00000000e001", ownerA)
	endpoint("00000000-0000-7000-8000-00000000e002", ownerA, webhook.ContractSigned)
	epB := endpoint("00000000-0000-7000-8000-00000000e003", ownerB)

	event := func(owner webhook.Owner, typ string) webhook.Event {
		ev, err := webhook.NewEvent(owner, typ, map[string]string{"id": "x"}, at)
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	committed := event(ownerA, webhook.LeadCreated)
	rolledBack := event(ownerA, webhook.LeadCreated)
	lead := newLead("partner-a", "00000000-0000-7000-8000-0000000000c1", "52998224725", at)
	unwanted := event(webhook.Owner{Surface: webhook.Energy, ID: "partner-without-endpoints"}, webhook.LeadCreated)
	mustWrite(t, s.EnergyLeads(), func(tx energy.LeadTx) error {
		return errors.Join(tx.Insert(lead), tx.Emit(committed), tx.Emit(unwanted))
	})
	boom := errors.New("boom")
	if err := s.EnergyLeads().WriteLeads(ctx, func(tx energy.LeadTx) error {
		if err := tx.Emit(rolledBack); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("rolled-back write: %v", err)
	}

	// The event of an owner without endpoints is never written, nor the
	// rolled-back one.
	if kept, err := storesql.QueryAll(ctx, s.Shared(), storesql.Scalar[string], `SELECT id FROM webhook_events`); err != nil ||
		!slices.Equal(kept, []string{committed.ID}) {
		t.Fatalf("events in the outbox = %v, %v; want only %s", kept, err, committed.ID)
	}
	// The commit fanned it out: the dispatcher's fan-out finds nothing.
	if n, err := wh.FanOut(ctx, at, 100, webhook.Endpoint.Wants); err != nil || n != 0 {
		t.Fatalf("FanOut after the commit = %d, %v; want nothing left", n, err)
	}

	claimed, err := wh.Claim(ctx, at, at.Add(time.Minute), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(claimed) != 1 {
		t.Fatalf("claimed %d deliveries, want 1 (partner A's all-events endpoint)", len(claimed))
	}
	a := claimed[0]
	if a.Endpoint.ID != epAll.ID || a.Event.ID != committed.ID || a.Event.Type != webhook.LeadCreated ||
		string(a.Event.Data) != `{"id":"x"}` || !a.Event.At.Equal(at) || string(a.Endpoint.Secret) != "sealed" {
		t.Fatalf("claimed %+v", a)
	}
	if again, err := wh.Claim(ctx, at.Add(30*time.Second), at.Add(2*time.Minute), 10); err != nil || len(again) != 0 {
		t.Fatalf("claim during the lease = %v, %v; want none", again, err)
	}
	if after, err := wh.Claim(ctx, at.Add(time.Minute), at.Add(2*time.Minute), 10); err != nil || len(after) != 1 {
		t.Fatalf("claim after the lease = %v, %v; want the delivery again", after, err)
	}
	if err := wh.ReleaseLeases(ctx); err != nil {
		t.Fatal(err)
	}
	if again, err := wh.Claim(ctx, at.Add(time.Minute), at.Add(2*time.Minute), 10); err != nil || len(again) != 1 {
		t.Fatalf("claim after ReleaseLeases = %v, %v; want the delivery at once", again, err)
	}

	fail := at.Add(time.Minute)
	since, err := wh.Record(ctx, webhook.Result{DeliveryID: a.Delivery.ID, EndpointID: epAll.ID, State: webhook.Pending,
		NextAttemptAt: fail.Add(5 * time.Second), At: fail, Status: 500, Error: "resposta HTTP 500", Response: "oops"})
	if err != nil || !since.Equal(fail) {
		t.Fatalf("Record failure: failing since %v, %v; want %v", since, err, fail)
	}
	if got, err := wh.Claim(ctx, fail.Add(time.Second), fail.Add(time.Minute), 10); err != nil || len(got) != 0 {
		t.Fatalf("claim before the retry is due = %v, %v", got, err)
	}
	ds, err := wh.Deliveries(ctx, epAll.ID, 10)
	if err != nil || len(ds) != 1 {
		t.Fatalf("Deliveries = %v, %v", ds, err)
	}
	d := ds[0]
	if d.State != webhook.Pending || d.Attempts != 1 || d.LastStatus != 500 || d.LastResponse != "oops" ||
		!d.LastAttemptAt.Equal(fail) || !d.NextAttemptAt.Equal(fail.Add(5*time.Second)) || d.EventID != committed.ID ||
		d.EventType != webhook.LeadCreated {
		t.Fatalf("delivery after a failure: %+v", d)
	}
	if ds, err := wh.Deliveries(ctx, epB.ID, 10); err != nil || len(ds) != 0 {
		t.Fatalf("partner B's endpoint has deliveries %v, %v", ds, err)
	}

	later := fail.Add(10 * time.Second)
	if since, err := wh.Record(ctx, webhook.Result{DeliveryID: a.Delivery.ID, EndpointID: epAll.ID, State: webhook.Succeeded,
		At: later, Status: 204}); err != nil || !since.IsZero() {
		t.Fatalf("Record success: %v, %v", since, err)
	}
	if ep, err := wh.Endpoint(ctx, epAll.ID); err != nil || !ep.FailingSince.IsZero() {
		t.Fatalf("endpoint after a success: %+v, %v", ep, err)
	}

	retried, err := wh.RetryDelivery(ctx, epAll.ID, a.Delivery.ID, later)
	if err != nil || retried.State != webhook.Pending || retried.Attempts != 2 {
		t.Fatalf("RetryDelivery = %+v, %v", retried, err)
	}
	_, err = wh.RetryDelivery(ctx, epB.ID, a.Delivery.ID, later)
	testkit.WantCode(t, "retry through another endpoint", err, apperr.NotFound)

	if n, err := wh.Prune(ctx, later.Add(time.Hour), 100); err != nil || n != 0 {
		t.Fatalf("Prune with a pending delivery = %d, %v; want it kept", n, err)
	}
	if err := wh.DisableEndpoint(ctx, epAll.ID, "parado", later); err != nil {
		t.Fatal(err)
	}
	if got, err := wh.Claim(ctx, later, later.Add(time.Minute), 10); err != nil || len(got) != 0 {
		t.Fatalf("claim of a disabled endpoint's delivery = %v, %v", got, err)
	}
	eps, err := wh.Endpoints(ctx, ownerA)
	if err != nil || len(eps) != 2 || eps[0].DisabledReason != "parado" || !slices.Equal(eps[1].Events, []string{webhook.ContractSigned}) {
		t.Fatalf("Endpoints(A) = %+v, %v", eps, err)
	}
	if _, err := wh.Record(ctx, webhook.Result{DeliveryID: a.Delivery.ID, EndpointID: epAll.ID, State: webhook.Succeeded,
		At: later, Status: 204}); err != nil {
		t.Fatal(err)
	}
	if n, err := wh.Prune(ctx, at, 100); err != nil || n != 0 {
		t.Fatalf("Prune before the event's fan-out = %d, %v; want nothing", n, err)
	}
	if n, err := wh.Prune(ctx, later.Add(time.Hour), 100); err != nil || n != 1 {
		t.Fatalf("Prune = %d, %v; want the settled event", n, err)
	}
	if ds, err := wh.Deliveries(ctx, epAll.ID, 10); err != nil || len(ds) != 0 {
		t.Fatalf("deliveries after Prune = %v, %v", ds, err)
	}
	if err := wh.DeleteEndpoint(ctx, epAll.ID); err != nil {
		t.Fatal(err)
	}
	_, err = wh.Endpoint(ctx, epAll.ID)
	testkit.WantCode(t, "deleted endpoint", err, apperr.NotFound)
	testkit.WantCode(t, "second delete", wh.DeleteEndpoint(ctx, epAll.ID), apperr.NotFound)

	// An event written without its fan-out (as versions before the
	// fan-out at commit wrote every event) is fanned out by the dispatcher.
	legacy := event(ownerB, webhook.LeadUpdated)
	if _, err := s.Shared().Exec(ctx, `INSERT INTO webhook_events (id, surface, owner_id, type, data, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		legacy.ID, string(ownerB.Surface), ownerB.ID, legacy.Type, string(legacy.Data), storesql.Time{T: at}); err != nil {
		t.Fatal(err)
	}
	if n, err := wh.FanOut(ctx, at, 100, webhook.Endpoint.Wants); err != nil || n != 1 {
		t.Fatalf("FanOut of an event left undispatched = %d, %v; want 1", n, err)
	}
	if ds, err := wh.Deliveries(ctx, epB.ID, 10); err != nil || len(ds) != 1 || ds[0].EventID != legacy.ID {
		t.Fatalf("partner B's deliveries after the fan-out = %+v, %v", ds, err)
	}
}
