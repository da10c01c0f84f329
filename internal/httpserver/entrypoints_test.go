package httpserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/apitoken"
	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/cli"
	"github.com/onramp-lms/onramp/internal/people"
)

// The same changes to people, made through each entry point: HR's import
// page, the command line and the JSON API. Step one adds a manager, their
// manager and a report; step two changes the manager's department, marks
// the report inactive and adds a new hire; step three gives the new hire
// another manager and details.
var entrySteps = [][]string{
	{
		"E1,dana@example.org,Dana,Director,Management,Director,HQ,,2015-06-01,active",
		"E2,mo@example.org,Mo,Manager,Nursing,Ward Manager,North,dana@example.org,2018-03-15,active",
		"E3,ana@example.org,Ana,Silva,Nursing,Registered Nurse,North,mo@example.org,2024-01-31,active",
	},
	{
		"E1,dana@example.org,Dana,Director,Management,Director,HQ,,2015-06-01,active",
		"E2,mo@example.org,Mo,Manager,Surgery,Ward Manager,North,dana@example.org,2018-03-15,active",
		"E3,ana@example.org,Ana,Silva,Nursing,Registered Nurse,North,mo@example.org,2024-01-31,inactive",
		"E4,bo@example.org,Bo,Berg,Surgery,Theatre Nurse,North,mo@example.org,2026-03-01,active",
	},
	{
		"E4,bo@example.org,Bo,Berg,Pharmacy,Pharmacist,South,dana@example.org,2026-03-01,active",
	},
}

// TestPeopleChangesLeaveTheSameStateFromEveryEntryPoint: HR's page, the
// command line and the API make a change to people through the one use case
// (people.Service), so the same change leaves the same employees,
// assignments, cycles, report standings, queued e-mails and audit actions,
// whichever way it came in. IDs and secrets are generated and compared by
// what they stand for; every entry point runs at the same fake time.
func TestPeopleChangesLeaveTheSameStateFromEveryEntryPoint(t *testing.T) {
	t.Parallel()
	entries := map[string]func(t *testing.T, env *apptest.Env, rows []string){
		"HR page": func(t *testing.T, env *apptest.Env, rows []string) {
			c := env.Client()
			c.Login("hr@example.org", "correct horse battery staple")
			st := previewStaff(t, c, staffCSV(rows...), false)
			if res := applyStaff(t, c, st); res.StatusCode != http.StatusOK {
				t.Fatalf("apply: %d\n%s", res.StatusCode, res.Body)
			}
		},
		"command line": func(t *testing.T, env *apptest.Env, rows []string) {
			path := filepath.Join(t.TempDir(), "staff.csv")
			if err := os.WriteFile(path, []byte(staffCSV(rows...)), 0o600); err != nil {
				t.Fatal(err)
			}
			vars := map[string]string{
				"ONRAMP_DATABASE_URL": env.DatabaseURL, "ONRAMP_DATA_DIR": t.TempDir(), "ONRAMP_BASE_URL": env.Server.URL + "/",
				"ONRAMP_CONTENT_DIR": filepath.Join(apptest.RepoRoot(), "internal", "catalog", "testdata", "basic"),
				"ONRAMP_LOG_LEVEL":   "error",
			}
			var stdout, stderr bytes.Buffer
			code := cli.Main(context.Background(), []string{"employees", "import", path}, cli.Env{
				Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return vars[k] }, Clock: env.Clock,
			})
			if code != 0 {
				t.Fatalf("exit %d\n%s", code, stderr.String())
			}
		},
		"API": func(t *testing.T, env *apptest.Env, rows []string) {
			_, secret := apiToken(t, env, "HR system", apitoken.ScopeEmployeesWrite)
			var items []map[string]string
			for _, row := range rows {
				cells := strings.Split(row, ",")
				item := map[string]string{}
				for i, col := range strings.Split(staffHeader, ",") {
					item[col] = cells[i]
				}
				items = append(items, item)
			}
			body, _ := json.Marshal(map[string]any{"employees": items})
			res := apiCall(t, env, http.MethodPost, "/api/v1/employees", "Bearer "+secret, string(body))
			if res.StatusCode != http.StatusOK {
				t.Fatalf("POST /api/v1/employees: %d\n%s", res.StatusCode, res.Body)
			}
		},
	}
	states := map[string][]string{}
	for name, run := range entries {
		t.Run(name, func(t *testing.T) {
			env := apptest.New(t, apptest.Options{})
			env.CreateEmployee("hr@example.org", "Hana", "Resources", people.RoleHRAdmin, "correct horse battery staple")
			for i, rows := range entrySteps {
				run(t, env, rows)
				states[name] = append(states[name], fmt.Sprintf("after step %d:", i+1))
				states[name] = append(states[name], entryState(t, env)...)
				env.Clock.Advance(24 * time.Hour)
			}
		})
	}
	want := states["HR page"]
	if len(want) < 10 {
		t.Fatalf("the HR page left almost nothing to compare: %q", want)
	}
	for _, name := range []string{"command line", "API"} {
		got := states[name]
		if !slices.Equal(got, want) {
			t.Errorf("%s left another state than the HR page:\n%s", name, lineDiff(want, got))
		}
	}
}

