package scoring

import (
	"reflect"
	"testing"
)

func ms(pairs ...any) []MemberScore {
	var out []MemberScore
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, MemberScore{Member: pairs[i].(string), Score: int64(pairs[i+1].(int))})
	}
	return out
}

func TestDeviations(t *testing.T) {
	five := ms("A", 8000, "B", 8000, "C", 8000, "D", 8000, "E", 4000) // mean 7200
	tests := []struct {
		name      string
		max       int64
		scores    []MemberScore
		threshold int
		want      []Deviation
	}{
		{"one low outlier", 10000, five, 20, []Deviation{
			{Item: "tech", Member: "E", Score: 4000, Mean: 7200, DeviationPct: 4444}, // 3200/7200 = 44.44 %
		}},
		{"low threshold flags all, in input order", 10000, five, 10, []Deviation{
			{Item: "tech", Member: "A", Score: 8000, Mean: 7200, DeviationPct: 1111, High: true},
			{Item: "tech", Member: "B", Score: 8000, Mean: 7200, DeviationPct: 1111, High: true},
			{Item: "tech", Member: "C", Score: 8000, Mean: 7200, DeviationPct: 1111, High: true},
			{Item: "tech", Member: "D", Score: 8000, Mean: 7200, DeviationPct: 1111, High: true},
			{Item: "tech", Member: "E", Score: 4000, Mean: 7200, DeviationPct: 4444},
		}},
		{"high threshold flags none", 10000, five, 45, nil},
		// Exactly at the threshold is not a deviation; just over is.
		{"exactly 25 % at 25", 10000, ms("A", 6000, "B", 10000), 25, nil},
		{"25 % at 24", 10000, ms("A", 6000, "B", 10000), 24, []Deviation{
			{Item: "tech", Member: "A", Score: 6000, Mean: 8000, DeviationPct: 2500},
			{Item: "tech", Member: "B", Score: 10000, Mean: 8000, DeviationPct: 2500, High: true},
		}},
		// The decision uses the shown figure: 20.004 % shows as 20.00 % → not over 20.
		{"20.004 % is 20.00 %", 100000, ms("A", 30001, "B", 19999), 20, nil},
		{"20.006 % is 20.01 %", 100000, ms("A", 30002, "B", 19999), 20, []Deviation{
			{Item: "tech", Member: "A", Score: 30002, Mean: 25001, DeviationPct: 2001, High: true}, // mean 25000.5 → 25001
			{Item: "tech", Member: "B", Score: 19999, Mean: 25001, DeviationPct: 2001},
		}},
		// Mean 0: reference is the item's max; all-zero scores never deviate.
		{"mean 0, all zero", 1000, ms("A", 0, "B", 0, "C", 0), 20, nil},
		{"mean 0, all zero, threshold 0", 1000, ms("A", 0, "B", 0, "C", 0), 0, nil},
		{"mean 0, max 0", 0, ms("A", 0, "B", 0, "C", 0), 0, nil},
		{"mean 0 uses max", 1000, ms("A", -500, "B", 500), 20, []Deviation{
			{Item: "tech", Member: "A", Score: -500, Mean: 0, RefIsMax: true, DeviationPct: 5000},
			{Item: "tech", Member: "B", Score: 500, Mean: 0, RefIsMax: true, DeviationPct: 5000, High: true},
		}},
		{"unanimous", 10000, ms("A", 7000, "B", 7000, "C", 7000), 0, nil},
		{"negative threshold is 0", 10000, ms("A", 8000, "B", 8001), -5, []Deviation{
			{Item: "tech", Member: "A", Score: 8000, Mean: 8001, DeviationPct: 1}, // 0.0062 % → 0.01 %
			{Item: "tech", Member: "B", Score: 8001, Mean: 8001, DeviationPct: 1, High: true},
		}},
		{"single member never deviates", 10000, ms("A", 3000), 0, nil},
		{"empty", 10000, nil, 20, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Deviations("tech", tt.max, tt.scores, tt.threshold)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Deviations =\n %+v\nwant\n %+v", got, tt.want)
			}
		})
	}
}
