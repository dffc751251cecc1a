package companies

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/httpx"
	"partnership-service/internal/webhook"
)

// Prefixes are the paths the Companies surface answers; its envelope
// applies to unknown routes under them too.
var Prefixes = []string{"/api/v4/", "/api/v3/"}

// maxBody caps a company or login body: a company with hundreds of demand
// entries is a few tens of KiB.
const maxBody = 256 << 10

// Handler serves the Companies API.
type Handler struct {
	// Guard rate-limits each token and makes its user's writes idempotent
	// (Idempotency-Key); nil: neither.
	Guard *httpx.Guard

	svc *Service
	// states is the pre-encoded state list: reference data never changes
	// while the process runs.
	states []byte
	// Webhooks serves the accounts' webhook endpoints; nil: no such routes.
	Webhooks *webhook.Handlers
}

// NewHandler returns the HTTP side of svc.
func NewHandler(svc *Service) *Handler {
	states := svc.States()
	items := make([]stateJSON, len(states))
	for i, st := range states {
		items[i] = stateJSON{ID: st.IBGECode, UF: st.UF, Name: st.Name}
	}
	body, err := json.Marshal(listJSON[stateJSON]{Items: items, Total: len(items), PerPage: len(items), CurrentPage: 1})
	if err != nil {
		panic(err) // plain structs: cannot fail
	}
	return &Handler{svc: svc, states: body}
}

// authed resolves the bearer token into a session.
func (h *Handler) authed(next func(http.ResponseWriter, *http.Request, *Session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") {
			token = ""
		}
		sess, err := h.svc.Authenticate(r.Context(), strings.TrimSpace(token))
		if err != nil {
			Render(w, r, err)
			return
		}
		// Requests are counted per token; keys belong to the token's user.
		sum := sha256.Sum256([]byte(token))
		cred := httpx.Credential{RateKey: "companies-token:" + hex.EncodeToString(sum[:12]), KeyOwner: "companies:" + strconv.FormatInt(sess.User.ID, 10)}
		httpx.Serve(h.Guard, w, r, cred, Render, sess, next)
	}
}

// decodeObject reads a JSON object body; anything else is a 400.
func decodeObject(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, error) {
	var body map[string]json.RawMessage
	err := httpx.DecodeJSON(w, r, &body, maxBody)
	if err == nil {
		return body, nil
	}
	switch apperr.CodeOf(err) {
	case apperr.Invalid:
		e := fail(apperr.Invalid, "O corpo da requisição deve ser um objeto JSON válido.")
		e.Err = err
		return nil, e
	default:
		return nil, err // 413, 415: worded by Render
	}
}

type loginJSON struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// login: POST /api/v4/auth/login {email, password}.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	body, err := decodeObject(w, r)
	if err != nil {
		Render(w, r, err)
		return
	}
	var errs apperr.Fields
	creds := map[string]string{}
	for _, field := range []string{"email", "password"} {
		raw, ok := body[field]
		var s string
		switch {
		case !ok || isNull(raw):
			errs.Add(field, msgRequired(field))
		case json.Unmarshal(raw, &s) != nil:
			errs.Add(field, msgString(field))
		case s == "":
			errs.Add(field, msgRequired(field))
		default:
			creds[field] = s
		}
	}
	if err := errs.Err(apperr.Unprocessable); err != nil {
		Render(w, r, err)
		return
	}
	token, expires, err := h.svc.Login(r.Context(), creds["email"], creds["password"], clientIP(r))
	if err != nil {
		Render(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusOK, loginJSON{Token: token, ExpiresAt: expires})
}

// clientIP is the peer address. X-Forwarded-For is not trusted: anyone can
// send it, and it would let a guesser pick a fresh rate-limit bucket per
// request.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// --- wire shapes ---

type refJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type demandJSON struct {
	ValueKW   float64 `json:"value_kw"`
	StartDate string  `json:"start_date"`
}

