package httpserver_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/people"
)

// The route access tests call every registered route as every kind of
// caller, on someone else's or the organisation's data, and compare the
// status with the route's rule in routeAccess (see access_registry_test.go
// and the *_access_test.go files). A route's path parameters are filled from
// accessParams, its request body from accessBodies; an area that adds a
// parameter or data of its own registers them in its init(), next to its
// rules, with accessParamFor, accessBodyFor and accessSetupFor.

// accessFixture is the organisation every route is called against. The
// data the routes point at belongs to Other (a learner nobody calling
// manages) or to the organisation.
type accessFixture struct {
	Env *apptest.Env
	// Learner is the learner calling; Other owns the data.
	Learner, Other *people.Employee
	// Lead manages Learner (not Other); Solo manages nobody. Both call in
	// the Manager column.
	Lead, Solo *people.Employee
	HR         *people.Employee
	// NewHire has no password yet, only InviteToken.
	NewHire     *people.Employee
	InviteToken string
	// Other's completed cycle of the fixture course, its certificate and
	// its (submitted) quiz attempt.
	OtherCycleID  string
	OtherCertCode string
	OtherAttempt  string
	// DeadMessageID is an outbox message to Other that Onramp gave up on.
	DeadMessageID string
	// Extra holds what other areas' setups create, by a name they choose.
	Extra map[string]string
}

// accessCourse is the course the fixture assigns to everyone.
const accessCourse = "basic"

// accessSetups create the data other areas' routes need; each runs once,
// after the fixture's own data exists.
var accessSetups []func(t testing.TB, f *accessFixture)

// accessSetupFor registers an area's data for the access and security tests.
func accessSetupFor(setup func(t testing.TB, f *accessFixture)) {
	accessSetups = append(accessSetups, setup)
}

// accessParam fills one path parameter of the routes whose "METHOD /path"
// contains Within ("" for every route).
type accessParam struct {
	Within string
	Param  string
	Value  func(f *accessFixture) string
}

// accessParams fill path parameters with someone else's or the
// organisation's data. The entry with the longest Within that matches the
// route wins, so a specific entry overrides a general one.
var accessParams = []accessParam{
	{"", ":course", func(*accessFixture) string { return accessCourse }},
	{"", ":module", func(*accessFixture) string { return "basics" }},
	{"", ":step", func(*accessFixture) string { return "welcome" }},
	{"", ":attempt", func(f *accessFixture) string { return f.OtherAttempt }},
	{"", ":code", func(f *accessFixture) string { return f.OtherCertCode }},
	{"", ":id", func(f *accessFixture) string { return f.Other.ID }},
	{"", ":token", func(f *accessFixture) string { return f.InviteToken }},
	{"/steps/:step/video", ":module", func(*accessFixture) string { return "video" }},
	{"/steps/:step/video", ":step", func(*accessFixture) string { return "watch" }},
	{"/steps/:step/quiz", ":step", func(*accessFixture) string { return "check" }},
	{"/steps/:step/acknowledge", ":module", func(*accessFixture) string { return "sign" }},
	{"/steps/:step/acknowledge", ":step", func(*accessFixture) string { return "policy" }},
	{"/courses/:course/media/*", "*", func(*accessFixture) string { return "media/intro.mp4" }},
	{"/courses/:course/resources/:id", ":id", func(*accessFixture) string { return "quick-reference" }},
	{"/static/*", "*", func(*accessFixture) string { return "css/app.css" }},
	{"/admin/outbox/:id", ":id", func(f *accessFixture) string { return f.DeadMessageID }},
}

// accessParamFor registers how to fill param in routes containing within.
func accessParamFor(within, param string, value func(f *accessFixture) string) {
	for _, p := range accessParams {
		if p.Within == within && p.Param == param {
			panic("access parameter registered twice: " + param + " within " + within)
		}
	}
	accessParams = append(accessParams, accessParam{Within: within, Param: param, Value: value})
}

// accessBody is a request body: its content type and text.
type accessBody struct {
	ContentType string
	Text        string
}

