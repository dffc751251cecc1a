// Package geo is the Brazilian reference data the service validates addresses
// against: the 27 federative units, the 5,571 municipalities with their IBGE
// codes and coordinates, and the CEP (postal code) ranges of each state and
// municipality. The data is embedded from data/*.csv (sources and licenses in
// data/SOURCES.md), parsed once, and served from an immutable Directory.
package geo

import (
	"strings"
	"sync"
)

// State is a federative unit (26 states and the Distrito Federal).
type State struct {
	IBGECode int
	UF       string
	Name     string
}

// Municipality is an IBGE municipality. Name uses IBGE spelling.
type Municipality struct {
	IBGECode int
	Name     string
	UF       string
	Lat, Lon float64
}

// CEPRange is an inclusive range of CEPs. Start and End are the 8-digit CEP as
// an int (01310100 is 1310100). IBGECode is 0 for state-level ranges.
type CEPRange struct {
	Start, End int
	UF         string
	IBGECode   int
}

// Directory is immutable after Load and safe for concurrent use. Lookups are
// O(1) or O(log n) and do not allocate, because they run on hot request paths;
// the methods that return whole lists return copies, so callers cannot change
// the shared data.
type Directory struct {
	// Tables hold index+1 into states, 0 meaning none. stateByUF is indexed
	// by the two letters of the UF (A=0 ... Z=25).
	states      []State // ordered by UF
	stateByUF   [26 * 26]int8
	stateByCode [100]int8

	munis       []Municipality // ordered by IBGE code
	folded      []string       // Fold(munis[i].Name)
	muniUF      []int8         // index into states of munis[i]
	byName      []map[string]int32
	byFolded    [][]int32 // per state, municipality indexes ordered by folded name
	allByFolded []int32

	// Ranges are ordered by Start and never overlap (parse rejects overlaps),
	// so a binary search finds the only range that can contain a CEP.
	muniRanges   []CEPRange
	muniOfRange  []int32
	stateRanges  []CEPRange
	stateOfRange []int8
}

var load = sync.OnceValues(func() (*Directory, error) { return parse(dataFS) })

// Load parses the embedded CSVs on the first call and returns the shared
// directory; later calls return the same value at no cost.
func Load() (*Directory, error) { return load() }

// MustLoad is Load for program start-up: the data is embedded and covered by
// tests, so an error here is a build defect, not a runtime condition.
func MustLoad() *Directory {
	d, err := Load()
	if err != nil {
		panic(err)
	}
	return d
}

// States returns the 27 states ordered by UF.
func (d *Directory) States() []State { return clone(d.states) }

// Municipalities returns all municipalities ordered by IBGE code.
func (d *Directory) Municipalities() []Municipality { return clone(d.munis) }

// MunicipalityCEPRanges returns the per-municipality CEP ranges ordered by
// Start. A municipality may have several ranges; one (5101837 Boa Esperança
// do Norte/MT, created in 2025) has none in the source.
func (d *Directory) MunicipalityCEPRanges() []CEPRange { return clone(d.muniRanges) }

// StateCEPRanges returns the per-state CEP ranges ordered by Start. AM, DF and
// GO have two ranges each.
func (d *Directory) StateCEPRanges() []CEPRange { return clone(d.stateRanges) }

func clone[T any](s []T) []T { return append([]T(nil), s...) }

// StateByUF returns the state with UF uf, ignoring case and surrounding spaces.
func (d *Directory) StateByUF(uf string) (State, bool) {
	i, ok := d.stateIndex(uf)
	if !ok {
		return State{}, false
	}
	return d.states[i], true
}

// StateByCode returns the state with IBGE code code (e.g. 35 for SP).
func (d *Directory) StateByCode(code int) (State, bool) {
	if code < 0 || code >= len(d.stateByCode) || d.stateByCode[code] == 0 {
		return State{}, false
	}
	return d.states[d.stateByCode[code]-1], true
}

// stateIndex finds a UF without allocating: two letters index a 26×26 table.
func (d *Directory) stateIndex(uf string) (int, bool) {
	uf = strings.TrimSpace(uf)
	if len(uf) != 2 {
		return 0, false
	}
	a, b := upperLetter(uf[0]), upperLetter(uf[1])
	if a < 0 || b < 0 {
		return 0, false
	}
	i := d.stateByUF[a*26+b]
	return int(i) - 1, i != 0
}

// upperLetter returns 0..25 for an ASCII letter of either case, -1 otherwise.
func upperLetter(c byte) int {
	switch {
	case 'A' <= c && c <= 'Z':
		return int(c - 'A')
	case 'a' <= c && c <= 'z':
		return int(c - 'a')
	}
	return -1
}

