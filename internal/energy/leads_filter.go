package energy

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // America/Sao_Paulo must resolve on hosts without a zoneinfo database
	"unicode/utf8"

	"partnership-service/internal/apperr"
	"partnership-service/internal/brdoc"
	"partnership-service/internal/geo"
)

// LeadQuery selects a page of a partner's leads. Zero-valued filters are off.
type LeadQuery struct {
	Page  int // from 1
	Limit int // 1..MaxLeadLimit

	// Customer matches the identification number or the name.
	Customer *CustomerFilter
	// SellerName is folded (geo.Fold) and matched exactly.
	SellerName string
	// CreatedFrom (inclusive) and CreatedTo (exclusive) bound created_at:
	// one calendar day in America/Sao_Paulo.
	CreatedFrom, CreatedTo time.Time
	Status                 LeadStatus

	// TotalCap bounds the count of a customer filter's matches (see
	// LeadTotal); 0 counts them all. ParseLeadQuery sets LeadTotalCap.
	TotalCap int

	// UpdatedSince, when set, keeps the leads changed after it, in the
	// order they changed (a poller's change feed).
	UpdatedSince time.Time
}

// LeadTotal is how many leads a LeadQuery matches. A count of the seller,
// day and status filters is always exact: the store keeps tallies of them.
// A customer filter (a name or document prefix) can match any share of a
// partner's leads, and counting them costs as much as reading them, so its
// matches are counted up to the query's TotalCap: Capped says that more
// leads match than Count, which is then TotalCap.
type LeadTotal struct {
	Count  int
	Capped bool
}

// LeadTotalCap is how far the list counts a customer filter's matches:
// what a page of leads may cost whatever the data (a million leads named
// "Maria"), a read of that many index entries, well under a millisecond.
// At 200 lists a second 10000 entries each would take a core; GitHub's
// search stops at 1000 results for the same reason.
const LeadTotalCap = 1_000

// LeadDay is the calendar day of t in America/Sao_Paulo, YYYY-MM-DD: the
// day the created_at filter matches and the store tallies leads by.
func LeadDay(t time.Time) string { return t.In(saoPaulo).Format(time.DateOnly) }

// Offset is how many leads come before q's page.
func (q LeadQuery) Offset() int { return (q.Page - 1) * q.Limit }

// CustomerFilter matches leads whose identification number (ByDocument) or
// folded full or company name (otherwise) starts with Prefix.
type CustomerFilter struct {
	ByDocument bool
	Prefix     string
}

// PrefixEnd is the smallest string greater than every string starting with
// p, for index range scans: p followed by the largest code point, which
// sorts after any UTF-8 continuation in byte order (SQLite's BINARY and
// PostgreSQL's "C" collation).
func PrefixEnd(p string) string { return p + "\U0010FFFF" }

// Listing limits.
const (
	DefaultLeadLimit = 10
	MaxLeadLimit     = 100
	maxLeadPage      = 100_000
)

// saoPaulo is the calendar the created_at filter uses.
var saoPaulo = func() *time.Location {
	loc, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		panic(err) // time/tzdata is embedded
	}
	return loc
}()

// filterKeys are the keys the filters parameter knows.
var filterKeys = [...]string{"customer", "seller_name", "created_at", "status"}

// ParseLeadQuery reads the list parameters. page and limit are positive
// integers (defaults 1 and 10, limit at most 100).
//
// filters is "key:value,key:value" with the keys customer, seller_name,
// created_at and status, each at most once. Values may themselves contain
// ":" and ",": a comma ends a value only when what follows it (after
// spaces) is a known key and a colon, so "customer:Silva, Souza & Cia" and
// "seller_name:João: loja 2" read as meant. The one thing a value cannot
// contain is ",<known key>:". The text must start with a known key; an
// unknown key there, a repeated key, an empty value or a bad value (a
// status outside the enum, a date that is not YYYY-MM-DD) is a 400.
func ParseLeadQuery(page, limit, filters string) (LeadQuery, error) {
	q := LeadQuery{Page: 1, Limit: DefaultLeadLimit, TotalCap: LeadTotalCap}
	var f apperr.Fields
	if page != "" {
		n, err := strconv.Atoi(page)
		if err != nil || n < 1 || n > maxLeadPage {
			f.Add("page", fmt.Sprintf("page deve ser um inteiro entre 1 e %d", maxLeadPage))
		}
		q.Page = n
	}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > MaxLeadLimit {
			f.Add("limit", fmt.Sprintf("limit deve ser um inteiro entre 1 e %d", MaxLeadLimit))
		}
		q.Limit = n
	}
	pairs, err := splitFilters(filters)
	if err != nil {
		f.Add("filters", err.Error())
	}
	for _, p := range pairs {
		if err := q.set(p.key, p.value); err != nil {
			f.Add("filters", err.Error())
		}
	}
	return q, f.Err(apperr.Invalid)
}

