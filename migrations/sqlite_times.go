package migrations

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"

	"github.com/pressly/goose/v3"
)

// Migration 00045 stores SQLite's times as integers: every column declared
// TIMESTAMP, DATETIME or DATE becomes TIMESTAMP_US (DATETIME_US, DATE_US)
// and holds microseconds since 1970 in UTC instead of mattn's 35-byte text.
// internal/db's SQLite driver binds every time.Time as those microseconds and
// reads the columns back as time.Time (internal/db/sqlitetime.go says why and
// what it cannot see). PostgreSQL's timestamp columns are unchanged.
//
// SQLite cannot change a column's type, so each table with a time column is
// rebuilt (SQLite's "making other kinds of table schema changes" procedure):
// a copy with the new types, its rows copied with the times converted (the
// connection's onramp_time_micros function, which reads the text as mattn
// did and fails on anything else, naming it), the old table dropped, the
// copy renamed, its indexes, triggers and planner statistics put back. One
// transaction per table, with foreign keys off while tables are swapped and
// checked at the end. Rowids are kept. A table already converted has no
// time column left to convert, so a migration stopped half way is finished
// by running it again. It rewrites every table with a time column, so it
// takes about as long as copying the database (docs/performance.md).
//
// A later migration that adds a time column on SQLite must declare it
// TIMESTAMP_US (internal/db's TestSQLiteTimeColumns fails otherwise).
func sqliteTimes(dialect string) *goose.Migration {
	run := func(up bool) *goose.GoFunc {
		return &goose.GoFunc{RunDB: func(ctx context.Context, db *sql.DB) error {
			if dialect != string(goose.DialectSQLite3) {
				return nil
			}
			return convertTimeColumns(ctx, db, up)
		}}
	}
	m := goose.NewGoMigration(45, run(true), run(false))
	m.Source = "00045_sqlite_times.go"
	return m
}

// timeTypes maps a time column's declared type to its integer form.
var timeTypes = map[string]string{"TIMESTAMP": "TIMESTAMP_US", "DATETIME": "DATETIME_US", "DATE": "DATE_US"}

// rebuildTable is one table to rebuild: its columns and the time columns
// among them with their new declared types.
type rebuildTable struct {
	name, sql    string
	columns      []string
	times        map[string]string // column → new declared type
	defaults     map[string]string // time column → its DEFAULT as written
	withoutRowid bool
	rowidAlias   bool
}

func convertTimeColumns(ctx context.Context, db *sql.DB, up bool) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, p := range []string{"PRAGMA foreign_keys=OFF", "PRAGMA legacy_alter_table=ON"} {
		if _, err := conn.ExecContext(ctx, p); err != nil {
			return err
		}
	}
	defer func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA legacy_alter_table=OFF")
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys=ON")
	}()
	tables, err := timeTables(ctx, conn, up)
	if err != nil {
		return err
	}
	for _, t := range tables {
		if err := rebuild(ctx, conn, t, up); err != nil {
			return fmt.Errorf("times of table %s: %w", t.name, err)
		}
	}
	rows, err := conn.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fk int
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			return err
		}
		return fmt.Errorf("after converting the times, row %d of %s refers to a missing row of %s", rowid.Int64, table, parent)
	}
	return rows.Err()
}

