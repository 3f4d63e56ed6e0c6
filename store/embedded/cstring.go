package embedded

import (
	"runtime"
	"unsafe"
)

// cString returns a NUL-terminated copy of s and the slice that owns it;
// the caller keeps the slice alive across the C call.
func cString(s string) (*byte, []byte) {
	b := make([]byte, len(s)+1)
	copy(b, s)
	return &b[0], b
}

// cStrings returns a C array of NUL-terminated strings. The returned
// pointer slice has at least one element so that &p[0] is valid.
func cStrings(ss []string) ([]*byte, [][]byte) {
	ptrs := make([]*byte, len(ss), len(ss)+1)
	owners := make([][]byte, len(ss))
	for i, s := range ss {
		ptrs[i], owners[i] = cString(s)
	}
	if len(ptrs) == 0 {
		ptrs = append(ptrs, nil)
	}
	return ptrs, owners
}

func keepAlive(v ...any) { runtime.KeepAlive(v) }

// goString copies a NUL-terminated C string.
func goString(p *byte) string {
	if p == nil {
		return ""
	}
	n := 0
	for *(*byte)(unsafe.Add(unsafe.Pointer(p), n)) != 0 {
		n++
	}
	return string(unsafe.Slice(p, n))
}
