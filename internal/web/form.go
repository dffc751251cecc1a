package web

import (
	"net/url"
	"slices"
	"strings"

	"partnership-service/internal/apperr"
)

// Form is a form as its page shows it (again): the values sent, the
// messages by field (a service's apperr fields, so a page words a rule as
// the API does) and the labels the summary names the fields by. Pages
// render it with the "summary" and "input" partials every page has
// (partials.html) and the "field" function.
type Form struct {
	Values url.Values
	Errors map[string][]string
	Labels map[string]string
	// focused is set once the first field with an error has been built,
	// which gets autofocus.
	focused bool
}

// NewForm returns a form of values (none when nil) whose fields are
// labelled by labels.
func NewForm(values url.Values, labels map[string]string) *Form {
	if values == nil {
		values = url.Values{}
	}
	return &Form{Values: values, Errors: map[string][]string{}, Labels: labels}
}

// Fail records err's field messages; it reports false for an error that
// is no refusal of fields (a not found, an internal error), which the
// caller renders as an error page.
func (f *Form) Fail(err error) bool {
	e := apperr.As(err)
	if len(e.Fields) == 0 || e.Code == apperr.Internal || e.Code == apperr.NotFound {
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

// Summary lists the messages in a stable order, each linking to its field
// (a field without a label is named as the form as a whole).
func (f *Form) Summary() []Problem {
	var out []Problem
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range f.Errors {
			if !yield(k) {
				return
			}
		}
	}) {
		label := f.Labels[k]
		if label == "" {
			label = "Formulário"
		}
		for _, m := range f.Errors[k] {
			out = append(out, Problem{ID: FieldID(k), Label: label, Message: m})
		}
	}
	return out
}

// Field is one input as the "input" partial renders it.
type Field struct {
	Name, ID, Label, Value, Type, Mask, Autocomplete, Inputmode, Hint string
	Errors                                                            []string
	Autofocus, Required                                               bool
}

// Field builds the input of f named name; opts are "key=value" pairs:
// type, mask (see forms.js), auto (autocomplete), mode (inputmode), hint,
// and "required".
func (f *Form) Field(name string, opts ...string) Field {
	v := Field{Name: name, ID: FieldID(name), Label: f.Labels[name], Value: f.Values.Get(name), Type: "text",
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
		case "required":
			v.Required = true
		}
	}
	if len(v.Errors) > 0 && !f.focused {
		v.Autofocus, f.focused = true, true
	}
	return v
}
