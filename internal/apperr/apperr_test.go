package apperr_test

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"partnership-service/internal/apperr"
)

func TestFieldsKeepReportOrder(t *testing.T) {
	t.Parallel()
	var f apperr.Fields
	if f.Err(apperr.Invalid) != nil {
		t.Fatal("empty Fields must give a nil error")
	}
	f.Add("zipCode", "zipCode inválido")
	f.Add("city", "city é obrigatório")
	f.Add("zipCode", "zipCode não pertence ao estado")
	e := apperr.As(f.Err(apperr.Invalid))
	want := []string{"zipCode inválido", "zipCode não pertence ao estado", "city é obrigatório"}
	if got := e.Messages(); !slices.Equal(got, want) {
		t.Fatalf("Messages() = %q, want %q", got, want)
	}
	if e.Message != "zipCode inválido" {
		t.Fatalf("Message = %q, want the first field message", e.Message)
	}
}

func TestCodeSurvivesWrapping(t *testing.T) {
	t.Parallel()
	base := apperr.New(apperr.Conflict, "lead already exists")
	wrapped := fmt.Errorf("create lead: %w", base)
	if !apperr.Is(wrapped, apperr.Conflict) {
		t.Fatal("code lost through fmt.Errorf wrapping")
	}
	if got := apperr.CodeOf(errors.New("disk on fire")); got != apperr.Internal {
		t.Fatalf("plain error code = %s, want internal", got)
	}
	if got := apperr.As(errors.New("disk on fire")).Message; got != "internal error" {
		t.Fatalf("plain error message = %q: internals must not leak", got)
	}
}

func TestHTTPStatus(t *testing.T) {
	t.Parallel()
	tests := map[apperr.Code]int{
		apperr.Invalid: 400, apperr.Unauthorized: 401, apperr.Forbidden: 403, apperr.NotFound: 404,
		apperr.MethodNotAllowed: 405, apperr.Conflict: 409, apperr.TooLarge: 413, apperr.UnsupportedMedia: 415,
		apperr.Unprocessable: 422, apperr.TooManyRequests: 429, apperr.Unavailable: 503, apperr.Internal: 500,
		apperr.ClientGone:      499,
		apperr.Code("made-up"): http.StatusInternalServerError,
	}
	for code, want := range tests {
		if got := apperr.HTTPStatus(code); got != want {
			t.Errorf("HTTPStatus(%s) = %d, want %d", code, got, want)
		}
	}
}
