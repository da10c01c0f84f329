package compliance

import (
	"errors"
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

// updateByID gives many rows of table their own values, one statement per
// few thousand parameters: UPDATE table SET col = v.columnN … FROM (VALUES
// (id, …), …) AS v WHERE table.id = v.column1. Each row of rows is the ID
// followed by the values of columns, in order. A column whose cast is not
// empty (PostgreSQL cannot infer a parameter's type in VALUES) is written
// as CAST(? AS cast) on PostgreSQL.
//
// Every row is found by the primary key and written once, with all its
// columns, however many change: SQLite rewrites every index that holds a
// column an UPDATE sets (even to the same value), so a caller groups rows
// by the columns that actually change and calls once per group.
func updateByID(tx *gorm.DB, table string, columns, casts []string, rows [][]any) error {
	return updateByIDIf(tx, table, columns, casts, nil, rows)
}

// errRowsMoved is updateByIDIf's answer when a row no longer held the
// values it was read with: another transaction changed it since.
var errRowsMoved = errors.New("rows changed since they were read")

// updateByIDIf is updateByID as a compare-and-set: each row is written only
// if it still holds what it was read with, and when any row was not written
// it fails with errRowsMoved, for the caller to roll back. Each guard is a
// condition on the row in which {v} stands for a value given after the new
// values (in guards' order; their casts after the columns'), e.g.
// "cycles.due_at = {v}". On PostgreSQL, whose READ COMMITTED lets another
// transaction commit between a read and a write, an UPDATE that waited for
// that transaction's row lock re-checks the guards against the row it
// committed.
func updateByIDIf(tx *gorm.DB, table string, columns, casts, guards []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	pg := tx.Dialector.Name() == "postgres"
	var one strings.Builder
	one.WriteString("(?")
	var set strings.Builder
	for i, c := range columns {
		if i > 0 {
			set.WriteString(", ")
		}
		fmt.Fprintf(&set, "%s = v.column%d", c, i+2)
	}
	where := " WHERE " + table + ".id = v.column1"
	for i, g := range guards {
		where += " AND " + strings.ReplaceAll(g, "{v}", fmt.Sprintf("v.column%d", len(columns)+i+2))
	}
	for _, cast := range casts {
		if pg && cast != "" {
			one.WriteString(", CAST(? AS " + cast + ")")
		} else {
			one.WriteString(", ?")
		}
	}
	one.WriteString(")")
	head := "UPDATE " + table + " SET " + set.String() + " FROM (VALUES "
	tail := ") AS v" + where
	width := 1 + len(casts)
	per := max(1, maxParams/width)
	for start := 0; start < len(rows); start += per {
		part := rows[start:min(start+per, len(rows))]
		var sb strings.Builder
		sb.WriteString(head)
		args := make([]any, 0, len(part)*width)
		for i, r := range part {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(one.String())
			args = append(args, r...)
		}
		sb.WriteString(tail)
		n, err := db.ExecBulk(tx, sb.String(), args...)
		if err != nil {
			return fmt.Errorf("update %s: %w", table, err)
		}
		if len(guards) > 0 && n != int64(len(part)) {
			return fmt.Errorf("update %s: %d of %d %w", table, int64(len(part))-n, len(part), errRowsMoved)
		}
	}
	return nil
}
