package notify_test

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/onramp-lms/onramp/internal/notify"
)

func newRenderer(t testing.TB) *notify.Renderer {
	t.Helper()
	r, err := notify.NewRenderer(mustBaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRenderEveryKind(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	course := notify.CourseRef{ID: "social-media", Title: "Social Media Guidelines"}
	due := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	expires := time.Date(2027, 3, 2, 0, 0, 0, 0, time.UTC)
	courseLink := baseURL + "/courses/social-media"
	cases := []struct {
		content notify.Content
		subject []string // in the subject
		facts   []string // in both bodies
		link    string
	}{
		{
			content: notify.Assigned{Name: "Ana", Course: course, DueAt: due, Reason: "Everyone in Nursing completes it every year.", EstimatedMinutes: 20},
			subject: []string{"Social Media Guidelines", "Wednesday 1 April 2026"},
			facts:   []string{"Hello Ana", "assigned", "Everyone in Nursing completes it every year.", "Wednesday 1 April 2026", "20 minutes", "due-date.ics"},
			link:    courseLink,
		},
		{
			content: notify.WindowOpen{Name: "Ana", Course: course, DueAt: due},
			subject: []string{"Refresher", "Social Media Guidelines"},
			facts:   []string{"refresher", "Your certificate runs out on Wednesday 1 April 2026", "By when"},
			link:    courseLink,
		},
		{
			content: notify.DueSoon{Name: "Ana", Course: course, DueAt: due, DaysLeft: 14},
			subject: []string{"due in 14 days"},
			facts:   []string{"due in 14 days", "Wednesday 1 April 2026", "Why"},
			link:    courseLink,
		},
		{
			content: notify.DueSoon{Name: "Ana", Course: course, DueAt: due, DaysLeft: 1},
			subject: []string{"due in 1 day"},
			facts:   []string{"due in 1 day,"},
			link:    courseLink,
		},
		{
			content: notify.DueToday{Name: "Ana", Course: course, DueAt: due},
			subject: []string{"Due today", "Social Media Guidelines"},
			facts:   []string{"due today", "Wednesday 1 April 2026"},
			link:    courseLink,
		},
		{
			content: notify.Overdue{Name: "Ana", Course: course, DueAt: due, DaysOverdue: 3, ManagerToldOn: ptr(due.AddDate(0, 0, 7))},
			subject: []string{"Overdue", "Wednesday 1 April 2026"},
			facts:   []string{"3 days overdue", "Wednesday 8 April 2026, your manager will be told", "as soon as you can"},
			link:    courseLink,
		},
		{
			content: notify.Escalation{ManagerName: "Maria", People: []notify.OverduePerson{
				{Name: "Ana Tester", JobTitle: "Staff Nurse", Course: course, DueAt: due, DaysOverdue: 9},
				{Name: "Bob Builder", Course: notify.CourseRef{ID: "fire", Title: "Fire Safety"}, DueAt: due.AddDate(0, 0, -2), DaysOverdue: 11},
			}},
			subject: []string{"2 people"},
			facts:   []string{"Hello Maria", "Ana Tester", "Staff Nurse", "Bob Builder", "Fire Safety", "Social Media Guidelines", "Monday 30 March 2026", "9", "11", "you are their manager"},
			link:    baseURL + "/team",
		},
		{
			content: notify.Escalation{ManagerName: "Maria", People: []notify.OverduePerson{{Name: "Ana Tester", Course: course, DueAt: due, DaysOverdue: 8}}},
			subject: []string{"Overdue training on your team: Ana Tester"},
			facts:   []string{"Someone on your team is", "Ana Tester"},
			link:    baseURL + "/team",
		},
		{
			// A big team: the digest lists the longest overdue and counts the rest.
			content: notify.Escalation{ManagerName: "Maria", More: 7, People: []notify.OverduePerson{{Name: "Ana Tester", Course: course, DueAt: due, DaysOverdue: 8}}},
			subject: []string{"Overdue training on your team: 8 people"},
			facts:   []string{"8 people on your team are", "Ana Tester", "7 more courses", "team page lists them all"},
			link:    baseURL + "/team",
		},
		{
			content: notify.Expired{Name: "Ana", Course: course, ExpiredAt: due},
			subject: []string{"Expired", "Social Media Guidelines"},
			facts:   []string{"expired on Wednesday 1 April 2026", "as soon as you can"},
			link:    courseLink,
		},
		{
			content: notify.Completed{Name: "Ana", Course: course, CompletedAt: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), ExpiresAt: &expires, CertificateCode: "CERT-7KQ2"},
			subject: []string{"Completed", "Social Media Guidelines"},
			facts:   []string{"Monday 2 March 2026", "Tuesday 2 March 2027", "certificate"},
			link:    baseURL + "/certificates/CERT-7KQ2",
		},
		{
			content: notify.Completed{Name: "Ana", Course: course, CompletedAt: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), CertificateCode: "CERT-1"},
			subject: []string{"Completed"},
			facts:   []string{"does not expire"},
			link:    baseURL + "/certificates/CERT-1",
		},
		{
			content: notify.Nudge{Name: "Ana", Course: course,
				Guideline: notify.Guideline{Title: "Do not friend patients", Text: "Keep patients out of your personal social networks."},
				Question:  notify.NudgeQuestion{Prompt: "A patient sends you a friend request. What do you do?", Options: []string{"Accept it", "Decline it politely"}}},
			subject: []string{"Do not friend patients"},
			facts:   []string{"Keep patients out of your personal social networks.", "A patient sends you a friend request. What do you do?", "Accept it", "Decline it politely", "no deadline"},
			link:    courseLink,
		},
	}
	seen := map[notify.Kind]bool{}
	for _, c := range cases {
		kind := c.content.Kind()
		seen[kind] = true
		t.Run(string(kind), func(t *testing.T) {
			out, err := r.Render("asg:cyc:"+string(kind)+":", c.content, monday)
			if err != nil {
				t.Fatal(err)
			}
			if strings.ContainsAny(out.Subject, "\r\n") || out.Subject != strings.TrimSpace(out.Subject) {
				t.Errorf("subject %q is not one trimmed line", out.Subject)
			}
			for _, want := range c.subject {
				if !strings.Contains(out.Subject, want) {
					t.Errorf("subject %q lacks %q", out.Subject, want)
				}
			}
			text := out.Text
			page := htmlText(t, out.HTML)
			for _, want := range c.facts {
				if !strings.Contains(text, want) {
					t.Errorf("text lacks %q:\n%s", want, text)
				}
				if !strings.Contains(page, want) {
					t.Errorf("HTML lacks %q:\n%s", want, page)
				}
			}
			if !strings.Contains(text, c.link) {
				t.Errorf("text lacks the link %s:\n%s", c.link, text)
			}
			if links := htmlLinks(t, out.HTML); len(links) != 1 || links[0] != c.link {
				t.Errorf("HTML links = %v, want just %s", links, c.link)
			}
			for _, part := range []string{"Why", "By when"} {
				if kind == notify.KindCompleted {
					break // a completion has nothing left to do by a date
				}
				if !strings.Contains(text, part) || !strings.Contains(page, part) {
					t.Errorf("no %q in the message", part)
				}
			}
			if strings.Contains(text, "<no value>") || strings.Contains(out.HTML, "<no value>") {
				t.Error("a template field is missing")
			}
			wantAttachments := 0
			if kind == notify.KindAssigned {
				wantAttachments = 1
			}
			if len(out.Attachments) != wantAttachments {
				t.Errorf("attachments = %d, want %d", len(out.Attachments), wantAttachments)
			}
		})
	}
	for _, k := range notify.Kinds {
		if !seen[k] {
			t.Errorf("kind %s has no render test", k)
		}
	}
}

