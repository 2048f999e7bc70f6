package status

import "testing"

func TestString(t *testing.T) {
	want := []string{"Unknown", "Queued", "Running", "Succeeded", "Failed", "Cancelled"}
	for i, s := range All() {
		if got := s.String(); got != want[i] {
			t.Errorf("Status(%d).String() = %q, want %q", int(s), got, want[i])
		}
	}
	if got := Status(42).String(); got != "Status(42)" {
		t.Errorf("Status(42).String() = %q", got)
	}
}
