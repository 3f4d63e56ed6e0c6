package chhttp

// Running counts the queries owner runs now (tests wait for one to start).
func (h *Handler) Running(owner string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, q := range h.running {
		if q.owner == owner {
			n++
		}
	}
	return n
}
