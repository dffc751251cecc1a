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
	rec, err := wh.Record(ctx, []webhook.Result{{DeliveryID: a.Delivery.ID, EndpointID: epAll.ID, State: webhook.Pending,
		NextAttemptAt: fail.Add(5 * time.Second), At: fail, Status: 500, Error: "resposta HTTP 500", Response: "oops"}})
	if err != nil || len(rec) != 1 || rec[0].Gone || !rec[0].FailingSince.Equal(fail) {
		t.Fatalf("Record failure = %+v, %v; want failing since %v", rec, err, fail)
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
	if rec, err := wh.Record(ctx, []webhook.Result{{DeliveryID: a.Delivery.ID, EndpointID: epAll.ID, State: webhook.Succeeded,
		At: later, Status: 204}}); err != nil || len(rec) != 1 || rec[0] != (webhook.Recorded{}) {
		t.Fatalf("Record success = %+v, %v", rec, err)
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
	if _, err := wh.Record(ctx, []webhook.Result{{DeliveryID: a.Delivery.ID, EndpointID: epAll.ID, State: webhook.Succeeded,
		At: later, Status: 204}}); err != nil {
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

// runWebhookRecordBatch checks that one Record stores a batch of results
// in order: each delivery gets its own, the endpoint's FailingSince
// follows the last of its results, and a delivery deleted meanwhile is
// reported gone without failing the others.
func runWebhookRecordBatch(t *testing.T, s storage.Stores) {
	ctx := t.Context()
	wh := s.Webhooks()
	at := epoch
	addPartner(t, s.EnergyPartners(), "partner-a", "partner-a", at)
	owner := webhook.Owner{Surface: webhook.Energy, ID: "partner-a"}
	ep := webhook.Endpoint{ID: "00000000-0000-7000-8000-00000000e101", Owner: owner, URL: "https://example.com/a",
		Secret: []byte("sealed"), CreatedAt: at, UpdatedAt: at}
	if err := wh.CreateEndpoint(ctx, ep); err != nil {
		t.Fatal(err)
	}
	lead := newLead("partner-a", "00000000-0000-7000-8000-0000000001c1", "52998224725", at)
	var events []webhook.Event
	for range 3 {
		ev, err := webhook.NewEvent(owner, webhook.LeadUpdated, map[string]string{"id": "x"}, at)
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, ev)
	}
	mustWrite(t, s.EnergyLeads(), func(tx energy.LeadTx) error {
		return errors.Join(tx.Insert(lead), tx.Emit(events[0]), tx.Emit(events[1]), tx.Emit(events[2]))
	})
	claimed, err := wh.Claim(ctx, at, at.Add(time.Minute), 10)
	if err != nil || len(claimed) != 3 {
		t.Fatalf("claimed %d deliveries, %v; want 3", len(claimed), err)
	}
	t1, t2 := at.Add(time.Second), at.Add(2*time.Second)
	failed := func(a webhook.Attempt, when time.Time) webhook.Result {
		return webhook.Result{DeliveryID: a.Delivery.ID, EndpointID: ep.ID, State: webhook.Pending,
			NextAttemptAt: when.Add(5 * time.Second), At: when, Status: 503, Error: "resposta HTTP 503"}
	}
	succeeded := func(a webhook.Attempt, when time.Time) webhook.Result {
		return webhook.Result{DeliveryID: a.Delivery.ID, EndpointID: ep.ID, State: webhook.Succeeded, At: when, Status: 204}
	}
	gone := webhook.Result{DeliveryID: "00000000-0000-7000-8000-0000000000ff", EndpointID: ep.ID,
		State: webhook.Succeeded, At: t1, Status: 204}

	// A failure, a success and a failure again: the endpoint fails since
	// the last one.
	rec, err := wh.Record(ctx, []webhook.Result{failed(claimed[0], t1), gone, succeeded(claimed[1], t1), failed(claimed[2], t2)})
	want := []webhook.Recorded{{FailingSince: t1}, {Gone: true}, {}, {FailingSince: t2}}
	if err != nil || len(rec) != len(want) {
		t.Fatalf("Record = %+v, %v; want %+v", rec, err, want)
	}
	for i := range want {
		if rec[i].Gone != want[i].Gone || !rec[i].FailingSince.Equal(want[i].FailingSince) {
			t.Fatalf("Record = %+v; want %+v", rec, want)
		}
	}
	if got, err := wh.Endpoint(ctx, ep.ID); err != nil || !got.FailingSince.Equal(t2) {
		t.Fatalf("endpoint failing since %v, %v; want %v", got.FailingSince, err, t2)
	}
	ds, err := wh.Deliveries(ctx, ep.ID, 10)
	if err != nil || len(ds) != 3 {
		t.Fatalf("Deliveries = %+v, %v", ds, err)
	}
	states := map[string]webhook.DeliveryState{}
	for _, d := range ds {
		if d.Attempts != 1 {
			t.Fatalf("delivery %s: %d attempts, want 1", d.ID, d.Attempts)
		}
		states[d.ID] = d.State
	}
	if states[claimed[0].Delivery.ID] != webhook.Pending || states[claimed[1].Delivery.ID] != webhook.Succeeded ||
		states[claimed[2].Delivery.ID] != webhook.Pending {
		t.Fatalf("delivery states %v", states)
	}

	// Two successes clear it, the second finding nothing left to clear.
	rec, err = wh.Record(ctx, []webhook.Result{succeeded(claimed[0], t2), succeeded(claimed[2], t2)})
	if err != nil || len(rec) != 2 || rec[0] != (webhook.Recorded{}) || rec[1] != (webhook.Recorded{}) {
		t.Fatalf("Record of two successes = %+v, %v", rec, err)
	}
	if got, err := wh.Endpoint(ctx, ep.ID); err != nil || !got.FailingSince.IsZero() {
		t.Fatalf("endpoint after the successes: failing since %v, %v", got.FailingSince, err)
	}
}