// Municipality returns the municipality with the 7-digit IBGE code ibge.
func (d *Directory) Municipality(ibge int) (Municipality, bool) {
	lo, hi := 0, len(d.munis)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if d.munis[mid].IBGECode < ibge {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(d.munis) && d.munis[lo].IBGECode == ibge {
		return d.munis[lo], true
	}
	return Municipality{}, false
}

// MunicipalityByName returns the municipality called name in state uf. uf is
// case-insensitive and required (the same name exists in several states);
// name is compared after Fold, so case, accents, repeated spaces and
// apostrophe/hyphen variants do not matter: "sao paulo", " SÃO  PAULO " and
// "São Paulo" all find 3550308, and "Santa Barbara d Oeste" finds Santa
// Bárbara d'Oeste.
//
// Besides the IBGE name, the Correios spelling from the CEP data is accepted
// when it differs (e.g. "Couto de Magalhães" for Couto Magalhães/TO), because
// addresses filled from CEP services use it. An IBGE name always wins over a
// Correios spelling; no two municipalities of a state share a folded IBGE name
// in the current data, and if they ever do, the lowest IBGE code wins.
func (d *Directory) MunicipalityByName(uf, name string) (Municipality, bool) {
	si, ok := d.stateIndex(uf)
	if !ok {
		return Municipality{}, false
	}
	var buf [64]byte // longer names spill to the heap, which is fine
	key := foldAppend(buf[:0], name)
	i, ok := d.byName[si][string(key)] // map index with string(bytes) does not allocate
	if !ok {
		return Municipality{}, false
	}
	return d.munis[i], true
}

// SearchMunicipalities returns the municipalities of state uf (uf "" means all
// states) whose folded name contains the folded query (query "" matches all),
// ordered by folded name, then UF, then IBGE code, at most limit of them
// (limit <= 0 means no limit). It returns an empty, non-nil slice when nothing
// matches, including for an unknown uf, so it encodes as [] in JSON.
func (d *Directory) SearchMunicipalities(uf, query string, limit int) []Municipality {
	order := d.allByFolded
	if uf != "" {
		si, ok := d.stateIndex(uf)
		if !ok {
			return []Municipality{}
		}
		order = d.byFolded[si]
	}
	q := Fold(query)
	out := []Municipality{}
	for _, i := range order {
		if limit > 0 && len(out) == limit {
			break
		}
		if strings.Contains(d.folded[i], q) {
			out = append(out, d.munis[i])
		}
	}
	return out
}

// MunicipalityByCEP returns the municipality whose CEP range contains cep. Any
// format is accepted: non-digits are stripped and exactly 8 digits must
// remain. ok is false for malformed CEPs and for CEPs in no range (the source
// has gaps, e.g. 00000000-00999999 and 78900000-78999999 are unassigned).
func (d *Directory) MunicipalityByCEP(cep string) (Municipality, bool) {
	return byCEP(cep, d.muniRanges, d.muniOfRange, d.munis)
}

// StateByCEP returns the state whose state-level CEP range contains cep,
// accepting the same formats as MunicipalityByCEP.
func (d *Directory) StateByCEP(cep string) (State, bool) {
	return byCEP(cep, d.stateRanges, d.stateOfRange, d.states)
}

// byCEP returns the item of the range holding cep: of[i] is the index in
// items of ranges[i]'s owner.
func byCEP[T any, I int8 | int32](cep string, ranges []CEPRange, of []I, items []T) (T, bool) {
	var zero T
	n, ok := parseCEP(cep)
	if !ok {
		return zero, false
	}
	i, ok := findRange(ranges, n)
	if !ok {
		return zero, false
	}
	return items[of[i]], true
}

// parseCEP keeps the digits of s and requires exactly 8 of them.
func parseCEP(s string) (int, bool) {
	n, digits := 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			continue
		}
		if digits++; digits > 8 {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, digits == 8
}

// findRange returns the index of the range containing cep in ranges ordered
// by Start and not overlapping: the last range starting at or before cep is
// the only candidate.
func findRange(ranges []CEPRange, cep int) (int, bool) {
	lo, hi := 0, len(ranges)
	for lo < hi { // first range with Start > cep
		mid := int(uint(lo+hi) >> 1)
		if ranges[mid].Start <= cep {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == 0 || ranges[lo-1].End < cep {
		return 0, false
	}
	return lo - 1, true
}
