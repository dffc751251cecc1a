package loja

import (
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"partnership-service/internal/apperr"
	"partnership-service/internal/storefront"
	"partnership-service/internal/upload"
	"partnership-service/internal/web"
)

// addressFields are the coverage check's fields, carried from the check
// to the sign-up form in the URL; cupom is the coupon's name.
var addressFields = []string{"cep", "rua", "numero", "complemento", "bairro", "cidade"}

// carry copies the fields that travel between steps from v.
func carry(v url.Values, extra ...string) url.Values {
	out := url.Values{}
	for _, k := range append(slices.Clone(addressFields), extra...) {
		if s := v.Get(k); s != "" {
			out.Set(k, s)
		}
	}
	return out
}

func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// --- home ---

type homeView struct {
	Categories []category
	Logo       string
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request, s *shop) {
	// The home page has no form: it is the same for every visitor of a
	// catalog, so it is rendered once per catalog (the plan cards cost the
	// page most of its throughput).
	body, err := h.homes.of(s.Catalog, func() ([]byte, error) {
		return h.pages.Execute("home", shopPage("Planos de internet", s, homeView{Categories: categories(s.Catalog)}))
	})
	if err != nil {
		slog.ErrorContext(r.Context(), "render page", "page", "home", "err", err)
		web.RenderError(w, r, http.StatusInternalServerError)
		return
	}
	web.WritePage(w, http.StatusOK, body)
}

// --- a plan: its details, the coupon, the coverage check ---

type planHandler func(w http.ResponseWriter, r *http.Request, s *shop, p *storefront.Plan)

// plan resolves the {plan} of the path among the provider's plans.
func (h *Handler) plan(next planHandler) shopHandler {
	return func(w http.ResponseWriter, r *http.Request, s *shop) {
		id, err := strconv.ParseInt(r.PathValue("plan"), 10, 64)
		i := slices.IndexFunc(s.Plans, func(p storefront.Plan) bool { return p.ID == id })
		if err != nil || i < 0 {
			web.RenderError(w, r, http.StatusNotFound)
			return
		}
		next(w, r, s, &s.Plans[i])
	}
}

type planPageView struct {
	Plan     planView
	Coupon   couponView
	Coverage *web.Form
}

type couponView struct {
	Form        *web.Form
	Name        string // the applied coupon, "" when none
	Description string
}

// coupon resolves the coupon named in values ("cupom") for the plan with
// the same call the API's check_coupon_availability makes; its message
// lands on the coupon form.
func (h *Handler) coupon(r *http.Request, s *shop, p *storefront.Plan, values url.Values) (couponView, storefront.Coupon, bool) {
	v := couponView{Form: newForm(url.Values{"cupom": {values.Get("cupom")}})}
	name := values.Get("cupom")
	if name == "" {
		return v, storefront.Coupon{}, true
	}
	c, err := h.svc.CheckCoupon(r.Context(), s.Provider.ID, name, p.ID)
	if err != nil {
		if e := apperr.As(err); e.Code == apperr.Unprocessable {
			v.Form.Errors["cupom"] = append(e.Fields["coupon"], e.Fields["coupon_id"]...)
			return v, storefront.Coupon{}, false
		}
		return v, storefront.Coupon{}, false
	}
	v.Name, v.Description = c.Name, c.Description
	return v, c, true
}

func (h *Handler) planPage(w http.ResponseWriter, r *http.Request, s *shop, p *storefront.Plan) {
	q := r.URL.Query()
	cv, _, _ := h.coupon(r, s, p, q)
	h.renderPlan(w, r, http.StatusOK, s, p, cv, newForm(carry(q)))
}

func (h *Handler) renderPlan(w http.ResponseWriter, r *http.Request, status int, s *shop, p *storefront.Plan, cv couponView, coverage *web.Form) {
	if cv.Name != "" {
		coverage.Values.Set("cupom", cv.Name)
	}
	h.render(w, r, status, "plan", p.Name, s, planPageView{Plan: viewPlan(s.Catalog, p), Coupon: cv, Coverage: coverage})
}

