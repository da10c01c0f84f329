package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/onramp-lms/onramp/content"
)

// shippedCourse is the course in content/ that every benchmark course copies.
const shippedCourse = "social-media"

// emailDomain is the domain of every generated address.
const emailDomain = "northfield-health.example"

// genOptions are the generator's settings.
type genOptions struct {
	People      int
	Courses     int
	Departments int
	Managers    int
	BigTeam     int
	Seed        uint64
	AsOf        time.Time // the day the history ends; the runner's passes run at 09:00 UTC on it
	Out         string
}

// Manifest is DIR/bench.json: what the runner needs to know about a dataset.
type Manifest struct {
	People          int      `json:"people"`
	Courses         []string `json:"courses"`
	Departments     int      `json:"departments"`
	Managers        int      `json:"managers"`
	Seed            uint64   `json:"seed"`
	AsOf            string   `json:"as_of"`
	Now             string   `json:"now"`
	BigManagerEmail string   `json:"big_manager_email"`
	BigTeam         int      `json:"big_team"`
	Completions     int      `json:"completions"`
}

func runGenerate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("onramp-bench generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o genOptions
	fs.IntVar(&o.People, "people", 10000, "number of employees")
	fs.IntVar(&o.Courses, "courses", 20, "number of yearly courses, each a copy of the shipped course")
	fs.IntVar(&o.Departments, "departments", 40, "number of departments")
	fs.IntVar(&o.Managers, "managers", 0, "number of managers (default: people/50, at least 2)")
	fs.IntVar(&o.BigTeam, "big-team", 0, "direct reports of the one big manager (default: 1500, or people/5 when smaller)")
	seed := fs.Uint64("seed", 1, "random seed: the same seed and settings give the same files")
	asOf := fs.String("as-of", "", "the last day of the history, YYYY-MM-DD (default: yesterday, UTC); completions end the day before")
	fs.StringVar(&o.Out, "out", "", "directory to write content/, staff.csv, completions.csv and bench.json into (required)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	o.Seed = *seed
	if o.Out == "" {
		fmt.Fprintln(stderr, "onramp-bench generate: --out is required, e.g. --out /tmp/bench-10k")
		return 2
	}
	if *asOf == "" {
		// Yesterday: the passes run at 09:00 on it, before the real
		// clock that `serve` and the imports use.
		o.AsOf = time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -1)
	} else {
		t, err := time.Parse(time.DateOnly, *asOf)
		if err != nil {
			fmt.Fprintf(stderr, "onramp-bench generate: --as-of %q is not a date; use YYYY-MM-DD\n", *asOf)
			return 2
		}
		o.AsOf = t
	}
	start := time.Now()
	m, err := generate(o)
	if err != nil {
		fmt.Fprintf(stderr, "onramp-bench generate: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "Wrote %d people, %d courses and %d completions to %s in %s (passes run at %s).\n",
		m.People, len(m.Courses), m.Completions, o.Out, time.Since(start).Round(time.Millisecond), m.Now)
	return 0
}

// normalise fills the defaults and checks the settings fit together.
func (o *genOptions) normalise() error {
	if o.People < 10 {
		return errors.New("--people must be at least 10")
	}
	if o.Courses < 1 {
		return errors.New("--courses must be at least 1")
	}
	if o.Departments < 1 {
		return errors.New("--departments must be at least 1")
	}
	if o.Managers == 0 {
		o.Managers = max(2, o.People/50)
	}
	if o.BigTeam == 0 {
		o.BigTeam = min(1500, o.People/5)
	}
	if o.Managers < 2 || o.Managers >= o.People/2 {
		return fmt.Errorf("--managers must be from 2 to %d for %d people", o.People/2-1, o.People)
	}
	if o.BigTeam < managerReports(1, o.Managers) || o.BigTeam-managerReports(1, o.Managers) > o.People-o.Managers {
		return fmt.Errorf("--big-team %d does not fit %d people and %d managers", o.BigTeam, o.People, o.Managers)
	}
	return nil
}

func generate(o genOptions) (*Manifest, error) {
	if err := o.normalise(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, err
	}
	courses := courseIDs(o.Courses)
	if err := writeContent(filepath.Join(o.Out, "content"), courses); err != nil {
		return nil, fmt.Errorf("content: %w", err)
	}
	g := newPeopleGen(o)
	if err := writeCSV(filepath.Join(o.Out, "staff.csv"), g.writeStaff); err != nil {
		return nil, fmt.Errorf("staff.csv: %w", err)
	}
	n := 0
	err := writeCSV(filepath.Join(o.Out, "completions.csv"), func(w *csv.Writer) error {
		var err error
		n, err = g.writeCompletions(w, courses)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("completions.csv: %w", err)
	}
	m := &Manifest{
		People: o.People, Courses: ids(courses), Departments: o.Departments, Managers: o.Managers, Seed: o.Seed,
		AsOf: o.AsOf.Format(time.DateOnly), Now: o.AsOf.Add(9 * time.Hour).Format(time.RFC3339),
		BigManagerEmail: g.person(1).Email, BigTeam: o.BigTeam, Completions: n,
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(o.Out, "bench.json"), append(b, '\n'), 0o644); err != nil {
		return nil, err
	}
	return m, nil
}

func writeCSV(name string, fill func(*csv.Writer) error) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	if err := fill(w); err != nil {
		f.Close()
		return err
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ---- courses ----

type benchCourse struct{ ID, Title string }

var courseTitles = []string{
	"Fire Safety", "Hand Hygiene", "Infection Prevention and Control", "Information Governance",
	"Manual Handling", "Safeguarding Adults", "Safeguarding Children", "Basic Life Support",
	"Equality and Diversity", "Health and Safety at Work", "Conflict Resolution", "Data Protection",
	"Medication Safety", "Moving and Handling Patients", "Blood Transfusion Awareness", "Sepsis Recognition",
	"Falls Prevention", "Dementia Awareness", "Mental Capacity", "Preventing Radicalisation",
}

// courseIDs names n courses: the titles above, then the same with a set number.
func courseIDs(n int) []benchCourse {
	out := make([]benchCourse, 0, n)
	for i := range n {
		title := courseTitles[i%len(courseTitles)]
		id := slug(title)
		if set := i / len(courseTitles); set > 0 {
			title = fmt.Sprintf("%s (set %d)", title, set+1)
			id = fmt.Sprintf("%s-%d", id, set+1)
		}
		out = append(out, benchCourse{ID: id, Title: title})
	}
	return out
}

func ids(cs []benchCourse) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// writeContent copies the shipped course once per benchmark course, with the
// course's ID, title and rule name changed in course.yaml. The shipped
// course's rule (everyone, due 30 days after hire, every 12 months) is kept.
func writeContent(dir string, courses []benchCourse) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	yaml, err := fs.ReadFile(content.FS, shippedCourse+"/course.yaml")
	if err != nil {
		return err
	}
	for _, c := range courses {
		dst := filepath.Join(dir, c.ID)
		err := fs.WalkDir(content.FS, shippedCourse, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel := strings.TrimPrefix(strings.TrimPrefix(p, shippedCourse), "/")
			target := filepath.Join(dst, filepath.FromSlash(rel))
			if d.IsDir() {
				return os.MkdirAll(target, 0o755)
			}
			var b []byte
			if rel == "course.yaml" {
				b, err = renameCourse(yaml, c)
			} else {
				b, err = fs.ReadFile(content.FS, p)
			}
			if err != nil {
				return err
			}
			return os.WriteFile(target, b, 0o644)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// renameCourse gives a copy of course.yaml its own ID, title and rule name,
// and checks the rule is still the yearly rule for everyone the benchmark
// is about.
func renameCourse(yaml []byte, c benchCourse) ([]byte, error) {
	lines := strings.Split(string(yaml), "\n")
	found := map[string]bool{}
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "id: "):
			lines[i] = "id: " + c.ID
			found["id"] = true
		case strings.HasPrefix(l, "title: "):
			lines[i] = "title: " + c.Title
			found["title"] = true
		case strings.HasPrefix(l, "  name: ") && !found["name"]:
			lines[i] = "  name: " + c.Title + " for everyone, every year"
			found["name"] = true
		case strings.TrimSpace(l) == "who: everyone":
			found["everyone"] = true
		case strings.TrimSpace(l) == "every: 12 months":
			found["yearly"] = true
		}
	}
	for _, k := range []string{"id", "title", "name", "everyone", "yearly"} {
		if !found[k] {
			return nil, fmt.Errorf("content/%s/course.yaml has changed (no %s line the generator expects); update cmd/onramp-bench/generate.go", shippedCourse, k)
		}
	}
	return []byte(strings.Join(lines, "\n")), nil
}

// ---- people ----

var firstNames = []string{
	"Amara", "Ben", "Chloe", "Daniel", "Elena", "Farid", "Grace", "Hassan", "Isla", "James", "Keiko", "Liam",
	"Maya", "Noah", "Olivia", "Priya", "Quentin", "Rosa", "Samuel", "Tara", "Umar", "Vera", "William", "Xin",
	"Yara", "Zoe", "Aisha", "Bruno", "Carmen", "David", "Emeka", "Fatima", "George", "Hannah", "Ivan", "Julia",
	"Kwame", "Laura", "Mateo", "Nadia", "Oscar", "Paula", "Rahul", "Sofia", "Tomas", "Ursula", "Victor", "Wen",
}

var lastNames = []string{
	"Adeyemi", "Brown", "Chen", "Dubois", "Evans", "Fernandez", "Garcia", "Hughes", "Ibrahim", "Jones", "Kowalski",
	"Lopez", "Martin", "Nguyen", "O'Brien", "Patel", "Quinn", "Rossi", "Smith", "Taylor", "Usman", "Virtanen",
	"Williams", "Xu", "Yilmaz", "Zhang", "Ahmed", "Baker", "Campbell", "Davies", "Edwards", "Fischer", "Green",
	"Hall", "Ito", "Jackson", "Khan", "Lewis", "Murphy", "Novak", "Okafor", "Price", "Roberts", "Singh", "Thomas",
	"Walker", "Wright", "Young", "Mensah", "Costa", "Silva", "Moreau", "Kaur", "Larsen", "Haddad", "Sato",
}

var departmentNames = []string{
	"Emergency", "Intensive Care", "Cardiology", "Oncology", "Paediatrics", "Maternity", "Surgery", "Orthopaedics",
	"Radiology", "Pathology", "Pharmacy", "Neurology", "Renal", "Respiratory", "Gastroenterology", "Geriatrics",
	"Mental Health", "Outpatients", "Theatres", "Anaesthetics", "Dermatology", "Ophthalmology", "Physiotherapy",
	"Occupational Therapy", "Dietetics", "Estates", "Facilities", "Catering", "Portering", "Finance",
	"Human Resources", "Information Technology", "Medical Records", "Procurement", "Security", "Chaplaincy",
	"Infection Control", "Quality and Safety", "Education", "Community Care",
}

var jobTitles = []string{
	"Registered Nurse", "Registered Nurse", "Registered Nurse", "Healthcare Assistant", "Healthcare Assistant",
	"Staff Nurse", "Junior Doctor", "Consultant", "Physiotherapist", "Pharmacist", "Radiographer",
	"Administrator", "Receptionist", "Porter", "Domestic Assistant", "Midwife", "Paramedic", "Technician",
}

var managerTitles = []string{"Ward Manager", "Department Manager", "Clinical Lead", "Team Leader", "Service Manager"}

var locations = []string{"Northfield General", "Riverside Hospital", "St Anne's Clinic", "Eastgate Community Hospital", "Hillview Clinic"}

// managerFanout is how many managers report to each manager in the tree of
// managers.
const managerFanout = 20

// managerOf is the manager of manager k (k ≥ 1) in the tree of managers.
func managerOf(k int) int { return (k - 1) / managerFanout }

// managerReports counts the managers who report to manager k.
func managerReports(k, managers int) int {
	lo, hi := k*managerFanout+1, k*managerFanout+managerFanout
	if lo >= managers {
		return 0
	}
	return min(hi, managers-1) - lo + 1
}

type person struct {
	Index                     int
	Number                    string
	First, Last, Email        string
	Department, Job, Location string
	Manager                   int // index of the manager, -1 for none
	Hire                      time.Time
}

type peopleGen struct {
	o       genOptions
	bigRest int // non-managers in the big team
}

func newPeopleGen(o genOptions) *peopleGen {
	return &peopleGen{o: o, bigRest: o.BigTeam - managerReports(1, o.Managers)}
}

// rng is the random stream of one person (stream 0) or of one person's
// history (stream 1): a pure function of the seed and the index, so anyone
// can be generated on their own and the files stream.
func (g *peopleGen) rng(i, stream int) *rand.Rand {
	return rand.New(rand.NewPCG(g.o.Seed, uint64(i)<<1|uint64(stream)))
}

// person is the i-th employee. People 0…Managers-1 are the managers, in a
// tree of managerFanout under person 0; person 1 is the big manager, with
// BigTeam direct reports. The other people report to the remaining
// managers in turn and work in their manager's department.
func (g *peopleGen) person(i int) person {
	o := g.o
	r := g.rng(i, 0)
	p := person{Index: i, Number: fmt.Sprintf("E%06d", i+1), Manager: -1}
	p.First = firstNames[r.IntN(len(firstNames))]
	p.Last = lastNames[r.IntN(len(lastNames))]
	local := strings.ToLower(strings.NewReplacer("'", "", " ", "").Replace(p.First + "." + p.Last))
	p.Email = fmt.Sprintf("%s.%06d@%s", local, i+1, emailDomain)
	p.Location = locations[r.IntN(len(locations))]
	switch {
	case i == 0:
		p.Job = "Chief Executive"
	case i < o.Managers:
		p.Manager = managerOf(i)
		p.Job = managerTitles[r.IntN(len(managerTitles))]
	default:
		j := i - o.Managers
		if j < g.bigRest {
			p.Manager = 1
		} else {
			// The other managers in turn: 0, 2, 3, … (1 has its team).
			k := (j - g.bigRest) % (o.Managers - 1)
			if k > 0 {
				k++
			}
			p.Manager = k
		}
		p.Job = jobTitles[r.IntN(len(jobTitles))]
	}
	dept := i
	if i >= o.Managers {
		dept = p.Manager
	}
	p.Department = departmentNames[dept%o.Departments%len(departmentNames)]
	if o.Departments > len(departmentNames) {
		p.Department = fmt.Sprintf("%s %d", p.Department, dept%o.Departments/len(departmentNames)+1)
	}
	// Hire dates: one in twelve in the last 90 days (new hires with a first
	// cycle), the rest spread over 15 years.
	days := 90 + r.IntN(15*365-90)
	if r.IntN(12) == 0 {
		days = r.IntN(90)
	}
	p.Hire = o.AsOf.AddDate(0, 0, -days)
	return p
}

func (g *peopleGen) writeStaff(w *csv.Writer) error {
	if err := w.Write([]string{"employee_id", "email", "first_name", "last_name", "department", "job_title", "location", "manager_email", "hire_date"}); err != nil {
		return err
	}
	rec := make([]string, 9)
	for i := range g.o.People {
		p := g.person(i)
		manager := ""
		if p.Manager >= 0 {
			manager = g.person(p.Manager).Email
		}
		rec[0], rec[1], rec[2], rec[3], rec[4] = p.Number, p.Email, p.First, p.Last, p.Department
		rec[5], rec[6], rec[7], rec[8] = p.Job, p.Location, manager, p.Hire.Format(time.DateOnly)
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	return nil
}

// historyShare is the share of person × course pairs with a past completion.
const historyShare = 0.7

// historyDays is how far back the history goes.
const historyDays = 730

// writeCompletions writes one completion for about 70% of the person ×
// course pairs, on a day spread over the last two years (after the hire
// date, before the as-of day): with a yearly refresher about half have
// expired and some are due soon.
func (g *peopleGen) writeCompletions(w *csv.Writer, courses []benchCourse) (int, error) {
	if err := w.Write([]string{"employee_id", "course", "completed_at", "score"}); err != nil {
		return 0, err
	}
	n := 0
	rec := make([]string, 4)
	for i := range g.o.People {
		p := g.person(i)
		r := g.rng(i, 1)
		first := g.o.AsOf.AddDate(0, 0, -historyDays)
		if hire := p.Hire.AddDate(0, 0, 1); hire.After(first) {
			first = hire
		}
		span := int(g.o.AsOf.Sub(first).Hours()/24) - 1 // the last day is the day before as-of
		for _, c := range courses {
			if r.Float64() >= historyShare || span < 1 {
				continue
			}
			day := first.AddDate(0, 0, r.IntN(span))
			rec[0], rec[1], rec[2], rec[3] = p.Number, c.ID, day.Format(time.DateOnly), strconv.Itoa(70+r.IntN(31))
			if err := w.Write(rec); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// readManifest reads DIR/bench.json.
func readManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, "bench.json"))
	if err != nil {
		return nil, fmt.Errorf("%w (make the dataset first: onramp-bench generate --out %s)", err, dir)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s/bench.json: %w", dir, err)
	}
	return &m, nil
}
