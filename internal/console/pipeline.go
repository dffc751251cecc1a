package console

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"partnership-service/internal/energy"
	"partnership-service/internal/httpx"
	"partnership-service/internal/web"
)

// filterFields are the pipeline's filter inputs, named as the API's
// filters keys; "page" pages.
var filterFields = []string{"customer", "seller_name", "created_at", "status"}

// leadQuery reads the pipeline's filters into the lead query of the API's
// GET /sales-conversion/leads: the same "key:value" filters, parsed by
// the same function, so a bad filter gets the API's message.
func leadQuery(v url.Values) (energy.LeadQuery, error) {
	var parts []string
	for _, k := range filterFields {
		if s := strings.TrimSpace(v.Get(k)); s != "" {
			parts = append(parts, k+":"+s)
		}
	}
	return energy.ParseLeadQuery(v.Get("page"), strconv.Itoa(pageSize), strings.Join(parts, ","))
}

// pageSize is how many leads a pipeline page lists.
const pageSize = 20

type pipelineView struct {
	Filters  *web.Form
	Leads    []leadRow
	Total    energy.LeadTotal
	Page     int
	Prev     string // links to the neighbouring pages; "" when none
	Next     string
	Export   string // the CSV of the same filters
	Statuses []statusCount
	Days     barChart
	Funnel   funnelChart
}

type statusCount struct {
	Status energy.LeadStatus
	Label  string
	Leads  int
	Link   string
}

// leadRow is a lead as the pipeline's table shows it.
type leadRow struct {
	ID, Customer, Document, Seller, Status, Bill, City, Created string
}

func row(l energy.Lead) leadRow {
	customer := l.FullName
	if l.CompanyName != "" {
		customer = l.CompanyName + " (" + l.FullName + ")"
	}
	return leadRow{ID: l.ID, Customer: customer, Document: formatDocument(l.IdentificationNumber), Seller: l.SellerName,
		Status: statusLabels[l.Status], Bill: web.Money(l.UtilityBillCents), City: l.Address.City + "/" + l.Address.State,
		Created: web.Date(l.CreatedAt)}
}

func (h *Handler) pipeline(w http.ResponseWriter, r *http.Request, s *session) {
	qs := r.URL.Query()
	f := web.NewForm(qs, labels)
	status := http.StatusOK
	q, err := leadQuery(qs)
	if err != nil {
		if !f.Fail(err) {
			web.Render(w, r, err)
			return
		}
		status = http.StatusBadRequest
		q, _ = energy.ParseLeadQuery("", strconv.Itoa(pageSize), "")
	}
	leads, total, err := h.Leads.List(r.Context(), s.Principal, q)
	if err != nil {
		web.Render(w, r, err)
		return
	}
	report, err := h.Leads.Report(r.Context(), s.Principal)
	if err != nil {
		web.Render(w, r, err)
		return
	}
	v := pipelineView{Filters: f, Total: total, Page: q.Page, Days: dayChart(report.Days), Funnel: funnel(report.Funnel)}
	for _, l := range leads {
		v.Leads = append(v.Leads, row(l))
	}
	for _, st := range statusOrder {
		v.Statuses = append(v.Statuses, statusCount{Status: st, Label: statusLabels[st], Leads: report.ByStatus[st],
			Link: Base + "?" + url.Values{"status": {string(st)}}.Encode()})
	}
	keep := url.Values{}
	for _, k := range filterFields {
		if s := qs.Get(k); s != "" && status == http.StatusOK {
			keep.Set(k, s)
		}
	}
	at := func(page int) string {
		u := url.Values{}
		for k, vs := range keep {
			u[k] = vs
		}
		u.Set("page", strconv.Itoa(page))
		return Base + "?" + u.Encode()
	}
	if q.Page > 1 {
		v.Prev = at(q.Page - 1)
	}
	if total.Capped || q.Page*q.Limit < total.Count {
		v.Next = at(q.Page + 1)
	}
	v.Export = Base + "leads.csv"
	if len(keep) > 0 {
		v.Export += "?" + keep.Encode()
	}
	h.render(w, r, status, "pipeline", "Pipeline", s, v)
}

// exportCSV streams the leads the filters match as CSV (";"-separated,
// decimal commas, UTF-8 with a BOM: what a spreadsheet in pt-BR opens as
// is), one lead at a time from the store: never the whole list in memory.
func (h *Handler) exportCSV(w http.ResponseWriter, r *http.Request, s *session) {
	q, err := leadQuery(r.URL.Query())
	if err != nil {
		web.Render(w, r, err)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/csv; charset=utf-8")
	hdr.Set("Content-Disposition", `attachment; filename="leads-`+time.Now().Format("2006-01-02")+`.csv"`)
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write([]byte("\uFEFF"))
	out := csv.NewWriter(w)
	out.Comma = ';'
	_ = out.Write([]string{"id", "criado_em", "status", "vendedor", "tipo", "nome", "razao_social", "documento", "email",
		"celular", "valor_conta", "cep", "cidade", "uf", "distribuidora", "plano"})
	rc := http.NewResponseController(w)
	n := 0
	err = h.Leads.Export(r.Context(), s.Principal, q, func(l energy.Lead) error {
		plan := ""
		if l.Plan != nil {
			plan = l.Plan.Name
		}
		rec := []string{l.ID, l.CreatedAt.UTC().Format(time.RFC3339), string(l.Status), l.SellerName, string(l.PersonType),
			l.FullName, l.CompanyName, l.IdentificationNumber, l.Email, l.MobilePhone,
			strings.Replace(strconv.FormatFloat(float64(l.UtilityBillCents)/100, 'f', 2, 64), ".", ",", 1),
			l.Address.ZipCode, l.Address.City, l.Address.State, l.UtilityName, plan}
		for i := range rec {
			rec[i] = cell(rec[i])
		}
		if err := out.Write(rec); err != nil {
			return err
		}
		if n++; n%500 == 0 {
			out.Flush()
			_ = rc.Flush()
		}
		return out.Error()
	})
	out.Flush()
	if err != nil {
		// The answer has started: all that is left is to cut it short.
		httpx.LogIfInternal(r, err)
	}
}

// cell keeps a spreadsheet from reading a value as a formula (CSV
// injection): a text starting with = + - @ or a tab gets a leading quote.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
