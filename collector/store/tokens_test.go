package store

import (
	"context"
	"testing"
	"time"
)

// TestRevokingKeepsTheCreationTime: a revoked token is listed with the time
// it was created, not the time it was revoked.
func TestRevokingKeepsTheCreationTime(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	tok, err := s.CreateToken(ctx, "p34-01", "portal")
	if err != nil {
		t.Fatal(err)
	}
	before, err := s.Tokens(ctx)
	if err != nil || len(before) != 1 {
		t.Fatalf("tokens: %+v %v", before, err)
	}
	time.Sleep(1100 * time.Millisecond) // the revocation row must be a later second
	if err := s.RevokeToken(ctx, HashToken(tok)); err != nil {
		t.Fatal(err)
	}
	after, err := s.Tokens(ctx)
	if err != nil || len(after) != 1 || !after[0].Revoked || !after[0].CreatedAt.Equal(before[0].CreatedAt) {
		t.Fatalf("after revoking: %+v (created %v before) %v", after, before[0].CreatedAt, err)
	}
}
