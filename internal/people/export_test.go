package people

import "github.com/onramp-lms/onramp/internal/db"

// SetCodePointOrder tells the people list how d sorts text, as if it had
// asked, so a test can run the search meant for either kind of database.
func SetCodePointOrder(d *db.DB, byCodePoint bool) { codePointOrder.Store(d, byCodePoint) }

// SortsByCodePoint is sortsByCodePoint, for tests.
var SortsByCodePoint = sortsByCodePoint
