package provedor

import (
	"html/template"
	"slices"
	"strconv"
	"strings"

	"partnership-service/internal/brdoc"
	"partnership-service/internal/storefront"
)

// funcs are the pages' template functions beyond web.Funcs.
var funcs = template.FuncMap{
	"checked":  checked,
	"planName": planName,
	"itemName": itemName,
	"couponOf": couponPlans,
	"yesNo":    yesNo,
	"slice3":   func(a, b, c any) []any { return []any{a, b, c} },
	"document": document,
	"cep":      brdoc.FormatCEP,
}

// document formats a stored CPF (11 digits) or CNPJ (14 characters).
func document(s string) string {
	if len(s) == 11 {
		return brdoc.FormatCPF(s)
	}
	return brdoc.FormatCNPJ(s)
}

// checked reports whether the box of id is checked in the list name.
func checked(v formView, name string, id int64) bool {
	return slices.Contains(v.Values[name], strconv.FormatInt(id, 10))
}

// planName names the catalog's plan of id.
func planName(c *console, id int64) string {
	for _, p := range c.Plans {
		if p.ID == id {
			return p.Name
		}
	}
	return "—"
}

// itemName names an item of list (a payment method, say) by id.
func itemName(list []storefront.Item, id int64) string {
	for _, it := range list {
		if it.ID == id {
			return it.Name
		}
	}
	return "—"
}

// couponPlans words the plans a coupon applies to.
func couponPlans(c *console, ids []int64) string {
	if len(ids) == 0 {
		return "Todos"
	}
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = planName(c, id)
	}
	return strings.Join(names, ", ")
}

func yesNo(b bool) string {
	if b {
		return "Sim"
	}
	return "Não"
}