func TestRenderEscapesHTML(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	evil := `<script>alert("x")</script>`
	out, err := r.Render("k", notify.Escalation{ManagerName: evil, People: []notify.OverduePerson{
		{Name: evil, JobTitle: `"><img src=x onerror=alert(1)>`, Course: notify.CourseRef{ID: "a/../b?c", Title: "Fire & Safety <b>"}, DaysOverdue: 8},
	}}, monday)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.HTML, "<script") || strings.Contains(out.HTML, "<img") || strings.Contains(out.HTML, "<b>") {
		t.Fatalf("HTML carries markup from the data:\n%s", out.HTML)
	}
	if !strings.Contains(out.HTML, "&lt;script&gt;") || !strings.Contains(out.HTML, "Fire &amp; Safety") {
		t.Errorf("HTML does not show the escaped text:\n%s", out.HTML)
	}
	// Plain text is not HTML: names appear as they are.
	if !strings.Contains(out.Text, evil) {
		t.Errorf("text part changed the name:\n%s", out.Text)
	}

	out, err = r.Render("k", notify.Assigned{Name: "Ana", Course: notify.CourseRef{ID: "a/../b?c", Title: "x"}, DueAt: monday}, monday)
	if err != nil {
		t.Fatal(err)
	}
	if links := htmlLinks(t, out.HTML); len(links) != 1 || links[0] != baseURL+"/courses/a%2F..%2Fb%3Fc" {
		t.Errorf("a course ID is one escaped path segment; links = %v", links)
	}
}

