package storefront

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/brdoc"
	"partnership-service/internal/httpx"
)

// The admin API speaks the storefront's vocabulary: the same {"data": …}
// resources and attribute names, plus the ids that tie records together.

// --- provider ---

type providerBody struct {
	Nome                string `json:"nome"`
	CorBackgroundPlanos string `json:"cor_background_planos"`
	CorFonteIntro       string `json:"cor_fonte_intro"`
	CorFooter           string `json:"cor_footer"`
	CorFonteFooter      string `json:"cor_fonte_footer"`
	CorNavbar           string `json:"cor_navbar"`
	Wallpaper           string `json:"wallpaper"`
	Logo                string `json:"logo"`
	DiasVencimento      []int  `json:"dias_vencimento"`
	// Slug is kept when absent (or null), unlike the branding: clients
	// written before slugs existed must not unpublish the pages.
	Slug *string `json:"slug"`
}

type adminProviderAttrs struct {
	ID                  int64   `json:"id"`
	Nome                string  `json:"nome"`
	Slug                *string `json:"slug"`
	CorBackgroundPlanos *string `json:"cor_background_planos"`
	CorFonteIntro       *string `json:"cor_fonte_intro"`
	CorFooter           *string `json:"cor_footer"`
	CorFonteFooter      *string `json:"cor_fonte_footer"`
	CorNavbar           *string `json:"cor_navbar"`
	Wallpaper           *string `json:"wallpaper"`
	Logo                *string `json:"logo"`
	DiasVencimento      []int   `json:"dias_vencimento"`
}

func writeProvider(w http.ResponseWriter, p Provider) {
	b := p.Branding
	httpx.WriteJSON(w, http.StatusOK, one[resource[adminProviderAttrs]]{Data: resource[adminProviderAttrs]{
		ID: idString(p.ID), Type: "provedors", Attributes: adminProviderAttrs{
			ID: p.ID, Nome: p.Name, Slug: nullable(p.Slug),
			CorBackgroundPlanos: nullable(b.PlansBackgroundColor), CorFonteIntro: nullable(b.IntroFontColor),
			CorFooter: nullable(b.FooterColor), CorFonteFooter: nullable(b.FooterFontColor),
			CorNavbar: nullable(b.NavbarColor), Wallpaper: nullable(b.Wallpaper), Logo: nullable(b.Logo),
			DiasVencimento: append([]int{}, p.DueDays...),
		},
	}})
}

// getProvider: GET /api/v2/admin/provider.
func (h *Handler) getProvider(w http.ResponseWriter, r *http.Request, providerID int64) {
	c, err := h.svc.Catalog(r.Context(), providerID)
	if err != nil {
		Render(w, r, err)
		return
	}
	writeProvider(w, c.Provider)
}

// putProvider: PUT /api/v2/admin/provider replaces name, branding and due
// days.
func (h *Handler) putProvider(w http.ResponseWriter, r *http.Request, providerID int64) {
	var body providerBody
	if err := decodeJSON(w, r, &body, maxAdminBody); err != nil {
		Render(w, r, err)
		return
	}
	var slug string
	if body.Slug != nil {
		slug = *body.Slug
	} else {
		c, err := h.svc.Catalog(r.Context(), providerID)
		if err != nil {
			Render(w, r, err)
			return
		}
		slug = c.Provider.Slug
	}
	p, err := h.svc.UpdateProvider(r.Context(), Provider{ID: providerID, Name: body.Nome, Slug: slug, DueDays: body.DiasVencimento, Branding: Branding{
		PlansBackgroundColor: body.CorBackgroundPlanos, IntroFontColor: body.CorFonteIntro,
		FooterColor: body.CorFooter, FooterFontColor: body.CorFonteFooter, NavbarColor: body.CorNavbar,
		Wallpaper: body.Wallpaper, Logo: body.Logo,
	}})
	if err != nil {
		Render(w, r, err)
		return
	}
	writeProvider(w, p)
}

// --- origins ---

type originAttrs struct {
	ID  int64  `json:"id"`
	URL string `json:"url"`
}

func decodeOrigin(w http.ResponseWriter, r *http.Request) (Origin, error) {
	var body struct {
		URL string `json:"url"`
	}
	err := decodeJSON(w, r, &body, maxAdminBody)
	return Origin{URL: body.URL}, err
}

