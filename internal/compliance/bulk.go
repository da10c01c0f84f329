package compliance

import (
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/db"
)

// maxParams keeps a statement under SQLite's 32,766 host parameters (and
// PostgreSQL's 65,535).
const maxParams = 30000

// insertRows writes rows with multi-row INSERT statements, as many rows per
// statement as the parameter limit allows; suffix follows each statement
// (e.g. "ON CONFLICT DO NOTHING").
func insertRows(tx *gorm.DB, table string, columns []string, rows [][]any, suffix string) error {
	per := max(1, maxParams/len(columns))
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(columns)), ", ") + ")"
	head := "INSERT INTO " + table + " (" + strings.Join(columns, ", ") + ") VALUES "
	for start := 0; start < len(rows); start += per {
		part := rows[start:min(start+per, len(rows))]
		var sb strings.Builder
		sb.WriteString(head)
		args := make([]any, 0, len(part)*len(columns))
		for i, r := range part {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(one)
			args = append(args, r...)
		}
		if suffix != "" {
			sb.WriteString(" " + suffix)
		}
		if _, err := db.ExecBulk(tx, sb.String(), args...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
	}
	return nil
}

// setByID sets one column of many cycles to per-row values, a few hundred
// rows per statement (UPDATE … SET col = CASE id WHEN … END WHERE id IN …).
// cast wraps each value (PostgreSQL cannot infer a parameter's type inside
// CASE); set is also applied (e.g. "updated_at = ?") with its args.
func setByID(tx *gorm.DB, table, column, cast string, values map[string]any, ids []string) error {
	const per = 500
	for start := 0; start < len(ids); start += per {
		part := ids[start:min(start+per, len(ids))]
		var sb strings.Builder
		args := make([]any, 0, len(part)*3)
		sb.WriteString("UPDATE " + table + " SET " + column + " = CASE id")
		for _, id := range part {
			if cast != "" {
				sb.WriteString(" WHEN ? THEN CAST(? AS " + cast + ")")
			} else {
				sb.WriteString(" WHEN ? THEN ?")
			}
			args = append(args, id, values[id])
		}
		sb.WriteString(" END WHERE id IN ?")
		args = append(args, part)
		if err := tx.Exec(sb.String(), args...).Error; err != nil {
			return fmt.Errorf("update %s.%s: %w", table, column, err)
		}
	}
	return nil
}