// applyCoupon: a valid coupon goes on in the URL; an unusable one is the
// plan page again with the API's message.
func (h *Handler) applyCoupon(w http.ResponseWriter, r *http.Request, s *shop, p *storefront.Plan) {
	cv, c, ok := h.coupon(r, s, p, r.PostForm)
	if !ok {
		h.renderPlan(w, r, http.StatusUnprocessableEntity, s, p, cv, newForm(carry(r.PostForm)))
		return
	}
	q := carry(r.PostForm)
	if c.Name != "" {
		q.Set("cupom", c.Name)
	}
	web.SeeOther(w, r, withQuery(s.Base+"/planos/"+strconv.FormatInt(p.ID, 10), q)+"#cobertura")
}

// checkCoverage asks the service what POST /api/v2/subscriptions without
// pre_subscription answers: whether the address is covered for the plan.
func (h *Handler) checkCoverage(w http.ResponseWriter, r *http.Request, s *shop, p *storefront.Plan) {
	in := subscriptionInput(r.PostForm, p)
	res, err := h.svc.Subscribe(r.Context(), s.Provider.ID, in)
	if err != nil {
		f := newForm(carry(r.PostForm, "cupom"))
		if !f.Fail(err) {
			web.Render(w, r, err)
			return
		}
		cv, _, _ := h.coupon(r, s, p, r.PostForm)
		h.renderPlan(w, r, http.StatusUnprocessableEntity, s, p, cv, f)
		return
	}
	q := carry(r.PostForm, "cupom")
	if !res.Coverage {
		q.Set("plano", strconv.FormatInt(p.ID, 10))
		web.SeeOther(w, r, withQuery(s.Base+"/sem-cobertura", q))
		return
	}
	web.SeeOther(w, r, withQuery(s.Base+"/planos/"+strconv.FormatInt(p.ID, 10)+"/cadastro", q))
}

// subscriptionInput reads a form whose inputs carry the API's field names
// into the service's input, as the API's decoder reads JSON. Only the
// fields the form has are set.
func subscriptionInput(v url.Values, p *storefront.Plan) storefront.SubscriptionInput {
	text := func(k string) storefront.Opt[string] { return storefront.Opt[string]{Set: v.Has(k), Value: v.Get(k)} }
	in := storefront.SubscriptionInput{
		Name: text("nome_razao_social"), Email: text("email"), MobilePhone: text("telefone_celular"),
		Document: text("cpf_cnpj"), IDDocument: text("rg_ie"), BirthDate: text("data_nascimento"),
		DueDay: text("vencimento"), Street: text("rua"), Number: text("numero"), Complement: text("complemento"),
		District: text("bairro"), City: text("cidade"), CEP: text("cep"),
	}
	if p != nil {
		in.PlanID = storefront.Opt[int64]{Set: true, Value: p.ID}
	}
	if id, err := strconv.ParseInt(v.Get("forma_pagamentos_id"), 10, 64); err == nil && id > 0 {
		in.PaymentMethodID = storefront.Opt[int64]{Set: true, Value: id}
	}
	switch v.Get("is_instalacao_a_vista") {
	case "sim":
		upfront := true
		in.UpfrontInstallation = storefront.Opt[*bool]{Set: true, Value: &upfront}
		if p != nil {
			in.InstallationFee = storefront.Opt[string]{Set: true, Value: p.InstallationFeeUpfront}
		}
	case "nao":
		upfront := false
		in.UpfrontInstallation = storefront.Opt[*bool]{Set: true, Value: &upfront}
		if p != nil {
			in.InstallationFee = storefront.Opt[string]{Set: true, Value: p.InstallationFeeInstallments}
		}
	}
	return in
}

// --- sign-up ---

type signUpView struct {
	Plan    planView
	Coupon  couponView
	Form    *web.Form
	DueDays []int
	// HasFee: the plan has an installation fee to choose how to pay.
	HasFee bool
}

func (h *Handler) signUpPage(w http.ResponseWriter, r *http.Request, s *shop, p *storefront.Plan) {
	q := r.URL.Query()
	h.renderSignUp(w, r, http.StatusOK, s, p, newForm(carry(q, "cupom")))
}

