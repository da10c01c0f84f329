package people_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/people"
)

// directoryPeople are names and IDs that a search must get right: accents,
// apostrophes, dashes, case, shared beginnings.
var directoryPeople = []people.Employee{
	{Email: "zoe@example.org", FirstName: "Zoë", LastName: "O'Brien", Department: "Radiology", JobTitle: "Radiographer", EmployeeNumber: ptr("E-100")},
	{Email: "ian@example.org", FirstName: "Ian", LastName: "MacLeod", Department: "Nursing", JobTitle: "Nurse", EmployeeNumber: ptr("e200")},
	{Email: "mary@example.org", FirstName: "Mary", LastName: "McDonald", Department: "Nursing", JobTitle: "Ward Manager", EmployeeNumber: ptr("E201")},
	{Email: "soren@example.org", FirstName: "Søren", LastName: "Østergaard", Department: "Pharmacy", JobTitle: "Pharmacist"},
	{Email: "ana.cruz@example.org", FirstName: "Ana", LastName: "de la Cruz", Department: "Pharmacy", JobTitle: "Pharmacist", EmployeeNumber: ptr("P7")},
	{Email: "under_score@example.org", FirstName: "Uma", LastName: "Under", Department: "Estates", JobTitle: "Porter", Status: people.StatusInactive},
}

func ptr(s string) *string { return &s }

var directorySearches = []struct {
	query people.DirectoryQuery
	want  string
}{
	{people.DirectoryQuery{}, "de la Cruz|MacLeod|McDonald|O'Brien|Under|Østergaard"},
	{people.DirectoryQuery{Text: "mac"}, "MacLeod"},
	{people.DirectoryQuery{Text: "MC"}, "McDonald"},
	{people.DirectoryQuery{Text: "m"}, "MacLeod|McDonald"},
	{people.DirectoryQuery{Text: "zoë"}, "O'Brien"},
	{people.DirectoryQuery{Text: "o'b"}, "O'Brien"},
	{people.DirectoryQuery{Text: "e-1"}, "O'Brien"},
	{people.DirectoryQuery{Text: "E2"}, "MacLeod|McDonald"},
	{people.DirectoryQuery{Text: "e20 mary"}, "McDonald"},
	{people.DirectoryQuery{Text: "ana.c"}, "de la Cruz"},
	{people.DirectoryQuery{Text: "de"}, "de la Cruz"},
	{people.DirectoryQuery{Text: "Øster"}, "Østergaard"},
	{people.DirectoryQuery{Text: "under_"}, "Under"},
	{people.DirectoryQuery{Text: "under%"}, ""},
	{people.DirectoryQuery{Text: "onald"}, ""},
	{people.DirectoryQuery{Department: "Pharmacy"}, "de la Cruz|Østergaard"},
	{people.DirectoryQuery{JobTitle: "Porter"}, "Under"},
	{people.DirectoryQuery{Status: people.StatusActive, Text: "u"}, ""},
	{people.DirectoryQuery{Status: people.StatusInactive}, "Under"},
	{people.DirectoryQuery{Standing: people.StandingNothingAssigned, Department: "Nursing"}, "MacLeod|McDonald"},
	{people.DirectoryQuery{Standing: people.StandingOverdue}, ""},
}

// checkSearches runs every search and compares the last names found.
func checkSearches(t *testing.T, d *db.DB, label string) {
	t.Helper()
	for _, s := range directorySearches {
		page, err := people.SearchDirectory(context.Background(), d, s.query)
		if err != nil {
			t.Fatalf("%s: %+v: %v", label, s.query, err)
		}
		var got []string
		for _, e := range page.People {
			got = append(got, e.LastName)
			if e.PasswordHash != "" {
				t.Errorf("the list loaded a password hash")
			}
		}
		// The order of names is the database's collation's; compare sets.
		slices.Sort(got)
		want := strings.Split(s.want, "|")
		if s.want == "" {
			want = nil
		}
		slices.Sort(want)
		if !slices.Equal(got, want) || page.Total != len(got) {
			t.Errorf("%s: %+v: got %q (total %d), want %q", label, s.query, got, page.Total, s.want)
		}
	}
}

func addDirectoryPeople(t *testing.T, d *db.DB) {
	t.Helper()
	err := d.Transaction(func(tx *gorm.DB) error {
		for _, e := range directoryPeople {
			if err := people.Create(tx, &e, importDay); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSearchDirectory(t *testing.T) {
	t.Parallel()
	d := openStaffDB(t)
	addDirectoryPeople(t, d)
	checkSearches(t, d, string(d.Dialect))
	if d.Dialect == db.Postgres {
		// The exact, unindexed form a database in another locale gets.
		people.SetCodePointOrder(d, false)
		checkSearches(t, d, "COLLATE \"C\"")
	}
}

func TestSearchDirectoryPages(t *testing.T) {
	t.Parallel()
	d := openStaffDB(t)
	err := d.Transaction(func(tx *gorm.DB) error {
		for i := range 120 {
			e := &people.Employee{Email: fmt.Sprintf("p%03d@example.org", i), FirstName: "P", LastName: fmt.Sprintf("L%03d", i)}
			if err := people.Create(tx, e, importDay); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for page, want := range map[int]struct {
		first string
		n     int
	}{0: {"L000", 50}, 1: {"L000", 50}, 2: {"L050", 50}, 3: {"L100", 20}, 4: {"L100", 20}} {
		got, err := people.SearchDirectory(context.Background(), d, people.DirectoryQuery{Page: page})
		if err != nil {
			t.Fatal(err)
		}
		if got.Total != 120 || got.Pages != 3 || len(got.People) != want.n || got.People[0].LastName != want.first {
			t.Errorf("page %d: total %d, pages %d, %d people from %s", page, got.Total, got.Pages, len(got.People), got.People[0].LastName)
		}
	}
}

// TestSearchDirectoryInALocale runs the searches on a PostgreSQL database
// whose text sorts by a language's rules (ICU en-US), where a range over an
// index is not a prefix match: the list must notice and stay exact.
func TestSearchDirectoryInALocale(t *testing.T) {
	t.Parallel()
	server := apptest.RequirePostgres(t)
	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatal(err)
	}
	// Cleanups run after the test function's deferred calls: the
	// connection to drop the database with is closed by the cleanup itself.
	name := fmt.Sprintf("onramp_locale_%d", time.Now().UnixNano())
	if _, err := admin.Exec(`CREATE DATABASE ` + name + ` TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`); err != nil {
		admin.Close()
		t.Skipf("cannot create an ICU database here: %v", err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec(`DROP DATABASE ` + name + ` WITH (FORCE)`); err != nil {
			t.Errorf("drop the test's database %s: %v", name, err)
		}
	})
	u, _ := url.Parse(server)
	u.Path = "/" + name
	d, err := db.Open(context.Background(), u.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if people.SortsByCodePoint(context.Background(), d) {
		t.Fatal("an en-US database was taken to sort by code point")
	}
	addDirectoryPeople(t, d)
	checkSearches(t, d, "en-US")
}
