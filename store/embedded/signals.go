package embedded

import (
	"syscall"
	"unsafe"
)

// sigaction is the kernel's struct sigaction on linux/amd64 and arm64,
// as rt_sigaction reads and writes it.
type sigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

// goHandlers are the Go runtime's signal actions, saved before libchdb
// is loaded.
var goHandlers [32]sigaction

// crashSignals are the signals whose handling decides whether a fault
// is a Go panic with a stack or something else.
var crashSignals = []syscall.Signal{syscall.SIGSEGV, syscall.SIGBUS, syscall.SIGFPE, syscall.SIGILL, syscall.SIGABRT, syscall.SIGTRAP, syscall.SIGSYS}

func rtSigaction(sig syscall.Signal, act, old *sigaction) error {
	if _, _, e := syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(act)), uintptr(unsafe.Pointer(old)), 8, 0, 0); e != 0 {
		return e
	}
	return nil
}

// saveGoHandlers records the Go runtime's actions for the crash signals.
func saveGoHandlers() {
	for _, s := range crashSignals {
		_ = rtSigaction(s, nil, &goHandlers[s])
	}
}

// restoreGoHandlers puts them back, whatever libchdb installed meanwhile.
func restoreGoHandlers() {
	for _, s := range crashSignals {
		if goHandlers[s].handler != 0 {
			_ = rtSigaction(s, &goHandlers[s], nil)
		}
	}
}
