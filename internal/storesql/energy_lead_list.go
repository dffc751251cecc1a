package storesql

import (
	"context"
	"math"
	"strings"

	"partnership-service/internal/energy"
)

// The lead list, written once for both engines. A partner may hold a
// million leads that share a name, a day and a seller (issue 13), so no
// answer may cost a count or a sort over every match:
//
//   - The seller, day and status filters are counted from tallies kept with
//     the leads (energy_lead_counts, energy_lead_tallies): exact, a few rows.
//     Their page is an index range in list order (created_at, id): its ids
//     are skipped to and read from the index alone, then the table is read
//     for the page's rows only.
//   - A customer filter (a name or document prefix) has no tally: its matches
//     are counted from its indexes, which hold the list order and the other
//     filters' columns (migration 00480), at most TotalCap+1 of them. Up to
//     TotalCap matches are counted exactly, and filtered and sorted from
//     those indexes alone. More are not counted (LeadTotal.Capped), and
//     their page comes from walking the list order and testing the names on
//     the way, which finds a page at once precisely because they are many.
//   - When the other filters match few leads (at most TotalCap) and fewer
//     than the customer filter, they drive instead: their matches are read
//     and the customer filter tested on each.
//
// One case stays linear: a customer filter and other filters that each
// match many leads but together few (a common name among a big seller's
// leads, nearly none of them by that name) read the customer's index
// range through, from the index alone, to find those few.
//
// TestLeadListPlans (SQLite) holds each case to its index.

// listTallySQL sums the tallies of the seller, day and status filters; the
// filters' conditions follow.
const listTallySQL = `SELECT coalesce(sum(leads), 0) FROM energy_lead_tallies WHERE partner_id = ?`

// listOrder is the list's order, newest first.
const listOrder = ` ORDER BY created_at DESC, id DESC`

// leadList is one ListLeads call.
type leadList struct {
	s         EnergyLeads
	partnerID string
	q         energy.LeadQuery
	cap       int // q.TotalCap, or no cap
}

// ListLeads implements energy.LeadStore.
func (s EnergyLeads) ListLeads(ctx context.Context, partnerID string, q energy.LeadQuery) ([]energy.Lead, energy.LeadTotal, error) {
	l := leadList{s: s, partnerID: partnerID, q: q, cap: q.TotalCap}
	if l.cap <= 0 {
		l.cap = math.MaxInt32
	}
	leads, total, err := l.run(ctx)
	return leads, total, s.mapError(err)
}

func (l leadList) run(ctx context.Context) ([]energy.Lead, energy.LeadTotal, error) {
	if !l.q.UpdatedSince.IsZero() {
		return l.feed(ctx)
	}
	others, err := l.othersCount(ctx)
	if err != nil {
		return nil, energy.LeadTotal{}, err
	}
	if l.q.Customer == nil {
		return l.page(ctx, energy.LeadTotal{Count: others}, l.orderedIDs)
	}
	if others == 0 { // the customer's matches among none
		return []energy.Lead{}, energy.LeadTotal{}, nil
	}
	if others <= l.cap {
		// When the other filters match few leads and fewer than the
		// customer filter (counted only that far), they drive, and their
		// matches are all read to count the customer's among them.
		customers, err := l.count(ctx, false, others+1)
		if err != nil {
			return nil, energy.LeadTotal{}, err
		}
		if others < customers {
			n, err := Scalar[int](l.s.reads.QueryRow(ctx, `SELECT count(*) FROM energy_leads WHERE `+l.where(true), l.args(true)...))
			if err != nil {
				return nil, energy.LeadTotal{}, err
			}
			return l.page(ctx, energy.LeadTotal{Count: n}, l.orderedIDs)
		}
	}
	n, err := l.count(ctx, true, l.cap+1)
	if err != nil {
		return nil, energy.LeadTotal{}, err
	}
	if n <= l.cap {
		return l.page(ctx, energy.LeadTotal{Count: n}, l.customerIDs)
	}
	return l.page(ctx, energy.LeadTotal{Count: l.cap, Capped: true}, l.orderedIDs)
}

