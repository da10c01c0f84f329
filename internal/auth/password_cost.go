package auth

import "testing"

// Cost chooses argon2id's parameters for new password hashes. A stored hash
// carries its own parameters, so it verifies at any cost.
type Cost uint8

const (
	// CostProduction is OWASP's recommended minimum (19 MiB, 2 passes,
	// 1 lane): what every real Onramp uses.
	CostProduction Cost = iota
	// CostTest is argon2id's cheapest (8 KiB, 1 pass): a hash costs
	// microseconds instead of tens of milliseconds. internal/apptest sets
	// it; hashing at it outside a test binary panics.
	CostTest
)

func (c Cost) valid() Cost {
	if c == CostTest && testing.Testing() {
		return CostTest
	}
	if c != CostProduction {
		panic("auth: password hashing at a test cost outside a test binary")
	}
	return CostProduction
}

func (c Cost) params() argonParams {
	if c.valid() == CostTest {
		return argonParams{memory: 8, time: 1, threads: 1}
	}
	return argonParams{memory: argonMemoryKiB, time: argonTime, threads: argonThreads}
}
