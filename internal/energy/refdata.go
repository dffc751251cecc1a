package energy

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

//go:embed refdata/energy_utilities.csv
var utilitiesCSV string

//go:embed refdata/utility_municipalities.csv
var utilityAreasCSV string

// utilityNamespace makes reference utilities' public ids stable: the same
// name gets the same UUID on every install and engine.
var utilityNamespace = uuid.MustParse("6f1d3c2e-8a4b-4e51-9d0a-2b7c5e8f9a10")

// UtilityPublicID is the stable public id of a reference utility.
func UtilityPublicID(name string) string {
	return uuid.NewSHA1(utilityNamespace, []byte(strings.ToUpper(name))).String()
}

// ReferenceCatalog returns the ANEEL utilities (none qualified: that is
// commercial data) and the known utility→municipality areas, embedded in
// the binary and loaded by a migration.
func ReferenceCatalog() ([]Utility, []OperationArea, error) {
	utilities, err := readCSV(utilitiesCSV, "name", func(col map[string]int, rec []string) (Utility, error) {
		name := rec[col["name"]]
		return Utility{PublicID: UtilityPublicID(name), Name: name, UF: rec[col["uf"]]}, nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("energy_utilities.csv: %w", err)
	}
	areas, err := readCSV(utilityAreasCSV, "utility_name", func(col map[string]int, rec []string) (OperationArea, error) {
		code, err := strconv.Atoi(rec[col["ibge_code"]])
		if err != nil {
			return OperationArea{}, err
		}
		return OperationArea{UtilityID: UtilityPublicID(rec[col["utility_name"]]), IBGECode: code}, nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("utility_municipalities.csv: %w", err)
	}
	return utilities, areas, nil
}

// ReadAreasCSV parses an operator's utility→municipality file (columns
// utility_name, ibge_code), for `partnership catalog import-areas`.
func ReadAreasCSV(r io.Reader) ([][2]string, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return readCSV(string(b), "utility_name", func(col map[string]int, rec []string) ([2]string, error) {
		if _, ok := col["ibge_code"]; !ok {
			return [2]string{}, fmt.Errorf("missing column ibge_code")
		}
		return [2]string{rec[col["utility_name"]], rec[col["ibge_code"]]}, nil
	})
}

func readCSV[T any](text, firstCol string, row func(col map[string]int, rec []string) (T, error)) ([]T, error) {
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	if _, ok := col[firstCol]; !ok {
		return nil, fmt.Errorf("missing column %s", firstCol)
	}
	var out []T
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if len(rec) < len(header) {
			return nil, fmt.Errorf("line %d: %d columns, want %d", line, len(rec), len(header))
		}
		v, err := row(col, rec)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		out = append(out, v)
	}
}
