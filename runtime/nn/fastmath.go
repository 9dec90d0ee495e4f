package nn

import "math"

// expNeg returns e^x for x ≤ 0 (0 below −708), to about 1e-11 relative
// error: x = k·ln2 + r with |r| ≤ ln2/2, e^r by its Taylor series to degree
// 10 evaluated in Estrin's scheme (short dependency chains), and 2^k put
// into the exponent bits. It is several times faster than math.Exp, which
// matters in the per-value loss loops.
func expNeg(x float64) float64 {
	if x < -708 {
		return 0
	}
	k := math.Floor(x*math.Log2E + 0.5)
	r := x - k*0.6931471805599453
	r2 := r * r
	r4 := r2 * r2
	p01 := 1 + r
	p23 := 1.0/2 + r*(1.0/6)
	p45 := 1.0/24 + r*(1.0/120)
	p67 := 1.0/720 + r*(1.0/5040)
	p89 := 1.0/40320 + r*(1.0/362880)
	p03 := p01 + r2*p23
	p47 := p45 + r2*p67
	p := p03 + r4*(p47+r4*(p89+r2*(1.0/3628800)))
	return math.Float64frombits(math.Float64bits(p) + uint64(int64(k))<<52)
}

// log1pUnit returns log(1+e) for e in [0, 1] to about 1e-9 absolute error,
// via log(1+e) = 2·atanh(s), s = e/(2+e) ≤ 1/3, and the odd series of atanh
// to s¹⁷ in Estrin's scheme.
func log1pUnit(e float64) float64 {
	s := e / (2 + e)
	x := s * s
	x2 := x * x
	x4 := x2 * x2
	p01 := 1 + x*(1.0/3)
	p23 := 1.0/5 + x*(1.0/7)
	p45 := 1.0/9 + x*(1.0/11)
	p67 := 1.0/13 + x*(1.0/15)
	p := p01 + x2*p23 + x4*(p45+x2*p67+x4*(1.0/17))
	return 2 * s * p
}
