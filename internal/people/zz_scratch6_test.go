package people

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"
	"strings"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/db"
)

func TestZZScratch6(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, "postgres://postgres@127.0.0.1:5432/zz_people?sslmode=disable", nil)
	if err != nil { t.Fatal(err) }
	d.Migrate(ctx)
	var b bytes.Buffer
	b.WriteString("employee_id,email,first_name,last_name,department,job_title,location,manager_email,hire_date\n")
	firsts := []string{"Ada","Ben","Cy","Dee","Eve","Fay","Gus","Hal","Ida","Jo"}
	names := []string{"Smith", "Martin", "Martinez", "Mason", "Adams", "McDonald", "Lee", "Brown", "Walker", "Young", "Jones", "Baker", "Taylor", "Wilson", "Moore", "White", "Harris", "Clark", "Lewis", "Hall"}
	for i := 0; i < 100000; i++ {
		fmt.Fprintf(&b, "%06d,%s.%d@example.org,%s,%s,Dept %d,Job,Site,,2020-01-01\n", 100000+i, firsts[i%10], i, firsts[i%10], names[(i/10)%20], i%40)
	}
	f, _ := ParseStaffCSV(&b)
	plan, _ := Plan(ctx, d, f, PlanOptions{})
	Apply(ctx, d, plan, time.Now())
	d.Exec("ANALYZE employees")
	for _, q := range []DirectoryQuery{{Text: "mart"}, {}} {
		for _, withOrder := range []bool{false, true} {
			var ids []string
			tx := q.filter(d.Session(&gorm.Session{DryRun: true}).Table("employees"), true).Select("id")
			if withOrder { tx = tx.Order("last_name, first_name, id").Limit(50).Offset(99950) } else { tx = tx.Select("count(*)") }
			stmt := tx.Find(&ids).Statement
			var plan []string
			d.Raw("EXPLAIN ANALYZE "+stmt.SQL.String(), stmt.Vars...).Scan(&plan)
			fmt.Println(strings.Join(plan, "\n"))
		}
	}
}
