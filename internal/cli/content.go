package cli

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"text/tabwriter"

	"github.com/onramp-lms/onramp/internal/app"
	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/config"
)

func init() {
	register("content", "check the course content: `content check [DIR]` lists every problem with its file and line", runContent)
	register("courses", "list the courses: ID (for CSV imports and rules), title, version and modules", runCourses)
}

func runContent(ctx context.Context, env Env, args []string) int {
	fs, load := flags("content", env)
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, "usage: onramp content check [DIR] [flags]\n\nChecks DIR (default: the configured content) and prints every problem as FILE:LINE: message.")
		fs.PrintDefaults()
	}
	if len(args) == 0 || args[0] != "check" {
		fs.Usage()
		return 2
	}
	cfg, code := parse(fs, load, args[1:], env)
	if code >= 0 {
		return code
	}
	if fs.NArg() > 1 {
		fs.Usage()
		return 2
	}
	fsys, shown, code := contentSource(cfg, fs.Arg(0), env)
	if code >= 0 {
		return code
	}
	cat, problems := catalog.Load(fsys)
	if len(problems) > 0 {
		printProblems(env.Stdout, shown, problems)
		fmt.Fprintf(env.Stdout, "%d problem(s) in %s: fix them and run `onramp content check` again\n", len(problems), shown)
		return 1
	}
	modules, questions := 0, 0
	seen := map[*catalog.Question]bool{}
	for _, c := range cat.Courses {
		for _, m := range c.AllModules() {
			modules++
			for _, s := range m.Steps {
				if s.Quiz == nil {
					continue
				}
				for _, q := range s.Quiz.Questions {
					if !seen[q] {
						seen[q] = true
						questions++
					}
				}
			}
		}
	}
	fmt.Fprintf(env.Stdout, "content OK: %d course(s), %d module(s), %d question(s)\n", len(cat.Courses), modules, questions)
	return 0
}

func runCourses(ctx context.Context, env Env, args []string) int {
	fs, load := flags("courses", env)
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, "usage: onramp courses [DIR] [flags]\n\nLists the courses in DIR (default: the configured content).")
		fs.PrintDefaults()
	}
	cfg, code := parse(fs, load, args, env)
	if code >= 0 {
		return code
	}
	if fs.NArg() > 1 {
		fs.Usage()
		return 2
	}
	fsys, shown, code := contentSource(cfg, fs.Arg(0), env)
	if code >= 0 {
		return code
	}
	cat, problems := catalog.Load(fsys)
	if len(problems) > 0 {
		printProblems(env.Stderr, shown, problems)
		fmt.Fprintf(env.Stderr, "onramp: %d problem(s) in %s; the courses cannot be listed until they are fixed\n", len(problems), shown)
		return 1
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tTITLE\tVERSION\tMODULES\tREFRESHER")
	for _, c := range cat.Courses {
		refresher := "-"
		if len(c.RefresherModules) > 0 {
			refresher = fmt.Sprint(len(c.RefresherModules))
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\n", c.ID, c.Title, c.Hash[:12], len(c.Modules), refresher)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintf(env.Stderr, "onramp: %v\n", err)
		return 1
	}
	return 0
}

// contentSource picks the content to load: dir when given, else what the
// settings select. It also returns how to name its files to the author:
// the directory as typed, or "content" for the embedded copy (which is the
// repository's content/ directory).
func contentSource(cfg config.Config, dir string, env Env) (fs.FS, string, int) {
	if dir == "" {
		if cfg.ContentDir != "" {
			dir = cfg.ContentDir
		} else {
			return app.ContentFS(cfg), "content", -1
		}
	}
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		fmt.Fprintf(env.Stderr, "onramp: %s is not a directory\n", dir)
		return nil, "", 2
	}
	return os.DirFS(dir), filepath.ToSlash(filepath.Clean(dir)), -1
}

// printProblems writes one FILE:LINE: message line per problem, with FILE
// relative to where the author ran the command.
func printProblems(w io.Writer, root string, problems []catalog.Problem) {
	ps := append([]catalog.Problem(nil), problems...)
	for i := range ps {
		ps[i].File = path.Join(root, ps[i].File)
	}
	catalog.SortProblems(ps)
	for _, p := range ps {
		fmt.Fprintln(w, p)
	}
}