func (h *Handler) renderSignUp(w http.ResponseWriter, r *http.Request, status int, s *shop, p *storefront.Plan, f *web.Form) {
	cv, _, _ := h.coupon(r, s, p, f.Values)
	days := s.Provider.DueDays
	if len(days) == 0 {
		for d := 1; d <= 31; d++ {
			days = append(days, d)
		}
	}
	v := viewPlan(s.Catalog, p)
	h.render(w, r, status, "signup", "Cadastro · "+p.Name, s, signUpView{Plan: v, Coupon: cv, Form: f, DueDays: days,
		HasFee: v.FeeUpfront != "" || v.FeeSplit != ""})
}

// signUp stores the subscription (pre_subscription, as the API's create)
// and moves on to the documents.
func (h *Handler) signUp(w http.ResponseWriter, r *http.Request, s *shop, p *storefront.Plan) {
	f := newForm(r.PostForm)
	in := subscriptionInput(r.PostForm, p)
	in.PreSubscription = true
	if name := r.PostForm.Get("cupom"); name != "" {
		cv, c, ok := h.coupon(r, s, p, r.PostForm)
		if !ok {
			f.Errors["coupon_id"] = cv.Form.Errors["cupom"]
			h.renderSignUp(w, r, http.StatusUnprocessableEntity, s, p, f)
			return
		}
		in.CouponID = storefront.Opt[int64]{Set: true, Value: c.ID}
	}
	res, err := h.svc.Subscribe(r.Context(), s.Provider.ID, in)
	if err != nil {
		if !f.Fail(err) {
			web.Render(w, r, err)
			return
		}
		h.renderSignUp(w, r, http.StatusUnprocessableEntity, s, p, f)
		return
	}
	web.SeeOther(w, r, s.Base+"/assinaturas/"+res.ID+"/documentos")
}

// --- no coverage: a cold lead ---

type coldLeadView struct {
	Form *web.Form
	Plan *planView
}

func (h *Handler) coldLeadPage(w http.ResponseWriter, r *http.Request, s *shop) {
	h.renderColdLead(w, r, http.StatusOK, s, newForm(carry(r.URL.Query(), "plano")))
}

func (h *Handler) renderColdLead(w http.ResponseWriter, r *http.Request, status int, s *shop, f *web.Form) {
	v := coldLeadView{Form: f}
	if p := planByID(s.Catalog, f.Values.Get("plano")); p != nil {
		pv := viewPlan(s.Catalog, p)
		v.Plan = &pv
	}
	h.render(w, r, status, "coldlead", "Sem cobertura", s, v)
}

func planByID(c *storefront.Catalog, s string) *storefront.Plan {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil
	}
	for i := range c.Plans {
		if c.Plans[i].ID == id {
			return &c.Plans[i]
		}
	}
	return nil
}

// coldLead stores a cold lead as the API does (cold_lead and
// pre_subscription): the provider sees it among its subscriptions.
func (h *Handler) coldLead(w http.ResponseWriter, r *http.Request, s *shop) {
	f := newForm(r.PostForm)
	in := subscriptionInput(r.PostForm, planByID(s.Catalog, r.PostForm.Get("plano")))
	in.PreSubscription = true
	in.ColdLead = storefront.Opt[bool]{Set: true, Value: true}
	if _, err := h.svc.Subscribe(r.Context(), s.Provider.ID, in); err != nil {
		if !f.Fail(err) {
			web.Render(w, r, err)
			return
		}
		h.renderColdLead(w, r, http.StatusUnprocessableEntity, s, f)
		return
	}
	web.SeeOther(w, r, s.Base+"/sem-cobertura/obrigado")
}

func (h *Handler) coldLeadThanks(w http.ResponseWriter, r *http.Request, s *shop) {
	h.render(w, r, http.StatusOK, "thanks", "Recebemos seu contato", s, nil)
}

// --- a stored subscription: documents, confirmation ---

type subscriptionHandler func(w http.ResponseWriter, r *http.Request, s *shop, sub *storefront.Subscription)

// subscription resolves {uuid} among the provider's subscriptions: the
// UUID is the visitor's only key to it, as in the API.
func (h *Handler) subscription(next subscriptionHandler) shopHandler {
	return func(w http.ResponseWriter, r *http.Request, s *shop) {
		sub, err := h.svc.Subscription(r.Context(), s.Provider.ID, r.PathValue("uuid"))
		if err != nil {
			web.Render(w, r, err)
			return
		}
		next(w, r, s, &sub)
	}
}

