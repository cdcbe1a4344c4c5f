// Package ameide is the Go SDK for the Ameide platform APIs.
package ameide

// Version is the module version this tree is released as (the tag the Go proxy serves).
const Version = "v1.4.0"
