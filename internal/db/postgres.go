package db

import (
	"context"
	"errors"

	"gorm.io/gorm"
)

// openPostgres is filled in by the PostgreSQL work (see the README's roadmap).
func openPostgres(ctx context.Context, dsn string, cfg *gorm.Config) (*DB, error) {
	return nil, errors.New("postgres:// URLs are not supported by this build yet; use a SQLite file")
}
