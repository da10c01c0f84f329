package httpserver_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/apitoken"
	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/people"
)

// chunkedPost sends body to path without a Content-Length (chunked), with
// the client's cookies and any headers given.
func chunkedPost(t *testing.T, env *apptest.Env, c *apptest.Client, path, contentType string, body []byte, header http.Header) *apptest.Response {
	t.Helper()
	pr, pw := io.Pipe()
	go func() {
		// Write in pieces, as a streaming client would.
		for len(body) > 0 {
			n := min(len(body), 64<<10)
			if _, err := pw.Write(body[:n]); err != nil {
				return
			}
			body = body[n:]
		}
		_ = pw.Close()
	}()
	req, err := http.NewRequest(http.MethodPost, env.Server.URL+path, pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	for k, v := range header {
		req.Header[k] = v
	}
	client := http.DefaultClient
	if c != nil {
		for _, ck := range c.HTTP.Jar.Cookies(c.Base) {
			req.AddCookie(ck)
		}
		client = c.HTTP
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	if res.Request.ContentLength != -1 && res.Request.ContentLength != 0 {
		t.Fatalf("the request had a Content-Length (%d); the test needs a chunked one", res.Request.ContentLength)
	}
	b, _ := io.ReadAll(res.Body)
	return &apptest.Response{Response: res, Body: string(b)}
}

// TestOversizedChunkedUploadsGet413: a body over the limit sent without a
// Content-Length gets the same 413 as one with it: the staff CSV upload
// (20 MiB), an ordinary form (2 MiB) and the API (2 MiB, as JSON).
func TestOversizedChunkedUploadsGet413(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	_, c := newLearner(t, env, "hr@example.org", "Hana", "Resources", people.RoleHRAdmin)
	_, secret := apiToken(t, env, "Workday", apitoken.ScopeEmployeesWrite)
	before := databaseSnapshot(t, env)

	// The staff CSV, 21 MiB, the CSRF token first as a browser sends it.
	var mp bytes.Buffer
	w := multipart.NewWriter(&mp)
	_ = w.WriteField("csrf_token", c.CSRF())
	fw, _ := w.CreateFormFile("file", "staff.csv")
	_, _ = fw.Write([]byte("employee_id,email,first_name,last_name,department,job_title,location,manager_email,hire_date\n"))
	_, _ = fw.Write(bytes.Repeat([]byte("E1,a@example.org,Ana,Silva,Nursing,Nurse,Main,,2026-01-01\n"), (21<<20)/58))
	_ = w.Close()
	res := chunkedPost(t, env, c, "/admin/people/import", w.FormDataContentType(), mp.Bytes(), nil)
	mustStatus(t, res, http.StatusRequestEntityTooLarge)
	if !strings.Contains(res.Body, "That upload is too large") {
		t.Errorf("the 413 is not the error page:\n%s", res.Body)
	}

	// An ordinary form, 3 MiB.
	form := []byte("csrf_token=" + url.QueryEscape(c.CSRF()) + "&padding=" + strings.Repeat("x", 3<<20))
	res = chunkedPost(t, env, c, "/admin/people", "application/x-www-form-urlencoded", form, nil)
	mustStatus(t, res, http.StatusRequestEntityTooLarge)

	if after := databaseSnapshot(t, env); after != before {
		t.Errorf("refused bodies changed the database:\n%s", diffLines(before, after))
	}

	// The API, 3 MiB of JSON.
	item := apiEmployeeJSON("E1", "Ana", "Silva", "Nursing", "")
	list := `{"employees":[` + strings.Repeat(item+",", (3<<20)/len(item)) + item + `]}`
	res = chunkedPost(t, env, nil, "/api/v1/employees", "application/json", []byte(list), http.Header{"Authorization": {"Bearer " + secret}})
	var fail apiErrorBody
	apiJSON(t, res, http.StatusRequestEntityTooLarge, &fail)
	if fail.Error == "" {
		t.Errorf("the API's 413 has no sentence: %s", res.Body)
	}

	if n := apiCountEmployees(t, env); n != 1 {
		t.Errorf("%d employees after the refused call, want 1", n)
	}
}
