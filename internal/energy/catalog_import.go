package energy

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"partnership-service/internal/energyref"
)

// How much of an import's trouble the report lists one by one; the counts
// are always complete. A GB-scale file with a systematic problem would
// otherwise produce a report as large as the file.
const (
	MaxReportedLines   = 100
	MaxReportedUnknown = 100
)

// AreaImportOptions tune ImportAreas.
type AreaImportOptions struct {
	// DryRun reads and checks the whole file and reports what would be
	// added, writing nothing.
	DryRun bool
	// Progress, when set, is called every ProgressEvery data lines.
	Progress func(lines int, offset int64)
}

// ProgressEvery is how many data lines pass between Progress calls.
const ProgressEvery = 250_000

// ImportReport says what an areas import did (or would do, on a dry run).
type ImportReport struct {
	Encoding string
	DryRun   bool
	Lines    int // data lines read (blank ones are not counted)
	Accepted int // lines naming a known utility and municipality
	Pairs    int // distinct utility→municipality pairs among them
	Added    int // pairs that were new
	Existing int // pairs already known
	Refused  int // lines refused, each for one reason
	// RefusedLines are the first MaxReportedLines refused lines.
	RefusedLines []LineProblem
	// UnknownUtilities and UnknownMunicipalities list what the file named
	// that the catalog does not know, with how many lines named it, most
	// named first (at most MaxReportedUnknown each).
	UnknownUtilities      []Unknown
	UnknownMunicipalities []Unknown
	// MoreUnknownUtilities and MoreUnknownMunicipalities count the
	// distinct unknown values beyond the lists.
	MoreUnknownUtilities, MoreUnknownMunicipalities int
}

// LineProblem is a refused line and why (in Portuguese).
type LineProblem struct {
	Line   int
	Reason string
}

func (p LineProblem) String() string { return fmt.Sprintf("linha %d: %s", p.Line, p.Reason) }

// Unknown is a value an import could not match.
type Unknown struct {
	Value     string
	Lines     int // how many lines named it
	FirstLine int
}

// ImportAreas reads an areas file (see energyref.AreaFile) to its end and
// adds the utility→municipality pairs it names. The distributor is matched
// by CNPJ first, then by each name column in turn against the catalog's
// names and the reference names and aliases; the municipality by its IBGE
// code. Lines that cannot be matched are refused and reported, never fatal.
//
// Memory does not grow with the file: lines are read one at a time, and
// what is kept is bounded by the catalog (the distinct pairs, at most
// utilities × municipalities) and by the report's caps. The pairs are then
// written in one transaction: an import adds all of them or, on a
// database error, none; re-importing the same file adds nothing.
func (c *CatalogService) ImportAreas(ctx context.Context, file *energyref.AreaFile, opts AreaImportOptions) (ImportReport, error) {
	rep := ImportReport{DryRun: opts.DryRun}
	m, err := c.newAreaMatcher(file.HasCNPJ())
	if err != nil {
		return rep, err
	}
	pairs := map[OperationArea]struct{}{}
	unknownUtilities := newUnknowns()
	unknownMunicipalities := newUnknowns()
	refuse := func(line int, reason string) {
		rep.Refused++
		if len(rep.RefusedLines) < MaxReportedLines {
			rep.RefusedLines = append(rep.RefusedLines, LineProblem{Line: line, Reason: reason})
		}
	}
	for {
		row, ok := file.Next()
		if !ok {
			break
		}
		rep.Lines++
		if opts.Progress != nil && rep.Lines%ProgressEvery == 0 {
			opts.Progress(rep.Lines, file.Offset())
		}
		if rep.Lines%4096 == 0 && ctx.Err() != nil {
			return rep, ctx.Err()
		}
		if row.Problem != "" {
			refuse(row.Line, row.Problem)
			continue
		}
		u, ok := m.utility(row)
		if !ok {
			who := describeUtility(row)
			if who == "" {
				refuse(row.Line, "falta a distribuidora (CNPJ ou nome)")
				continue
			}
			refuse(row.Line, fmt.Sprintf("distribuidora desconhecida %q", who))
			unknownUtilities.add(who, row.Line)
			continue
		}
		code, ok := c.municipalityCode(row.IBGECode)
		if !ok {
			refuse(row.Line, fmt.Sprintf("%q não é o código IBGE de um município", row.IBGECode))
			if row.IBGECode != "" {
				unknownMunicipalities.add(row.IBGECode, row.Line)
			}
			continue
		}
		rep.Accepted++
		pairs[OperationArea{UtilityID: u, IBGECode: code}] = struct{}{}
	}
	if err := file.Err(); err != nil {
		return rep, err
	}
	rep.Encoding = file.Encoding()
	rep.UnknownUtilities, rep.MoreUnknownUtilities = unknownUtilities.list()
	rep.UnknownMunicipalities, rep.MoreUnknownMunicipalities = unknownMunicipalities.list()
	rep.Pairs = len(pairs)

	areas := make([]OperationArea, 0, len(pairs))
	for a := range pairs {
		areas = append(areas, a)
	}
	slices.SortFunc(areas, func(a, b OperationArea) int {
		return cmp.Or(cmp.Compare(a.IBGECode, b.IBGECode), strings.Compare(a.UtilityID, b.UtilityID))
	})
	if opts.DryRun {
		known := map[OperationArea]bool{}
		for _, a := range c.Data().Areas {
			known[a] = true
		}
		for _, a := range areas {
			if !known[a] {
				rep.Added++
			}
		}
		rep.Existing = len(areas) - rep.Added
		return rep, nil
	}
	added, err := c.store.AddAreas(ctx, areas)
	if err != nil {
		return rep, err
	}
	rep.Added, rep.Existing = added, len(areas)-added
	return rep, c.changed(ctx, nil) // other replicas reload too
}

