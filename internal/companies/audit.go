package companies

import (
	"encoding/json"
	"reflect"
)

// auditedFields are a company's fields as the audit log names them (the
// API's names); absent values are nil.
var auditedFields = []struct {
	name string
	get  func(*Company) any
}{
	{"account_id", func(c *Company) any { return nonZero(c.AccountID) }},
	{"parent_id", func(c *Company) any { return nonZero(c.ParentID) }},
	{"name", func(c *Company) any { return nonEmpty(c.Name) }},
	{"external_id", func(c *Company) any { return nonEmpty(c.ExternalID) }},
	{"unit_code", func(c *Company) any { return nonEmpty(c.UnitCode) }},
	{"cnpj", func(c *Company) any { return nonEmpty(c.CNPJ) }},
	{"corporate_name", func(c *Company) any { return nonEmpty(c.CorporateName) }},
	{"address", func(c *Company) any { return nonEmpty(c.Address) }},
	{"number", func(c *Company) any { return nonEmpty(c.Number) }},
	{"complement", func(c *Company) any { return nonEmpty(c.Complement) }},
	{"district", func(c *Company) any { return nonEmpty(c.District) }},
	{"zip_code", func(c *Company) any { return nonEmpty(c.ZipCode) }},
	{"cnae", func(c *Company) any { return nonEmpty(c.CNAE) }},
	{"city_id", func(c *Company) any { return nonZero(c.CityID) }},
	{"state_id", func(c *Company) any { return nonZero(c.StateID) }},
	{"contact_name", func(c *Company) any { return nonEmpty(c.ContactName) }},
	{"contact_telephone", func(c *Company) any { return nonEmpty(c.ContactTelephone) }},
	{"contact_cellphone", func(c *Company) any { return nonEmpty(c.ContactCellphone) }},
	{"contact_email", func(c *Company) any { return nonEmpty(c.ContactEmail) }},
	{"code_ibge", func(c *Company) any { return nonZero(c.CodeIBGE) }},
	{"energy_demands_peak", func(c *Company) any { return demandsValue(c.EnergyDemandsPeak) }},
	{"energy_demands_off_peak", func(c *Company) any { return demandsValue(c.EnergyDemandsOffPeak) }},
}

func nonZero(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func nonEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func demandsValue(ds []EnergyDemand) any {
	if len(ds) == 0 {
		return nil
	}
	out := make([]map[string]any, len(ds))
	for i, d := range ds {
		out[i] = map[string]any{"value_kw": d.ValueKW, "start_date": d.StartDate}
	}
	return out
}

// diff returns the changed fields as JSON {"field":{"from":…,"to":…}}
// (before nil: a creation; after nil: a deletion), or nil when nothing
// changed.
func diff(before, after *Company) []byte {
	changes := map[string]map[string]any{}
	for _, f := range auditedFields {
		var from, to any
		if before != nil {
			from = f.get(before)
		}
		if after != nil {
			to = f.get(after)
		}
		if !reflect.DeepEqual(from, to) {
			changes[f.name] = map[string]any{"from": from, "to": to}
		}
	}
	if len(changes) == 0 {
		return nil
	}
	b, err := json.Marshal(changes)
	if err != nil {
		panic(err) // only maps, strings and numbers: cannot fail
	}
	return b
}
