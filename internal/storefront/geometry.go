package storefront

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// Point is a WGS 84 position.
type Point struct {
	Lat, Lng float64
}

// Geometry is a GeoJSON Polygon or MultiPolygon (RFC 7946), parsed for
// point-in-polygon tests. Each polygon's first ring is its outer boundary;
// the others are holes.
type Geometry struct {
	polygons []polygon
	raw      []byte // canonical GeoJSON, as stored and shown
}

type polygon struct {
	rings                  [][][2]float64 // [lng, lat] positions, closed
	minX, minY, maxX, maxY float64        // bounding box of the outer ring
}

// Limits on what an admin may upload, so one area cannot make every coverage
// check slow.
const (
	maxPolygons       = 1000
	maxGeometryPoints = 100_000
)

// ParseGeometry reads a GeoJSON Polygon or MultiPolygon, or a Feature whose
// geometry is one. It checks that rings are closed, have at least four
// positions, and hold valid longitudes and latitudes. Errors are messages for
// the admin, in Portuguese like the rest of the surface.
func ParseGeometry(b []byte) (*Geometry, error) { return parseGeometry(b, true) }

func parseGeometry(b []byte, featureAllowed bool) (*Geometry, error) {
	var g struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
		Geometry    json.RawMessage `json:"geometry"`
	}
	if err := json.Unmarshal(b, &g); err != nil {
		return nil, errors.New("GeoJSON inválido")
	}
	var polys [][][][2]float64
	switch g.Type {
	case "Feature":
		if !featureAllowed {
			return nil, errors.New("tipo deve ser Polygon ou MultiPolygon")
		}
		if len(g.Geometry) == 0 || bytes.Equal(g.Geometry, []byte("null")) {
			return nil, errors.New("feature sem geometria")
		}
		return parseGeometry(g.Geometry, false)
	case "Polygon":
		var p [][][2]float64
		if err := json.Unmarshal(g.Coordinates, &p); err != nil {
			return nil, errors.New("coordenadas de Polygon inválidas")
		}
		polys = [][][][2]float64{p}
	case "MultiPolygon":
		if err := json.Unmarshal(g.Coordinates, &polys); err != nil {
			return nil, errors.New("coordenadas de MultiPolygon inválidas")
		}
	default:
		return nil, errors.New("tipo deve ser Polygon ou MultiPolygon")
	}
	if len(polys) == 0 || len(polys) > maxPolygons {
		return nil, fmt.Errorf("deve ter entre 1 e %d polígonos", maxPolygons)
	}
	geom := &Geometry{polygons: make([]polygon, 0, len(polys))}
	points := 0
	for _, rings := range polys {
		if len(rings) == 0 {
			return nil, errors.New("polígono sem anéis")
		}
		for _, ring := range rings {
			points += len(ring)
			if points > maxGeometryPoints {
				return nil, fmt.Errorf("no máximo %d posições", maxGeometryPoints)
			}
			if len(ring) < 4 {
				return nil, errors.New("cada anel deve ter ao menos 4 posições")
			}
			if ring[0] != ring[len(ring)-1] {
				return nil, errors.New("cada anel deve terminar na posição em que começa")
			}
			for _, pos := range ring {
				if !validLng(pos[0]) || !validLat(pos[1]) {
					return nil, errors.New("posições são [longitude, latitude] com longitude entre -180 e 180 e latitude entre -90 e 90")
				}
			}
		}
		geom.polygons = append(geom.polygons, newPolygon(rings))
	}
	if len(polys) == 1 {
		geom.raw, _ = json.Marshal(map[string]any{"type": "Polygon", "coordinates": polys[0]})
	} else {
		geom.raw, _ = json.Marshal(map[string]any{"type": "MultiPolygon", "coordinates": polys})
	}
	return geom, nil
}

func validLat(v float64) bool { return !math.IsNaN(v) && v >= -90 && v <= 90 }
func validLng(v float64) bool { return !math.IsNaN(v) && v >= -180 && v <= 180 }

func newPolygon(rings [][][2]float64) polygon {
	p := polygon{rings: rings, minX: math.Inf(1), minY: math.Inf(1), maxX: math.Inf(-1), maxY: math.Inf(-1)}
	for _, pos := range rings[0] {
		p.minX, p.maxX = min(p.minX, pos[0]), max(p.maxX, pos[0])
		p.minY, p.maxY = min(p.minY, pos[1]), max(p.maxY, pos[1])
	}
	return p
}

// JSON returns the canonical GeoJSON of g (a Polygon when it has one
// polygon, else a MultiPolygon).
func (g *Geometry) JSON() []byte { return g.raw }

// Contains reports whether pt lies inside one of g's polygons and outside
// that polygon's holes.
func (g *Geometry) Contains(pt Point) bool {
	x, y := pt.Lng, pt.Lat
	for i := range g.polygons {
		p := &g.polygons[i]
		if x < p.minX || x > p.maxX || y < p.minY || y > p.maxY {
			continue
		}
		if !ringContains(p.rings[0], x, y) {
			continue
		}
		inHole := false
		for _, hole := range p.rings[1:] {
			if ringContains(hole, x, y) {
				inHole = true
				break
			}
		}
		if !inHole {
			return true
		}
	}
	return false
}

// ringContains is the even-odd ray-casting test. Areas are neighbourhoods a
// few kilometres across, so treating coordinates as planar is exact enough.
func ringContains(ring [][2]float64, x, y float64) bool {
	inside := false
	for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
		xi, yi := ring[i][0], ring[i][1]
		xj, yj := ring[j][0], ring[j][1]
		if (yi > y) != (yj > y) && x < (xj-xi)*(y-yi)/(yj-yi)+xi {
			inside = !inside
		}
	}
	return inside
}

// Covers reports whether the area serves a visitor at pt (nil when unknown)
// with CEP cep (0 when unknown).
func (a *CoverageArea) Covers(pt *Point, cep int) bool {
	if a.Geometry != nil {
		return pt != nil && a.Geometry.Contains(*pt)
	}
	return cep != 0 && a.CEPStart <= cep && cep <= a.CEPEnd
}
