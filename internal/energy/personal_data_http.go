package energy

import (
	"net/http"
	"time"

	"partnership-service/internal/httpx"
)

// personalDataBody is the LGPD export of a lead: the lead as partners read
// it, the full evidence of every signature and the contract's hash.
type personalDataBody struct {
	ExportedAt time.Time               `json:"exportedAt"`
	Lead       leadBody                `json:"lead"`
	Contract   *contractEvidenceBody   `json:"contract"`
	Signatures []signatureEvidenceBody `json:"signatureEvidence"`
}

type contractEvidenceBody struct {
	SHA256    string    `json:"sha256"`
	Size      int64     `json:"size"`
	CreatedAt time.Time `json:"createdAt"`
}

// signatureEvidenceBody is a signature as the lead shows it, and the
// evidence of how it was given.
type signatureEvidenceBody struct {
	signatureBody
	IP             string `json:"ip"`
	ForwardedFor   string `json:"forwardedFor"`
	UserAgent      string `json:"userAgent"`
	ContractSHA256 string `json:"contractSha256"`
}

func (a *API) personalData(w http.ResponseWriter, r *http.Request, p Principal) {
	d, err := a.Leads.PersonalData(r.Context(), p, r.PathValue("id"))
	a.answerPersonalData(w, r, d, err)
}

func (a *API) erasePersonalData(w http.ResponseWriter, r *http.Request, p Principal) {
	d, err := a.Leads.ErasePersonalData(r.Context(), p, r.PathValue("id"))
	a.answerPersonalData(w, r, d, err)
}

func (a *API) answerPersonalData(w http.ResponseWriter, r *http.Request, d PersonalData, err error) {
	if err != nil {
		Render(w, r, err)
		return
	}
	b := personalDataBody{ExportedAt: a.Leads.clock(), Lead: a.Leads.leadBody(a.PublicURL, d.Lead), Signatures: []signatureEvidenceBody{}}
	if c := d.Lead.Contract; c != nil {
		b.Contract = &contractEvidenceBody{SHA256: c.SHA256, Size: c.Size, CreatedAt: c.CreatedAt}
	}
	for _, s := range d.Signatures {
		b.Signatures = append(b.Signatures, signatureEvidenceBody{signatureBody{s.SignerName, s.SignerCPF, s.SignedAt}, s.IP, s.ForwardedFor, s.UserAgent, s.ContractSHA256})
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusOK, b)
}
