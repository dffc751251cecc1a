package energy

import (
	"context"
	"time"
)

// LeadTallies are the counts the store keeps with the leads (per status,
// and per creation day and status), read without touching a lead.
type LeadTallies struct {
	ByStatus map[LeadStatus]int
	ByDay    []DayTally
}

// DayTally is how many leads created on Day (LeadDay) are in Status.
type DayTally struct {
	Day    string
	Status LeadStatus
	Leads  int
}

// PipelineReport is a partner's pipeline in figures: its leads per status,
// per creation day over the last days, and the conversion funnel.
type PipelineReport struct {
	ByStatus map[LeadStatus]int
	Total    int
	// Days are the report's days, oldest first, each with the leads
	// created on it (whatever their status now).
	Days []DayLeads
	// Funnel is the journey's stages in order: how many leads reached each.
	Funnel []FunnelStage
}

// DayLeads is how many leads were created on a day.
type DayLeads struct {
	Day   time.Time // midnight, America/Sao_Paulo
	Leads int
}

// FunnelStage is how many leads reached Status: every lead starts in
// indicado, a lead in assinado went through negociacao, and a
// disqualified lead counts in the first stage only (its history, not its
// tally, would tell how far it went).
type FunnelStage struct {
	Status LeadStatus
	Leads  int
}

// ReportDays is how many days the pipeline report's daily series covers.
const ReportDays = 30

// Report answers the caller's pipeline figures from the tallies: a few
// rows per day and status, whatever the number of leads.
func (s *LeadService) Report(ctx context.Context, p Principal) (PipelineReport, error) {
	var q LeadQuery
	if !p.scope(&q) {
		return PipelineReport{}, nil
	}
	today, _ := time.ParseInLocation(time.DateOnly, LeadDay(s.now()), saoPaulo)
	first := today.AddDate(0, 0, 1-ReportDays)
	t, err := s.store.LeadTallies(ctx, p.PartnerID, q.SellerName, LeadDay(first))
	if err != nil {
		return PipelineReport{}, err
	}
	r := PipelineReport{ByStatus: t.ByStatus}
	if r.ByStatus == nil {
		r.ByStatus = map[LeadStatus]int{}
	}
	for _, n := range r.ByStatus {
		r.Total += n
	}
	perDay := map[string]int{}
	for _, d := range t.ByDay {
		perDay[d.Day] += d.Leads
	}
	for d := first; !d.After(today); d = d.AddDate(0, 0, 1) {
		r.Days = append(r.Days, DayLeads{Day: d, Leads: perDay[LeadDay(d)]})
	}
	signed := r.ByStatus[StatusAssinado]
	r.Funnel = []FunnelStage{
		{StatusIndicado, r.Total},
		{StatusNegociacao, r.ByStatus[StatusNegociacao] + signed},
		{StatusAssinado, signed},
	}
	return r, nil
}

// Export calls each with every lead q's filters match (paging aside) that
// the caller sees, in list order, as the store streams them: an export of
// a million leads holds one lead at a time.
func (s *LeadService) Export(ctx context.Context, p Principal, q LeadQuery, each func(Lead) error) error {
	if !p.scope(&q) {
		return nil
	}
	return s.store.ExportLeads(ctx, p.PartnerID, q, each)
}
