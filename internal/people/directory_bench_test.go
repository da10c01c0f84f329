package people_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/people"
)

// benchSurnames and benchFirstNames give the benchmark's people names that
// start as real names do: many share their first letters (Ma…, Mc…), which
// is what the two-letter search keys must cope with.
var (
	benchSurnames = strings.Fields(`Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez
Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark
Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall
Rivera Campbell Mitchell Carter Roberts Patel Murphy McDonald MacLeod Mason Marsh Matthews Morgan Moreno Murray`)
	benchFirstNames = strings.Fields(`Ada Aisha Ben Bea Carla Chen Dana Deepa Eli Emma Fay Femi Gus Grace Hana Hugo Ida
Ivan Jo Jun Kai Kim Lea Lou Mia Mo Nia Noor Ola Omar Pia Priya Quin Rae Ravi Sam Sara Tia Tom Uma Vic Wei Yara Zoe`)
)

// directoryFileOf is a staff CSV of n people with realistic names and
// e-mails and HR-style employee IDs.
func directoryFileOf(n int) []byte {
	var b bytes.Buffer
	b.WriteString(staffHeader + "\n")
	for i := 0; i < n; i++ {
		first := benchFirstNames[i%len(benchFirstNames)]
		last := benchSurnames[(i/len(benchFirstNames))%len(benchSurnames)]
		fmt.Fprintf(&b, "%06d,%s.%s.%d@example.org,%s,%s,Department %d,Job title %d,Site %d,,2020-01-01,,\n",
			100000+i, strings.ToLower(first), strings.ToLower(last), i, first, last, i%40, i%300, i%12)
	}
	return b.Bytes()
}

// BenchmarkSearchDirectory100k searches HR's list of 100,000 people (SQLite,
// or PostgreSQL with ONRAMP_TEST_DATABASE_URL): a page and the count.
func BenchmarkSearchDirectory100k(b *testing.B) {
	ctx := context.Background()
	d := openStaffDB(b)
	f, err := people.ParseStaffCSV(bytes.NewReader(directoryFileOf(100_000)))
	if err != nil {
		b.Fatal(err)
	}
	plan, err := people.Plan(ctx, d, f, people.PlanOptions{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := people.Apply(ctx, d, plan, importDay); err != nil {
		b.Fatal(err)
	}
	// As autovacuum leaves a table in use: statistics and the visibility
	// map that index-only scans read.
	if d.Dialect == "postgres" {
		if err := d.Exec("VACUUM ANALYZE employees").Error; err != nil {
			b.Fatal(err)
		}
	}
	for _, bc := range []struct {
		name  string
		query people.DirectoryQuery
	}{
		{"surname", people.DirectoryQuery{Text: "mart"}},
		{"first and last name", people.DirectoryQuery{Text: "ada mcd"}},
		{"employee ID", people.DirectoryQuery{Text: "142857"}},
		{"name in a department", people.DirectoryQuery{Text: "sm", Department: "Department 19"}},
		{"everyone, last page", people.DirectoryQuery{Page: 2000}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				page, err := people.SearchDirectory(ctx, d, bc.query)
				if err != nil {
					b.Fatal(err)
				}
				if page.Total == 0 {
					b.Fatal("nobody found")
				}
			}
		})
	}
}
