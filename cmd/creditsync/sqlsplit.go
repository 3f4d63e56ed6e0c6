package main

import "strings"

// splitStatements cuts a script into statements at semicolons that are
// outside quotes, backquotes and comments, as clickhouse-client does with
// --multiquery. Empty statements are dropped.
func splitStatements(script string) []string {
	var out []string
	start := 0
	emit := func(end int) {
		if s := strings.TrimSpace(script[start:end]); s != "" && !onlyComments(s) {
			out = append(out, s)
		}
	}
	for i := 0; i < len(script); i++ {
		switch c := script[i]; {
		case c == '\'' || c == '"' || c == '`':
			i = skipQuoted(script, i)
		case c == '-' && strings.HasPrefix(script[i:], "--"), c == '#':
			if j := strings.IndexByte(script[i:], '\n'); j >= 0 {
				i += j
			} else {
				i = len(script)
			}
		case c == '/' && strings.HasPrefix(script[i:], "/*"):
			if j := strings.Index(script[i+2:], "*/"); j >= 0 {
				i += j + 3
			} else {
				i = len(script)
			}
		case c == ';':
			emit(i)
			start = i + 1
		}
	}
	if start < len(script) {
		emit(len(script))
	}
	return out
}

// skipQuoted returns the index of the quote closing the one at i; a
// backslash or a doubled quote escapes it.
func skipQuoted(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case q:
			if j+1 < len(s) && s[j+1] == q {
				j++
				continue
			}
			return j
		}
	}
	return len(s)
}

// onlyComments reports whether a statement holds nothing but comments.
func onlyComments(s string) bool {
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "--") && !strings.HasPrefix(line, "#") && !(strings.HasPrefix(line, "/*") && strings.HasSuffix(line, "*/")) {
			return false
		}
	}
	return true
}
