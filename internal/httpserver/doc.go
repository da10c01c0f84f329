// Package httpserver is Onramp's HTTP layer: the Echo router, middleware
// (logging, security headers, sessions, CSRF, roles), one route table per area
// and the handlers, which call the domain packages and render templ views.
//
// Echo stays inside this package: nothing else imports it, so moving to Echo
// v5 touches only these files. Handlers live one concern per file, named after
// the area and action (learner_quiz.go, auth_login.go).
package httpserver
