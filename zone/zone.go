// Package zone is the bureau's time zone, defined once. Xuchang keeps
// Asia/Shanghai: UTC+8 without daylight saving since 1991, so a fixed zone
// is exact and needs no tz database on the machine. Dates of grades, lists
// and reports are calendar days in it; the engine's sessions use it by
// name, so SQL's today() is the bureau's date too.
package zone

import "time"

// Name is the zone's IANA name, for the engine and for configuration.
const Name = "Asia/Shanghai"

// Shanghai is the zone itself.
var Shanghai = time.FixedZone("CST", 8*3600)

// Clock is how a moment is shown to people: the wall clock in Xuchang,
// to the minute, whatever the zone of the machine showing it (servers
// often keep UTC).
func Clock(t time.Time) string { return t.In(Shanghai).Format("2006-01-02 15:04") }

// Stamp is a moment in messages that say since when (a lease's holder,
// a lock, a daemon): the wall clock in Xuchang to the second, labelled
// with the zone ("2026-12-07 10:50:47 CST"), so that it is never read as
// the UTC of the machine's logs.
func Stamp(t time.Time) string { return t.In(Shanghai).Format("2006-01-02 15:04:05 MST") }

// Day is the calendar day in Xuchang of the instant t, as the store's
// dates are held: midnight UTC of that day.
func Day(t time.Time) time.Time {
	d := t.In(Shanghai)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
}
