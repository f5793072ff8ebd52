package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"egovkpi/internal/secret"
)

// ErrUnknownToken is returned for a token that is not known or revoked.
var ErrUnknownToken = errors.New("unknown or revoked token")

// HashToken is how a push token is stored and looked up.
func HashToken(token string) string { return secret.Hash(token) }

// CreateToken makes a new push token for unitID and returns it; only its
// hash is stored, so it cannot be shown again.
func (s *Store) CreateToken(ctx context.Context, unitID, name string) (string, error) {
	token := "egk_" + hex.EncodeToString(secret.RandomBytes(32))
	now := time.Now()
	return token, s.saveToken(ctx, HashToken(token), unitID, name, false, now, now)
}

// RevokeToken disables a token by its hash.
func (s *Store) RevokeToken(ctx context.Context, hash string) error {
	row, err := s.tokenRow(ctx, hash, true)
	if err != nil {
		return err
	}
	return s.saveToken(ctx, hash, row.UnitID, row.Name, true, row.CreatedAt, time.Now())
}

func (s *Store) saveToken(ctx context.Context, hash, unitID, name string, revoked bool, created, now time.Time) error {
	b, err := s.conn.PrepareBatch(ctx, "INSERT INTO ingest_tokens (token_hash, unit_id, name, created_at, revoked, updated_at)")
	if err != nil {
		return fmt.Errorf("store: save token: %w", err)
	}
	defer b.Abort()
	if err := b.Append(hash, unitID, name, created, flag(revoked), now); err != nil {
		return fmt.Errorf("store: save token: %w", err)
	}
	return b.Send()
}

// TokenUnit returns the unit a valid token may write.
func (s *Store) TokenUnit(ctx context.Context, token string) (string, error) {
	row, err := s.tokenRow(ctx, HashToken(token), false)
	return row.UnitID, err
}

func (s *Store) tokenRow(ctx context.Context, hash string, includeRevoked bool) (Token, error) {
	t := Token{Hash: hash}
	var revoked uint8
	err := s.conn.QueryRow(ctx, "SELECT unit_id, name, created_at, revoked FROM ingest_tokens FINAL WHERE token_hash = ?", hash).Scan(&t.UnitID, &t.Name, &t.CreatedAt, &revoked)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && revoked == 1 && !includeRevoked) {
		return Token{}, ErrUnknownToken
	}
	if err != nil {
		return Token{}, fmt.Errorf("store: look up token: %w", err)
	}
	t.Revoked = revoked == 1
	return t, nil
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