// accessBodies are the bodies sent to routes (by "METHOD /path"); any other
// POST gets an empty form. The CSRF token is added to every one.
var accessBodies = map[string]func(f *accessFixture) accessBody{
	"POST /courses/:course/modules/:module/steps/:step/video": func(*accessFixture) accessBody {
		return accessBody{"application/json", `{"from":0,"to":0,"position":0}`}
	},
}

// accessBodyFor registers the body sent to route.
func accessBodyFor(route string, body func(f *accessFixture) accessBody) {
	if _, dup := accessBodies[route]; dup {
		panic("access body registered twice for " + route)
	}
	accessBodies[route] = body
}

// accessAPIToken returns a bearer token with every scope, once the API has
// tokens; until then it is nil, and the Token column of /api/ routes is
// skipped. The API's access file sets it in its init().
var accessAPIToken func(t testing.TB, f *accessFixture) string

// newAccessFixture builds the organisation: everyone is assigned the
// fixture course, Other has completed it.
func newAccessFixture(t testing.TB, opts apptest.Options) *accessFixture {
	t.Helper()
	env := apptest.New(t, opts)
	ctx := context.Background()
	f := &accessFixture{Env: env, Extra: map[string]string{}}
	newEmp := func(email, first, last string, role people.Role) *people.Employee {
		return env.CreateEmployee(email, first, last, role, learnerPassword)
	}
	f.HR = newEmp("hr@example.org", "Hana", "Resources", people.RoleHRAdmin)
	f.Lead = newEmp("lead@example.org", "Team", "Lead", people.RoleManager)
	f.Solo = newEmp("solo@example.org", "Sole", "Manager", people.RoleManager)
	f.Learner = newEmp("ada@example.org", "Ada", "Lovelace", people.RoleLearner)
	f.Other = newEmp("bob@example.org", "Bob", "Other", people.RoleLearner)
	f.NewHire = env.CreateEmployee("new@example.org", "New", "Starter", people.RoleLearner, "")
	if err := env.App.DB.Model(&people.Employee{}).Where("id = ?", f.Learner.ID).Update("manager_id", f.Lead.ID).Error; err != nil {
		t.Fatalf("set manager: %v", err)
	}
	for _, emp := range []*people.Employee{f.HR, f.Lead, f.Solo, f.Learner, f.Other} {
		assignBasicTB(t, env, emp)
	}
	cert, err := env.App.Learning.CompleteCourse(ctx, f.Other, accessCourse)
	if err != nil || cert == nil {
		t.Fatalf("complete the course as %s: %v", f.Other.Email, err)
	}
	f.OtherCertCode, f.OtherCycleID = cert.Code, cert.CycleID
	var attempt learning.QuizAttempt
	if err := env.App.DB.Where("employee_id = ?", f.Other.ID).Take(&attempt).Error; err != nil {
		t.Fatalf("find the other learner's quiz attempt: %v", err)
	}
	f.OtherAttempt = attempt.ID
	err = env.App.DB.Transaction(func(tx *gorm.DB) error {
		var err error
		f.InviteToken, err = env.App.Auth.CreateInvitation(tx, f.NewHire.ID)
		return err
	})
	if err != nil {
		t.Fatalf("create invitation: %v", err)
	}
	f.DeadMessageID = deadMessage(t, env, f.Other)
	for _, setup := range accessSetups {
		setup(t, f)
	}
	return f
}

// assignBasicTB is assignBasic for any testing.TB.
func assignBasicTB(t testing.TB, env *apptest.Env, emp *people.Employee) {
	t.Helper()
	now := env.Clock.Now()
	err := env.App.DB.Transaction(func(tx *gorm.DB) error {
		_, err := compliance.Assign(tx, emp.ID, accessCourse, now, now.AddDate(0, 0, 30), "assigned by the access test")
		return err
	})
	if err != nil {
		t.Fatalf("assign %s: %v", emp.Email, err)
	}
}