func TestComposeFillsTheMessage(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	key := notify.Key("asg-1", "cyc-1", notify.KindDueSoon, "14")
	if key != "asg-1:cyc-1:due_soon:14" {
		t.Errorf("Key = %q", key)
	}
	msg, err := r.Compose(key, notify.Recipient{EmployeeID: "emp-1", Name: "Ana Tester", Address: "ana@hospital.example"},
		notify.DueSoon{Name: "Ana", Course: notify.CourseRef{ID: "c", Title: "C"}, DueAt: monday, DaysLeft: 14}, monday)
	if err != nil {
		t.Fatal(err)
	}
	if msg.DedupeKey != key || msg.Kind != notify.KindDueSoon || msg.RecipientEmployeeID != "emp-1" ||
		msg.ToAddress != "ana@hospital.example" || msg.ToName != "Ana Tester" || !msg.At.Equal(monday) ||
		msg.Subject == "" || msg.Text == "" || msg.HTML == "" {
		t.Errorf("Compose = %+v", msg)
	}
}

func TestKeysAndMessageIDs(t *testing.T) {
	t.Parallel()
	a := notify.DigestKey("mgr-1", notify.KindEscalation, []string{"c2", "c1"})
	b := notify.DigestKey("mgr-1", notify.KindEscalation, []string{"c1", "c2"})
	c := notify.DigestKey("mgr-1", notify.KindEscalation, []string{"c1", "c2", "c3"})
	if a != b || a == c {
		t.Errorf("DigestKey: same set %q vs %q, bigger set %q", a, b, c)
	}
	id := notify.MessageID("asg:cyc:assigned:", "onramp.example.org")
	if id != notify.MessageID("asg:cyc:assigned:", "onramp.example.org") || len(id) != len("<@onramp.example.org>")+32 {
		t.Errorf("MessageID = %q", id)
	}
	if id == notify.MessageID("asg:cyc:assigned:x", "onramp.example.org") {
		t.Error("two keys, one Message-ID")
	}
}

func ptr[T any](v T) *T { return &v }

