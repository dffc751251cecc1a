package provedor

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"partnership-service/internal/storefront"
	"partnership-service/internal/web"
)

// perPage is how many subscriptions a list page shows.
const perPage = 25

// statusLabels word each status for people.
var statusLabels = map[storefront.SubscriptionStatus]string{
	storefront.StatusColdLead:          "Sem cobertura",
	storefront.StatusAwaitingDocuments: "Aguardando documentos",
	storefront.StatusComplete:          "Completa",
}

// fileLabels name each document.
var fileLabels = map[storefront.FileKind]string{
	storefront.ProofOfResidence: "Comprovante de residência",
	storefront.IdentityDocument: "RG",
	storefront.Selfie:           "Selfie",
}

type statusOption struct {
	Value, Label string
	Selected     bool
}

type listView struct {
	Subscriptions []storefront.Subscription
	Total         int
	Page, Pages   int
	Statuses      []statusOption
	Status        string
	Prev, Next    string // the neighbouring pages' addresses; "" at the ends
}

// subscriptions: GET /provedor/assinaturas?situacao=&pagina=. An unknown
// status or a page that is not a number from 1 is a 400 page.
func (h *Handler) subscriptions(w http.ResponseWriter, r *http.Request, c *console) {
	q := r.URL.Query()
	status := storefront.SubscriptionStatus(q.Get("situacao"))
	page := 1
	if s := q.Get("pagina"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1_000_000 {
			web.RenderError(w, r, http.StatusBadRequest)
			return
		}
		page = n
	}
	if status != "" && !slices.Contains(storefront.SubscriptionStatuses, status) {
		web.RenderError(w, r, http.StatusBadRequest)
		return
	}
	subs, total, err := h.svc.Subscriptions(r.Context(), c.Provider.ID,
		storefront.Page{Limit: perPage, Offset: (page - 1) * perPage, Status: status})
	if err != nil {
		web.Render(w, r, err)
		return
	}
	v := listView{Subscriptions: subs, Total: total, Page: page, Pages: max(1, (total+perPage-1)/perPage), Status: string(status)}
	for _, s := range storefront.SubscriptionStatuses {
		v.Statuses = append(v.Statuses, statusOption{Value: string(s), Label: statusLabels[s], Selected: s == status})
	}
	link := func(p int) string {
		q := url.Values{}
		if status != "" {
			q.Set("situacao", string(status))
		}
		if p > 1 {
			q.Set("pagina", strconv.Itoa(p))
		}
		if len(q) == 0 {
			return Base + "assinaturas"
		}
		return Base + "assinaturas?" + q.Encode()
	}
	if page > 1 {
		v.Prev = link(min(page-1, v.Pages))
	}
	if page < v.Pages {
		v.Next = link(page + 1)
	}
	h.render(w, r, http.StatusOK, "assinaturas", "Assinaturas", c, v)
}

type fileView struct {
	Kind, Label string
	Present     bool
	File        storefront.SubscriptionFile
}

type detailView struct {
	Sub    storefront.Subscription
	Status string
	Coupon string // the coupon's name; "" without one
	Files  []fileView
}

// subscription: GET /provedor/assinaturas/{uuid}.
func (h *Handler) subscription(w http.ResponseWriter, r *http.Request, c *console) {
	sub, err := h.svc.Subscription(r.Context(), c.Provider.ID, r.PathValue("uuid"))
	if err != nil {
		web.Render(w, r, err)
		return
	}
	v := detailView{Sub: sub, Status: statusLabels[sub.Status()]}
	if sub.CouponID != 0 {
		cp, err := h.svc.Coupon(r.Context(), c.Provider.ID, sub.CouponID)
		if err != nil {
			web.Render(w, r, err)
			return
		}
		v.Coupon = cp.Name
	}
	for _, k := range storefront.FileKinds {
		fv := fileView{Kind: string(k), Label: fileLabels[k]}
		for _, f := range sub.Files {
			if f.Kind == k {
				fv.Present, fv.File = true, f
			}
		}
		v.Files = append(v.Files, fv)
	}
	h.render(w, r, http.StatusOK, "assinatura", "Assinatura de "+orDash(sub.Name), c, v)
}

// subscriptionFile: GET /provedor/assinaturas/{uuid}/arquivos/{kind}.
func (h *Handler) subscriptionFile(w http.ResponseWriter, r *http.Request, c *console) {
	storefront.ServeSubscriptionFile(w, r, h.svc, c.Provider.ID, r.PathValue("uuid"), storefront.FileKind(r.PathValue("kind")), web.Render)
}

// exportSubscriptions: GET /provedor/assinaturas.csv, the admin API's export.
func (h *Handler) exportSubscriptions(w http.ResponseWriter, r *http.Request, c *console) {
	w.Header().Set("Cache-Control", "no-store")
	storefront.ServeSubscriptionsCSV(w, r, h.svc, c.Provider.ID)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