// feed answers a change feed (UpdatedSince): the leads changed after it,
// in the order they changed, walked on the (partner_id, updated_at, id)
// index with the other filters tested on each row. A poller asks for what
// changed since its last call, which is few leads; when many match, the
// total is counted up to the cap, like a customer filter's.
func (l leadList) feed(ctx context.Context) ([]energy.Lead, energy.LeadTotal, error) {
	where := l.where(true) + ` AND updated_at > ?`
	args := append(l.args(true), LeadTime(l.q.UpdatedSince))
	n, err := Scalar[int](l.s.reads.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM energy_leads WHERE `+where+
		` LIMIT ?) AS matches`, append(args, l.cap+1)...))
	if err != nil {
		return nil, energy.LeadTotal{}, err
	}
	total := energy.LeadTotal{Count: min(n, l.cap), Capped: n > l.cap}
	if !total.Capped && total.Count <= l.q.Offset() {
		return []energy.Lead{}, total, nil
	}
	leads, err := QueryAll(ctx, l.s.reads, ScanLead, `SELECT `+LeadColumns+` FROM energy_leads WHERE `+where+
		` ORDER BY updated_at, id LIMIT ? OFFSET ?`, append(args, l.q.Limit, l.q.Offset())...)
	if err != nil {
		return nil, total, err
	}
	page := NewLeadPage(leads)
	return page.Leads, total, l.documents(ctx, page)
}

// page reads the page whose ids ids selects (its query text and arguments,
// to be followed by LIMIT and OFFSET), with its documents.
func (l leadList) page(ctx context.Context, total energy.LeadTotal, ids func() (string, []any)) ([]energy.Lead, energy.LeadTotal, error) {
	if !total.Capped && total.Count <= l.q.Offset() {
		return []energy.Lead{}, total, nil
	}
	sel, args := ids()
	leads, err := QueryAll(ctx, l.s.reads, ScanLead, `SELECT `+LeadColumns+` FROM energy_leads WHERE id IN (`+sel+
		listOrder+` LIMIT ? OFFSET ?)`+listOrder, append(args, l.q.Limit, l.q.Offset())...)
	if err != nil {
		return nil, total, err
	}
	page := NewLeadPage(leads)
	return page.Leads, total, l.documents(ctx, page)
}

// documents loads the documents of a page of leads in one query.
func (l leadList) documents(ctx context.Context, page LeadPage) error {
	if len(page.Leads) == 0 {
		return nil
	}
	ids := page.IDs()
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := l.s.reads.Query(ctx, `SELECT lead_id, `+DocumentColumns+` FROM energy_lead_documents
		WHERE lead_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) ORDER BY uploaded_at, kind`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return EachRow(rows, page.ScanDocument)
}

// othersCount is the exact number of leads the seller, day and status
// filters match (all the partner's when there are none), from the tallies.
func (l leadList) othersCount(ctx context.Context) (int, error) {
	q := l.q
	if q.SellerName == "" && q.CreatedFrom.IsZero() {
		if q.Status == "" {
			return Scalar[int](l.s.reads.QueryRow(ctx, CountAllSQL, l.partnerID))
		}
		return Scalar[int](l.s.reads.QueryRow(ctx, CountStatusSQL, l.partnerID, string(q.Status)))
	}
	query, args := listTallySQL, []any{l.partnerID}
	if q.SellerName != "" {
		query, args = query+` AND seller_name_folded = ?`, append(args, q.SellerName)
	}
	if !q.CreatedFrom.IsZero() {
		query, args = query+` AND created_day = ?`, append(args, energy.LeadDay(q.CreatedFrom))
	}
	if q.Status != "" {
		query, args = query+` AND status = ?`, append(args, string(q.Status))
	}
	return Scalar[int](l.s.reads.QueryRow(ctx, query, args...))
}

// others is the seller, day and status conditions, each column prefixed
// with hint, and their arguments.
func (l leadList) others(hint string) (string, []any) {
	var sb strings.Builder
	var args []any
	if l.q.Status != "" {
		sb.WriteString(` AND ` + hint + `status = ?`)
		args = append(args, string(l.q.Status))
	}
	if l.q.SellerName != "" {
		sb.WriteString(` AND ` + hint + `seller_name_folded = ?`)
		args = append(args, l.q.SellerName)
	}
	if !l.q.CreatedFrom.IsZero() {
		sb.WriteString(` AND ` + hint + `created_at >= ? AND ` + hint + `created_at < ?`)
		args = append(args, LeadTime(l.q.CreatedFrom), LeadTime(l.q.CreatedTo))
	}
	return sb.String(), args
}

// arm is one of the customer filter's index ranges, with its arguments
// and the column its index is ordered by.
type arm struct {
	cond  string
	args  []any
	order string
}

// arms are the customer filter's index ranges: the document, or the full
// name and the company name (a lead matches when either does). The arms
// are disjoint, so their rows are added up (UNION ALL, which streams and
// stops at a LIMIT, where UNION would sort each arm): the company arm
// leaves out leads whose full name matches too, testing it on its index.
func (l leadList) arms() []arm {
	lo, hi := l.q.Customer.Prefix, energy.PrefixEnd(l.q.Customer.Prefix)
	if l.q.Customer.ByDocument {
		return []arm{{`identification_number >= ? AND identification_number < ?`, []any{lo, hi}, `identification_number`}}
	}
	h := l.s.noIndex
	return []arm{
		{`full_name_folded >= ? AND full_name_folded < ?`, []any{lo, hi}, `full_name_folded`},
		{`company_name_folded <> '' AND company_name_folded >= ? AND company_name_folded < ? AND NOT (` +
			h + `full_name_folded >= ? AND ` + h + `full_name_folded < ?)`, []any{lo, hi, lo, hi}, `company_name_folded`},
	}
}

// where is every filter for a scan in list order: the partner, the other
// filters on their index, and, when customer is set, the customer filter
// tested on each row (hinted off its indexes, which would lose the order).
func (l leadList) where(customer bool) string {
	others, _ := l.others("")
	where := `partner_id = ?` + others
	if customer && l.q.Customer != nil {
		h := l.s.noIndex
		if l.q.Customer.ByDocument {
			where += ` AND ` + h + `identification_number >= ? AND ` + h + `identification_number < ?`
		} else {
			where += ` AND (` + h + `full_name_folded >= ? AND ` + h + `full_name_folded < ? OR ` +
				h + `company_name_folded >= ? AND ` + h + `company_name_folded < ?)`
		}
	}
	return where
}

func (l leadList) args(customer bool) []any {
	_, others := l.others("")
	args := append([]any{l.partnerID}, others...)
	if customer && l.q.Customer != nil {
		lo, hi := l.q.Customer.Prefix, energy.PrefixEnd(l.q.Customer.Prefix)
		args = append(args, lo, hi)
		if !l.q.Customer.ByDocument {
			args = append(args, lo, hi)
		}
	}
	return args
}

// orderedIDs selects the page's ids in list order from the other filters'
// index, the customer filter tested on each row.
func (l leadList) orderedIDs() (string, []any) {
	return `SELECT id FROM energy_leads WHERE ` + l.where(true), l.args(true)
}

// union selects cols of the customer filter's matches from its indexes
// (each arm a covering range), the other filters tested on the index's
// columns when withOthers, each arm cut at limit rows unless limit is 0.
func (l leadList) union(cols string, withOthers bool, limit int) (string, []any) {
	others, otherArgs := "", []any(nil)
	if withOthers {
		others, otherArgs = l.others(l.s.noIndex)
	}
	var parts []string
	var args []any
	for i, a := range l.arms() {
		part := `SELECT ` + cols + ` FROM energy_leads WHERE partner_id = ? AND ` + a.cond + others
		args = append(append(append(args, l.partnerID), a.args...), otherArgs...)
		if limit > 0 {
			// In index order: PostgreSQL, told that nearly every lead
			// matches, would rather read the table until the limit than
			// the (far smaller) index, unless the index also gives the
			// order.
			part = `SELECT ` + cols + ` FROM (` + part + ` ORDER BY ` + a.order + ` LIMIT ?) AS arm` + string(rune('0'+i))
			args = append(args, limit)
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, ` UNION ALL `), args
}

// count counts the customer filter's matches (with the other filters when
// withOthers), up to limit in each arm: the count exceeds limit-1 exactly
// when that many match.
func (l leadList) count(ctx context.Context, withOthers bool, limit int) (int, error) {
	sel, args := l.union("id", withOthers, limit)
	return Scalar[int](l.s.reads.QueryRow(ctx, `SELECT count(*) FROM (`+sel+`) AS matches`, args...))
}

// customerIDs selects the page's ids among the customer filter's matches,
// at most the cap of them, sorted from their index.
func (l leadList) customerIDs() (string, []any) {
	sel, args := l.union("id, created_at", true, 0)
	return `SELECT id FROM (` + sel + `) AS matches`, args
}

// LeadTallies implements energy.LeadStore: the per-status counts of the
// partner (energy_lead_counts) or of one of its sellers, and the daily
// tallies from sinceDay on (energy_lead_tallies, on its day index).
func (s EnergyLeads) LeadTallies(ctx context.Context, partnerID, seller, sinceDay string) (energy.LeadTallies, error) {
	t := energy.LeadTallies{ByStatus: map[energy.LeadStatus]int{}}
	statusSQL, args := `SELECT status, leads FROM energy_lead_counts WHERE partner_id = ?`, []any{partnerID}
	daySQL, dayArgs := `SELECT created_day, status, sum(leads) FROM energy_lead_tallies WHERE partner_id = ? AND created_day >= ?`,
		[]any{partnerID, sinceDay}
	if seller != "" {
		statusSQL = `SELECT status, sum(leads) FROM energy_lead_tallies WHERE partner_id = ? AND seller_name_folded = ? GROUP BY status`
		args = append(args, seller)
		daySQL, dayArgs = daySQL+` AND seller_name_folded = ?`, append(dayArgs, seller)
	}
	// Two reads, not one snapshot: a lead created between them shows in
	// one figure a moment before the other, which a page of figures may.
	rows, err := s.reads.Query(ctx, statusSQL, args...)
	if err != nil {
		return t, s.mapError(err)
	}
	err = EachRow(rows, func(r Row) error {
		var status string
		var n int
		err := r.Scan(&status, &n)
		t.ByStatus[energy.LeadStatus(status)] += n
		return err
	})
	rows.Close()
	if err != nil {
		return t, s.mapError(err)
	}
	t.ByDay, err = QueryAll(ctx, s.reads, func(r Row) (energy.DayTally, error) {
		var d energy.DayTally
		err := r.Scan(&d.Day, &d.Status, &d.Leads)
		return d, err
	}, daySQL+` GROUP BY created_day, status ORDER BY created_day, status`, dayArgs...)
	return t, s.mapError(err)
}

// ExportLeads implements energy.LeadStore: the list's scan in list order,
// every filter tested on the way, streamed row by row.
func (s EnergyLeads) ExportLeads(ctx context.Context, partnerID string, q energy.LeadQuery, each func(energy.Lead) error) error {
	l := leadList{s: s, partnerID: partnerID, q: q}
	rows, err := s.reads.Query(ctx, `SELECT `+LeadColumns+` FROM energy_leads WHERE `+l.where(true)+listOrder, l.args(true)...)
	if err != nil {
		return s.mapError(err)
	}
	defer rows.Close()
	err = EachRow(rows, func(r Row) error {
		lead, err := ScanLead(r)
		if err != nil {
			return err
		}
		return each(lead)
	})
	return s.mapError(err)
}
