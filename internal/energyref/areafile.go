package energyref

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"partnership-service/internal/geo"
)

// AreaColumns names the columns of an areas file. Each list is tried in
// order against the header (case, accents and punctuation ignored); the
// defaults cover ANEEL's open-data files (e.g. the list of
// distributed-generation installations, "empreendimento-geracao-
// distribuida.csv") and the service's own two-column CSV.
type AreaColumns struct {
	// IBGE is the municipality's 7-digit IBGE code; required.
	IBGE []string
	// CNPJ is the distributor's CNPJ, matched first.
	CNPJ []string
	// Names are the distributor's names, matched in order after the CNPJ
	// (ANEEL gives the short name, SigAgente, and the legal one, NomAgente);
	// every one present in the header is read.
	Names []string
}

// DefaultAreaColumns are the header names ANEEL and the service's CSV use.
var DefaultAreaColumns = AreaColumns{
	IBGE:  []string{"CodMunicipioIbge", "ibge_code"},
	CNPJ:  []string{"NumCNPJDistribuidora", "cnpj"},
	Names: []string{"SigAgente", "NomAgente", "utility_name"},
}

// MaxAreaLine is the longest line an areas file may have; a longer one is
// refused alone (its text is skipped, never held), so one broken line
// cannot make a GB-scale import hold the rest of the file.
const MaxAreaLine = 64 << 10

// AreaRow is one data line of an areas file, its values trimmed; a column
// the header lacks, or a short line, leaves a value empty.
type AreaRow struct {
	Line     int // in the file, header = 1
	IBGECode string
	CNPJ     string
	Names    []string // in AreaFile.NameColumns' order
	// Problem, when set, says in Portuguese why the line itself cannot be
	// read (unbalanced quotes, too long, not UTF-8); the values are empty.
	Problem string
}

// AreaFile reads an areas file one line at a time, in constant memory:
// ';'- or ','-separated (whichever the header uses), values optionally in
// double quotes ("" inside one is a quote), UTF-8 with or without a BOM or
// Latin-1 (ANEEL publishes Latin-1). A quoted value never spans lines in
// these files, so a line is the unit of refusal: a stray quote costs its
// own line, not the rest of the file.
type AreaFile struct {
	r        *bufio.Reader
	delim    byte
	ibge     int // field indexes; -1 = absent
	cnpj     int
	names    []int
	nameCols []string
	need     int // fields to split: 1 + the largest index read

	line     int
	offset   int64
	encoding encoding
	bom      bool
	fields   [][]byte
	scratch  []byte
	done     bool
	err      error
}

type encoding int

const (
	undecided encoding = iota // only ASCII so far
	utf8Text
	latin1Text
)

// OpenAreaFile reads the header of r and finds the columns: IBGE is
// required, and at least one of CNPJ and the names.
func OpenAreaFile(r io.Reader, cols AreaColumns) (*AreaFile, error) {
	f := &AreaFile{r: bufio.NewReaderSize(r, MaxAreaLine), ibge: -1, cnpj: -1}
	head, problem, err := f.readLine()
	if err != nil && (err != io.EOF || len(head) == 0) {
		if err == io.EOF {
			return nil, errors.New("arquivo vazio: falta a linha de cabeçalho")
		}
		return nil, err
	}
	if problem != "" {
		return nil, fmt.Errorf("cabeçalho: %s", problem)
	}
	// The header names the delimiter: ANEEL's files use ';' (their
	// numbers have decimal commas), the service's own CSV ','.
	f.delim = ','
	if bytes.Count(head, []byte{';'}) > bytes.Count(head, []byte{','}) {
		f.delim = ';'
	}
	header, problem := f.split(head, -1)
	if problem != "" {
		return nil, fmt.Errorf("cabeçalho: %s", problem)
	}
	index := map[string]int{}
	for i, h := range header {
		name, _ := f.decode(h)
		if k := headerKey(name); k != "" {
			if _, dup := index[k]; !dup {
				index[k] = i
			}
		}
	}
	find := func(names []string) (int, string) {
		for _, n := range names {
			if i, ok := index[headerKey(n)]; ok {
				return i, n
			}
		}
		return -1, ""
	}
	f.ibge, _ = find(cols.IBGE)
	if f.ibge < 0 {
		return nil, fmt.Errorf("falta a coluna do código IBGE do município (%s)", strings.Join(cols.IBGE, " ou "))
	}
	f.cnpj, _ = find(cols.CNPJ)
	for _, n := range cols.Names {
		if i, col := find([]string{n}); i >= 0 && !containsInt(f.names, i) {
			f.names = append(f.names, i)
			f.nameCols = append(f.nameCols, col)
		}
	}
	if f.cnpj < 0 && len(f.names) == 0 {
		return nil, fmt.Errorf("falta a coluna da distribuidora: CNPJ (%s) ou nome (%s)",
			strings.Join(cols.CNPJ, " ou "), strings.Join(cols.Names, " ou "))
	}
	f.need = max(f.ibge, f.cnpj)
	for _, i := range f.names {
		f.need = max(f.need, i)
	}
	f.need++
	return f, nil
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// headerKey compares header names as people type them: "CodMunicipioIbge",
// "codmunicipioibge" and "Cod_Municipio_IBGE" are the same column.
func headerKey(s string) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), "_", " ")
	return strings.ReplaceAll(geo.Fold(s), " ", "")
}

// NameColumns are the header names the rows' Names come from, in order.
func (f *AreaFile) NameColumns() []string { return f.nameCols }

// HasCNPJ says whether the file has a CNPJ column.
func (f *AreaFile) HasCNPJ() bool { return f.cnpj >= 0 }

