// Package energyref is the energy reference data embedded in the binary:
// ANEEL's distribution utilities with stable public ids and the known
// utility→municipality areas, loaded by a migration, and the parser of
// operators' area files. It imports no context, so the migrations and the
// energy context can both use it.
package energyref

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/google/uuid"

	"partnership-service/internal/geo"
)

//go:embed data/energy_utilities.csv
var utilitiesCSV string

//go:embed data/utility_municipalities.csv
var utilityAreasCSV string

//go:embed data/utility_aliases.csv
var utilityAliasesCSV string

// utilityNamespace makes reference utilities' public ids stable: the same
// name gets the same UUID on every install and engine.
var utilityNamespace = uuid.MustParse("6f1d3c2e-8a4b-4e51-9d0a-2b7c5e8f9a10")

// UtilityPublicID is the stable public id of a reference utility, from its
// name in ANEEL's 2021 list (Utility.ANEELName): a utility renamed since
// keeps its id.
func UtilityPublicID(name string) string {
	return uuid.NewSHA1(utilityNamespace, []byte(strings.ToUpper(name))).String()
}

// Utility is a reference utility: which are qualified, and their plans,
// is commercial data kept elsewhere.
type Utility struct {
	PublicID  string // UtilityPublicID(ANEELName)
	Name      string // current name: ANEELName unless it changed since
	ANEELName string // the name in ANEEL's 2021 list
	UF        string // main state
	LegalName string // razão social, as ANEEL lists it
	CNPJ      string // 14 digits
}

// Area says a utility serves a municipality.
type Area struct {
	UtilityID string // Utility.PublicID
	IBGECode  int
}

// Alias is a name by which a reference utility is known besides its
// current name: its 2021 name, legal name, former names, abbreviations.
type Alias struct {
	Name      string
	UtilityID string // Utility.PublicID
}

type reference struct {
	utilities []Utility
	areas     []Area
	aliases   []Alias
}

// load reads the embedded files once: they cannot change while running.
var load = sync.OnceValues(func() (reference, error) {
	var ref reference
	utilities, err := readCSV(strings.NewReader(utilitiesCSV), []string{"name", "uf", "legal_name", "cnpj"}, func(_ int, rec map[string]string) (Utility, error) {
		if rec["name"] == "" || rec["uf"] == "" {
			return Utility{}, fmt.Errorf("name and uf are required")
		}
		cnpj := CNPJDigits(rec["cnpj"])
		if len(cnpj) != 14 {
			return Utility{}, fmt.Errorf("%s: cnpj %q is not 14 digits", rec["name"], rec["cnpj"])
		}
		return Utility{PublicID: UtilityPublicID(rec["name"]), Name: rec["name"], ANEELName: rec["name"], UF: rec["uf"], LegalName: rec["legal_name"], CNPJ: cnpj}, nil
	})
	if err != nil {
		return ref, fmt.Errorf("energy_utilities.csv: %w", err)
	}
	// Every name a utility is known by finds it, and only it.
	byName := map[string]int{}
	claim := func(name string, i int) error {
		k := geo.Fold(name)
		if j, ok := byName[k]; ok && j != i {
			return fmt.Errorf("%q names both %s and %s", name, utilities[j].ANEELName, utilities[i].ANEELName)
		}
		byName[k] = i
		return nil
	}
	for i, u := range utilities {
		if err := claim(u.ANEELName, i); err != nil {
			return ref, fmt.Errorf("energy_utilities.csv: %w", err)
		}
	}
	type aliasRow struct{ utility, alias, kind string }
	rows, err := readCSV(strings.NewReader(utilityAliasesCSV), []string{"utility", "alias", "kind"}, func(_ int, rec map[string]string) (aliasRow, error) {
		switch rec["kind"] {
		case "current", "former", "short":
		default:
			return aliasRow{}, fmt.Errorf("kind %q is not current, former or short", rec["kind"])
		}
		if rec["alias"] == "" {
			return aliasRow{}, fmt.Errorf("alias is required")
		}
		return aliasRow{rec["utility"], rec["alias"], rec["kind"]}, nil
	})
	if err != nil {
		return ref, fmt.Errorf("utility_aliases.csv: %w", err)
	}
	for _, r := range rows {
		i, ok := byName[geo.Fold(r.utility)]
		if !ok || utilities[i].ANEELName != r.utility {
			return ref, fmt.Errorf("utility_aliases.csv: %q is not a utility's ANEEL name", r.utility)
		}
		if err := claim(r.alias, i); err != nil {
			return ref, fmt.Errorf("utility_aliases.csv: %w", err)
		}
		if r.kind == "current" {
			utilities[i].Name = r.alias
		}
	}
	for i, u := range utilities {
		for _, n := range []string{u.ANEELName, u.LegalName} {
			if n != "" && n != u.Name {
				ref.aliases = append(ref.aliases, Alias{Name: n, UtilityID: u.PublicID})
			}
		}
		for _, r := range rows {
			if r.utility == u.ANEELName && r.alias != u.Name {
				ref.aliases = append(ref.aliases, Alias{Name: r.alias, UtilityID: utilities[i].PublicID})
			}
		}
	}
	ref.utilities = utilities
	ref.areas, err = readCSV(strings.NewReader(utilityAreasCSV), areaColumns, func(_ int, rec map[string]string) (Area, error) {
		code, err := strconv.Atoi(rec["ibge_code"])
		if err != nil {
			return Area{}, err
		}
		i, ok := byName[geo.Fold(rec["utility_name"])]
		if !ok {
			return Area{}, fmt.Errorf("unknown utility %q", rec["utility_name"])
		}
		return Area{UtilityID: utilities[i].PublicID, IBGECode: code}, nil
	})
	if err != nil {
		return ref, fmt.Errorf("utility_municipalities.csv: %w", err)
	}
	return ref, nil
})

