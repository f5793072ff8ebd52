package egovkpi

import "time"

// Vietnam is the time zone of days, deadlines and schedules: UTC+7, which
// Vietnam has kept all year since 1975. It is a fixed zone, so it needs no
// time-zone database.
var Vietnam = time.FixedZone("ICT", 7*3600)

// VietnamDay is the calendar day in Vietnam at instant t, as a UTC midnight
// (see Day): "today" is VietnamDay(time.Now()).
func VietnamDay(t time.Time) time.Time { return Day(t.In(Vietnam)) }