func (q *LeadQuery) set(key, value string) error {
	switch key {
	case "customer":
		if k := docKey(value); k != "" && brdoc.OnlyDigits(k) == k {
			q.Customer = &CustomerFilter{ByDocument: true, Prefix: k}
		} else if cnpj, ok := brdoc.NormalizeCNPJ(value); ok {
			q.Customer = &CustomerFilter{ByDocument: true, Prefix: cnpj}
		} else if name := geo.Fold(value); name != "" {
			q.Customer = &CustomerFilter{Prefix: name}
		} else {
			return fmt.Errorf("filters: customer %q não é um documento nem um nome", clip(value))
		}
	case "seller_name":
		if q.SellerName = geo.Fold(value); q.SellerName == "" {
			return fmt.Errorf("filters: seller_name %q é inválido", clip(value))
		}
	case "created_at":
		d, err := time.ParseInLocation(time.DateOnly, value, saoPaulo)
		if err != nil {
			return fmt.Errorf("filters: created_at deve ser uma data AAAA-MM-DD, não %q", clip(value))
		}
		q.CreatedFrom, q.CreatedTo = d.UTC(), d.AddDate(0, 0, 1).UTC()
	case "status":
		s, ok := parseStatus(value)
		if !ok {
			return fmt.Errorf("filters: status deve ser negociacao, indicado, desqualificado ou assinado, não %q", clip(value))
		}
		q.Status = s
	}
	return nil
}

// parseStatus accepts a status with or without accents and in any case
// ("negociação", "Negociacao").
func parseStatus(s string) (LeadStatus, bool) {
	switch st := LeadStatus(geo.Fold(s)); st {
	case StatusIndicado, StatusNegociacao, StatusAssinado, StatusDesqualificado:
		return st, true
	}
	return "", false
}

type filterPair struct{ key, value string }

// splitFilters cuts filters into key/value pairs (see ParseLeadQuery).
func splitFilters(s string) ([]filterPair, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var pairs []filterPair
	seen := map[string]bool{}
	rest := strings.TrimLeft(s, " ")
	for rest != "" {
		key, ok := keyAt(rest)
		if !ok {
			unknown, _, _ := strings.Cut(rest, ":")
			return nil, fmt.Errorf("filters: chave desconhecida %q; use customer, seller_name, created_at ou status", clip(unknown))
		}
		if seen[key] {
			return nil, fmt.Errorf("filters: a chave %s aparece mais de uma vez", key)
		}
		seen[key] = true
		rest = rest[len(key)+1:]
		end, next := len(rest), len(rest)
		for i := 0; i < len(rest); i++ {
			if rest[i] != ',' {
				continue
			}
			after := strings.TrimLeft(rest[i+1:], " ")
			if _, ok := keyAt(after); ok {
				end, next = i, len(rest)-len(after)
				break
			}
		}
		value := strings.TrimSpace(rest[:end])
		if value == "" {
			return nil, fmt.Errorf("filters: a chave %s está sem valor", key)
		}
		pairs = append(pairs, filterPair{key, value})
		rest = rest[next:]
	}
	return pairs, nil
}

// keyAt reports which known key, followed by a colon, s starts with.
func keyAt(s string) (string, bool) {
	for _, k := range filterKeys {
		if len(s) > len(k) && s[len(k)] == ':' && strings.EqualFold(s[:len(k)], k) {
			return k, true
		}
	}
	return "", false
}

// clip shortens a value echoed in an error message.
func clip(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "…"
}