// Encoding names the text encoding found: "UTF-8" (with " com BOM" when
// it had one) or "Latin-1"; ASCII-only files are UTF-8.
func (f *AreaFile) Encoding() string {
	switch {
	case f.encoding == latin1Text:
		return "Latin-1"
	case f.bom:
		return "UTF-8 com BOM"
	}
	return "UTF-8"
}

// Offset is how many bytes of the file have been read, for progress.
func (f *AreaFile) Offset() int64 { return f.offset }

// Err is the read error that ended Next early, if any, with its line.
func (f *AreaFile) Err() error { return f.err }

// Next returns the next data line; false at the end of the file or on a
// read error (see Err). Blank lines are skipped.
func (f *AreaFile) Next() (AreaRow, bool) {
	for !f.done {
		raw, problem, err := f.readLine()
		switch {
		case err == io.EOF:
			f.done = true // a last line without a newline is still read
			if len(raw) == 0 && problem == "" {
				return AreaRow{}, false
			}
		case err != nil:
			f.done, f.err = true, fmt.Errorf("linha %d: %w", f.line, err)
			return AreaRow{}, false
		}
		if problem == "" && len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		row := AreaRow{Line: f.line, Problem: problem}
		if problem != "" {
			return row, true
		}
		fields, problem := f.split(raw, f.need)
		if problem != "" {
			row.Problem = problem
			return row, true
		}
		valid := true
		value := func(i int) string {
			if i < 0 || i >= len(fields) {
				return ""
			}
			v, ok := f.decode(bytes.TrimSpace(fields[i]))
			valid = valid && ok
			return v
		}
		row.IBGECode, row.CNPJ = value(f.ibge), value(f.cnpj)
		row.Names = make([]string, len(f.names))
		for k, i := range f.names {
			row.Names[k] = value(i)
		}
		if !valid {
			return AreaRow{Line: f.line, Problem: "linha com bytes que não são UTF-8, num arquivo UTF-8"}, true
		}
		return row, true
	}
	return AreaRow{}, false
}

// readLine reads one physical line without its line ending, as bytes in
// the file's encoding (see decode). A line longer than MaxAreaLine is
// skipped to its end and comes back empty with a problem. The slice is
// valid until the next call.
func (f *AreaFile) readLine() ([]byte, string, error) {
	f.line++
	line, err := f.r.ReadSlice('\n')
	f.offset += int64(len(line))
	if err == bufio.ErrBufferFull {
		for err == bufio.ErrBufferFull {
			var more []byte
			more, err = f.r.ReadSlice('\n')
			f.offset += int64(len(more))
		}
		if err == io.EOF {
			err = nil // the long line was the last one; the next call ends
		}
		return nil, fmt.Sprintf("linha com mais de %d KiB", MaxAreaLine>>10), err
	}
	line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte{'\n'}), []byte{'\r'})
	if f.line == 1 && bytes.HasPrefix(line, []byte("\ufeff")) {
		f.bom, f.encoding = true, utf8Text
		line = line[3:]
	}
	if f.encoding == undecided && hasHighBytes(line) {
		// The first line with a non-ASCII byte decides for the file: text
		// in Latin-1 is almost never valid UTF-8.
		f.encoding = utf8Text
		if !utf8.Valid(line) {
			f.encoding = latin1Text
		}
	}
	return line, "", err
}

// decode turns a value in the file's encoding into UTF-8; false for bytes
// that are not UTF-8 in a UTF-8 file. Only the values read are decoded:
// the delimiter and quotes are ASCII, which neither encoding uses inside
// a character, so lines are split undecoded.
func (f *AreaFile) decode(b []byte) (string, bool) {
	if !hasHighBytes(b) {
		return string(b), true
	}
	if f.encoding != latin1Text {
		return string(b), utf8.Valid(b)
	}
	f.scratch = f.scratch[:0]
	for _, c := range b {
		f.scratch = utf8.AppendRune(f.scratch, rune(c)) // Latin-1 is the first 256 code points
	}
	return string(f.scratch), true
}

func hasHighBytes(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// split cuts line into at most n fields (all when n < 0), unquoting quoted
// ones. The fields alias line or f's buffers until the next call.
func (f *AreaFile) split(line []byte, n int) ([][]byte, string) {
	f.fields = f.fields[:0]
	for n < 0 || len(f.fields) < n {
		if trimmed := bytes.TrimLeft(line, " \t"); len(trimmed) > 0 && trimmed[0] == '"' {
			value, rest, ok := unquote(trimmed[1:])
			if !ok {
				return nil, "aspas não fechadas"
			}
			f.fields = append(f.fields, value)
			rest = bytes.TrimLeft(rest, " \t")
			if len(rest) == 0 {
				break
			}
			if rest[0] != f.delim {
				return nil, "texto depois das aspas que fecham um valor"
			}
			line = rest[1:]
			continue
		}
		field, rest, more := bytes.Cut(line, []byte{f.delim})
		if bytes.IndexByte(field, '"') >= 0 {
			return nil, "aspas no meio de um valor sem aspas"
		}
		f.fields = append(f.fields, field)
		if !more {
			break
		}
		line = rest
	}
	return f.fields, ""
}

// unquote reads a quoted value after its opening quote, up to the quote
// that closes it ("" is a quote inside), and returns the rest of the line.
func unquote(s []byte) (value, rest []byte, ok bool) {
	for {
		q := bytes.IndexByte(s, '"')
		if q < 0 {
			return nil, nil, false
		}
		if q+1 < len(s) && s[q+1] == '"' {
			value = append(value, s[:q+1]...)
			s = s[q+2:]
			continue
		}
		if value == nil {
			return s[:q:q], s[q+1:], true // no doubled quote: alias the line
		}
		return append(value, s[:q]...), s[q+1:], true
	}
}
