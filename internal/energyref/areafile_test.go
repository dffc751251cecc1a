package energyref

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

// aneelHeader is the start of the header of ANEEL's list of
// distributed-generation installations (empreendimento-geracao-
// distribuida.csv), as published: ';'-separated, quoted.
const aneelHeader = `"DatGeracaoConjuntoDados";"AnmPeriodoReferencia";"NumCNPJDistribuidora";"SigAgente";"NomAgente";"CodMunicipioIbge";"NomMunicipio";"MdaPotenciaInstaladaKW"`

func latin1(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xFF {
			panic("not Latin-1")
		}
		b = append(b, byte(r))
	}
	return string(b)
}

func TestAreaFile(t *testing.T) {
	t.Parallel()
	type row struct {
		Line       int
		IBGE, CNPJ string
		Names      []string
		Problem    string
	}
	tests := []struct {
		name     string
		file     string
		encoding string
		want     []row
	}{{
		name:     "ANEEL file in Latin-1",
		file:     latin1(aneelHeader + "\r\n" + `"2024-01-10";"01/2024";"06981180000116";"CEMIG-D";"CEMIG DISTRIBUIÇÃO S.A";"3106200";"Belo Horizonte";"4,5"` + "\r\n" + `"2024-01-10";"01/2024";"06981180000116";"CEMIG-D";"CEMIG DISTRIBUIÇÃO S.A";"3170206";"Uberlândia";"10,2"` + "\r\n"),
		encoding: "Latin-1",
		want: []row{
			{Line: 2, IBGE: "3106200", CNPJ: "06981180000116", Names: []string{"CEMIG-D", "CEMIG DISTRIBUIÇÃO S.A"}},
			{Line: 3, IBGE: "3170206", CNPJ: "06981180000116", Names: []string{"CEMIG-D", "CEMIG DISTRIBUIÇÃO S.A"}},
		},
	}, {
		name:     "ANEEL file in UTF-8 with a BOM, unquoted, last line without a newline",
		file:     "\ufeff" + strings.ReplaceAll(aneelHeader, `"`, "") + "\n2024-01-10;01/2024;6981180000116;CEMIG-D;CEMIG DISTRIBUIÇÃO S.A;3106200;Belo Horizonte;4,5",
		encoding: "UTF-8 com BOM",
		want:     []row{{Line: 2, IBGE: "3106200", CNPJ: "6981180000116", Names: []string{"CEMIG-D", "CEMIG DISTRIBUIÇÃO S.A"}}},
	}, {
		name:     "UTF-8 without a BOM: the first accented line decides",
		file:     "SigAgente;CodMunicipioIbge\nLIGHT;3304557\nCERMISSÕES;4300000\n",
		encoding: "UTF-8",
		want: []row{
			{Line: 2, IBGE: "3304557", Names: []string{"LIGHT"}},
			{Line: 3, IBGE: "4300000", Names: []string{"CERMISSÕES"}},
		},
	}, {
		name:     "the service's own CSV, with blank lines and a short line",
		file:     "utility_name,ibge_code,city\nENEL SP,3550308,São Paulo\n\n  \nLIGHT\n",
		encoding: "UTF-8",
		want: []row{
			{Line: 2, IBGE: "3550308", Names: []string{"ENEL SP"}},
			{Line: 5, Names: []string{"LIGHT"}},
		},
	}, {
		name:     "quotes: doubled inside, delimiters inside, broken ones refuse their line only",
		file:     "SigAgente;CodMunicipioIbge;Obs\n\"A \"\"B\"\"; C\";\"3550308\";x\n\"open;3550308\nLIGHT;33\"04557\n\"LIGHT\"x;3304557\n\"LIGHT\";\"\"\nLIGHT;3304557\n",
		encoding: "UTF-8",
		want: []row{
			{Line: 2, IBGE: "3550308", Names: []string{`A "B"; C`}},
			{Line: 3, Problem: "aspas não fechadas"},
			{Line: 4, Problem: "aspas no meio de um valor sem aspas"},
			{Line: 5, Problem: "texto depois das aspas que fecham um valor"},
			{Line: 6, IBGE: "", Names: []string{"LIGHT"}},
			{Line: 7, IBGE: "3304557", Names: []string{"LIGHT"}},
		},
	}, {
		name:     "a line too long is refused and skipped to its end",
		file:     "SigAgente;CodMunicipioIbge\n" + strings.Repeat("x", MaxAreaLine+10) + "\nLIGHT;3304557\n",
		encoding: "UTF-8",
		want: []row{
			{Line: 2, Problem: "linha com mais de 64 KiB"},
			{Line: 3, IBGE: "3304557", Names: []string{"LIGHT"}},
		},
	}, {
		name:     "a Latin-1 byte in a UTF-8 file refuses that line",
		file:     "SigAgente;CodMunicipioIbge\nCERMISSÕES;4300000\n" + latin1("CERMISSÕES") + ";4300000\n",
		encoding: "UTF-8",
		want: []row{
			{Line: 2, IBGE: "4300000", Names: []string{"CERMISSÕES"}},
			{Line: 3, Problem: "linha com bytes que não são UTF-8, num arquivo UTF-8"},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := OpenAreaFile(strings.NewReader(tt.file), DefaultAreaColumns)
			if err != nil {
				t.Fatal(err)
			}
			var got []row
			for {
				r, ok := f.Next()
				if !ok {
					break
				}
				got = append(got, row{Line: r.Line, IBGE: r.IBGECode, CNPJ: r.CNPJ, Names: r.Names, Problem: r.Problem})
			}
			if err := f.Err(); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("rows:\n got %+v\nwant %+v", got, tt.want)
			}
			if f.Encoding() != tt.encoding {
				t.Errorf("encoding %q, want %q", f.Encoding(), tt.encoding)
			}
		})
	}
}

func TestAreaFileHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file string
		cols       AreaColumns
		wantErr    string   // "" = opens
		names      []string // NameColumns when it opens
	}{
		{"empty file", "", DefaultAreaColumns, "arquivo vazio", nil},
		{"no IBGE column", "utility,ibge\nLIGHT,3304557\n", DefaultAreaColumns, "falta a coluna do código IBGE", nil},
		{"no distributor column", "CodMunicipioIbge;NomMunicipio\n", DefaultAreaColumns, "falta a coluna da distribuidora", nil},
		{"header names ignore case and underscores", "cod_municipio_ibge;sigagente\n", DefaultAreaColumns, "", []string{"SigAgente"}},
		{"columns named by flags", "Distribuidora;Municipio IBGE\n", AreaColumns{IBGE: []string{"Municipio IBGE"}, Names: []string{"Distribuidora"}}, "", []string{"Distribuidora"}},
		{"broken quote in the header", "\"SigAgente;CodMunicipioIbge\n", DefaultAreaColumns, "aspas não fechadas", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := OpenAreaFile(strings.NewReader(tt.file), tt.cols)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(f.NameColumns(), tt.names) {
				t.Errorf("name columns %q, want %q", f.NameColumns(), tt.names)
			}
		})
	}
}

// errReader fails after its data, as a broken disk or pipe does.
type errReader struct{ data string }

func (r *errReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, io.ErrUnexpectedEOF
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestAreaFileReadError(t *testing.T) {
	t.Parallel()
	f, err := OpenAreaFile(&errReader{data: "SigAgente;CodMunicipioIbge\nLIGHT;3304557\n"}, DefaultAreaColumns)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.Next(); !ok {
		t.Fatal("the line before the error was not read")
	}
	if _, ok := f.Next(); ok || !errors.Is(f.Err(), io.ErrUnexpectedEOF) || !strings.HasPrefix(f.Err().Error(), "linha 3: ") {
		t.Fatalf("after the failing read: ok=%v err=%v, want the read error", ok, f.Err())
	}
}