// deadMessage queues a message to emp and marks it given up on.
func deadMessage(t testing.TB, env *apptest.Env, emp *people.Employee) string {
	t.Helper()
	key := "access-test-" + emp.ID
	err := env.App.DB.Transaction(func(tx *gorm.DB) error {
		_, err := notify.Enqueue(tx, notify.Message{
			DedupeKey: key, Kind: notify.KindCompleted, RecipientEmployeeID: emp.ID, ToAddress: emp.Email,
			Subject: "You completed a course", Text: "Well done.", At: env.Clock.Now(),
		})
		if err != nil {
			return err
		}
		return tx.Model(&notify.Entry{}).Where("dedupe_key = ?", key).Updates(map[string]any{"state": notify.StateDead, "attempts": 8}).Error
	})
	if err != nil {
		t.Fatalf("queue a dead message: %v", err)
	}
	var e notify.Entry
	if err := env.App.DB.Where("dedupe_key = ?", key).Take(&e).Error; err != nil {
		t.Fatalf("find the dead message: %v", err)
	}
	return e.ID
}

// appRoutes lists the app's routes as "METHOD /path", sorted, leaving out
// Echo's internal catch-alls (its not-found routes for groups).
func appRoutes(env *apptest.Env) []string {
	var out []string
	for _, r := range env.App.Server.Routes() {
		method, _, _ := strings.Cut(r, " ")
		switch method {
		case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// isAPIRoute reports whether route authenticates with bearer tokens (the
// JSON API and SCIM): no sessions, no CSRF tokens.
func isAPIRoute(route string) bool {
	_, p, _ := strings.Cut(route, " ")
	return strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/scim/")
}

// fill turns a route pattern into a path, with each parameter filled from
// accessParams. It fails the test for a parameter nobody knows how to fill.
func (f *accessFixture) fill(t testing.TB, route string) string {
	t.Helper()
	_, pattern, _ := strings.Cut(route, " ")
	segs := strings.Split(pattern, "/")
	for i, seg := range segs {
		if !strings.HasPrefix(seg, ":") && seg != "*" {
			continue
		}
		var best *accessParam
		for k := range accessParams {
			p := &accessParams[k]
			if p.Param == seg && strings.Contains(route, p.Within) && (best == nil || len(p.Within) > len(best.Within)) {
				best = p
			}
		}
		if best == nil {
			t.Fatalf("%s: nobody fills %s: add accessParamFor(%q, %q, …) to the area's *_access_test.go", route, seg, pattern, seg)
		}
		v := best.Value(f)
		if seg == "*" {
			segs[i] = (&url.URL{Path: v}).EscapedPath()
		} else {
			segs[i] = url.PathEscape(v)
		}
	}
	return strings.Join(segs, "/")
}

// body returns what to send to route.
func (f *accessFixture) body(route string) accessBody {
	if b, ok := accessBodies[route]; ok {
		return b(f)
	}
	return accessBody{ContentType: "application/x-www-form-urlencoded"}
}

// accessCaller is one kind of caller: a client (signed in or not) and how
// to read its expected status off a rule.
type accessCaller struct {
	Name   string
	Client *apptest.Client
	// Email signs the client in again when a route ended its session.
	Email  string
	Bearer string
	want   func(a access, api bool) (status int, skip string)
}

// callers returns the callers of TestRouteAccess, each signed in (or not)
// with a CSRF cookie.
func (f *accessFixture) callers(t testing.TB) []*accessCaller {
	t.Helper()
	signedIn := func(name string, emp *people.Employee, col func(access) int) *accessCaller {
		c := f.Env.Client()
		c.Login(emp.Email, learnerPassword)
		return &accessCaller{Name: name, Client: c, Email: emp.Email, want: func(a access, _ bool) (int, string) { return col(a), "" }}
	}
	anon := f.Env.Client()
	anon.CSRF()
	token := f.Env.Client()
	token.CSRF()
	bearer := "onramp-test-not-a-real-token-0123456789abcdef"
	if accessAPIToken != nil {
		bearer = accessAPIToken(t, f)
	}
	return []*accessCaller{
		{Name: "anonymous", Client: anon, want: func(a access, _ bool) (int, string) { return a.Anonymous, "" }},
		{Name: "API token", Client: token, Bearer: bearer, want: func(a access, api bool) (int, string) {
			switch {
			case !api && a.Token == 0:
				return a.Anonymous, "" // a token is not a session: pages treat it as anonymous
			case api && accessAPIToken == nil:
				return 0, "the API has no tokens yet (accessAPIToken is nil)"
			}
			return a.Token, ""
		}},
		signedIn("learner", f.Learner, func(a access) int { return a.Learner }),
		signedIn("manager of another team", f.Lead, func(a access) int { return a.Manager }),
		signedIn("manager without reports", f.Solo, func(a access) int { return a.Manager }),
		signedIn("hr_admin", f.HR, func(a access) int { return a.HRAdmin }),
	}
}

// accessRequest is what a caller sends.
type accessRequest struct {
	Method, Path string
	Body         accessBody
	// CSRF is "valid" (the client's own token), "" (none) or a token to
	// send instead.
	CSRF   string
	Bearer string
	// Header adds request headers.
	Header http.Header
}

const csrfValid = "valid"

// send makes one request as the client, with its cookies, and reads the
// answer. It never follows redirects.
func send(t testing.TB, c *apptest.Client, r accessRequest) *apptest.Response {
	t.Helper()
	body := r.Body.Text
	token := ""
	switch r.CSRF {
	case "":
	case csrfValid:
		token = c.CSRF()
	default:
		token = r.CSRF
	}
	hasBody := r.Method != http.MethodGet && r.Method != http.MethodHead
	if hasBody && token != "" && r.Body.ContentType == "application/x-www-form-urlencoded" {
		form, err := url.ParseQuery(body)
		if err != nil {
			t.Fatalf("bad form %q: %v", body, err)
		}
		form.Set("csrf_token", token)
		body = form.Encode()
	}
	var req *http.Request
	var err error
	if hasBody {
		req, err = http.NewRequest(r.Method, c.Base.String()+r.Path, strings.NewReader(body))
		if err == nil && r.Body.ContentType != "" {
			req.Header.Set("Content-Type", r.Body.ContentType)
		}
		if err == nil && token != "" && r.Body.ContentType != "application/x-www-form-urlencoded" {
			req.Header.Set("X-CSRF-Token", token)
		}
	} else {
		req, err = http.NewRequest(r.Method, c.Base.String()+r.Path, nil)
	}
	if err != nil {
		t.Fatalf("%s %s: %v", r.Method, r.Path, err)
	}
	if r.Bearer != "" {
		req.Header.Set("Authorization", "Bearer "+r.Bearer)
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", r.Method, r.Path, err)
	}
	defer res.Body.Close()
	var sb strings.Builder
	if _, err := io.Copy(&sb, res.Body); err != nil {
		t.Fatalf("%s %s: read body: %v", r.Method, r.Path, err)
	}
	return &apptest.Response{Response: res, Body: sb.String()}
}

// keepSignedIn signs the caller in again when the last request ended its
// session (sign-out does), so the next route is called as the same person.
func (c *accessCaller) keepSignedIn(t testing.TB, session string) {
	t.Helper()
	if c.Email == "" || authCookie(c.Client, "onramp_session") == session {
		return
	}
	c.Client.Login(c.Email, learnerPassword)
}

// TestEveryRouteHasAnAccessRule: a route cannot ship without saying who may
// use it, and a rule cannot outlive its route.
func TestEveryRouteHasAnAccessRule(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	registered := map[string]bool{}
	for _, r := range appRoutes(env) {
		registered[r] = true
		a, ok := routeAccess[r]
		if !ok {
			t.Errorf("route %s has no access rule: add expectAccess(%q, access{…}) to its area's *_access_test.go", r, r)
			continue
		}
		if a.Anonymous == 0 || a.Learner == 0 || a.Manager == 0 || a.HRAdmin == 0 || (isAPIRoute(r) && a.Token == 0) {
			t.Errorf("the access rule of %s leaves a caller unchecked: %+v (only Token may be 0, and only for a non-API route)", r, a)
		}
	}
	var stale []string
	for r := range routeAccess {
		if !registered[r] {
			stale = append(stale, r)
		}
	}
	sort.Strings(stale)
	for _, r := range stale {
		t.Errorf("access rule for %s, but no such route is registered: remove the rule or fix its spelling", r)
	}
}

// TestRouteAccess calls every route as every kind of caller, on someone
// else's or the organisation's data, with a valid CSRF token (so what is
// tested is the role, not the form), and checks the status against the
// route's rule. An anonymous caller sent away must be sent to sign in.
// Other's training records must come out of it unchanged.
func TestRouteAccess(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t, apptest.Options{})
	callers := f.callers(t)
	before := trainingRecords(t, f.Env, f.Other.ID)
	for _, route := range appRoutes(f.Env) {
		rule, ok := routeAccess[route]
		if !ok {
			continue // TestEveryRouteHasAnAccessRule names it
		}
		method, _, _ := strings.Cut(route, " ")
		path := f.fill(t, route)
		api := isAPIRoute(route)
		t.Run(route, func(t *testing.T) {
			for _, c := range callers {
				want, skip := c.want(rule, api)
				if skip != "" {
					t.Logf("%s: skipped: %s", c.Name, skip)
					continue
				}
				session := authCookie(c.Client, "onramp_session")
				res := send(t, c.Client, accessRequest{Method: method, Path: path, Body: f.body(route), CSRF: csrfValid, Bearer: c.Bearer})
				if res.StatusCode != want {
					t.Errorf("%s: %s %s: status %d, want %d%s", c.Name, method, path, res.StatusCode, want, bodyHint(res))
				}
				if c.Email == "" && res.StatusCode == http.StatusSeeOther && !strings.HasPrefix(res.Header.Get("Location"), "/login") {
					t.Errorf("%s: %s %s sends an anonymous caller to %q, not to sign in", c.Name, method, path, res.Header.Get("Location"))
				}
				c.keepSignedIn(t, session)
			}
		})
	}
	if after := trainingRecords(t, f.Env, f.Other.ID); after != before {
		t.Errorf("calling every route changed the other learner's training records:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// bodyHint is the start of an unexpected answer's body, for the failure
// message.
func bodyHint(res *apptest.Response) string {
	b := res.Body
	if i := strings.Index(b, "<main"); i >= 0 {
		b = b[i:]
	}
	if len(b) > 300 {
		b = b[:300] + "…"
	}
	if loc := res.Header.Get("Location"); loc != "" {
		return " (to " + loc + ")"
	}
	return "; body: " + strings.Join(strings.Fields(b), " ")
}

// trainingRecords renders every row of an employee's training records, to
// compare before and after.
func trainingRecords(t testing.TB, env *apptest.Env, employeeID string) string {
	t.Helper()
	var sb strings.Builder
	queries := []string{
		"SELECT * FROM employees WHERE id = ?",
		"SELECT * FROM cycles WHERE employee_id = ? ORDER BY id",
		"SELECT * FROM step_progress WHERE employee_id = ? ORDER BY id",
		"SELECT * FROM video_progress WHERE employee_id = ? ORDER BY id",
		"SELECT * FROM quiz_attempts WHERE employee_id = ? ORDER BY id",
		"SELECT * FROM attestations WHERE employee_id = ? ORDER BY id",
		"SELECT * FROM certificates WHERE employee_id = ? ORDER BY id",
	}
	for _, q := range queries {
		var rows []map[string]any
		if err := env.App.DB.Raw(q, employeeID).Scan(&rows).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		fmt.Fprintf(&sb, "%s\n", q)
		for _, r := range rows {
			fmt.Fprintf(&sb, "  %s\n", sortedRow(r))
		}
	}
	return sb.String()
}

func sortedRow(r map[string]any) string {
	keys := make([]string, 0, len(r))
	for k := range r {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%v", k, plainValue(r[k]))
	}
	return strings.Join(parts, " ")
}

// plainValue turns what the database driver scanned (bytes, pointers) into
// something that prints as its value.
func plainValue(v any) any {
	rv := reflect.ValueOf(v)
	for rv.IsValid() && rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return "NULL"
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return "NULL"
	}
	if b, ok := rv.Interface().([]byte); ok {
		return string(b)
	}
	return rv.Interface()
}