// companyJSON is the seed's company, plus the other fields a client can
// write (external_id, contacts) and the timestamps.
type companyJSON struct {
	ID                   int64        `json:"id"`
	Name                 string       `json:"name"`
	UnitCode             *string      `json:"unit_code"`
	CNPJ                 *string      `json:"cnpj"`
	CorporateName        *string      `json:"corporate_name"`
	Address              *string      `json:"address"`
	Number               *string      `json:"number"`
	Complement           *string      `json:"complement"`
	District             *string      `json:"district"`
	ZipCode              *string      `json:"zip_code"`
	CNAE                 *string      `json:"cnae"`
	Parent               *refJSON     `json:"parent"`
	City                 *refJSON     `json:"city"`
	State                *refJSON     `json:"state"`
	EnergyDemandsOffPeak []demandJSON `json:"energy_demands_off_peak"`
	EnergyDemandsPeak    []demandJSON `json:"energy_demands_peak"`
	Account              refJSON      `json:"account"`
	CodeIBGE             *int64       `json:"code_ibge"`
	ExternalID           *string      `json:"external_id"`
	ContactName          *string      `json:"contact_name"`
	ContactTelephone     *string      `json:"contact_telephone"`
	ContactCellphone     *string      `json:"contact_cellphone"`
	ContactEmail         *string      `json:"contact_email"`
	CreatedAt            time.Time    `json:"created_at"`
	UpdatedAt            time.Time    `json:"updated_at"`
}

func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func ref(id int64, name string) *refJSON {
	if id == 0 {
		return nil
	}
	return &refJSON{ID: id, Name: name}
}

func demands(ds []EnergyDemand) []demandJSON {
	out := make([]demandJSON, len(ds))
	for i, d := range ds {
		out[i] = demandJSON{ValueKW: d.ValueKW, StartDate: d.StartDate}
	}
	return out
}

func toJSON(c *Company) companyJSON {
	var code *int64
	if c.CodeIBGE != 0 {
		code = &c.CodeIBGE
	}
	return companyJSON{
		ID: c.ID, Name: c.Name, UnitCode: str(c.UnitCode), CNPJ: str(c.CNPJ), CorporateName: str(c.CorporateName),
		Address: str(c.Address), Number: str(c.Number), Complement: str(c.Complement), District: str(c.District),
		ZipCode: str(c.ZipCode), CNAE: str(c.CNAE), Parent: ref(c.ParentID, c.ParentName),
		City: ref(c.CityID, c.CityName), State: ref(c.StateID, c.StateName),
		EnergyDemandsOffPeak: demands(c.EnergyDemandsOffPeak), EnergyDemandsPeak: demands(c.EnergyDemandsPeak),
		Account: refJSON{ID: c.AccountID, Name: c.AccountName}, CodeIBGE: code, ExternalID: str(c.ExternalID),
		ContactName: str(c.ContactName), ContactTelephone: str(c.ContactTelephone),
		ContactCellphone: str(c.ContactCellphone), ContactEmail: str(c.ContactEmail),
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
}

// listJSON is the seed's page envelope, shared by every list.
type listJSON[T any] struct {
	Items       []T `json:"items"`
	Total       int `json:"total"`
	PerPage     int `json:"per_page"`
	CurrentPage int `json:"current_page"`
}

// writeList answers a page, or 204 with no body when it is empty, as the
// seed does for a list with nothing to show.
func writeList[T any](w http.ResponseWriter, items []T, total, limit, page int) {
	if len(items) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, listJSON[T]{Items: items, Total: total, PerPage: limit, CurrentPage: page})
}

// --- companies ---

func (h *Handler) listCompanies(w http.ResponseWriter, r *http.Request, sess *Session) {
	q, err := ParseListQuery(r.URL.Query())
	if err == nil {
		q.UpdatedSince, err = httpx.ParseUpdatedSince(r)
	}
	if err != nil {
		Render(w, r, err)
		return
	}
	p, err := h.svc.ListCompanies(r.Context(), sess, q)
	if err != nil {
		Render(w, r, err)
		return
	}
	items := make([]companyJSON, len(p.Items))
	for i := range p.Items {
		items[i] = toJSON(&p.Items[i])
	}
	writeList(w, items, p.Total, p.Limit, p.Page)
}

// pathID reads {id}; an id that is not a positive integer names no company.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errCompanyNotFound()
	}
	return id, nil
}

// writeCompany answers c with status, or err.
func writeCompany(w http.ResponseWriter, r *http.Request, status int, c Company, err error) {
	if err != nil {
		Render(w, r, err)
		return
	}
	httpx.WriteJSON(w, status, toJSON(&c))
}

// companyInput reads a create or update body.
func companyInput(w http.ResponseWriter, r *http.Request) (CompanyInput, error) {
	body, err := decodeObject(w, r)
	if err != nil {
		return CompanyInput{}, err
	}
	return ParseCompanyInput(body)
}

