// Package compliance decides who must take what and by when: assignments
// (one employee × one course), their cycles (one period of obligation each),
// and the recurrence arithmetic that derives a cycle's dates. Every date it
// derives carries a sentence saying why it is what it is.
//
// The arithmetic in recurrence.go is pure: no database, no clock.
package compliance
