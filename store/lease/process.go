package lease

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of a process's start time in
// /proc/<pid>/stat: 100 on every Linux architecture Go supports (the
// kernel fixes it for user space whatever its own HZ).
const clockTicks = 100

// startSlack absorbs the second-granular boot time and a skew between
// the engine's clock (claimed_at) and this host's.
const startSlack = 2 * time.Second

// processGone reports whether the process that made a claim at claimed
// on this host no longer exists: no process has its pid, or the one that
// has it started after the claim (the pid was reused). When this cannot
// be told (no /proc), the process is taken to exist: a claim then lapses
// as on another host.
func processGone(pid int, claimed time.Time) bool {
	if pid <= 0 {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if errors.Is(err, fs.ErrNotExist) {
		_, serr := os.Stat("/proc/self/stat")
		return serr == nil // /proc is there, the process is not
	}
	if err != nil {
		return false
	}
	started, ok := processStart(stat)
	return ok && started.After(claimed.Add(startSlack))
}

// processStart reads a process's start time from its /proc/<pid>/stat.
func processStart(stat []byte) (time.Time, bool) {
	// The command name (field 2) is in parentheses and may hold spaces
	// and parentheses: the fields after it follow the last ')'.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return time.Time{}, false
	}
	fields := strings.Fields(string(stat[i+1:]))
	// fields[0] is field 3 (state); starttime is field 22.
	if len(fields) < 20 {
		return time.Time{}, false
	}
	ticks, err := strconv.ParseUint(fields[19], 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	boot, ok := bootTime()
	if !ok {
		return time.Time{}, false
	}
	return boot.Add(time.Duration(ticks) * time.Second / clockTicks), true
}

// bootTime is when this host booted (btime in /proc/stat).
func bootTime() (time.Time, bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return time.Time{}, false
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			secs, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return time.Unix(secs, 0), err == nil
		}
	}
	return time.Time{}, false
}

// hostName is this host as claims record it.
func hostName() string {
	h, _ := os.Hostname()
	return h
}
