package energy_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"partnership-service/internal/apitest"
	"partnership-service/internal/energy"
	"partnership-service/internal/energy/energytest"
	"partnership-service/internal/energyref"
	"partnership-service/internal/geo"
	"partnership-service/internal/testdb"
)

func newCatalog(t testing.TB) *energy.CatalogService {
	t.Helper()
	c, err := energy.NewCatalogService(context.Background(), testdb.SQLite(t).EnergyCatalog(), geo.MustLoad(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// servedBy names the utilities operation-areas lists for a municipality.
func servedBy(t testing.TB, c *energy.CatalogService, ibge string) []string {
	t.Helper()
	l, err := c.OperationAreas(energy.Place{IBGECode: ibge})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range l.Utilities() {
		names = append(names, u.Utility.Name)
	}
	return names
}

func toLatin1(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = append(b, byte(r)) // the test data is Latin-1 only
	}
	return string(b)
}

const aneelHeader = `"DatGeracaoConjuntoDados";"AnmPeriodoReferencia";"NumCNPJDistribuidora";"SigAgente";"NomAgente";"CodMunicipioIbge";"NomMunicipio";"MdaPotenciaInstaladaKW"`

// aneelLine is one installation line as ANEEL publishes it.
func aneelLine(cnpj, sig, nom, ibge, city string) string {
	return fmt.Sprintf(`"2024-01-10";"01/2024";"%s";"%s";"%s";"%s";"%s";"4,5"`, cnpj, sig, nom, ibge, city)
}

func TestImportAreas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lines := func(ls ...string) string { return strings.Join(ls, "\r\n") + "\r\n" }
	tests := []struct {
		name   string
		file   string
		dryRun bool
		want   energy.ImportReport
		// served: municipality → the utilities operation-areas lists after.
		served map[string][]string
	}{{
		name: "ANEEL file in Latin-1: CNPJ, short name, legal name; duplicates counted once",
		file: toLatin1(lines(aneelHeader,
			aneelLine("6981180000116", "CEMIG-D", "CEMIG DISTRIBUIÇÃO S.A", "3136702", "Juiz de Fora"), // CNPJ without its leading zero
			aneelLine("06981180000116", "CEMIG-D", "CEMIG DISTRIBUIÇÃO S.A", "3136702", "Juiz de Fora"),
			aneelLine("", "CPFL-PAULISTA", "", "3501608", "Americana"), // no CNPJ: the name, hyphen or not
			aneelLine("", "", "COMPANHIA ENERGÉTICA DO CEARÁ", "2312908", "Sobral"),
			aneelLine("00000000000191", "", "Companhia Energetica do Ceara", "2304400", "Fortaleza"), // unknown CNPJ, legal name without accents
		)),
		want: energy.ImportReport{Encoding: "Latin-1", Lines: 5, Accepted: 5, Pairs: 4, Added: 3, Existing: 1},
		served: map[string][]string{
			"3136702": {"CEMIG-D"}, "3501608": {"CPFL PAULISTA"}, "2312908": {"ENEL CE"}, "2304400": {"ENEL CE"},
		},
	}, {
		name: "two cooperatives share a CNPJ: the name decides, no name is unknown",
		file: lines(aneelHeader,
			aneelLine("49313653000110", "CETRIL", "", "3519907", "Ibiúna"),
			aneelLine("49.313.653/0001-10", "CERIS", "", "3522208", "Itapecerica da Serra"),
			aneelLine("49313653000110", "", "", "3522208", "Itapecerica da Serra"),
		),
		want: energy.ImportReport{Encoding: "UTF-8", Lines: 3, Accepted: 2, Pairs: 2, Added: 2, Refused: 1,
			RefusedLines:     []energy.LineProblem{{Line: 4, Reason: `distribuidora desconhecida "CNPJ 49313653000110"`}},
			UnknownUtilities: []energy.Unknown{{Value: "CNPJ 49313653000110", Lines: 1, FirstLine: 4}},
		},
		served: map[string][]string{"3519907": {"CETRIL"}, "3522208": {"CERIS"}},
	}, {
		name: "bad lines and unknown names are refused with their line; the rest is imported",
		file: lines(aneelHeader,
			aneelLine("", "DISTRIBUIDORA X", "", "3550308", "São Paulo"),
			aneelLine("", "DISTRIBUIDORA X", "", "3509502", "Campinas"),
			aneelLine("", "LIGHT", "", "9999999", "Nenhures"),
			aneelLine("", "LIGHT", "", "33", "Rio"),
			`"2024-01-10";"01/2024";"";"LIGHT;"3304557"`,
			aneelLine("", "", "", "3304557", "Rio de Janeiro"),
			aneelLine("", "ENEL RJ", "", "3303302", "Niterói"),
		),
		want: energy.ImportReport{Encoding: "UTF-8", Lines: 7, Accepted: 1, Pairs: 1, Existing: 1, Refused: 6,
			RefusedLines: []energy.LineProblem{
				{Line: 2, Reason: `distribuidora desconhecida "DISTRIBUIDORA X"`},
				{Line: 3, Reason: `distribuidora desconhecida "DISTRIBUIDORA X"`},
				{Line: 4, Reason: `"9999999" não é o código IBGE de um município`},
				{Line: 5, Reason: `"33" não é o código IBGE de um município`},
				{Line: 6, Reason: "texto depois das aspas que fecham um valor"},
				{Line: 7, Reason: "falta a distribuidora (CNPJ ou nome)"},
			},
			UnknownUtilities:      []energy.Unknown{{Value: "DISTRIBUIDORA X", Lines: 2, FirstLine: 2}},
			UnknownMunicipalities: []energy.Unknown{{Value: "9999999", Lines: 1, FirstLine: 4}, {Value: "33", Lines: 1, FirstLine: 5}},
		},
		served: map[string][]string{"3550308": {"ENEL SP"}, "3303302": {"ENEL RJ"}},
	}, {
		name: "old names, new names and abbreviations find one utility, listed by its current name",
		file: "utility_name,ibge_code\nENEL GO,5201405\nCELG-D,5201108\nEquatorial Goiás,5208707\nEletropaulo,3552809\n",
		want: energy.ImportReport{Encoding: "UTF-8", Lines: 4, Accepted: 4, Pairs: 4, Added: 3, Existing: 1},
		served: map[string][]string{
			"5201405": {"EQUATORIAL GO"}, "5201108": {"EQUATORIAL GO"}, "5208707": {"EQUATORIAL GO"}, "3552809": {"ENEL SP"},
		},
	}, {
		name:   "dry run: the report, nothing written",
		file:   "\ufeffutility_name,ibge_code\nCEMIG-D,3136702\nCEMIG-D,3106200\n",
		dryRun: true,
		want:   energy.ImportReport{Encoding: "UTF-8 com BOM", DryRun: true, Lines: 2, Accepted: 2, Pairs: 2, Added: 1, Existing: 1},
		served: map[string][]string{"3136702": nil, "3106200": {"CEMIG-D"}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newCatalog(t)
			f, err := energyref.OpenAreaFile(strings.NewReader(tt.file), energyref.DefaultAreaColumns)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := c.ImportAreas(ctx, f, energy.AreaImportOptions{DryRun: tt.dryRun})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(rep, tt.want) {
				t.Errorf("report:\n got %+v\nwant %+v", rep, tt.want)
			}
			if err := c.Reload(ctx); err != nil { // what the store holds, not the snapshot
				t.Fatal(err)
			}
			for ibge, want := range tt.served {
				if got := servedBy(t, c, ibge); !reflect.DeepEqual(got, want) {
					t.Errorf("operation-areas %s: %q, want %q", ibge, got, want)
				}
			}
		})
	}
}

// TestImportAreasMemory2MillionRows is the memory test of the importer: a
// 2,000,000-line ANEEL-style file (Latin-1, quoted, ';'), generated while
// it is read through a pipe (never on disk), one line per installation
// cycling over every municipality with its state's first reference
// utility, plus a refused line every 100,000. The heap is sampled while it
// runs: its growth must stay far below the file's size, and the
// municipalities outside the curated 44 must then have their utility.
func TestImportAreasMemory2MillionRows(t *testing.T) {
	if testing.Short() {
		t.Skip("memory test: reads 2 million generated lines")
	}
	ctx := context.Background()
	env := energytest.New(t, testdb.SQLite(t), energytest.Options{})
	c := env.Catalog
	utilities, _, err := energyref.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	byUF := map[string]energyref.Utility{}
	for _, u := range utilities {
		if _, ok := byUF[u.UF]; !ok {
			byUF[u.UF] = u
		}
	}
	var cycle [][]byte
	for _, m := range geo.MustLoad().Municipalities() {
		u := byUF[m.UF]
		cycle = append(cycle, []byte(toLatin1(aneelLine(u.CNPJ, u.Name, u.LegalName, fmt.Sprint(m.IBGECode), m.Name)+"\r\n")))
	}
	const rows, badEvery = 2_000_000, 100_000
	pr, pw := io.Pipe()
	var written atomic.Int64
	go func() {
		w := bufio.NewWriterSize(pw, 64<<10)
		w.WriteString(aneelHeader + "\r\n")
		for i := range rows {
			if i%badEvery == badEvery-1 {
				w.WriteString(`"2024-01-10";"quebrada` + "\r\n")
				continue
			}
			w.Write(cycle[i%len(cycle)])
		}
		pw.CloseWithError(w.Flush())
	}()
	countWrites := io.TeeReader(pr, writerFunc(func(p []byte) (int, error) { written.Add(int64(len(p))); return len(p), nil }))

	// The heap may hold garbage up to GOGC% of the live heap before a
	// collection; whatever other tests left live would make that slack,
	// not the import, the peak. A low GOGC measures what the import holds.
	defer debug.SetGCPercent(debug.SetGCPercent(25))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > peak.Load() {
					peak.Store(ms.HeapAlloc)
				}
			}
		}
	}()
	start := time.Now()
	f, err := energyref.OpenAreaFile(countWrites, energyref.DefaultAreaColumns)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := c.ImportAreas(ctx, f, energy.AreaImportOptions{})
	close(stop)
	<-sampled
	if err != nil {
		t.Fatal(err)
	}
	growth := int64(peak.Load()) - int64(base)
	t.Logf("%d lines, %d MiB read in %s; heap growth at its peak: %.1f MiB (base %.1f MiB)",
		rep.Lines, written.Load()>>20, time.Since(start).Round(time.Millisecond), float64(growth)/(1<<20), float64(base)/(1<<20))

	if rep.Lines != rows || rep.Refused != rows/badEvery || rep.Accepted != rows-rows/badEvery {
		t.Errorf("lines %d, accepted %d, refused %d; want %d, %d, %d", rep.Lines, rep.Accepted, rep.Refused, rows, rows-rows/badEvery, rows/badEvery)
	}
	if rep.Pairs != len(cycle) || rep.Added+rep.Existing != len(cycle) || rep.Added < len(cycle)-44 {
		t.Errorf("pairs %d (added %d, existing %d), want one per municipality (%d)", rep.Pairs, rep.Added, rep.Existing, len(cycle))
	}
	// The file is hundreds of MiB; holding its lines would take more still.
	// The peak counts garbage the collector has not reached yet, up to its
	// goal of twice the live heap, which a busy machine reaches more often:
	// the bound leaves room for that and is still a tenth of the file.
	const limit = 24 << 20
	if growth > limit || written.Load() < 4*limit {
		t.Errorf("heap grew %d MiB reading %d MiB; want under %d MiB", growth>>20, written.Load()>>20, limit>>20)
	}
	// What a partner sees, through the handler and the contract.
	client := apitest.New(t, env.Handler).With("Authorization", "Bearer "+env.KeyA)
	for ibge, want := range map[string]string{"3136702": "CEMIG-D", "1200013": "EAC", "4314902": "CEEE EQUATORIAL"} { // Juiz de Fora, Acrelândia, Porto Alegre
		var got []struct{ EnergyUtilityName, IBGECode string }
		client.Get("/distribuited-generation/operation-areas?ibge_code=" + ibge).Expect(http.StatusOK).Decode(&got)
		if len(got) != 1 || got[0].EnergyUtilityName != want || got[0].IBGECode != ibge {
			t.Errorf("operation-areas?ibge_code=%s after the import: %+v, want %s", ibge, got, want)
		}
	}
}