// Catalog returns the ANEEL utilities, with their current names, and the
// known utility→municipality areas.
func Catalog() ([]Utility, []Area, error) {
	ref, err := load()
	return slices.Clone(ref.utilities), slices.Clone(ref.areas), err
}

// Aliases are the reference utilities' other names, each naming one
// utility: ANEEL's 2021 name when it changed since, the legal name, and
// the former names and abbreviations of data/utility_aliases.csv.
func Aliases() []Alias {
	ref, _ := load() // TestCatalog keeps the embedded data readable
	return ref.aliases
}

var areaColumns = []string{"utility_name", "ibge_code"}

// CNPJDigits is a CNPJ as 14 digits, however it was written: formatted
// ("04.065.033/0001-70") or as a number that lost its leading zeros
// (4065033000170, as spreadsheets and some ANEEL files have it). Anything
// that is not 1 to 14 digits once the punctuation is gone comes back as is.
func CNPJDigits(s string) string {
	var b [14]byte
	n := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if n == len(b) {
				return s
			}
			b[n] = c
			n++
		case c == '.' || c == '/' || c == '-' || c == ' ':
		default:
			return s
		}
	}
	if n == 0 {
		return s
	}
	return strings.Repeat("0", 14-n) + string(b[:n])
}

// readCSV reads a CSV file whose header names at least columns, handing
// row each record by column name (trimmed; "" when the record is short)
// with its line number.
func readCSV[T any](r io.Reader, columns []string, row func(line int, rec map[string]string) (T, error)) ([]T, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	for _, c := range columns {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("missing column %s", c)
		}
	}
	var out []T
	rec := make(map[string]string, len(columns))
	for {
		fields, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err // a *csv.ParseError names its line
		}
		line, _ := cr.FieldPos(0)
		for _, c := range columns {
			rec[c] = ""
			if i := col[c]; i < len(fields) {
				rec[c] = strings.TrimSpace(fields[i])
			}
		}
		v, err := row(line, rec)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		out = append(out, v)
	}
}
