package httpx_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"partnership-service/internal/apperr"
	"partnership-service/internal/httpx"
)

type payload struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

func TestDecodeJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		body        string
		contentType string
		max         int64
		wantCode    apperr.Code
		wantField   string
	}{
		{"valid", `{"name":"a","count":2}`, "application/json", 0, "", ""},
		{"valid with charset", `{"name":"a"}`, "application/json; charset=utf-8", 0, "", ""},
		{"no content type is accepted", `{"name":"a"}`, "", 0, "", ""},
		{"wrong content type", `{"name":"a"}`, "text/plain", 0, apperr.UnsupportedMedia, ""},
		{"empty body", ``, "application/json", 0, apperr.Invalid, ""},
		{"syntax error", `{"name":`, "application/json", 0, apperr.Invalid, ""},
		{"wrong type names the field", `{"count":"two"}`, "application/json", 0, apperr.Invalid, "count"},
		{"array instead of object", `[1,2]`, "application/json", 0, apperr.Invalid, "body"},
		{"trailing data", `{"name":"a"} {"name":"b"}`, "application/json", 0, apperr.Invalid, ""},
		{"over the cap", `{"name":"` + strings.Repeat("x", 100) + `"}`, "application/json", 50, apperr.TooLarge, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body))
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			var p payload
			err := httpx.DecodeJSON(httptest.NewRecorder(), r, &p, tt.max)
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			e := apperr.As(err)
			if e.Code != tt.wantCode {
				t.Fatalf("code = %s (%v), want %s", e.Code, err, tt.wantCode)
			}
			if tt.wantField != "" {
				if _, ok := e.Fields[tt.wantField]; !ok {
					t.Fatalf("fields = %v, want %q", e.Fields, tt.wantField)
				}
			}
		})
	}
}

func TestCancelledRequestIsNotOurError(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	r := httptest.NewRequest(http.MethodPost, "/", nil).WithContext(ctx)
	cancel()
	e := httpx.LogIfInternal(r, apperr.Wrap(apperr.Internal, fmt.Errorf("insert: %w", context.Canceled), "internal error"))
	if e.Code != apperr.ClientGone || apperr.HTTPStatus(e.Code) != 499 {
		t.Fatalf("code = %s, want client_gone (499)", e.Code)
	}
	live := httptest.NewRequest(http.MethodPost, "/", nil)
	if e := httpx.LogIfInternal(live, apperr.Wrap(apperr.Internal, context.Canceled, "x")); e.Code != apperr.Internal {
		t.Fatalf("a cancellation not caused by the client is still ours: got %s", e.Code)
	}
}

func TestETagMatches(t *testing.T) {
	t.Parallel()
	tag := `"abc"`
	for header, want := range map[string]bool{`"abc"`: true, `W/"abc"`: true, `"x", "abc"`: true, ` "x" ,W/"abc" `: true, `*`: true, `"x"`: false, `"ab"`: false, ``: false} {
		if got := httpx.ETagMatches(header, tag); got != want {
			t.Errorf("ETagMatches(%q) = %v, want %v", header, got, want)
		}
	}
}
