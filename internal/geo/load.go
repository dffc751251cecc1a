package geo

import (
	"cmp"
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
)

//go:embed data/*.csv
var dataFS embed.FS

// File names inside the data file system.
const (
	statesFile         = "data/states.csv"
	municipalitiesFile = "data/municipalities.csv"
	stateRangesFile    = "data/cep_ranges.csv"
	muniRangesFile     = "data/cep_ranges_municipalities.csv"
)

// parse builds a Directory from the four CSV files in fsys. It takes an fs.FS,
// not the embedded files directly, so tests can feed it broken data. Every
// row is validated: the data is embedded, so a bad row is caught by the tests
// at build time instead of surfacing as a wrong answer in production.
func parse(fsys fs.FS) (*Directory, error) {
	d := &Directory{}
	if err := d.parseStates(fsys); err != nil {
		return nil, err
	}
	if err := d.parseMunicipalities(fsys); err != nil {
		return nil, err
	}
	if err := d.parseStateRanges(fsys); err != nil {
		return nil, err
	}
	if err := d.parseMunicipalityRanges(fsys); err != nil {
		return nil, err
	}
	return d, nil
}

// readCSV returns the data rows of name after checking its header.
func readCSV(fsys fs.FS, name string, header ...string) ([][]string, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = len(header)
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(rows) == 0 || !slices.Equal(rows[0], header) {
		return nil, fmt.Errorf("%s: header must be %v", name, header)
	}
	return rows[1:], nil
}

// rowError locates a problem by file and line (line 1 is the header).
func rowError(file string, row int, format string, args ...any) error {
	return fmt.Errorf("%s line %d: %s", file, row+2, fmt.Sprintf(format, args...))
}

func (d *Directory) parseStates(fsys fs.FS) error {
	rows, err := readCSV(fsys, statesFile, "ibge_code", "uf", "name")
	if err != nil {
		return err
	}
	for i, r := range rows {
		code, err := strconv.Atoi(r[0])
		if err != nil || code < 10 || code > 99 {
			return rowError(statesFile, i, "bad ibge_code %q", r[0])
		}
		if len(r[1]) != 2 || !isUpperASCII(r[1][0]) || !isUpperASCII(r[1][1]) {
			return rowError(statesFile, i, "bad uf %q", r[1])
		}
		if r[2] == "" {
			return rowError(statesFile, i, "empty name")
		}
		d.states = append(d.states, State{IBGECode: code, UF: r[1], Name: r[2]})
	}
	slices.SortFunc(d.states, func(a, b State) int { return cmp.Compare(a.UF, b.UF) })
	if len(d.states) > 127 { // indexes are stored as int8
		return fmt.Errorf("%s: %d states, at most 127 supported", statesFile, len(d.states))
	}
	for i, s := range d.states {
		ui := upperLetter(s.UF[0])*26 + upperLetter(s.UF[1])
		if d.stateByUF[ui] != 0 || d.stateByCode[s.IBGECode] != 0 {
			return fmt.Errorf("%s: duplicate state %s/%d", statesFile, s.UF, s.IBGECode)
		}
		d.stateByUF[ui] = int8(i + 1)
		d.stateByCode[s.IBGECode] = int8(i + 1)
	}
	return nil
}

func isUpperASCII(c byte) bool { return 'A' <= c && c <= 'Z' }