// TestImportAreasReportCaps: a file that is wrong throughout gets a report
// of bounded size with complete counts.
func TestImportAreasReportCaps(t *testing.T) {
	t.Parallel()
	var file strings.Builder
	file.WriteString("utility_name,ibge_code\n")
	const bad = 3 * energy.MaxReportedUnknown / 2
	for i := range bad {
		fmt.Fprintf(&file, "NINGUÉM %d,%d\n", i, 3550308)
		fmt.Fprintf(&file, "ENEL SP,%d\n", 9000000+i)
	}
	f, err := energyref.OpenAreaFile(strings.NewReader(file.String()), energyref.DefaultAreaColumns)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := newCatalog(t).ImportAreas(context.Background(), f, energy.AreaImportOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Refused != 2*bad || len(rep.RefusedLines) != energy.MaxReportedLines || rep.RefusedLines[0].Line != 2 {
		t.Errorf("refused %d, %d listed from line %d; want %d, the first %d", rep.Refused, len(rep.RefusedLines), rep.RefusedLines[0].Line, 2*bad, energy.MaxReportedLines)
	}
	for _, l := range []struct {
		name  string
		items []energy.Unknown
		more  int
	}{{"utilities", rep.UnknownUtilities, rep.MoreUnknownUtilities}, {"municipalities", rep.UnknownMunicipalities, rep.MoreUnknownMunicipalities}} {
		if len(l.items) != energy.MaxReportedUnknown || l.more != bad-energy.MaxReportedUnknown {
			t.Errorf("unknown %s: %d listed and %d more, want %d and %d", l.name, len(l.items), l.more, energy.MaxReportedUnknown, bad-energy.MaxReportedUnknown)
		}
	}
}

// TestUtilityByAlias: a partner's spelling (old name, abbreviation, no
// accents) finds the utility and its stable id.
func TestUtilityByAlias(t *testing.T) {
	t.Parallel()
	c := newCatalog(t)
	for name, want := range map[string]string{
		"EQUATORIAL GO": "ENEL GO", "enel go": "ENEL GO", "Celg-D": "ENEL GO", "equatorial goias": "ENEL GO",
		"Neoenergia Brasilia": "CEB-DIS", "CEB-D": "CEB-DIS", "CEEE Equatorial": "CEEE-D", "Cemig": "CEMIG-D",
		"CEMIG DISTRIBUIÇÃO S/A": "CEMIG-D",
	} {
		u, ok := c.UtilityByName(name)
		if !ok || u.PublicID != energyref.UtilityPublicID(want) {
			t.Errorf("UtilityByName(%q) = %+v, %v; want %s's id", name, u, ok, want)
		}
	}
	if u, ok := c.UtilityByName("CELG-D"); !ok || u.Name != "EQUATORIAL GO" {
		t.Errorf("CELG-D shows as %q, want its current name EQUATORIAL GO", u.Name)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