func encodeOrigin(o Origin) any {
	return resource[originAttrs]{ID: idString(o.ID), Type: "origins", Attributes: originAttrs{ID: o.ID, URL: o.URL}}
}

// --- categories, payment methods, services ---

type itemBody struct {
	Nome      string `json:"nome"`
	Ordenacao *int   `json:"ordenacao"`
}

func decodeItem(w http.ResponseWriter, r *http.Request) (Item, error) {
	var body itemBody
	err := decodeJSON(w, r, &body, maxAdminBody)
	return Item{Name: body.Nome, SortOrder: body.Ordenacao}, err
}

func encodeItem(typ string, it Item) any {
	return resource[categoryAttrs]{ID: idString(it.ID), Type: typ, Attributes: categoryAttrs{Nome: it.Name, ID: it.ID, Ordenacao: it.SortOrder}}
}

// --- plans ---

// planFields are a plan's attributes as the admin API reads and writes
// them: what GET answers can be sent back with PUT.
type planFields struct {
	Nome                    string  `json:"nome"`
	Ordenacao               *int    `json:"ordenacao"`
	TaxaInstalacaoAVista    string  `json:"taxa_instalacao_a_vista"`
	TaxaInstalacaoParcelada string  `json:"taxa_instalacao_parcelada"`
	VelocidadeUpload        int     `json:"velocidade_upload"`
	VelocidadeDownload      int     `json:"velocidade_download"`
	MensalidadeObservacao   string  `json:"mensalidade_observacao"`
	DetalhesLinha1          string  `json:"detalhes_linha1"`
	DetalhesLinha2          string  `json:"detalhes_linha2"`
	DetalhesLinha3          string  `json:"detalhes_linha3"`
	CorPrimaria             string  `json:"cor_primaria"`
	CorSecundaria           string  `json:"cor_secundaria"`
	Titulo                  string  `json:"titulo"`
	HTML                    string  `json:"html"`
	CategoryIDs             []int64 `json:"category_ids"`
	PaymentMethodIDs        []int64 `json:"payment_method_ids"`
	ServiceIDs              []int64 `json:"service_ids"`
}

type planBody struct {
	// Mensalidade is read leniently: "29.90", "29,90" or 29.9.
	Mensalidade rawValue `json:"mensalidade"`
	planFields
}

type adminPlanAttrs struct {
	ID          int64  `json:"id"`
	Mensalidade string `json:"mensalidade"`
	planFields
}

func decodePlan(w http.ResponseWriter, r *http.Request) (Plan, error) {
	var body planBody
	if err := decodeJSON(w, r, &body, maxAdminBody); err != nil {
		return Plan{}, err
	}
	var errs apperr.Fields
	price := readText(body.Mensalidade, "mensalidade", &errs)
	cents := ReadPrice(price.Value, &errs)
	f := body.planFields
	return Plan{
		Name: f.Nome, SortOrder: f.Ordenacao, MonthlyPriceCents: cents,
		InstallationFeeUpfront: f.TaxaInstalacaoAVista, InstallationFeeInstallments: f.TaxaInstalacaoParcelada,
		UploadSpeed: f.VelocidadeUpload, DownloadSpeed: f.VelocidadeDownload,
		PriceNote: f.MensalidadeObservacao, DetailLine1: f.DetalhesLinha1, DetailLine2: f.DetalhesLinha2,
		DetailLine3: f.DetalhesLinha3, PrimaryColor: f.CorPrimaria, SecondaryColor: f.CorSecundaria,
		Title: f.Titulo, HTML: f.HTML,
		CategoryIDs: f.CategoryIDs, PaymentMethodIDs: f.PaymentMethodIDs, ServiceIDs: f.ServiceIDs,
	}, errs.Err(apperr.Unprocessable)
}

