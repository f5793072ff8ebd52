package secret

import "testing"

func TestRandomAndHash(t *testing.T) {
	a, b := Random(32), Random(32)
	if a == b || len(a) != 43 {
		t.Fatalf("Random(32) = %q, %q", a, b)
	}
	if Hash("abc") != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("Hash is not SHA-256 hex: %s", Hash("abc"))
	}
}