// municipalityCode parses a 7-digit IBGE code of a known municipality.
func (c *CatalogService) municipalityCode(s string) (int, bool) {
	if len(s) != 7 {
		return 0, false
	}
	code, err := strconv.Atoi(s)
	if err != nil {
		return 0, false
	}
	_, ok := c.geo.Municipality(code)
	return code, ok
}

func describeUtility(row energyref.AreaRow) string {
	var parts []string
	for _, n := range row.Names {
		if n != "" && !slices.Contains(parts, n) {
			parts = append(parts, n)
		}
	}
	if row.CNPJ != "" {
		parts = append(parts, "CNPJ "+row.CNPJ)
	}
	return strings.Join(parts, " / ")
}

// areaMatcher resolves a file's distributor columns to catalog utilities.
type areaMatcher struct {
	s      *snapshot
	byCNPJ map[string][]string // 14 digits → reference public ids
	// seen remembers each distinct (CNPJ, names) combination's answer: an
	// ANEEL file names a hundred distributors over millions of lines.
	seen map[string]string // key → public id, "" = unknown
	key  []byte
}

// maxSeen caps the matcher's memory on a file naming very many distinct
// distributors (a wrong column): past it, lines are matched uncached.
const maxSeen = 50_000

func (c *CatalogService) newAreaMatcher(withCNPJ bool) (*areaMatcher, error) {
	m := &areaMatcher{s: c.snap.Load(), byCNPJ: map[string][]string{}, seen: map[string]string{}}
	if withCNPJ {
		utilities, _, err := energyref.Catalog()
		if err != nil {
			return nil, err
		}
		for _, u := range utilities {
			m.byCNPJ[u.CNPJ] = append(m.byCNPJ[u.CNPJ], u.PublicID)
		}
	}
	return m, nil
}

func (m *areaMatcher) utility(row energyref.AreaRow) (string, bool) {
	m.key = append(m.key[:0], row.CNPJ...)
	for _, n := range row.Names {
		m.key = append(append(m.key, 0), n...)
	}
	if id, ok := m.seen[string(m.key)]; ok { // no allocation for the lookup
		return id, id != ""
	}
	id := m.match(row)
	if len(m.seen) < maxSeen {
		m.seen[string(m.key)] = id
	}
	return id, id != ""
}

// match: the CNPJ when it names exactly one utility of the catalog (two
// ANEEL cooperatives share one), else the first name column that names
// one, preferring a utility with the row's CNPJ.
func (m *areaMatcher) match(row energyref.AreaRow) string {
	var byCNPJ []string
	if row.CNPJ != "" {
		for _, id := range m.byCNPJ[energyref.CNPJDigits(row.CNPJ)] {
			if _, ok := m.s.utilities[id]; ok {
				byCNPJ = append(byCNPJ, id)
			}
		}
	}
	if len(byCNPJ) == 1 {
		return byCNPJ[0]
	}
	var byName string
	for _, n := range row.Names {
		if u, ok := m.s.byName[nameKey(n)]; ok && n != "" {
			if len(byCNPJ) == 0 || slices.Contains(byCNPJ, u.PublicID) {
				return u.PublicID
			}
			if byName == "" {
				byName = u.PublicID
			}
		}
	}
	return byName
}

// unknowns counts the distinct values an import could not match, keeping
// at most maxTracked of them.
type unknowns struct {
	seen  map[string]*Unknown
	extra map[string]struct{} // beyond the cap, only to count them (bounded too)
}

const maxTracked = 10 * MaxReportedUnknown

func newUnknowns() *unknowns {
	return &unknowns{seen: map[string]*Unknown{}, extra: map[string]struct{}{}}
}

func (u *unknowns) add(value string, line int) {
	if e, ok := u.seen[value]; ok {
		e.Lines++
		return
	}
	if len(u.seen) < maxTracked {
		u.seen[value] = &Unknown{Value: value, Lines: 1, FirstLine: line}
		return
	}
	if len(u.extra) < maxSeen {
		u.extra[value] = struct{}{}
	}
}

// list returns the most-named unknowns, and how many distinct ones it left out.
func (u *unknowns) list() ([]Unknown, int) {
	var out []Unknown
	for _, e := range u.seen {
		out = append(out, *e)
	}
	slices.SortFunc(out, func(a, b Unknown) int {
		return cmp.Or(cmp.Compare(b.Lines, a.Lines), cmp.Compare(a.FirstLine, b.FirstLine))
	})
	more := len(u.extra)
	if len(out) > MaxReportedUnknown {
		more += len(out) - MaxReportedUnknown
		out = out[:MaxReportedUnknown]
	}
	return out, more
}
