// Package httpserver is Onramp's HTTP layer: the Echo router, middleware
// (logging, security headers, sessions, CSRF, roles), one route table per area
// and the handlers, which call the domain packages and render templ views.
//
// Handlers hold no SQL: they read and change data through the services in
// Deps (report.Reader, people.Store, compliance.Store, learning.Service,
// evidence.Service, audit.Trail, account.Service, apitoken.Store, …), which
// package app wires. The package imports neither GORM nor internal/db
// (TestNoDatabaseInHandlers checks it). Domain errors are returned as they
// are, and mapped to statuses in one place.
//
// Static files are served under content-hashed names (see web.Asset),
// cached for a year; their plain names still answer, cached briefly.
//
// Echo stays inside this package: nothing else imports it, so moving to Echo
// v5 touches only these files. Handlers live one concern per file, named after
// the area and action (learner_quiz.go, auth_login.go).
package httpserver