func encodeAdminPlan(p Plan) any {
	return resource[adminPlanAttrs]{ID: idString(p.ID), Type: "planos", Attributes: adminPlanAttrs{
		ID: p.ID, Mensalidade: FormatPrice(p.MonthlyPriceCents), planFields: planFields{
			Nome: p.Name, Ordenacao: p.SortOrder,
			TaxaInstalacaoAVista: p.InstallationFeeUpfront, TaxaInstalacaoParcelada: p.InstallationFeeInstallments,
			VelocidadeUpload: p.UploadSpeed, VelocidadeDownload: p.DownloadSpeed,
			MensalidadeObservacao: p.PriceNote, DetalhesLinha1: p.DetailLine1, DetalhesLinha2: p.DetailLine2,
			DetalhesLinha3: p.DetailLine3, CorPrimaria: p.PrimaryColor, CorSecundaria: p.SecondaryColor,
			Titulo: p.Title, HTML: p.HTML,
			CategoryIDs: nonNil(p.CategoryIDs), PaymentMethodIDs: nonNil(p.PaymentMethodIDs), ServiceIDs: nonNil(p.ServiceIDs),
		},
	}}
}

// ReadPrice reads a plan's "mensalidade" as the admin API and the
// operator console take it, recording a bad one in errs.
func ReadPrice(s string, errs *apperr.Fields) int64 {
	cents, ok := ParsePrice(s)
	if !errs.Has("mensalidade") && !ok {
		errs.Add("mensalidade", "deve ser um valor como 29.90")
	}
	return cents
}

// ParsePrice reads an amount in reais ("29.9", "29,90", "100") into cents.
func ParsePrice(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	whole, frac, hasFrac := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	if whole == "" || len(whole) > 9 || (hasFrac && (frac == "" || len(frac) > 2)) {
		return 0, false
	}
	for _, part := range []string{whole, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return 0, false
			}
		}
	}
	if len(frac) == 1 {
		frac += "0"
	}
	reais, _ := strconv.ParseInt(whole, 10, 64)
	cents, _ := strconv.ParseInt("0"+frac, 10, 64)
	return reais*100 + cents, true
}

// --- coupons ---

type couponBody struct {
	Name           string   `json:"name"`
	Description    string   `json:"description"`
	PlanIDs        []int64  `json:"plan_ids"`
	ValidFrom      rawValue `json:"valid_from"`
	ValidUntil     rawValue `json:"valid_until"`
	MaxRedemptions *int     `json:"max_redemptions"`
}

type adminCouponAttrs struct {
	ID             int64      `json:"id"`
	Name           string     `json:"name"`
	Description    string     `json:"description"`
	PlanIDs        []int64    `json:"plan_ids"`
	ValidFrom      *time.Time `json:"valid_from"`
	ValidUntil     *time.Time `json:"valid_until"`
	MaxRedemptions *int       `json:"max_redemptions"`
	Redemptions    int        `json:"redemptions"`
}

func decodeCoupon(w http.ResponseWriter, r *http.Request) (Coupon, error) {
	var body couponBody
	if err := decodeJSON(w, r, &body, maxAdminBody); err != nil {
		return Coupon{}, err
	}
	var errs apperr.Fields
	c := Coupon{
		Name: body.Name, Description: body.Description, PlanIDs: body.PlanIDs, MaxRedemptions: body.MaxRedemptions,
		ValidFrom:  readTime(body.ValidFrom, "valid_from", &errs),
		ValidUntil: readTime(body.ValidUntil, "valid_until", &errs),
	}
	return c, errs.Err(apperr.Unprocessable)
}

