package db

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
)

// PostgreSQL pool defaults. Each instance holds at most this many
// connections, so N instances need N × pool_max_conns below the server's
// max_connections (100 by default); set pool_max_conns in the URL to change it.
const (
	defaultPostgresMaxConns = 20
	postgresConnMaxIdle     = 5 * time.Minute
	postgresConnMaxLifetime = time.Hour
)

// openPostgres connects through pgx (database/sql) and GORM's postgres
// driver. Every session runs with timezone=UTC and every TIMESTAMP parameter
// is converted to UTC before it is sent: a TIMESTAMP column has no zone, so a
// local time would otherwise be stored as its wall clock and silently shift
// the instant (SQLite stores every time as UTC microseconds: sqlitetime.go).
//
// Besides libpq's parameters, the URL may carry pool_max_conns (the pool size
// of this instance) and pgx's own default_query_exec_mode (for example
// "exec" behind PgBouncer in transaction mode).
func openPostgres(ctx context.Context, dsn string, cfg *gorm.Config) (*DB, error) {
	pgCfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message can echo the URL, password included.
		return nil, fmt.Errorf("open PostgreSQL: the database URL is not a valid postgres:// URL")
	}
	maxConns := defaultPostgresMaxConns
	if v, ok := pgCfg.RuntimeParams["pool_max_conns"]; ok {
		delete(pgCfg.RuntimeParams, "pool_max_conns")
		n, err := strconv.Atoi(v)
		if err != nil || n < 2 {
			return nil, fmt.Errorf("open PostgreSQL: pool_max_conns=%q must be a whole number of at least 2", v)
		}
		maxConns = n
	}
	pgCfg.RuntimeParams["timezone"] = "UTC"
	where := pgCfg.Host + "/" + pgCfg.Database

	sqlDB := stdlib.OpenDB(*pgCfg, stdlib.OptionAfterConnect(registerUTCTimestamps))
	sqlDB.SetMaxOpenConns(maxConns)
	sqlDB.SetMaxIdleConns(maxConns / 2)
	sqlDB.SetConnMaxIdleTime(postgresConnMaxIdle)
	// Recycle connections now and then so a fail-over or a PgBouncer restart
	// is picked up without restarting Onramp.
	sqlDB.SetConnMaxLifetime(postgresConnMaxLifetime)

	// pingPostgres below connects and says what failed in one error; GORM's
	// own ping would log the same failure a second time.
	cfg.DisableAutomaticPing = true
	g, err := gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), cfg)
	if err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("open PostgreSQL %s: %w", where, err)
	}
	if err := pingPostgres(ctx, sqlDB); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("open PostgreSQL %s: %w", where, err)
	}
	return &DB{DB: g, Dialect: Postgres}, nil
}

func pingPostgres(ctx context.Context, sqlDB *sql.DB) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	var tz string
	if err := sqlDB.QueryRowContext(ctx, "SHOW timezone").Scan(&tz); err != nil {
		return err
	}
	if tz != "UTC" {
		return fmt.Errorf("session time zone is %q, want UTC", tz)
	}
	return nil
}

// registerUTCTimestamps replaces the connection's codec for TIMESTAMP (without
// time zone) with one that converts a time.Time to UTC before encoding it.
// Scanning already yields UTC.
func registerUTCTimestamps(_ context.Context, conn *pgx.Conn) error {
	conn.TypeMap().RegisterType(&pgtype.Type{
		Name:  "timestamp",
		OID:   pgtype.TimestampOID,
		Codec: &utcTimestampCodec{},
	})
	return nil
}

type utcTimestampCodec struct{ pgtype.TimestampCodec }

// PlanEncode sees a time.Time already wrapped by pgx as a TimestampValuer.
func (c *utcTimestampCodec) PlanEncode(m *pgtype.Map, oid uint32, format int16, value any) pgtype.EncodePlan {
	if _, ok := value.(pgtype.TimestampValuer); !ok {
		return nil
	}
	inner := c.TimestampCodec.PlanEncode(m, oid, format, pgtype.Timestamp{})
	if inner == nil {
		return nil
	}
	return utcEncodePlan{inner: inner}
}

type utcEncodePlan struct{ inner pgtype.EncodePlan }

func (p utcEncodePlan) Encode(value any, buf []byte) ([]byte, error) {
	ts, err := value.(pgtype.TimestampValuer).TimestampValue()
	if err != nil {
		return nil, err
	}
	ts.Time = ts.Time.UTC()
	return p.inner.Encode(ts, buf)
}