func (d *Directory) parseMunicipalities(fsys fs.FS) error {
	rows, err := readCSV(fsys, municipalitiesFile, "ibge_code", "name", "uf", "lat", "lon")
	if err != nil {
		return err
	}
	for i, r := range rows {
		code, err := strconv.Atoi(r[0])
		if err != nil || len(r[0]) != 7 {
			return rowError(municipalitiesFile, i, "bad ibge_code %q", r[0])
		}
		// The first two digits of a municipality code are its state's code.
		st, ok := d.StateByCode(code / 100000)
		if !ok || st.UF != r[2] {
			return rowError(municipalitiesFile, i, "ibge_code %d does not belong to uf %q", code, r[2])
		}
		if Fold(r[1]) == "" {
			return rowError(municipalitiesFile, i, "empty name")
		}
		lat, errLat := strconv.ParseFloat(r[3], 64)
		lon, errLon := strconv.ParseFloat(r[4], 64)
		if errLat != nil || errLon != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
			return rowError(municipalitiesFile, i, "bad coordinates %q,%q", r[3], r[4])
		}
		d.munis = append(d.munis, Municipality{IBGECode: code, Name: r[1], UF: st.UF, Lat: lat, Lon: lon})
	}
	slices.SortFunc(d.munis, func(a, b Municipality) int { return cmp.Compare(a.IBGECode, b.IBGECode) })
	for i := 1; i < len(d.munis); i++ {
		if d.munis[i].IBGECode == d.munis[i-1].IBGECode {
			return fmt.Errorf("%s: duplicate ibge_code %d", municipalitiesFile, d.munis[i].IBGECode)
		}
	}

	n := len(d.states)
	d.folded = make([]string, len(d.munis))
	d.muniUF = make([]int8, len(d.munis))
	d.byName = make([]map[string]int32, n)
	d.byFolded = make([][]int32, n)
	for si := range n {
		d.byName[si] = make(map[string]int32)
	}
	for i, m := range d.munis {
		si, _ := d.stateIndex(m.UF)
		d.folded[i] = Fold(m.Name)
		d.muniUF[i] = int8(si)
		// Ascending code order plus "first one wins" makes duplicates resolve
		// to the lowest code.
		if _, dup := d.byName[si][d.folded[i]]; !dup {
			d.byName[si][d.folded[i]] = int32(i)
		}
		d.byFolded[si] = append(d.byFolded[si], int32(i))
		d.allByFolded = append(d.allByFolded, int32(i))
	}
	byFoldedName := func(a, b int32) int {
		return cmp.Or(
			cmp.Compare(d.folded[a], d.folded[b]),
			cmp.Compare(d.munis[a].UF, d.munis[b].UF),
			cmp.Compare(a, b), // indexes follow IBGE code order
		)
	}
	for _, s := range d.byFolded {
		slices.SortFunc(s, byFoldedName)
	}
	slices.SortFunc(d.allByFolded, byFoldedName)
	return nil
}

// parseRangeBounds reads an inclusive pair of 8-digit CEPs.
func parseRangeBounds(file string, row int, start, end string) (int, int, error) {
	s, okS := parseCEP(start)
	e, okE := parseCEP(end)
	if !okS || !okE || len(start) != 8 || len(end) != 8 || s > e {
		return 0, 0, rowError(file, row, "bad range %q-%q", start, end)
	}
	return s, e, nil
}

// indexedRange is a CEP range and the index of its state or municipality.
type indexedRange[I int8 | int32] struct {
	r CEPRange
	i I
}

// sortRanges orders ranges by their start, and returns the ranges and
// their indexes in that order.
func sortRanges[I int8 | int32](ranges []indexedRange[I]) ([]CEPRange, []I) {
	slices.SortFunc(ranges, func(a, b indexedRange[I]) int { return cmp.Compare(a.r.Start, b.r.Start) })
	rs, is := make([]CEPRange, len(ranges)), make([]I, len(ranges))
	for k, x := range ranges {
		rs[k], is[k] = x.r, x.i
	}
	return rs, is
}

