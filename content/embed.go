// Package content holds the courses Onramp ships, embedded into the binary.
// Each course is a directory with a course.yaml; see README.md in this
// directory for the format. ONRAMP_CONTENT_DIR replaces this embedded copy.
//
// A new shipped course directory must be added to the embed line below.
package content

import "embed"

// FS is the embedded content tree; each course is a top-level directory.
//
//go:embed all:social-media all:orientation
var FS embed.FS