func (h *Handler) getCompany(w http.ResponseWriter, r *http.Request, sess *Session) {
	id, err := pathID(r)
	var c Company
	if err == nil {
		c, err = h.svc.Company(r.Context(), sess, id)
	}
	writeCompany(w, r, http.StatusOK, c, err)
}

func (h *Handler) createCompany(w http.ResponseWriter, r *http.Request, sess *Session) {
	in, err := companyInput(w, r)
	var c Company
	if err == nil {
		c, err = h.svc.CreateCompany(r.Context(), sess, in)
	}
	if err == nil {
		w.Header().Set("Location", "/api/v4/companies/"+strconv.FormatInt(c.ID, 10))
	}
	writeCompany(w, r, http.StatusCreated, c, err)
}

func (h *Handler) updateCompany(w http.ResponseWriter, r *http.Request, sess *Session) {
	id, err := pathID(r)
	var in CompanyInput
	if err == nil {
		in, err = companyInput(w, r)
	}
	var c Company
	if err == nil {
		c, err = h.svc.UpdateCompany(r.Context(), sess, id, in)
	}
	writeCompany(w, r, http.StatusOK, c, err)
}

func (h *Handler) deleteCompany(w http.ResponseWriter, r *http.Request, sess *Session) {
	id, err := pathID(r)
	if err == nil {
		if err = h.svc.DeleteCompany(r.Context(), sess, id); err == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	Render(w, r, err)
}

// --- audit log ---

type auditJSON struct {
	ID        int64           `json:"id"`
	CompanyID int64           `json:"company_id"`
	Action    AuditAction     `json:"action"`
	User      auditUserJSON   `json:"user"`
	At        time.Time       `json:"at"`
	Changes   json.RawMessage `json:"changes"`
}

func toAuditJSON(e AuditEntry) auditJSON {
	return auditJSON{ID: e.ID, CompanyID: e.CompanyID, Action: e.Action,
		User: auditUserJSON{ID: e.UserID, Email: e.UserEmail}, At: e.At, Changes: e.Changes}
}

type auditUserJSON struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
}

// auditLog: GET /api/v4/audit-log?company_id=&_limit=&_page=.
func (h *Handler) auditLog(w http.ResponseWriter, r *http.Request, sess *Session) {
	q := r.URL.Query()
	var errs apperr.Fields
	limit, page := pageParams(q, DefaultLimit, &errs)
	var companyID int64
	if ids := ids(q, "company_id", &errs); len(ids) > 0 {
		companyID = ids[0]
	}
	if err := errs.Err(apperr.Unprocessable); err != nil {
		Render(w, r, err)
		return
	}
	p, err := h.svc.AuditLog(r.Context(), sess, companyID, limit, page)
	if err != nil {
		Render(w, r, err)
		return
	}
	items := make([]auditJSON, len(p.Items))
	for i, e := range p.Items {
		items[i] = toAuditJSON(e)
	}
	writeList(w, items, p.Total, p.Limit, p.Page)
}

// --- reference data ---

type stateJSON struct {
	ID   int    `json:"id"`
	UF   string `json:"uf"`
	Name string `json:"name"`
}

type cityJSON struct {
	ID      int    `json:"id"`
	Name    string `json:"name"`
	StateID int    `json:"state_id"`
}

func (h *Handler) listStates(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=86400")
	httpx.WriteRawJSON(w, http.StatusOK, h.states)
}

// listCities: GET /api/v4/cities?state_id=&_q=&_limit=&_page=.
func (h *Handler) listCities(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var errs apperr.Fields
	limit, page := pageParams(q, MaxLimit, &errs)
	var stateID int64
	if ids := ids(q, "state_id", &errs); len(ids) > 0 {
		stateID = ids[0]
	}
	query := first(q, "_q")
	if len(query) > maxQueryLen {
		errs.Add("_q", msgMax("_q", maxQueryLen))
	}
	if err := errs.Err(apperr.Unprocessable); err != nil {
		Render(w, r, err)
		return
	}
	p, err := h.svc.Cities(stateID, query, limit, page)
	if err != nil {
		Render(w, r, err)
		return
	}
	items := make([]cityJSON, len(p.Items))
	for i, c := range p.Items {
		items[i] = cityJSON{ID: c.IBGECode, Name: c.Name, StateID: c.StateID}
	}
	writeList(w, items, p.Total, p.Limit, p.Page)
}
