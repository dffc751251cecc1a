package admin

import (
	"net/http"
	"strconv"

	"partnership-service/internal/audit"
	"partnership-service/internal/web"
)

// auditPerPage is how many entries a page of the trail shows.
const auditPerPage = 50

type auditView struct {
	Entries    []audit.Entry
	Page       int
	Prev, Next string
	Total      int
}

// auditPage shows the trail, newest first, auditPerPage at a time.
func (h *Handler) auditPage(q *request) {
	page := 1
	if s := q.r.URL.Query().Get("pagina"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1_000_000 {
			web.RenderError(q.w, q.r, http.StatusBadRequest)
			return
		}
		page = n
	}
	entries, total, err := h.cfg.Audit.Page(q.r.Context(), (page-1)*auditPerPage, auditPerPage)
	if err != nil {
		web.Render(q.w, q.r, err)
		return
	}
	v := auditView{Entries: entries, Page: page, Total: total}
	if page > 1 {
		v.Prev = Base + "auditoria?pagina=" + strconv.Itoa(page-1)
	}
	if page*auditPerPage < total {
		v.Next = Base + "auditoria?pagina=" + strconv.Itoa(page+1)
	}
	h.render(q, http.StatusOK, "audit", "auditoria", "Auditoria", v)
}
