package learning

import (
	crand "crypto/rand"
	"math/rand/v2"
)

// seed returns 32 random bytes for a ChaCha8 source.
func seed() [32]byte {
	var b [32]byte
	_, _ = crand.Read(b[:]) // crypto/rand never fails on supported platforms
	return b
}

// seededRand is a fresh random source for one-off draws.
func seededRand() *rand.Rand { return rand.New(rand.NewChaCha8(seed())) }