func (d *Directory) parseStateRanges(fsys fs.FS) error {
	rows, err := readCSV(fsys, stateRangesFile, "uf", "cep_start", "cep_end")
	if err != nil {
		return err
	}
	ranges := make([]indexedRange[int8], 0, len(rows))
	for i, r := range rows {
		si, ok := d.stateIndex(r[0])
		if !ok || r[0] != d.states[si].UF {
			return rowError(stateRangesFile, i, "unknown uf %q", r[0])
		}
		s, e, err := parseRangeBounds(stateRangesFile, i, r[1], r[2])
		if err != nil {
			return err
		}
		ranges = append(ranges, indexedRange[int8]{CEPRange{Start: s, End: e, UF: d.states[si].UF}, int8(si)})
	}
	d.stateRanges, d.stateOfRange = sortRanges(ranges)
	return checkOverlap(stateRangesFile, d.stateRanges)
}

func (d *Directory) parseMunicipalityRanges(fsys fs.FS) error {
	rows, err := readCSV(fsys, muniRangesFile, "ibge_code", "name", "uf", "cep_start", "cep_end")
	if err != nil {
		return err
	}
	ranges := make([]indexedRange[int32], 0, len(rows))
	var aliases []nameAlias
	for i, r := range rows {
		code, err := strconv.Atoi(r[0])
		if err != nil {
			return rowError(muniRangesFile, i, "bad ibge_code %q", r[0])
		}
		mi, ok := slices.BinarySearchFunc(d.munis, code, func(m Municipality, c int) int { return cmp.Compare(m.IBGECode, c) })
		if !ok {
			return rowError(muniRangesFile, i, "unknown ibge_code %d", code)
		}
		m := d.munis[mi]
		if r[2] != m.UF {
			return rowError(muniRangesFile, i, "uf %q, but %d is in %s", r[2], code, m.UF)
		}
		s, e, err := parseRangeBounds(muniRangesFile, i, r[3], r[4])
		if err != nil {
			return err
		}
		// A municipality's CEPs must lie in its own state's CEPs; anything
		// else means the two files disagree and one of them is wrong.
		for _, c := range [2]int{s, e} {
			if si, ok := findRange(d.stateRanges, c); !ok || d.stateRanges[si].UF != m.UF {
				return rowError(muniRangesFile, i, "CEP %08d of %d/%s is outside %s's ranges", c, code, m.UF, m.UF)
			}
		}
		ranges = append(ranges, indexedRange[int32]{CEPRange{Start: s, End: e, UF: m.UF, IBGECode: code}, int32(mi)})
		if Fold(r[1]) != d.folded[mi] {
			aliases = append(aliases, nameAlias{int32(mi), Fold(r[1])})
		}
	}
	d.muniRanges, d.muniOfRange = sortRanges(ranges)
	if err := checkOverlap(muniRangesFile, d.muniRanges); err != nil {
		return err
	}
	// Correios spellings go in after every IBGE name, so they never shadow
	// one, and in code order, so a spelling shared by two municipalities of a
	// state resolves to the lowest code whatever the file order.
	slices.SortStableFunc(aliases, func(a, b nameAlias) int { return cmp.Compare(a.mi, b.mi) })
	for _, a := range aliases {
		names := d.byName[d.muniUF[a.mi]]
		if _, taken := names[a.name]; !taken && a.name != "" {
			names[a.name] = a.mi
		}
	}
	return nil
}

// nameAlias is a municipality's folded Correios spelling.
type nameAlias struct {
	mi   int32 // index into Directory.munis
	name string
}

// checkOverlap enforces what the binary search in findRange relies on: ranges
// ordered by Start are disjoint. The source data has no overlaps; if a future
// update brings one, loading fails instead of answering arbitrarily.
func checkOverlap(file string, ranges []CEPRange) error {
	var errs []error
	for i := 1; i < len(ranges); i++ {
		if p, r := ranges[i-1], ranges[i]; r.Start <= p.End {
			errs = append(errs, fmt.Errorf("%s: range %08d-%08d (%s %d) overlaps %08d-%08d (%s %d)",
				file, r.Start, r.End, r.UF, r.IBGECode, p.Start, p.End, p.UF, p.IBGECode))
		}
	}
	return errors.Join(errs...)
}
