package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// ErrUnknownToken is returned for a token that is not known or revoked.
var ErrUnknownToken = errors.New("unknown or revoked token")

// HashToken is how a push token is stored and looked up.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateToken makes a new push token for unitID and returns it; only its
// hash is stored, so it cannot be shown again.
func (s *Store) CreateToken(ctx context.Context, unitID, name string) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("store: token: %w", err)
	}
	token := "egk_" + hex.EncodeToString(b[:])
	return token, s.saveToken(ctx, HashToken(token), unitID, name, false, time.Now())
}

// RevokeToken disables a token by its hash.
func (s *Store) RevokeToken(ctx context.Context, hash string) error {
	unit, name, err := s.tokenRow(ctx, hash, true)
	if err != nil {
		return err
	}
	return s.saveToken(ctx, hash, unit, name, true, time.Now())
}

func (s *Store) saveToken(ctx context.Context, hash, unitID, name string, revoked bool, now time.Time) error {
	b, err := s.conn.PrepareBatch(ctx, "INSERT INTO ingest_tokens (token_hash, unit_id, name, created_at, revoked, updated_at)")
	if err != nil {
		return fmt.Errorf("store: save token: %w", err)
	}
	defer b.Abort()
	if err := b.Append(hash, unitID, name, now, flag(revoked), now); err != nil {
		return fmt.Errorf("store: save token: %w", err)
	}
	return b.Send()
}

// TokenUnit returns the unit a valid token may write.
func (s *Store) TokenUnit(ctx context.Context, token string) (string, error) {
	unit, _, err := s.tokenRow(ctx, HashToken(token), false)
	return unit, err
}

func (s *Store) tokenRow(ctx context.Context, hash string, includeRevoked bool) (unit, name string, err error) {
	var revoked uint8
	err = s.conn.QueryRow(ctx, "SELECT unit_id, name, revoked FROM ingest_tokens FINAL WHERE token_hash = ?", hash).Scan(&unit, &name, &revoked)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && revoked == 1 && !includeRevoked) {
		return "", "", ErrUnknownToken
	}
	if err != nil {
		return "", "", fmt.Errorf("store: look up token: %w", err)
	}
	return unit, name, nil
}

// Token is a stored token without its secret.
type Token struct {
	Hash, UnitID, Name string
	CreatedAt          time.Time
	Revoked            bool
}

// Tokens lists the stored tokens.
func (s *Store) Tokens(ctx context.Context) ([]Token, error) {
	rows, err := s.conn.Query(ctx, "SELECT token_hash, unit_id, name, created_at, revoked FROM ingest_tokens FINAL ORDER BY unit_id, created_at")
	if err != nil {
		return nil, fmt.Errorf("store: read tokens: %w", err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var rev uint8
		if err := rows.Scan(&t.Hash, &t.UnitID, &t.Name, &t.CreatedAt, &rev); err != nil {
			return nil, fmt.Errorf("store: read tokens: %w", err)
		}
		t.Revoked = rev == 1
		out = append(out, t)
	}
	return out, rows.Err()
}