// document is one of the three uploads as the page shows it.
type document struct {
	Field, ID, Label, Hint, Capture string
	Received                        bool
	Errors                          []string
}

type documentsView struct {
	Reference string
	Action    string
	Documents []document
	Form      *web.Form
}

var documentCopy = map[storefront.FileKind][3]string{
	storefront.ProofOfResidence: {"Comprovante de residência", "Conta de luz, água ou telefone recente, em PDF ou foto.", ""},
	storefront.IdentityDocument: {"RG (foto do documento)", "Frente do documento, legível.", "environment"},
	storefront.Selfie:           {"Selfie", "Uma foto do seu rosto, sem óculos escuros.", "user"},
}

func (h *Handler) documentsPage(w http.ResponseWriter, r *http.Request, s *shop, sub *storefront.Subscription) {
	h.renderDocuments(w, r, http.StatusOK, s, sub, newForm(nil))
}

func (h *Handler) renderDocuments(w http.ResponseWriter, r *http.Request, status int, s *shop, sub *storefront.Subscription, f *web.Form) {
	v := documentsView{Reference: sub.ID, Form: f,
		Action: s.Base + "/assinaturas/" + sub.ID + "/documentos?" + url.Values{web.CSRFField: {s.CSRF()}}.Encode()}
	for _, k := range storefront.FileKinds {
		name := "files[" + string(k) + "]"
		c := documentCopy[k]
		v.Documents = append(v.Documents, document{Field: name, ID: web.FieldID(name), Label: c[0], Hint: c[1], Capture: c[2],
			Received: slices.ContainsFunc(sub.Files, func(f storefront.SubscriptionFile) bool { return f.Kind == k }),
			Errors:   f.Errors[name]})
	}
	h.render(w, r, status, "documents", "Documentos", s, v)
}

// uploadDocuments streams the files to the service (AttachFiles, as the
// API's POST …/files); when all three are in, the confirmation follows.
func (h *Handler) uploadDocuments(w http.ResponseWriter, r *http.Request, s *shop, sub *storefront.Subscription) {
	if !h.csrf.Valid(r, r.URL.Query().Get(web.CSRFField)) {
		web.RenderError(w, r, http.StatusForbidden)
		return
	}
	if _, err := h.svc.AttachFiles(r.Context(), s.Provider.ID, sub.ID, upload.FromRequest(r)); err != nil {
		f := newForm(nil)
		if !f.Fail(err) {
			web.Render(w, r, err)
			return
		}
		h.renderDocuments(w, r, http.StatusUnprocessableEntity, s, sub, f)
		return
	}
	stored, err := h.svc.Subscription(r.Context(), s.Provider.ID, sub.ID)
	if err != nil {
		web.Render(w, r, err)
		return
	}
	if len(stored.Files) < len(storefront.FileKinds) {
		web.SeeOther(w, r, s.Base+"/assinaturas/"+sub.ID+"/documentos")
		return
	}
	web.SeeOther(w, r, s.Base+"/assinaturas/"+sub.ID)
}

type confirmationView struct {
	Reference string
	Plan      *planView
	Coverage  bool
	Missing   []string
}

// confirmation shows the reference and what is still missing; no personal
// data, since the URL is all it takes to see it.
func (h *Handler) confirmation(w http.ResponseWriter, r *http.Request, s *shop, sub *storefront.Subscription) {
	v := confirmationView{Reference: sub.ID, Coverage: sub.Coverage}
	if p := planByID(s.Catalog, strconv.FormatInt(sub.PlanID, 10)); p != nil {
		pv := viewPlan(s.Catalog, p)
		v.Plan = &pv
	}
	for _, k := range storefront.FileKinds {
		if !slices.ContainsFunc(sub.Files, func(f storefront.SubscriptionFile) bool { return f.Kind == k }) {
			v.Missing = append(v.Missing, documentCopy[k][0])
		}
	}
	h.render(w, r, http.StatusOK, "confirmation", "Cadastro recebido", s, v)
}
