package db

import (
	"strconv"
	"strings"

	"gorm.io/gorm"
)

// ExecBulk runs one multi-row statement with thousands of "?" parameters on
// the transaction's own connection, bypassing GORM's statement builder,
// which copies every argument and renders the whole statement for its
// logger: for a large import that was most of the memory it
// allocated. The statement is never logged, so neither are the values.
func ExecBulk(tx *gorm.DB, query string, args ...any) (int64, error) {
	if tx.Dialector.Name() == "postgres" {
		query = dollarParams(query)
	}
	res, err := tx.Statement.ConnPool.ExecContext(tx.Statement.Context, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// dollarParams numbers the "?" placeholders of query as PostgreSQL's $1,
// $2… (the bulk statements have no "?" inside string literals).
func dollarParams(query string) string {
	var b strings.Builder
	b.Grow(len(query) + strings.Count(query, "?")*5)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}
