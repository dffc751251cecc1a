package console

import (
	"strconv"
	"time"

	"partnership-service/internal/energy"
	"partnership-service/internal/web"
)

// The pipeline's charts, drawn on the server as SVG: no library, no
// script, and each comes with its figures as a table for screen readers.

// Chart geometry, in SVG user units (the SVG scales to its box).
const (
	chartW, chartH = 600, 200
	chartTop       = 20  // room for the tallest bar's figure
	chartBottom    = 170 // the baseline; day labels below it
)

// bar is one bar of a chart.
type bar struct {
	X, Y, W, H   int
	Label, Value string
	// LabelX and ValueY place the texts; ShowLabel: the day label is
	// drawn (every fifth day, so they do not overlap).
	LabelX, ValueY int
	ShowLabel      bool
}

type barChart struct {
	Bars   []bar
	Max    int
	Total  int
	Width  int
	Height int
	Base   int
}

// dayChart draws the leads per day.
func dayChart(days []energy.DayLeads) barChart {
	c := barChart{Width: chartW, Height: chartH, Base: chartBottom}
	for _, d := range days {
		c.Max = max(c.Max, d.Leads)
		c.Total += d.Leads
	}
	if len(days) == 0 {
		return c
	}
	slot := chartW / len(days)
	for i, d := range days {
		h := 0
		if c.Max > 0 {
			h = d.Leads * (chartBottom - chartTop) / c.Max
		}
		x := i*slot + 2
		c.Bars = append(c.Bars, bar{X: x, Y: chartBottom - h, W: slot - 4, H: h,
			Label: dayLabel(d.Day), Value: strconv.Itoa(d.Leads), LabelX: x + (slot-4)/2, ValueY: chartBottom - h - 4,
			ShowLabel: (len(days)-1-i)%5 == 0})
	}
	return c
}

func dayLabel(t time.Time) string { return web.Date(t)[:5] }

// funnelStep is one stage of the funnel as drawn: a bar whose width is its
// share of the first stage's leads.
type funnelStep struct {
	Label   string
	Leads   int
	Percent string // of the first stage
	Y, W    int
}

type funnelChart struct {
	Steps  []funnelStep
	Width  int
	Height int
}

// funnel draws indicado → negociacao → assinado.
func funnel(stages []energy.FunnelStage) funnelChart {
	c := funnelChart{Width: chartW, Height: len(stages)*50 + 10}
	first := 0
	if len(stages) > 0 {
		first = stages[0].Leads
	}
	for i, st := range stages {
		w, pct := 0, "0%"
		if first > 0 {
			w = st.Leads * (chartW - 280) / first
			pct = strconv.Itoa(st.Leads*100/first) + "%"
		}
		c.Steps = append(c.Steps, funnelStep{Label: statusLabels[st.Status], Leads: st.Leads, Percent: pct, Y: i*50 + 10, W: max(w, 2)})
	}
	return c
}
