package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// benchPassword is the password of every account the runner signs in with.
const benchPassword = "onramp-bench-password-2026"

// hrEmail is the HR admin the runner creates.
const hrEmail = "bench-hr@" + emailDomain

var inviteLink = regexp.MustCompile(`/invite/([A-Za-z0-9_\-]+)`)

// serveSteps starts `onramp serve`, signs in as HR and as the big manager,
// times the pages and downloads, then runs a pass while learners post
// progress.
func (b *bench) serveSteps(ctx context.Context) {
	addr, err := freePort()
	if err != nil {
		b.fail("serve", err)
		return
	}
	b.serveURL = "http://" + addr
	env := b.env("ONRAMP_ADDR="+addr, "ONRAMP_BASE_URL="+b.serveURL)
	r := b.runChild(ctx, 2*time.Minute, env, b.o.Onramp, "admin", "create", "--email", hrEmail, "--name", "Bench Admin")
	m := inviteLink.FindStringSubmatch(r.Stdout)
	if r.Err != nil || m == nil {
		b.fail("onramp admin create", fmt.Errorf("%v: %s%s", r.Err, r.Stdout, r.Stderr))
		return
	}
	hrToken := m[1]

	logf, err := os.Create(filepath.Join(b.out, "serve.log"))
	if err != nil {
		b.fail("serve", err)
		return
	}
	defer logf.Close()
	serve := exec.Command(b.o.Onramp, "serve")
	serve.Env, serve.Dir, serve.Stdout, serve.Stderr = env, b.out, logf, logf
	started := time.Now()
	if err := serve.Start(); err != nil {
		b.fail("onramp serve", err)
		return
	}
	defer b.stopServe(serve)
	if err := b.waitReady(ctx, 3*time.Minute); err != nil {
		b.fail("onramp serve", fmt.Errorf("%w (see %s)", err, logf.Name()))
		return
	}
	b.rows = append(b.rows, row{What: "`serve` start-up until /readyz answers 200", Measured: seconds(time.Since(started)),
		Seconds: time.Since(started).Seconds(), Command: "onramp serve", OK: true})

	hr := b.client()
	if err := hr.acceptInvite(ctx, hrToken); err != nil {
		b.fail("sign in as HR", err)
		return
	}
	manager := b.client()
	if err := b.inviteAndSignIn(ctx, hr, manager, b.m.BigManagerEmail); err != nil {
		b.fail("sign in as the big manager", err)
		return
	}
	b.page(ctx, hr, "HR dashboard `/admin`", "≤ 150 ms", "/admin")
	b.page(ctx, hr, "overdue report page", "≤ 300 ms", "/admin/reports?report=overdue")
	b.page(ctx, hr, "completions report preview", "≤ 300 ms", "/admin/reports?report=completions")
	// Filtered pages: one of five sites (a fifth of the standings), one
	// course (a twentieth).
	b.page(ctx, hr, "status report page, one site", "≤ 300 ms", "/admin/reports?report=status&location="+url.QueryEscape(locations[0]))
	b.page(ctx, hr, "status report page, one course", "≤ 300 ms", "/admin/reports?report=status&course="+url.QueryEscape(b.m.Courses[0]))
	// A job title of managers only (a fiftieth of the staff split five
	// ways: 8,000 standings at 100k, under the 10,000 a report walks in
	// its order), so the page reads the title's rows and sorts them.
	b.page(ctx, hr, "status report page, one managers' job title", "≤ 300 ms", "/admin/reports?report=status&job_title="+url.QueryEscape(managerTitles[2]))
	b.page(ctx, manager, fmt.Sprintf("manager's team view (%d direct reports)", b.m.BigTeam), "≤ 300 ms", "/team")
	b.download(ctx, hr, "full completions XLSX download", "a workbook, or a clear refusal before starting", "/admin/reports/completions.xlsx")
	b.download(ctx, hr, "full completions CSV download", "keep ≤ ~1.4× the shell", "/admin/reports/completions.csv")
	if b.o.Writers > 0 {
		b.writersDuringPass(ctx, hr)
	}
}