// readTime reads an RFC 3339 timestamp; absent or null is the zero time.
func readTime(v rawValue, field string, errs *apperr.Fields) time.Time {
	s := readText(v, field, errs)
	if !s.Set || s.Value == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s.Value)
	if err != nil {
		errs.Add(field, "formato deve ser RFC 3339, como 2026-12-31T23:59:59-03:00")
	}
	return t.UTC()
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func encodeCoupon(c Coupon) any {
	return resource[adminCouponAttrs]{ID: idString(c.ID), Type: "cupom", Attributes: adminCouponAttrs{
		ID: c.ID, Name: c.Name, Description: c.Description, PlanIDs: nonNil(c.PlanIDs),
		ValidFrom: optTime(c.ValidFrom), ValidUntil: optTime(c.ValidUntil),
		MaxRedemptions: c.MaxRedemptions, Redemptions: c.Redemptions,
	}}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// --- coverage areas ---

type coverageBody struct {
	Nome      string          `json:"nome"`
	PlanID    *int64          `json:"plan_id"`
	GeoJSON   json.RawMessage `json:"geojson"`
	CEPInicio string          `json:"cep_inicio"`
	CEPFim    string          `json:"cep_fim"`
}

type coverageAttrs struct {
	ID        int64           `json:"id"`
	Nome      string          `json:"nome"`
	PlanID    *int64          `json:"plan_id"`
	GeoJSON   json.RawMessage `json:"geojson"`
	CEPInicio *string         `json:"cep_inicio"`
	CEPFim    *string         `json:"cep_fim"`
}

func decodeCoverageArea(w http.ResponseWriter, r *http.Request) (CoverageArea, error) {
	var body coverageBody
	if err := decodeJSON(w, r, &body, maxAdminBody); err != nil {
		return CoverageArea{}, err
	}
	var errs apperr.Fields
	a := CoverageArea{Name: body.Nome}
	if body.PlanID != nil {
		a.PlanID = *body.PlanID
	}
	if len(body.GeoJSON) > 0 && string(body.GeoJSON) != "null" {
		g, err := ParseGeometry(body.GeoJSON)
		if err != nil {
			errs.Add("geojson", err.Error())
		}
		a.Geometry = g
	}
	for _, c := range []struct {
		field string
		text  string
		dst   *int
	}{{"cep_inicio", body.CEPInicio, &a.CEPStart}, {"cep_fim", body.CEPFim, &a.CEPEnd}} {
		if c.text == "" {
			continue
		}
		cep, ok := brdoc.NormalizeCEP(strings.TrimSpace(c.text))
		if !ok {
			errs.Add(c.field, msgCEPFormat)
			continue
		}
		*c.dst = atoi(cep)
	}
	return a, errs.Err(apperr.Unprocessable)
}

func formatCEPNumber(n int) *string {
	if n == 0 {
		return nil
	}
	s := strconv.Itoa(n)
	s = brdoc.FormatCEP(strings.Repeat("0", 8-len(s)) + s)
	return &s
}

func encodeCoverageArea(a CoverageArea) any {
	attrs := coverageAttrs{ID: a.ID, Nome: a.Name, CEPInicio: formatCEPNumber(a.CEPStart), CEPFim: formatCEPNumber(a.CEPEnd)}
	if a.PlanID != 0 {
		attrs.PlanID = &a.PlanID
	}
	if a.Geometry != nil {
		attrs.GeoJSON = a.Geometry.JSON()
	} else {
		attrs.GeoJSON = json.RawMessage("null")
	}
	return resource[coverageAttrs]{ID: idString(a.ID), Type: "coverage_areas", Attributes: attrs}
}

// --- subscriptions ---

type coordinatesJSON struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

type fileJSON struct {
	Kind        string    `json:"kind"`
	FileName    string    `json:"file_name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	UploadedAt  time.Time `json:"uploaded_at"`
	URL         string    `json:"url"`
}

type adminSubscriptionAttrs struct {
	PlanID             *int64           `json:"plan_id"`
	CouponID           *int64           `json:"coupon_id"`
	FormaPagamentosID  *int64           `json:"forma_pagamentos_id"`
	ColdLead           bool             `json:"cold_lead"`
	Coverage           bool             `json:"coverage"`
	NomeRazaoSocial    *string          `json:"nome_razao_social"`
	Email              *string          `json:"email"`
	TelefoneCelular    *string          `json:"telefone_celular"`
	CPFCNPJ            *string          `json:"cpf_cnpj"`
	RGIE               *string          `json:"rg_ie"`
	DataNascimento     *string          `json:"data_nascimento"`
	Vencimento         *string          `json:"vencimento"`
	IsInstalacaoAVista *bool            `json:"is_instalacao_a_vista"`
	TaxaInstalacao     *string          `json:"taxa_instalacao"`
	Rua                *string          `json:"rua"`
	Numero             *string          `json:"numero"`
	Complemento        *string          `json:"complemento"`
	Bairro             *string          `json:"bairro"`
	Cidade             *string          `json:"cidade"`
	CEP                *string          `json:"cep"`
	Provedor           *string          `json:"provedor"`
	Coordinates        *coordinatesJSON `json:"coordinates"`
	Files              []fileJSON       `json:"files"`
	CreatedAt          time.Time        `json:"created_at"`
	UpdatedAt          time.Time        `json:"updated_at"`
}

func optID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func formatDocument(d string) string {
	if len(d) == 11 {
		return brdoc.FormatCPF(d)
	}
	return brdoc.FormatCNPJ(d)
}

func formatBirthDate(d time.Time) string {
	if d.IsZero() {
		return ""
	}
	return d.Format("02/01/2006")
}

func encodeSubscription(s Subscription) resource[adminSubscriptionAttrs] {
	a := adminSubscriptionAttrs{
		PlanID: optID(s.PlanID), CouponID: optID(s.CouponID), FormaPagamentosID: optID(s.PaymentMethodID),
		ColdLead: s.ColdLead, Coverage: s.Coverage,
		NomeRazaoSocial: nullable(s.Name), Email: nullable(s.Email), TelefoneCelular: nullable(s.MobilePhone),
		RGIE: nullable(s.IDDocument), DataNascimento: nullable(formatBirthDate(s.BirthDate)),
		Vencimento: nullable(FormatDueDay(s.DueDay)), IsInstalacaoAVista: s.UpfrontInstallation,
		TaxaInstalacao: nullable(s.InstallationFee), Rua: nullable(s.Street), Numero: nullable(s.Number),
		Complemento: nullable(s.Complement), Bairro: nullable(s.District), Cidade: nullable(s.City),
		Provedor: nullable(s.CurrentProvider), Files: []fileJSON{},
		CreatedAt: s.CreatedAt.UTC(), UpdatedAt: s.UpdatedAt.UTC(),
	}
	if s.Document != "" {
		a.CPFCNPJ = nullable(formatDocument(s.Document))
	}
	if s.CEP != "" {
		a.CEP = nullable(brdoc.FormatCEP(s.CEP))
	}
	if s.Location != nil {
		a.Coordinates = &coordinatesJSON{Lat: s.Location.Lat, Lng: s.Location.Lng}
	}
	for _, f := range s.Files {
		a.Files = append(a.Files, fileJSON{
			Kind: string(f.Kind), FileName: f.FileName, ContentType: f.Object.ContentType, Size: f.Object.Size,
			SHA256: f.Object.SHA256, UploadedAt: f.UploadedAt.UTC(),
			URL: "/api/v2/admin/subscriptions/" + s.ID + "/files/" + string(f.Kind),
		})
	}
	return resource[adminSubscriptionAttrs]{ID: s.ID, Type: "subscriptions", Attributes: a}
}

type pageMeta struct {
	Total   int `json:"total"`
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
}

type subscriptionList struct {
	Data []resource[adminSubscriptionAttrs] `json:"data"`
	Meta pageMeta                           `json:"meta"`
}

const (
	defaultPerPage = 50
	maxPerPage     = 200
)

// readPage reads ?page=&per_page=; a bad value is a 400 on that parameter.
func readPage(r *http.Request) (page, perPage int, err error) {
	var errs apperr.Fields
	read := func(name string, def, maxV int) int {
		s := r.URL.Query().Get(name)
		if s == "" {
			return def
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxV {
			errs.Add(name, "deve ser um número entre 1 e "+strconv.Itoa(maxV))
			return def
		}
		return n
	}
	page = read("page", 1, 1_000_000)
	perPage = read("per_page", defaultPerPage, maxPerPage)
	return page, perPage, errs.Err(apperr.Invalid)
}

// listSubscriptions: GET /api/v2/admin/subscriptions?page=&per_page=&updated_since=.
func (h *Handler) listSubscriptions(w http.ResponseWriter, r *http.Request, providerID int64) {
	page, perPage, err := readPage(r)
	var since time.Time
	if err == nil {
		since, err = httpx.ParseUpdatedSince(r)
	}
	if err != nil {
		Render(w, r, err)
		return
	}
	subs, total, err := h.svc.Subscriptions(r.Context(), providerID, Page{Limit: perPage, Offset: (page - 1) * perPage, UpdatedSince: since})
	if err != nil {
		Render(w, r, err)
		return
	}
	out := subscriptionList{Data: make([]resource[adminSubscriptionAttrs], 0, len(subs)), Meta: pageMeta{Total: total, Page: page, PerPage: perPage}}
	for _, s := range subs {
		out.Data = append(out.Data, encodeSubscription(s))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

// getSubscription: GET /api/v2/admin/subscriptions/{uuid}.
func (h *Handler) getSubscription(w http.ResponseWriter, r *http.Request, providerID int64) {
	s, err := h.svc.Subscription(r.Context(), providerID, r.PathValue("uuid"))
	if err != nil {
		Render(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, one[resource[adminSubscriptionAttrs]]{Data: encodeSubscription(s)})
}

var csvHeader = []string{
	"id", "created_at", "updated_at", "cold_lead", "coverage", "plan_id", "coupon_id", "forma_pagamentos_id",
	"nome_razao_social", "email", "telefone_celular", "cpf_cnpj", "rg_ie", "data_nascimento", "vencimento",
	"is_instalacao_a_vista", "taxa_instalacao", "rua", "numero", "complemento", "bairro", "cidade", "cep",
	"provedor", "lat", "lng",
}

// csvCell defuses values a spreadsheet would run as a formula (CSV
// injection): visitors type these fields.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func csvRow(s Subscription) []string {
	a := encodeSubscription(s).Attributes
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return csvCell(*p)
	}
	id := func(p *int64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatInt(*p, 10)
	}
	upfront, lat, lng := "", "", ""
	if a.IsInstalacaoAVista != nil {
		upfront = strconv.FormatBool(*a.IsInstalacaoAVista)
	}
	if a.Coordinates != nil {
		lat = strconv.FormatFloat(a.Coordinates.Lat, 'f', -1, 64)
		lng = strconv.FormatFloat(a.Coordinates.Lng, 'f', -1, 64)
	}
	return []string{
		s.ID, a.CreatedAt.Format(time.RFC3339), a.UpdatedAt.Format(time.RFC3339),
		strconv.FormatBool(a.ColdLead), strconv.FormatBool(a.Coverage),
		id(a.PlanID), id(a.CouponID), id(a.FormaPagamentosID),
		str(a.NomeRazaoSocial), str(a.Email), str(a.TelefoneCelular), str(a.CPFCNPJ), str(a.RGIE),
		str(a.DataNascimento), str(a.Vencimento), upfront, str(a.TaxaInstalacao), str(a.Rua), str(a.Numero),
		str(a.Complemento), str(a.Bairro), str(a.Cidade), str(a.CEP), str(a.Provedor), lat, lng,
	}
}

// exportSubscriptions: GET /api/v2/admin/subscriptions/export.
func (h *Handler) exportSubscriptions(w http.ResponseWriter, r *http.Request, providerID int64) {
	ServeSubscriptionsCSV(w, r, h.svc, providerID)
}

// ServeSubscriptionsCSV streams every subscription of the provider as CSV,
// oldest first: the admin API's export and the back-office's.
func ServeSubscriptionsCSV(w http.ResponseWriter, r *http.Request, svc *Service, providerID int64) {
	hdr := w.Header()
	hdr.Set("Content-Type", "text/csv; charset=utf-8")
	hdr.Set("Content-Disposition", `attachment; filename="assinaturas.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write(csvHeader)
	err := svc.EachSubscription(r.Context(), providerID, func(s Subscription) error {
		return cw.Write(csvRow(s))
	})
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	if err != nil {
		// The status is sent; the truncated body is all that can tell.
		slog.ErrorContext(r.Context(), "export subscriptions", "request_id", httpx.RequestID(r.Context()), "err", err)
	}
}

// downloadFile: GET /api/v2/admin/subscriptions/{uuid}/files/{kind}.
func (h *Handler) downloadFile(w http.ResponseWriter, r *http.Request, providerID int64) {
	ServeSubscriptionFile(w, r, h.svc, providerID, r.PathValue("uuid"), FileKind(r.PathValue("kind")), Render)
}

// ServeSubscriptionFile sends the document of kind of one of the
// provider's subscriptions as an attachment; an error (no such
// subscription or document) is answered by render.
func ServeSubscriptionFile(w http.ResponseWriter, r *http.Request, svc *Service, providerID int64, id string, kind FileKind, render httpx.Renderer) {
	rc, f, err := svc.OpenFile(r.Context(), providerID, id, kind)
	if err != nil {
		render(w, r, err)
		return
	}
	defer rc.Close()
	hdr := w.Header()
	hdr.Set("Content-Type", f.Object.ContentType)
	hdr.Set("Content-Length", strconv.FormatInt(f.Object.Size, 10))
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Content-Disposition", `attachment; filename="`+string(kind)+extension(f.Object.ContentType)+`"`)
	_, _ = io.Copy(w, rc)
}

func extension(contentType string) string {
	switch contentType {
	case "application/pdf":
		return ".pdf"
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	}
	return ""
}
