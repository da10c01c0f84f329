// Package report answers the questions HR and managers ask: who is
// compliant with what, who is overdue, who reports to whom. It reads; it
// never changes anything. Queries run on both SQLite and PostgreSQL.
package report
