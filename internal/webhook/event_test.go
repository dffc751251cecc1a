package webhook_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"partnership-service/internal/webhook"
)

// leadAnswer stands for a lead's GET answer: an energy event's data.
var leadAnswer = json.RawMessage(`{"id":"0190a1b2-0000-7e5f-8a9b-000000000001","fullName":"Maria & João <Silva>",` +
	`"emailAddress":"maria@example.com","status":"lead",` + strings.Repeat(`"note":"ação","x":1.5,`, 40) + `"complement":"Casa 2"}`)

// TestEventBodyCarriesTheDataAsGiven: a delivery's body is the Standard
// Webhooks shape {"type","timestamp","data"}, and data is the resource's
// answer byte for byte (as the partner's GET of it returns it), not
// re-encoded.
func TestEventBodyCarriesTheDataAsGiven(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 2, 10, 30, 0, 123456000, time.UTC)
	owner := webhook.Owner{Surface: webhook.Energy, ID: "p"}
	for _, tc := range []struct {
		name string
		data any
		want string // the data as the body must carry it
	}{
		{"an answer", leadAnswer, string(leadAnswer)},
		{"a value", map[string]any{"id": 7, "nome": "Ana & <Bia>"}, `{"id":7,"nome":"Ana \u0026 \u003cBia\u003e"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := webhook.NewEvent(owner, webhook.LeadCreated, tc.data, at)
			if err != nil {
				t.Fatal(err)
			}
			body := string(ev.Body())
			want := `{"type":"lead.created","timestamp":"2026-12-02T10:30:00.123456Z","data":` + tc.want + `}`
			if body != want {
				t.Fatalf("body\n%s\nwant\n%s", body, want)
			}
			if !json.Valid([]byte(body)) {
				t.Fatalf("body is not JSON: %s", body)
			}
		})
	}
}

func BenchmarkNewEvent(b *testing.B) {
	owner := webhook.Owner{Surface: webhook.Energy, ID: "p"}
	at := time.Now()
	for b.Loop() {
		if _, err := webhook.NewEvent(owner, webhook.LeadCreated, leadAnswer, at); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEventBody(b *testing.B) {
	ev, err := webhook.NewEvent(webhook.Owner{Surface: webhook.Energy, ID: "p"}, webhook.LeadCreated, leadAnswer, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		ev.Body()
	}
}
