package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"partnership-service/internal/apperr"
	"partnership-service/internal/webhook"
)

// webhookOptions are serve's webhook flags.
type webhookOptions struct {
	retrySchedule string
	allowPrivate  bool
}

func bindWebhooks(fs *flag.FlagSet, env *environment, o *webhookOptions) {
	allow, _ := strconv.ParseBool(env.getenv("PARTNERSHIP_WEBHOOK_ALLOW_PRIVATE"))
	fs.StringVar(&o.retrySchedule, "webhook-retry-schedule", envOr(env, "PARTNERSHIP_WEBHOOK_RETRY_SCHEDULE", webhook.DefaultSchedule),
		"waits before each retry of a failed webhook delivery, comma-separated (PARTNERSHIP_WEBHOOK_RETRY_SCHEDULE)")
	fs.BoolVar(&o.allowPrivate, "webhook-allow-private", allow,
		"let webhook endpoints use http and private or loopback addresses: for tests and the demo, never in production (PARTNERSHIP_WEBHOOK_ALLOW_PRIVATE)")
}

// webhookService builds the endpoints' management and the dispatcher.
func (a *app) webhookService(o webhookOptions) (*webhook.Service, error) {
	schedule, err := webhook.ParseSchedule(o.retrySchedule)
	if err != nil {
		return nil, err
	}
	box, err := a.secretBox()
	if err != nil {
		return nil, err
	}
	return webhook.NewService(webhook.Config{Store: a.stores.Webhooks(), Box: box, Schedule: schedule,
		AllowPrivate: o.allowPrivate, Exclusive: !a.cfg.usesPostgres(), Log: a.log, Now: a.now})
}

// webhookHandlers are a surface's endpoint routes, rendering errors with
// render; nil (no routes) outside serve.
func (a *app) webhookHandlers(render func(http.ResponseWriter, *http.Request, error), invalid apperr.Code) *webhook.Handlers {
	if a.webhooks == nil {
		return nil
	}
	return &webhook.Handlers{Service: a.webhooks, Render: render, Invalid: invalid}
}

// runDispatcher delivers webhooks in the background until the returned
// stop is called, which waits for the attempts in flight.
func (a *app) runDispatcher(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.webhooks.Run(ctx)
	}()
	return func() { cancel(); <-done }
}

// printWebhookDemo says how to watch the demo partner's events with a
// receiver on this machine (the demo allows private addresses).
func printWebhookDemo(w io.Writer, baseURL string) {
	fmt.Fprintf(w, `
Webhooks (Standard Webhooks signatures; --demo allows http and local receivers, as --webhook-allow-private does):
  # 1. a receiver that prints each message and answers 204, in another terminal:
  python3 -c 'import http.server as h
class R(h.BaseHTTPRequestHandler):
    def do_POST(s):
        n = int(s.headers["Content-Length"]); print(s.headers, s.rfile.read(n).decode(), flush=True)
        s.send_response(204); s.end_headers()
h.HTTPServer(("127.0.0.1", 9000), R).serve_forever()'
  # 2. register it (the answer's "secret", shown once, verifies webhook-signature):
  curl -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' %[1]s/sales-conversion/webhook-endpoints \
    -d '{"url":"http://127.0.0.1:9000/webhooks","events":[],"description":"demo"}'
  # 3. create a lead (above) and watch lead.created arrive; the delivery log:
  curl -H "Authorization: Bearer $KEY" %[1]s/sales-conversion/webhook-endpoints/ENDPOINT_ID/deliveries
`, baseURL)
}
