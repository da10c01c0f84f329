package httpserver

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// legacyDatabaseFiles may still reach the database. It is empty: every
// handler calls domain functions. Keep it empty.
var legacyDatabaseFiles = []string{}

// databaseImport says whether an import path is GORM or Onramp's database
// package: neither belongs in the HTTP layer, whose handlers call domain
// functions instead.
func databaseImport(path string) bool {
	return path == "gorm.io/gorm" || strings.HasPrefix(path, "gorm.io/") ||
		path == "github.com/onramp-lms/onramp/internal/db"
}

// TestNoDatabaseInHandlers fails when a (non-test) file of the package
// imports GORM or internal/db, or reaches the database through the server
// (s.DB), so SQL cannot creep back into handlers. A file on the
// legacy list that no longer does either must leave the list.
func TestNoDatabaseInHandlers(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		var found []string
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if databaseImport(path) {
				found = append(found, path)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok && (sel.Sel.Name == "DB" || sel.Sel.Name == "LegacyDB") {
				found = append(found, "the database (."+sel.Sel.Name+")")
				return false
			}
			return true
		})
		legacy := slices.Contains(legacyDatabaseFiles, name)
		switch {
		case len(found) > 0 && !legacy:
			t.Errorf("%s uses %s: handlers must call domain functions (report, people, compliance, …), not the database", name, strings.Join(found, ", "))
		case len(found) == 0 && legacy:
			t.Errorf("%s no longer uses the database: take it off legacyDatabaseFiles", name)
		}
	}
	if checked < 50 {
		t.Fatalf("checked only %d files; is the test running in the package directory?", checked)
	}
}

// TestDatabaseImportRule checks the rule itself, so the test above cannot
// pass by matching nothing.
func TestDatabaseImportRule(t *testing.T) {
	t.Parallel()
	for path, want := range map[string]bool{
		"gorm.io/gorm": true, "gorm.io/gorm/clause": true, "gorm.io/driver/sqlite": true,
		"github.com/onramp-lms/onramp/internal/db":     true,
		"github.com/onramp-lms/onramp/internal/report": false, "database/sql": false,
	} {
		if got := databaseImport(path); got != want {
			t.Errorf("databaseImport(%q) = %v, want %v", path, got, want)
		}
	}
}
