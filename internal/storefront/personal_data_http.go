package storefront

import (
	"net/http"
	"strings"
	"time"

	"partnership-service/internal/httpx"
)

type personalDataAttrs struct {
	ExportedAt   time.Time              `json:"exported_at"`
	Subscription adminSubscriptionAttrs `json:"subscription"`
	Erasures     []erasureJSON          `json:"erasures"`
}

type erasureJSON struct {
	ErasedAt time.Time `json:"erased_at"`
	ErasedBy string    `json:"erased_by"`
	Fields   []string  `json:"fields"`
}

func (h *Handler) personalData(w http.ResponseWriter, r *http.Request, providerID int64) {
	d, err := h.svc.PersonalData(r.Context(), providerID, r.PathValue("uuid"))
	h.answerPersonalData(w, r, d, err)
}

func (h *Handler) erasePersonalData(w http.ResponseWriter, r *http.Request, providerID int64) {
	// admin checked the token; the record names it by its hash.
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	d, err := h.svc.ErasePersonalData(r.Context(), providerID, r.PathValue("uuid"), TokenRef(strings.TrimSpace(token)))
	h.answerPersonalData(w, r, d, err)
}

func (h *Handler) answerPersonalData(w http.ResponseWriter, r *http.Request, d PersonalData, err error) {
	if err != nil {
		Render(w, r, err)
		return
	}
	a := personalDataAttrs{ExportedAt: h.svc.now(), Subscription: encodeSubscription(d.Subscription).Attributes, Erasures: []erasureJSON{}}
	for _, e := range d.Erasures {
		a.Erasures = append(a.Erasures, erasureJSON{e.At, e.By, e.Fields})
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusOK, one[resource[personalDataAttrs]]{Data: resource[personalDataAttrs]{ID: d.Subscription.ID, Type: "personal_data", Attributes: a}})
}