func (b *bench) fail(what string, err error) {
	b.logf("%s: %v", what, err)
	b.rows = append(b.rows, row{What: what, Measured: "failed: " + lastLine(err.Error())})
}

// stopServe stops serve and records its peak memory over the page steps.
func (b *bench) stopServe(serve *exec.Cmd) {
	_ = serve.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- serve.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = serve.Process.Kill()
		<-done
	}
	b.rows = append(b.rows, row{What: "`serve` peak resident memory over the steps above", PeakRSS: maxRSS(serve.ProcessState),
		Measured: mib(maxRSS(serve.ProcessState)), Command: "onramp serve", OK: true})
}

func (b *bench) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		resp, err := http.Get(b.serveURL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("/readyz did not answer 200 within %s", timeout)
}

// session is one signed-in browser: a cookie jar that does not follow
// redirects.
type session struct {
	b    *bench
	c    *http.Client
	base *url.URL
}

func (b *bench) client() *session {
	jar, _ := cookiejar.New(nil)
	base, _ := url.Parse(b.serveURL)
	return &session{b: b, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (s *session) csrf() string {
	for _, c := range s.c.Jar.Cookies(s.base) {
		if strings.HasSuffix(c.Name, "onramp_csrf") {
			return c.Value
		}
	}
	return ""
}

func (s *session) get(ctx context.Context, path string) (int, string, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base.String()+path, nil)
	resp, err := s.c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

func (s *session) post(ctx context.Context, path string, form url.Values) (int, string, error) {
	code, _, body, err := s.postTo(ctx, path, form)
	return code, body, err
}

// postTo is post, and also returns where a redirect sends the browser.
func (s *session) postTo(ctx context.Context, path string, form url.Values) (code int, location, body string, err error) {
	form.Set("csrf_token", s.csrf())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.base.String()+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.c.Do(req)
	if err != nil {
		return 0, "", "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b), err
}

// acceptInvite sets the password through a set-password link, which signs
// the session in.
func (s *session) acceptInvite(ctx context.Context, token string) error {
	if code, _, err := s.get(ctx, "/invite/"+token); err != nil || code != http.StatusOK {
		return fmt.Errorf("GET /invite/…: %d %v", code, err)
	}
	code, body, err := s.post(ctx, "/invite/"+token, url.Values{"password": {benchPassword}, "password_confirm": {benchPassword}})
	if err != nil || code != http.StatusSeeOther {
		return fmt.Errorf("POST /invite/…: %d %v %s", code, err, snippet(body))
	}
	return nil
}

func snippet(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// inviteAndSignIn has HR make a set-password link for the person with the
// e-mail address (POST /admin/people/:id/invite shows it once) and uses it.
func (b *bench) inviteAndSignIn(ctx context.Context, hr, who *session, email string) error {
	db, err := b.openDB()
	if err != nil {
		return err
	}
	defer db.Close()
	var id string
	if err := db.QueryRowContext(ctx, `SELECT id FROM employees WHERE email = $1`, email).Scan(&id); err != nil {
		return fmt.Errorf("find %s: %w", email, err)
	}
	code, body, err := hr.post(ctx, "/admin/people/"+id+"/invite", url.Values{})
	m := inviteLink.FindStringSubmatch(body)
	if err != nil || code != http.StatusOK || m == nil {
		return fmt.Errorf("POST /admin/people/%s/invite: %d %v", id, code, err)
	}
	return who.acceptInvite(ctx, m[1])
}

// page times a page three times and records the median, the first (cold)
// time and the size.
func (b *bench) page(ctx context.Context, s *session, what, target, path string) {
	var times []time.Duration
	var size int
	var status int
	for range 3 {
		rctx, cancel := context.WithTimeout(ctx, b.o.Timeouts.Page)
		start := time.Now()
		code, body, err := s.get(rctx, path)
		d := time.Since(start)
		cancel()
		if err != nil {
			measured := fmt.Sprintf("failed after %s: %v", seconds(d), err)
			if errors.Is(err, context.DeadlineExceeded) {
				measured = "not finished after " + b.o.Timeouts.Page.String()
			}
			b.rows = append(b.rows, row{What: what, Target: target, Measured: measured, Seconds: d.Seconds(), Command: "GET " + path})
			return
		}
		times = append(times, d)
		size, status = len(body), code
	}
	first := times[0]
	slices.Sort(times)
	med := times[len(times)/2]
	measured := fmt.Sprintf("%s (first %s), HTTP %d, %s", seconds(med), seconds(first), status, mibOrKB(int64(size)))
	b.logf("%s: %s", what, measured)
	b.rows = append(b.rows, row{What: what, Target: target, Measured: measured, Seconds: med.Seconds(), Command: "GET " + path, OK: status == http.StatusOK})
}

// download times a whole download: status, bytes, first byte of the body
// and the end. The body is saved in DIR/run.
func (b *bench) download(ctx context.Context, s *session, what, target, path string) {
	rctx, cancel := context.WithTimeout(ctx, b.o.Timeouts.Download)
	defer cancel()
	b.logf("%s: GET %s", what, path)
	req, _ := http.NewRequestWithContext(rctx, http.MethodGet, s.base.String()+path, nil)
	start := time.Now()
	resp, err := s.c.Do(req)
	if err != nil {
		b.rows = append(b.rows, row{What: what, Target: target, Measured: fmt.Sprintf("failed after %s: %v", seconds(time.Since(start)), err), Command: "GET " + path})
		return
	}
	defer resp.Body.Close()
	f, err := os.Create(filepath.Join(b.out, "download-"+filepath.Base(path)))
	if err != nil {
		b.fail(what, err)
		return
	}
	defer f.Close()
	var firstByte time.Duration
	buf := make([]byte, 64<<10)
	var n int64
	for {
		k, err := resp.Body.Read(buf)
		if k > 0 {
			if n == 0 {
				firstByte = time.Since(start)
			}
			n += int64(k)
			f.Write(buf[:k])
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			measured := fmt.Sprintf("broke off after %s and %s: %v", seconds(time.Since(start)), mibOrKB(n), err)
			if rctx.Err() != nil {
				measured = fmt.Sprintf("not finished after %s (%s received)", b.o.Timeouts.Download, mibOrKB(n))
			}
			b.rows = append(b.rows, row{What: what, Target: target, Measured: measured, Command: "GET " + path})
			return
		}
	}
	d := time.Since(start)
	measured := fmt.Sprintf("%s, HTTP %d, %s, first byte %s", seconds(d), resp.StatusCode, mibOrKB(n), seconds(firstByte))
	if n == 0 {
		measured = fmt.Sprintf("%s, HTTP %d with an empty body", seconds(d), resp.StatusCode)
	}
	b.logf("  %s", measured)
	b.rows = append(b.rows, row{What: what, Target: target, Measured: measured, Seconds: d.Seconds(), Command: "GET " + path,
		OK: resp.StatusCode == http.StatusOK && n > 0})
}

// writersDuringPass signs in a few learners who can progress in a course
// (see pickWriters), then has them post "page read" as fast as they can
// while a scheduler pass runs a day later, and counts the posts that
// failed.
// learner is a signed-in learner and the step they mark done.
type learner struct {
	s    *session
	step string
}

func (b *bench) writersDuringPass(ctx context.Context, hr *session) {
	db, err := b.openDB()
	if err != nil {
		b.fail("learner writes during a pass", err)
		return
	}
	if b.sqlite == "" {
		// PostgreSQL plans the pick below from statistics that the
		// imports made stale (a nested loop over 2,000,000 cycles per
		// employee ran for more than 13 minutes at 10,000 people).
		for _, t := range []string{"employees", "cycles"} {
			if _, err := db.ExecContext(ctx, "ANALYZE "+t); err != nil {
				b.fail("learner writes during a pass", err)
				db.Close()
				return
			}
		}
	}
	writers, err := pickWriters(ctx, db, b.m.Courses, b.o.Writers)
	db.Close()
	if err != nil || len(writers) == 0 {
		b.fail("learner writes during a pass", fmt.Errorf("no active learner with an open, in-progress or overdue current cycle of any of the %d courses: %v", len(b.m.Courses), err))
		return
	}
	var learners []learner
	courses := map[string]bool{}
	for _, w := range writers {
		s := b.client()
		if err := b.inviteAndSignIn(ctx, hr, s, w.Email); err != nil {
			b.fail("learner writes during a pass", err)
			return
		}
		step := writerStep(w.Course)
		if code, _, err := s.get(ctx, step); err != nil || code != http.StatusOK {
			b.fail("learner writes during a pass", fmt.Errorf("GET %s: %d %v", step, code, err))
			return
		}
		learners = append(learners, learner{s, step})
		courses[w.Course] = true
	}
	step := writerStep(writers[0].Course)
	if len(courses) > 1 {
		step = writerStep("C")
	}

	now, _ := time.Parse(time.RFC3339, b.m.Now)
	// A day later, but never after the real clock: serve signs people in
	// on the real clock, and a pass in its future would end their
	// sessions as idle.
	later := now.AddDate(0, 0, 1)
	if real := time.Now().UTC().Truncate(time.Minute); later.After(real) {
		later = real
	}
	next := later.Format(time.RFC3339)
	posting := b.learnersPost(learners)
	b.probedPass(ctx, "scheduler pass a day later (or at the real now, if sooner), while learners post", "", next)
	measured, failed := posting()
	b.logf("learner writes: %s", measured)
	b.rows = append(b.rows, row{What: fmt.Sprintf("  learner writes during that pass (%d learners, POST …/steps/welcome/done)", len(learners)),
		Target: "all succeed", Measured: measured, Command: "POST " + step + "/done", OK: failed == 0})
	b.ruleChanges(ctx, hr, learners)
}

// learnersPost has each learner mark their step done again and again, 10 ms
// apart, until the returned function is called; it says how their writes
// went and how many failed.
func (b *bench) learnersPost(learners []learner) (stop func() (string, int)) {
	wctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var ok, failed int
	var lat []time.Duration
	codes := map[string]int{}
	var wg sync.WaitGroup
	for _, l := range learners {
		wg.Go(func() {
			for wctx.Err() == nil {
				start := time.Now()
				code, body, err := l.s.post(context.Background(), l.step+"/done", url.Values{})
				d := time.Since(start)
				mu.Lock()
				lat = append(lat, d)
				if err == nil && code == http.StatusSeeOther {
					ok++
				} else {
					failed++
					k := fmt.Sprintf("%d %s", code, pageTitle(body))
					if err != nil {
						k = err.Error()
					}
					codes[k]++
				}
				mu.Unlock()
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
	return func() (string, int) {
		cancel()
		wg.Wait()
		slices.Sort(lat)
		measured := fmt.Sprintf("%d of %d succeeded", ok, ok+failed)
		if len(lat) > 0 {
			measured += fmt.Sprintf("; p50 %s, p99 %s, max %s", seconds(lat[len(lat)/2]), seconds(lat[len(lat)*99/100]), seconds(lat[len(lat)-1]))
		}
		if failed > 0 {
			measured += fmt.Sprintf("; failures: %v", codes)
		}
		return measured, failed
	}
}

// changeState is a rule change's state on its progress page.
var changeState = regexp.MustCompile(`data-testid="job-status" data-state="([a-z]+)"`)

// previewedField is the preview's fingerprint, which Save requires.
var previewedField = regexp.MustCompile(`name="previewed"[^>]*value="([0-9a-f]+)"`)

// ruleChanges has HR change rules for everyone through the rule form (a
// preview, then the save) while the learners post: first the due date of
// the first course's rule, which changes nobody's course (so nobody is
// evaluated), then a second rule for everyone for the same course, due
// later, which is evaluated for everyone (a batch of people per
// transaction) and leaves everyone's course as it is (the learners'
// courses stay theirs).
func (b *bench) ruleChanges(ctx context.Context, hr *session, learners []learner) {
	form := url.Values{
		"name": {"Default rule from the course file"}, "who": {"everyone"}, "due_days": {"45"}, "due_from": {"hire"},
		"every_months": {"12"}, "window_days": {"60"}, "base": {"expiry"}, "active": {"yes"},
	}
	edit := "/admin/rules/course-default-" + b.m.Courses[0] + "/edit"
	if !b.ruleChange(ctx, hr, learners, fmt.Sprintf("HR moves the due date of a rule for everyone (%d people)", b.m.People), edit, form) {
		return
	}
	form.Set("name", "Everyone, a second rule")
	form.Set("due_days", "90")
	form.Set("course", b.m.Courses[0])
	b.ruleChange(ctx, hr, learners, fmt.Sprintf("HR adds a second rule for everyone (%d people)", b.m.People), "/admin/rules/new", form)
}

// ruleChange opens the rule form at path, previews and saves it as fields
// say while the learners post, and records the times.
func (b *bench) ruleChange(ctx context.Context, hr *session, learners []learner, what, path string, fields url.Values) bool {
	if code, _, err := hr.get(ctx, path); err != nil || code != http.StatusOK {
		b.fail("rule change", fmt.Errorf("GET %s: %d %v", path, code, err))
		return false
	}
	form := url.Values{}
	for k, v := range fields {
		form[k] = v
	}
	form.Set("action", "preview")
	posting := b.learnersPost(learners)
	began := time.Now()
	code, body, err := hr.post(ctx, path, form)
	preview := time.Since(began)
	m := previewedField.FindStringSubmatch(body)
	if err != nil || code != http.StatusOK || m == nil {
		posting()
		b.fail("rule change", fmt.Errorf("POST %s (preview): %d %v %s", path, code, err, snippet(body)))
		return false
	}
	form.Set("previewed", m[1])
	form.Set("action", "save")
	began = time.Now()
	code, location, body, err := hr.postTo(ctx, path, form)
	save := time.Since(began)
	if err != nil || code != http.StatusSeeOther {
		posting()
		b.fail("rule change", fmt.Errorf("POST %s (save): %d %v %s", path, code, err, snippet(body)))
		return false
	}
	// A change the save did not wait for is followed on its page, as HR's
	// browser does, until it is applied to everyone.
	applied, state := save, "done"
	if strings.HasPrefix(location, "/admin/rules/changes/") {
		for state = "running"; state == "running"; {
			time.Sleep(500 * time.Millisecond)
			code, body, err := hr.get(ctx, location)
			if err != nil || code != http.StatusOK {
				posting()
				b.fail("rule change", fmt.Errorf("GET %s: %d %v %s", location, code, err, snippet(body)))
				return false
			}
			if m := changeState.FindStringSubmatch(body); m != nil {
				state = m[1]
			}
		}
		applied = time.Since(began)
	}
	measured, failed := posting()
	if state != "done" {
		b.fail("rule change", fmt.Errorf("%s: the change ended %q", location, state))
		return false
	}
	b.logf("%s: preview %s, save answered in %s, applied in %s; learner writes: %s", what, seconds(preview), seconds(save), seconds(applied), measured)
	b.rows = append(b.rows, row{What: what + ": preview", Target: "nobody waits", Measured: seconds(preview), Seconds: preview.Seconds(),
		Command: "POST " + path + " (action=preview)", OK: true})
	b.rows = append(b.rows, row{What: "  and save: the answer", Measured: seconds(save), Seconds: save.Seconds(), Command: "POST " + path + " (action=save)", OK: true})
	b.rows = append(b.rows, row{What: "  applied to everyone (its progress page says done)", Measured: seconds(applied), Seconds: applied.Seconds(),
		Command: "GET " + location, OK: true})
	b.rows = append(b.rows, row{What: fmt.Sprintf("  learner writes during the preview and the save (%d learners)", len(learners)),
		Target: "all succeed", Measured: measured, OK: failed == 0})
	return true
}

var titleTag = regexp.MustCompile(`(?s)<title>(.*?)</title>`)

// pageTitle is an HTML page's title, or the start of another body.
func pageTitle(body string) string {
	if m := titleTag.FindStringSubmatch(body); m != nil {
		return strings.TrimSpace(m[1])
	}
	return snippet(strings.TrimSpace(body))
}
