package simulate

import "math"

const metresPerDegree = 111194.93

// point is a latitude and longitude in degrees.
type point struct{ lat, lon float64 }

// frontLine is the Zaporizhzhia–Donetsk–Luhansk line of contact, south-west
// to north-east, roughly as it stood in 2024–2025 (towns near the line).
var frontLine = []point{
	{47.44, 35.28}, // Vasylivka
	{47.57, 35.78}, // Orikhiv
	{47.66, 36.26}, // Huliaipole
	{47.84, 36.83}, // Velyka Novosilka
	{47.78, 37.25}, // Vuhledar
	{47.98, 37.50}, // Kurakhove
	{48.14, 37.75}, // Avdiivka
	{48.40, 37.85}, // Toretsk
	{48.59, 37.83}, // Chasiv Yar
	{48.87, 38.10}, // Siversk
	{49.05, 38.22}, // Kreminna
}

// city is a target of drone and missile barrages.
type city struct {
	name   string
	centre point
	radius float64 // metres: where impacts fall
	region string
}

var cities = []city{
	{"Kyiv", point{50.4501, 30.5234}, 14_000, "UA-30"},
	{"Kharkiv", point{49.9935, 36.2304}, 11_000, "UA-63"},
	{"Odesa", point{46.4825, 30.7233}, 9_000, "UA-51"},
	{"Dnipro", point{48.4647, 35.0462}, 11_000, "UA-12"},
	{"Zaporizhzhia", point{47.8388, 35.1396}, 10_000, "UA-23"},
}

// ports are the Black Sea ports near Odesa that naval strikes target.
var ports = []point{
	{46.4990, 30.7520}, // Odesa
	{46.6230, 31.0100}, // Pivdennyi
	{46.3010, 30.6580}, // Chornomorsk
}

// seaBox bounds the waters south-east of Odesa where naval events happen.
var seaBox = [2]point{{45.90, 30.70}, {46.40, 31.60}}

// regionSeeds are rough centres of Ukraine's oblasts, for Locate.
var regionSeeds = []struct {
	code string
	p    point
}{
	{"UA-05", point{49.1, 28.5}}, {"UA-07", point{51.0, 25.0}}, {"UA-09", point{48.8, 39.2}},
	{"UA-12", point{48.4, 35.1}}, {"UA-14", point{48.0, 37.8}}, {"UA-18", point{50.5, 28.5}},
	{"UA-21", point{48.4, 23.1}}, {"UA-23", point{47.4, 35.6}}, {"UA-26", point{48.7, 24.5}},
	{"UA-32", point{50.2, 30.9}}, {"UA-35", point{48.5, 32.3}}, {"UA-43", point{45.3, 34.2}},
	{"UA-46", point{49.8, 24.0}}, {"UA-48", point{47.2, 32.0}}, {"UA-51", point{46.6, 30.3}},
	{"UA-53", point{49.6, 34.5}}, {"UA-56", point{51.0, 26.3}}, {"UA-59", point{50.9, 34.8}},
	{"UA-61", point{49.5, 25.6}}, {"UA-63", point{49.7, 36.5}}, {"UA-65", point{46.7, 33.4}},
	{"UA-68", point{49.4, 27.0}}, {"UA-71", point{49.3, 31.7}}, {"UA-74", point{51.3, 31.9}},
	{"UA-77", point{48.3, 25.9}},
}

// Locate is the simulator's coarse stand-in for oblast boundaries: Kyiv
// city within 16 km of its centre, otherwise the oblast whose rough centre
// is nearest, for points in a box around Ukraine and its coastal waters.
// It agrees with the regions the simulator writes into allegations, so
// evaluation can give it to fusion; it is not a gazetteer (internal/region
// is).
func Locate(lat, lon float64) (string, bool) {
	if lat < 44 || lat > 52.5 || lon < 22 || lon > 40.5 {
		return "", false
	}
	// Squared distances in degrees, longitude scaled by cos 48.5°: enough
	// to pick the nearest centre, and fast.
	const c = 0.6626
	d2 := func(p point) float64 {
		dy, dx := lat-p.lat, (lon-p.lon)*c
		return dx*dx + dy*dy
	}
	const kyiv = 16_000 / metresPerDegree
	if d2(cities[0].centre) <= kyiv*kyiv {
		return "UA-30", true
	}
	best, bestD := "", math.Inf(1)
	for _, s := range regionSeeds {
		if d := d2(s.p); d < bestD {
			best, bestD = s.code, d
		}
	}
	return best, true
}

// distance is the equirectangular distance in metres.
func distance(a, b point) float64 {
	dy := (a.lat - b.lat) * metresPerDegree
	dx := (a.lon - b.lon) * metresPerDegree * math.Cos((a.lat+b.lat)/2*math.Pi/180)
	return math.Hypot(dx, dy)
}

// offset moves p by dx metres east and dy metres north.
func offset(p point, dx, dy float64) point {
	return point{
		lat: p.lat + dy/metresPerDegree,
		lon: p.lon + dx/(metresPerDegree*math.Cos(p.lat*math.Pi/180)),
	}
}

// along returns the point at fraction u (0..1) of the polyline's length,
// and the unit vector (east, north) of its segment there.
func along(line []point, u float64) (point, float64, float64) {
	var lengths []float64
	total := 0.0
	for i := 1; i < len(line); i++ {
		d := distance(line[i-1], line[i])
		lengths = append(lengths, d)
		total += d
	}
	want := u * total
	for i, l := range lengths {
		if want <= l || i == len(lengths)-1 {
			a, b := line[i], line[i+1]
			f := math.Min(want/l, 1)
			p := point{a.lat + f*(b.lat-a.lat), a.lon + f*(b.lon-a.lon)}
			dx := (b.lon - a.lon) * metresPerDegree * math.Cos(a.lat*math.Pi/180)
			dy := (b.lat - a.lat) * metresPerDegree
			n := math.Hypot(dx, dy)
			return p, dx / n, dy / n
		}
		want -= l
	}
	return line[len(line)-1], 1, 0
}
