package web

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestEveryLedgerTypeHasALabel: each entry type the tender procedure records
// is shown in Chinese on the timeline, not as its code.
func TestEveryLedgerTypeHasALabel(t *testing.T) {
	files, err := filepath.Glob("../tender/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("tender sources: %v", err)
	}
	re := regexp.MustCompile(`record(?:Confidential)?\(ctx, tx, now, [^,]+, "([a-z_]+\.[a-z_]+)"`)
	seen := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllSubmatch(b, -1) {
			seen++
			if _, ok := events[string(m[1])]; !ok {
				t.Errorf("%s records %q, which has no label in events", filepath.Base(f), m[1])
			}
		}
	}
	if seen < 15 {
		t.Fatalf("found only %d record calls; the pattern is out of date", seen)
	}
}