// timeTables lists the tables with a column to convert.
func timeTables(ctx context.Context, conn *sql.Conn, up bool) ([]rebuildTable, error) {
	rows, err := conn.QueryContext(ctx, `SELECT name, sql FROM sqlite_master
		WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'goose_db_version' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var all []rebuildTable
	for rows.Next() {
		var t rebuildTable
		if err := rows.Scan(&t.name, &t.sql); err != nil {
			rows.Close()
			return nil, err
		}
		all = append(all, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []rebuildTable
	for _, t := range all {
		if strings.HasPrefix(strings.ToUpper(t.sql), "CREATE VIRTUAL") {
			continue
		}
		cols, err := conn.QueryContext(ctx, `SELECT name, type, dflt_value, pk, hidden FROM pragma_table_xinfo(?)`, t.name)
		if err != nil {
			return nil, err
		}
		t.times, t.defaults = map[string]string{}, map[string]string{}
		pks, integerKey := 0, false
		for cols.Next() {
			var name, typ string
			var dflt sql.NullString
			var pk, hidden int
			if err := cols.Scan(&name, &typ, &dflt, &pk, &hidden); err != nil {
				cols.Close()
				return nil, err
			}
			if hidden != 0 {
				continue // generated columns are computed, not copied
			}
			t.columns = append(t.columns, name)
			typ = strings.ToUpper(typ)
			if pk > 0 {
				pks++
				if typ == "INTEGER" {
					integerKey = true
				}
			}
			if to, ok := convertedType(typ, up); ok {
				t.times[name] = to
				if dflt.Valid {
					t.defaults[name] = dflt.String
				}
			}
		}
		cols.Close()
		if err := cols.Err(); err != nil {
			return nil, err
		}
		if len(t.times) == 0 {
			continue
		}
		t.withoutRowid = regexp.MustCompile(`(?i)\)\s*WITHOUT\s+ROWID\s*$`).MatchString(strings.TrimSpace(t.sql))
		// A table's own INTEGER PRIMARY KEY is its rowid and is copied as a
		// column; otherwise the rowid is copied explicitly.
		t.rowidAlias = pks == 1 && integerKey
		out = append(out, t)
	}
	return out, nil
}

// convertedType is the declared type a column of type typ gets, when it is
// a time column to convert in that direction.
func convertedType(typ string, up bool) (string, bool) {
	if up {
		to, ok := timeTypes[typ]
		return to, ok
	}
	for from, to := range timeTypes {
		if typ == to {
			return from, true
		}
	}
	return "", false
}

func rebuild(ctx context.Context, conn *sql.Conn, t rebuildTable, up bool) error {
	create, err := newTableSQL(t, up)
	if err != nil {
		return err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	var keep []string // the table's indexes and triggers, to make again
	rows, err := tx.QueryContext(ctx, `SELECT sql FROM sqlite_master
		WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type, name`, t.name)
	if err != nil {
		return err
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return err
		}
		keep = append(keep, s)
	}
	rows.Close()
	var stats [][3]any // sqlite_stat1 rows of the table, if ANALYZE ran
	var hasStats int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'`).Scan(&hasStats); err != nil {
		return err
	}
	if hasStats > 0 {
		rows, err := tx.QueryContext(ctx, `SELECT tbl, idx, stat FROM sqlite_stat1 WHERE tbl = ?`, t.name)
		if err != nil {
			return err
		}
		for rows.Next() {
			var tbl string
			var idx, stat sql.NullString
			if err := rows.Scan(&tbl, &idx, &stat); err != nil {
				rows.Close()
				return err
			}
			stats = append(stats, [3]any{tbl, idx, stat})
		}
		rows.Close()
	}

	tmp := t.name + "__times"
	conv := "onramp_time_micros"
	if !up {
		conv = "onramp_time_text"
	}
	var cols, sel []string
	if !t.withoutRowid && !t.rowidAlias {
		cols, sel = append(cols, "rowid"), append(sel, "rowid")
	}
	for _, c := range t.columns {
		cols = append(cols, quoteIdent(c))
		if _, ok := t.times[c]; ok {
			sel = append(sel, conv+"("+quoteIdent(c)+")")
		} else {
			sel = append(sel, quoteIdent(c))
		}
	}
	stmts := []string{
		create,
		`INSERT INTO ` + quoteIdent(tmp) + ` (` + strings.Join(cols, ", ") + `) SELECT ` + strings.Join(sel, ", ") + ` FROM ` + quoteIdent(t.name),
		`DROP TABLE ` + quoteIdent(t.name),
		`ALTER TABLE ` + quoteIdent(tmp) + ` RENAME TO ` + quoteIdent(t.name),
	}
	stmts = append(stmts, keep...)
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", firstLine(s), err)
		}
	}
	for _, s := range stats {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)`, s[0], s[1], s[2]); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// newTableSQL is the table's CREATE statement for the copy: named
// "<table>__times", each time column with its new type and its DEFAULT
// converted.
func newTableSQL(t rebuildTable, up bool) (string, error) {
	open := strings.Index(t.sql, "(")
	if open < 0 {
		return "", fmt.Errorf("cannot read its definition")
	}
	body := t.sql[open:]
	for c, to := range t.times {
		re := regexp.MustCompile(`(?i)((?:^|[(,\s])["` + "`" + `\[]?` + regexp.QuoteMeta(c) + `["` + "`" + `\]]?\s+)([A-Z_]+)\b`)
		n := 0
		body = re.ReplaceAllStringFunc(body, func(m string) string {
			sub := re.FindStringSubmatch(m)
			if _, ok := convertedType(strings.ToUpper(sub[2]), up); !ok {
				return m
			}
			n++
			return sub[1] + to
		})
		if n != 1 {
			return "", fmt.Errorf("found column %s's type %d times in its definition", c, n)
		}
		if d, ok := t.defaults[c]; ok {
			nd, err := convertDefault(d, up)
			if err != nil {
				return "", fmt.Errorf("column %s: %w", c, err)
			}
			if nd != d {
				if strings.Count(body, "DEFAULT "+d) != 1 {
					return "", fmt.Errorf("column %s: cannot find its DEFAULT %s", c, d)
				}
				body = strings.Replace(body, "DEFAULT "+d, "DEFAULT "+nd, 1)
			}
		}
	}
	return `CREATE TABLE "` + t.name + `__times" ` + body, nil
}

// convertDefault converts a time column's DEFAULT: only the literal
// migration 00012 gives next_event_at ("look at it on the next pass") and
// NULL are in use.
func convertDefault(d string, up bool) (string, error) {
	switch {
	case strings.EqualFold(d, "NULL"):
		return d, nil
	case up && d == "'1970-01-01 00:00:00'":
		return "0", nil
	case !up && d == "0":
		return "'1970-01-01 00:00:00'", nil
	}
	return "", fmt.Errorf("a DEFAULT of %s cannot be converted", d)
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return s
}
