// Package secret makes and hashes bearer secrets (session and push
// tokens): random values shown once, stored only as their SHA-256.
package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// Random returns n random bytes, URL-safe base64 without padding.
func Random(n int) string {
	return base64.RawURLEncoding.EncodeToString(RandomBytes(n))
}

// RandomBytes returns n random bytes. The system's randomness does not
// fail on supported platforms; if it does, nothing secret can be made.
func RandomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("secret: no randomness: " + err.Error())
	}
	return b
}

// Hash is how a secret is stored and looked up: SHA-256, hex.
func Hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