// entryState is the state a change to people leaves, a line per row, with
// generated IDs replaced by what they stand for (an employee by e-mail) and
// secrets left out.
func entryState(t *testing.T, env *apptest.Env) []string {
	t.Helper()
	d := env.App.DB
	var emps []struct{ ID, Email string }
	if err := d.Raw("SELECT id, email FROM employees").Scan(&emps).Error; err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, e := range emps {
		names[e.ID] = "<" + e.Email + ">"
	}
	uuid := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	secret := regexp.MustCompile(`(\\"token\\":\\")[A-Za-z0-9_-]+`)
	norm := func(s string) string {
		s = secret.ReplaceAllString(s, "${1}<secret>")
		return uuid.ReplaceAllStringFunc(s, func(id string) string {
			if n, ok := names[id]; ok {
				return n
			}
			return "<id>"
		})
	}
	queries := []struct{ table, sql string }{
		{"employees", `SELECT e.employee_number, e.email, e.first_name, e.last_name, e.department, e.job_title, e.location,
			m.email AS manager, e.hire_date, e.status, e.time_zone, e.role, e.deactivated_at, e.updated_at
			FROM employees e LEFT JOIN employees m ON m.id = e.manager_id`},
		{"assignments", `SELECT * FROM assignments`},
		{"cycles", `SELECT * FROM cycles`},
		{"rule_matches", `SELECT * FROM rule_matches`},
		{"compliance_status", `SELECT * FROM compliance_status`},
		{"outbox", `SELECT kind, to_address, subject, state, payload, next_attempt_at, created_at FROM outbox`},
		{"audit_log", `SELECT action, entity_type FROM audit_log WHERE entity_type = 'employee'`},
	}
	var out []string
	for _, q := range queries {
		var rows []map[string]any
		if err := d.Raw(q.sql).Scan(&rows).Error; err != nil {
			t.Fatalf("%s: %v", q.table, err)
		}
		var lines []string
		for _, r := range rows {
			delete(r, "id")
			for k, v := range r {
				switch v := v.(type) {
				case []byte:
					r[k] = string(v)
				case time.Time:
					r[k] = v.UTC().Format(time.RFC3339Nano)
				}
			}
			b, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			lines = append(lines, q.table+" "+norm(string(b)))
		}
		slices.Sort(lines)
		if len(lines) == 0 {
			lines = []string{q.table + " (none)"}
		}
		out = append(out, lines...)
	}
	return out
}

// lineDiff lists the lines only one side has.
func lineDiff(want, got []string) string {
	var b strings.Builder
	for _, l := range want {
		if !slices.Contains(got, l) {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	for _, l := range got {
		if !slices.Contains(want, l) {
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	return b.String()
}
