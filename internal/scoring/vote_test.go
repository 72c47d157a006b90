package scoring

import "testing"

func TestExtensionCarried(t *testing.T) {
	tests := []struct {
		votes, members int
		want           bool
	}{
		{0, 5, false},
		{1, 5, false},
		{2, 5, true}, // 6 > 5
		{5, 5, true},
		{1, 3, false}, // exactly one third
		{2, 3, true},
		{3, 9, false}, // exactly one third
		{4, 9, true},
		{2, 7, false},
		{3, 7, true},
		{3, 11, false},
		{4, 11, true},
		{1, 1, true},
		{0, 0, false},
		{1, 0, false},
		{-1, 5, false},
		{6, 5, false}, // more votes than members: impossible
		{0, -3, false},
	}
	for _, tt := range tests {
		if got := ExtensionCarried(tt.votes, tt.members, 3); got != tt.want {
			t.Errorf("ExtensionCarried(%d, %d, 3) = %v, want %v", tt.votes, tt.members, got, tt.want)
		}
	}
	// The divisor is the rule's: a stricter half needs 3 of 5.
	if ExtensionCarried(2, 5, 2) || !ExtensionCarried(3, 5, 2) || ExtensionCarried(5, 5, 0) {
		t.Error("divisor 2 (more than half) or 0 (no rule) misapplied")
	}
}

func TestElectChair(t *testing.T) {
	five := []string{"A", "B", "C", "D", "E"}
	tests := []struct {
		name    string
		votes   map[string]string
		members []string
		chair   string
		ok      bool
	}{
		{"3 of 5", map[string]string{"A": "A", "B": "A", "C": "A", "D": "B", "E": "B"}, five, "A", true},
		{"unanimous", map[string]string{"A": "C", "B": "C", "C": "C", "D": "C", "E": "C"}, five, "C", true},
		{"plurality is not majority", map[string]string{"A": "A", "B": "A", "C": "B", "D": "B", "E": "C"}, five, "", false},
		{"3 of 5 with abstentions", map[string]string{"A": "B", "C": "B", "E": "B"}, five, "B", true},
		{"2 of 5 with abstentions", map[string]string{"A": "B", "C": "B"}, five, "", false},
		{"no votes", map[string]string{}, five, "", false},
		{"nil votes", nil, five, "", false},
		{"even committee 2 of 4", map[string]string{"A": "A", "B": "A", "C": "B", "D": "B"}, []string{"A", "B", "C", "D"}, "", false},
		{"even committee 3 of 4", map[string]string{"A": "A", "B": "A", "C": "A", "D": "B"}, []string{"A", "B", "C", "D"}, "A", true},
		{"non-member voter ignored", map[string]string{"X": "A", "Y": "A", "B": "A", "C": "A"}, five, "", false},
		{"non-member candidate ignored", map[string]string{"A": "Z", "B": "Z", "C": "Z"}, five, "", false},
		{"duplicate members counted once", map[string]string{"A": "A", "B": "A"}, []string{"A", "A", "B", "C", ""}, "A", true},
		{"no members", map[string]string{"A": "A"}, nil, "", false},
		{"single member", map[string]string{"A": "A"}, []string{"A"}, "A", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 20 { // map order must not matter
				chair, ok := ElectChair(tt.votes, tt.members)
				if chair != tt.chair || ok != tt.ok {
					t.Fatalf("ElectChair = %q, %v; want %q, %v", chair, ok, tt.chair, tt.ok)
				}
			}
		})
	}
}
