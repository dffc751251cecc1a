package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// fanOutBatch is how many events one fan-out transaction takes.
const fanOutBatch = 100

// recordBatch is how many attempts' results one write records at most.
const recordBatch = 64

// Run delivers events until ctx ends, then waits for the attempts in
// flight (each bounded by Timeout) and for their results to be recorded.
// serve runs it on every replica: on
// PostgreSQL the claims' SKIP LOCKED and leases share the work out, on
// SQLite there is one process.
func (s *Service) Run(ctx context.Context) {
	if s.exclusive {
		if err := s.store.ReleaseLeases(ctx); err != nil {
			s.log.Error("webhook release leases", "err", err)
		}
	}
	// The workers hand their results to one recorder, which stores all
	// those waiting in one write: a write per attempt queued each behind
	// the creates for a pooled connection and a commit of its own, and on
	// PostgreSQL under load the deliveries fell behind the events.
	outcomes := make(chan outcome, s.workers)
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		s.record(context.WithoutCancel(ctx), outcomes)
	}()
	var wg sync.WaitGroup
	defer func() {
		wg.Wait()
		close(outcomes)
		<-recorded
	}()
	slots := make(chan struct{}, s.workers)
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.runHanded(ctx, slots, &wg, outcomes)
	}()
	tick := time.NewTicker(s.poll)
	defer tick.Stop()
	var pruned time.Time
	for {
		s.step(ctx, slots, &wg, outcomes)
		if now := s.clock(); now.Sub(pruned) >= time.Hour {
			s.prune(ctx, now)
			pruned = now
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// step fans out the new events and starts the due deliveries, for as long
// as there is work: it claims again as soon as a worker is free, so a
// backlog drains at the workers' pace rather than one claim per poll (16
// deliveries every half second starved the endpoints under a sustained
// load of creates), and returns once nothing is left to fan out or due.
func (s *Service) step(ctx context.Context, slots chan struct{}, wg *sync.WaitGroup, outcomes chan<- outcome) {
	for ctx.Err() == nil {
		n, err := s.store.FanOut(ctx, s.clock(), fanOutBatch, Endpoint.Wants)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("webhook fan-out", "err", err)
			}
			return
		}
		if full := s.startDue(ctx, slots, wg, outcomes); !full && n < fanOutBatch {
			return
		}
	}
}

// startDue waits for a free worker, claims as many due deliveries as
// there are workers and starts each as a worker frees up (their leases
// hold them meanwhile): one claim per round of workers, where a claim per
// freed worker made every delivery wait for a commit of its own. It
// reports whether it claimed a full round (more may be due). With every
// worker busy for a poll, it gives up the wait (reporting full), so that
// new events still fan out.
func (s *Service) startDue(ctx context.Context, slots chan struct{}, wg *sync.WaitGroup, outcomes chan<- outcome) (full bool) {
	select {
	case slots <- struct{}{}: // the first attempt's worker
	case <-time.After(s.poll):
		return true
	case <-ctx.Done():
		return false
	}
	now := s.clock()
	attempts, err := s.store.Claim(ctx, now, now.Add(s.lease), cap(slots))
	if err != nil && ctx.Err() == nil {
		s.log.Error("webhook claim", "err", err)
	}
	if len(attempts) == 0 {
		<-slots
		return false
	}
	for i, a := range attempts {
		if i > 0 {
			slots <- struct{}{} // waits at most for one attempt to end (Timeout)
		}
		s.startAttempt(ctx, a, slots, wg, outcomes)
	}
	return len(attempts) == cap(slots)
}

// startAttempt makes a, whose worker slot is taken, in a goroutine that
// frees the slot and hands the outcome to the recorder.
func (s *Service) startAttempt(ctx context.Context, a Attempt, slots chan struct{}, wg *sync.WaitGroup, outcomes chan<- outcome) {
	wg.Add(1)
	go func() {
		defer func() { <-slots; wg.Done() }()
		// An attempt under way finishes even when serve stops: its
		// lease would otherwise hold the delivery for nothing.
		outcomes <- s.attempt(context.WithoutCancel(ctx), a)
	}()
}

// prune deletes what is past Retention, in batches small enough not to
// hold SQLite's writer for long.
func (s *Service) prune(ctx context.Context, now time.Time) {
	for {
		n, err := s.store.Prune(ctx, now.Add(-Retention), 500)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("webhook prune", "err", err)
			}
			return
		}
		if n < 500 {
			return
		}
	}
}

// outcome is one attempt's result on its way to the recorder, with the
// attempt it is of.
type outcome struct {
	Result
	attempt Attempt
}

