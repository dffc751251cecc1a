package web

import (
	"net/url"
	"slices"
	"strings"

	"partnership-service/internal/apperr"
)

// Form is a form's values and the service's messages for them. Its inputs
// carry the service's field names, so a message the service returns for a
// field lands next to that field; Labels name the fields as people read
// them.
type Form struct {
	Values url.Values
	Errors map[string][]string
	Labels map[string]string
	// focused is set once the first field with an error has been
	// rendered, which gets autofocus.
	focused bool
}

// NewForm returns a form of values (nil: empty) labelled by labels.
func NewForm(values url.Values, labels map[string]string) *Form {
	if values == nil {
		values = url.Values{}
	}
	return &Form{Values: values, Errors: map[string][]string{}, Labels: labels}
}

// Fail records err's field messages; it reports false for errors that are
// no validation (which the caller renders as an error page).
func (f *Form) Fail(err error) bool {
	e := apperr.As(err)
	if (e.Code != apperr.Unprocessable && e.Code != apperr.Invalid && e.Code != apperr.Conflict) || len(e.Fields) == 0 {
		return false
	}
	for k, msgs := range e.Fields {
		f.Errors[k] = append(f.Errors[k], msgs...)
	}
	return true
}

// Problem is one line of a form's error summary.
type Problem struct {
	ID, Label, Message string
}

// Summary lists the messages in a stable order, each linking to its field.
func (f *Form) Summary() []Problem {
	keys := make([]string, 0, len(f.Errors))
	for k := range f.Errors {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []Problem
	for _, k := range keys {
		for _, m := range f.Errors[k] {
			out = append(out, Problem{ID: FieldID(k), Label: f.label(k), Message: m})
		}
	}
	return out
}

func (f *Form) label(name string) string {
	if l := f.Labels[name]; l != "" {
		return l
	}
	return name
}

// FieldView is one input as the "input" template (layout.html) renders it.
type FieldView struct {
	Name, ID, Label, Value, Type, Mask, Autocomplete, Inputmode, Hint string
	Errors                                                            []string
	Autofocus                                                         bool
}

// Field builds an input of f named name (the template function "field");
// opts are "key=value" pairs: type, mask (see forms.js), auto
// (autocomplete), mode (inputmode), hint.
func Field(f *Form, name string, opts ...string) FieldView {
	v := FieldView{Name: name, ID: FieldID(name), Label: f.label(name), Value: f.Values.Get(name), Type: "text",
		Errors: f.Errors[name]}
	for _, o := range opts {
		k, val, _ := strings.Cut(o, "=")
		switch k {
		case "type":
			v.Type = val
		case "mask":
			v.Mask = val
		case "auto":
			v.Autocomplete = val
		case "mode":
			v.Inputmode = val
		case "hint":
			v.Hint = val
		}
	}
	if len(v.Errors) > 0 && !f.focused {
		v.Autofocus, f.focused = true, true
	}
	return v
}
