package nn

import "math"

// expNeg returns e^x for x ≤ 0 (0 below −708), to about 1e-13 relative
// error: x = k·ln2 + r with |r| ≤ ln2/2, e^r by its Taylor series to degree
// 11, and 2^k put into the exponent bits. It is several times faster than
// math.Exp, which matters in the per-value loss loops.
func expNeg(x float64) float64 {
	if x < -708 {
		return 0
	}
	k := math.Floor(x*math.Log2E + 0.5)
	r := x - k*0.6931471805599453
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720+r*(1.0/5040+r*(1.0/40320+r*(1.0/362880+r*(1.0/3628800+r*(1.0/39916800)))))))))))
	return math.Float64frombits(math.Float64bits(p) + uint64(int64(k))<<52)
}

// log1pUnit returns log(1+e) for e in [0, 1] to about 1e-10 absolute
// error, via log(1+e) = 2·atanh(s), s = e/(2+e) ≤ 1/3, and the odd series
// of atanh to s¹⁹.
func log1pUnit(e float64) float64 {
	s := e / (2 + e)
	s2 := s * s
	p := 1 + s2*(1.0/3+s2*(1.0/5+s2*(1.0/7+s2*(1.0/9+s2*(1.0/11+s2*(1.0/13+s2*(1.0/15+s2*(1.0/17+s2*(1.0/19)))))))))
	return 2 * s * p
}
