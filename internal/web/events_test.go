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
	re := regexp.MustCompile(`(?:record(?:Confidential)?|roomEntry)\(ctx, tx, now, [^,]+, "([a-z_]+\.[a-z_]+)"`)
	// Types chosen into a variable first (typ := "…"; x, typ = y, "…").
	viaVar := regexp.MustCompile(`\btyp\b[^\n]*?"([a-z_]+\.[a-z_]+)"`)
	seen := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range append(re.FindAllSubmatch(b, -1), viaVar.FindAllSubmatch(b, -1)...) {
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

// TestEveryPoolEventHasALabel: each change of the expert pool (recorded as
// "expert.<type>") is named in Chinese too.
func TestEveryPoolEventHasALabel(t *testing.T) {
	files, err := filepath.Glob("../expert/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("expert sources: %v", err)
	}
	re := regexp.MustCompile(`s\.change\(ctx, tx, now, [^,]+, [^,]+, "([a-z_]+)"`)
	viaVar := regexp.MustCompile(`\btyp\b(?:, \w+)? :?= "([a-z_]+)"`) // typ, st := "suspended", …
	seen := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range append(re.FindAllSubmatch(b, -1), viaVar.FindAllSubmatch(b, -1)...) {
			seen++
			if _, ok := events["expert."+string(m[1])]; !ok {
				t.Errorf("%s records %q, which has no label in events", filepath.Base(f), "expert."+string(m[1]))
			}
		}
	}
	if seen < 6 {
		t.Fatalf("found only %d pool changes; the pattern is out of date", seen)
	}
}