// htmlText parses the HTML part (failing on a parse error) and returns its
// visible text with whitespace collapsed.
func htmlText(t testing.TB, s string) string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatalf("HTML part does not parse: %v", err)
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "head" || n.Data == "style") {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteString(" ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return strings.Join(strings.Fields(b.String()), " ")
}

// htmlLinks returns every <a href> in the HTML part.
func htmlLinks(t testing.TB, s string) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatalf("HTML part does not parse: %v", err)
	}
	var links []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "a" {
			for _, a := range n.Attr {
				if a.Key == "href" {
					links = append(links, a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return links
}

// TestRenderDigestOfEveryKind renders a digest holding every kind a person
// can get, through its payload as delivery does, and checks each item says
// what, why and by when, escaped, with its own link.
func TestRenderDigestOfEveryKind(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	due := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	course := func(id, title string) notify.CourseRef { return notify.CourseRef{ID: id, Title: title} }
	two := 2
	d := notify.Digest{Name: "Ana <b>", Items: []notify.Item{
		{Assigned: &notify.Assigned{Course: course("a", "Fire <Safety>"), DueAt: due, Reason: "Why A.", EstimatedMinutes: 20, DueIn: &two}},
		{WindowOpen: &notify.WindowOpen{Course: course("b", "Hand Hygiene"), DueAt: due}},
		{DueSoon: &notify.DueSoon{Course: course("c", "Manual Handling"), DueAt: due, DaysLeft: 14}},
		{DueToday: &notify.DueToday{Course: course("d", "Infection Control"), DueAt: due}},
		{Overdue: &notify.Overdue{Course: course("e", "Safeguarding"), DueAt: due, DaysOverdue: 3, ManagerToldOn: ptr(due.AddDate(0, 0, 7))}},
		{Expired: &notify.Expired{Course: course("f", "Basic Life Support"), ExpiredAt: due}},
		{Completed: &notify.Completed{Course: course("g", "Data Protection"), CompletedAt: due, CertificateCode: "CERT-1"}},
		{Nudge: &notify.Nudge{Course: course("h", "Social Media"), Guideline: notify.Guideline{Title: "Do not friend patients."},
			Question: notify.NudgeQuestion{Prompt: "What do you do?", Options: []string{"Accept", "Decline"}}}},
	}}
	msg, err := r.Compose("emp:digest", notify.Recipient{Address: "ana@hospital.example"}, d, monday)
	if err != nil {
		t.Fatal(err)
	}
	if msg.Kind != notify.KindDigest || msg.Payload == "" {
		t.Fatalf("kind %s, payload %q", msg.Kind, msg.Payload)
	}
	// What delivery renders from the payload is what Compose rendered.
	e := notify.Entry{ID: "x", DedupeKey: msg.DedupeKey, Payload: msg.Payload, CreatedAt: monday}
	if err := r.RenderEntry(&e); err != nil {
		t.Fatal(err)
	}
	if e.Subject != msg.Subject || e.TextBody != msg.Text || e.HTMLBody != msg.HTML || len(e.Attachments) != 1 ||
		string(e.Attachments[0].Data) != string(msg.Attachments[0].Data) {
		t.Fatal("rendering the payload differs from the composed message")
	}
	if want := "Your training: 2 new courses, 3 reminders, 1 expired certificate, 1 completion, 1 one-minute refresher"; msg.Subject != want {
		t.Errorf("subject %q, want %q", msg.Subject, want)
	}
	page := htmlText(t, msg.HTML)
	for _, want := range []string{
		"Hello Ana <b>", "Fire <Safety>", "It is due soon: in 2 days.", "Why A.", "It takes about 20 minutes.",
		"Hand Hygiene", "the refresher keeps it valid", "Manual Handling", "14 days", "Infection Control", "today, Wednesday 1 April 2026",
		"Safeguarding", "3 days overdue", "Wednesday 8 April 2026, your manager will be told", "Basic Life Support", "expired on Wednesday 1 April 2026",
		"Data Protection", "Well done", "Social Media", "Do not friend patients.", "What do you do?", "Decline",
	} {
		if !strings.Contains(msg.Text, want) {
			t.Errorf("text lacks %q", want)
		}
		if !strings.Contains(page, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if strings.Contains(msg.HTML, "<Safety>") || strings.Contains(msg.HTML, "Ana <b>") {
		t.Error("the HTML part does not escape titles and names")
	}
	if strings.Contains(msg.Text, "<no value>") || strings.Contains(msg.HTML, "<no value>") {
		t.Error("a template field is missing")
	}
	links := htmlLinks(t, msg.HTML)
	if len(links) != 9 || links[0] != baseURL+"/courses/a" || links[6] != baseURL+"/certificates/CERT-1" || links[8] != baseURL+"/" {
		t.Errorf("links %v: one per item and the dashboard", links)
	}
	if msg.Attachments[0].Name != "due-dates.ics" || strings.Count(string(msg.Attachments[0].Data), "BEGIN:VEVENT") != 1 {
		t.Errorf("calendar %q:\n%s", msg.Attachments[0].Name, msg.Attachments[0].Data)
	}
}
