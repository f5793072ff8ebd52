package simulator

import "math"

// The simulator draws every number from a counter-based generator: a
// splitmix64 stream whose starting point is a hash of the seed, the unit,
// the day and the procedure. Any record can therefore be generated on its
// own, in any order, by any goroutine, with the same result.

const golden = 0x9e3779b97f4a7c15

// mix is the splitmix64 finaliser: a bijective avalanche of 64 bits.
func mix(z uint64) uint64 {
	z ^= z >> 30
	z *= 0xbf58476d1ce4e5b9
	z ^= z >> 27
	z *= 0x94d049bb133111eb
	z ^= z >> 31
	return z
}

// hash2 combines two keys (not symmetric).
func hash2(a, b uint64) uint64 { return mix(a ^ mix(b+golden)) }

// strHash hashes a string (FNV-1a, then mixed).
func strHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return mix(h)
}

// unitFloat maps a hash to [0, 1).
func unitFloat(h uint64) float64 { return float64(h>>11) * (1.0 / (1 << 53)) }

// rng is a splitmix64 stream.
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += golden
	return mix(r.s)
}

// float returns a uniform number in [0, 1).
func (r *rng) float() float64 { return unitFloat(r.next()) }

// between returns a uniform number in [lo, hi).
func (r *rng) between(lo, hi float64) float64 { return lo + (hi-lo)*r.float() }

// normal returns a standard normal number (inverse CDF of one uniform).
func (r *rng) normal() float64 { return normalFrom(r.float()) }

func normalFrom(u float64) float64 {
	if u < 1e-12 {
		u = 1e-12
	}
	return math.Sqrt2 * math.Erfinv(2*u-1)
}

// poisson draws a Poisson count of mean lambda from one uniform: exact
// inversion for small means, a rounded normal for large ones.
func poisson(lambda, u float64) int64 {
	if lambda <= 0 {
		return 0
	}
	if lambda < 30 {
		p := math.Exp(-lambda)
		c := p
		k := int64(0)
		for u > c {
			k++
			p *= lambda / float64(k)
			c += p
			if p < 1e-17 && float64(k) > lambda {
				break
			}
		}
		return k
	}
	k := math.Floor(lambda + math.Sqrt(lambda)*normalFrom(u) + 0.5)
	if k < 0 {
		return 0
	}
	return int64(k)
}

// split returns the part of n with share p, by stochastic rounding with the
// uniform u: its mean is n·p and it always lies in [0, n].
func split(n int64, p, u float64) int64 {
	if n <= 0 || p <= 0 {
		return 0
	}
	if p >= 1 {
		return n
	}
	k := int64(float64(n)*p + u)
	if k > n {
		k = n
	}
	return k
}

func clamp(x, lo, hi float64) float64 {
	if x < lo {
		return lo
	}
	if x > hi {
		return hi
	}
	return x
}

// binomial draws a Binomial(n, p) count: n Bernoulli draws for small n, a
// rounded normal clamped to [0, n] for large n.
func binomial(n int64, p float64, r *rng) int64 {
	if n <= 0 || p <= 0 {
		return 0
	}
	if p >= 1 {
		return n
	}
	if n <= 24 {
		var k int64
		for range n {
			if r.float() < p {
				k++
			}
		}
		return k
	}
	mean := float64(n) * p
	k := int64(math.Floor(mean + math.Sqrt(mean*(1-p))*r.normal() + 0.5))
	return max(0, min(k, n))
}
