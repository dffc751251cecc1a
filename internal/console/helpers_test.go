package console_test

import (
	"html/template"

	"partnership-service/internal/apperr"
)

func ptr(s string) *string { return &s }

func errFields(err error) map[string][]string { return apperr.As(err).Fields }

func htmlEscape(s string) string { return template.HTMLEscapeString(s) }