// attempt makes one attempt and says what is to be recorded of it.
func (s *Service) attempt(ctx context.Context, a Attempt) outcome {
	now := s.clock()
	r := Result{DeliveryID: a.Delivery.ID, EndpointID: a.Endpoint.ID, At: now}
	r.Status, r.Response, r.Error = s.send(ctx, a, now)
	switch next, more := s.schedule.next(a.Delivery.Attempts+1, now); {
	case r.Error == "":
		r.State = Succeeded
	case more:
		r.State, r.NextAttemptAt = Pending, next
	default:
		r.State = Failed
	}
	return outcome{Result: r, attempt: a}
}

// record stores the outcomes as they come, each write taking all those
// waiting (up to recordBatch), until outcomes is closed and drained.
func (s *Service) record(ctx context.Context, outcomes <-chan outcome) {
	batch := make([]outcome, 0, recordBatch)
	results := make([]Result, 0, recordBatch)
	for o := range outcomes {
		batch = append(batch[:0], o)
	more:
		for len(batch) < recordBatch {
			select {
			case o, ok := <-outcomes:
				if !ok {
					break more
				}
				batch = append(batch, o)
			default:
				break more
			}
		}
		results = results[:0]
		for _, o := range batch {
			results = append(results, o.Result)
		}
		recorded, err := s.store.Record(ctx, results)
		if err != nil {
			// Their leases run out and the deliveries are attempted again.
			s.log.Error("webhook record attempts", "err", err, "attempts", len(batch))
			continue
		}
		for i, o := range batch {
			s.recorded(ctx, o, recorded[i])
		}
	}
}

// recorded logs a recorded attempt and disables an endpoint that has
// failed every attempt for DisableAfter.
func (s *Service) recorded(ctx context.Context, o outcome, rec Recorded) {
	r, a := o.Result, o.attempt
	if rec.Gone {
		// Its endpoint was deleted while the attempt ran, and the delivery
		// with it: nothing is left to record, and nothing went wrong.
		s.log.Info("webhook attempt of a deleted endpoint", "delivery", r.DeliveryID, "endpoint", r.EndpointID)
		return
	}
	s.log.Info("webhook attempt", "delivery", r.DeliveryID, "endpoint", r.EndpointID, "event", a.Event.ID,
		"type", a.Event.Type, "attempt", a.Delivery.Attempts+1, "status", r.Status, "state", string(r.State), "error", r.Error)
	if r.Error != "" && !rec.FailingSince.IsZero() && r.At.Sub(rec.FailingSince) >= DisableAfter {
		reason := fmt.Sprintf("Desativado em %s: todas as entregas falharam desde %s.",
			r.At.Format(time.RFC3339), rec.FailingSince.Format(time.RFC3339))
		if err := s.store.DisableEndpoint(ctx, a.Endpoint.ID, reason, r.At); err != nil {
			s.log.Error("webhook disable endpoint", "err", err, "endpoint", a.Endpoint.ID)
		}
	}
}

// send posts the event, signed with the endpoint's secrets, and returns the
// answer's status and first bytes, and why the attempt failed ("" for a
// 2xx).
func (s *Service) send(ctx context.Context, a Attempt, now time.Time) (status int, response, failure string) {
	secrets, err := s.secrets(a.Endpoint, now)
	if err != nil {
		return 0, "", "segredo de assinatura ilegível"
	}
	body := a.Event.Body()
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.Endpoint.URL, bytes.NewReader(body))
	if err != nil {
		return 0, "", "URL inválida"
	}
	if err := SetHeaders(req.Header, a.Event.ID, now, body, secrets...); err != nil {
		return 0, "", "segredo de assinatura ilegível"
	}
	req.Header.Set("User-Agent", "partnership-service-webhooks/1")
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, "", describe(err)
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	response = strings.ToValidUTF8(string(head), "\uFFFD")
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, response, fmt.Sprintf("resposta HTTP %d", resp.StatusCode)
	}
	return resp.StatusCode, response, ""
}

// secrets opens the endpoint's current secret and, while it still signs,
// the previous one.
func (s *Service) secrets(ep Endpoint, now time.Time) ([]string, error) {
	cur, err := s.box.Open(ep.Secret, sealContext(ep.ID))
	if err != nil {
		return nil, err
	}
	out := []string{string(cur)}
	if len(ep.PreviousSecret) > 0 && now.Before(ep.PreviousUntil) {
		prev, err := s.box.Open(ep.PreviousSecret, sealContext(ep.ID))
		if err != nil {
			return nil, err
		}
		out = append(out, string(prev))
	}
	return out, nil
}

// describe words a failed request for the delivery log, without the
// transport's internals.
func describe(err error) string {
	switch {
	case errors.Is(err, errPrivateAddress):
		return "endereço de destino não é público"
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return fmt.Sprintf("sem resposta em %s", Timeout)
	}
	msg := err.Error()
	if len(msg) > 300 {
		msg = msg[:300]
		for !utf8.ValidString(msg) {
			msg = msg[:len(msg)-1]
		}
	}
	return "falha de conexão: " + msg
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
