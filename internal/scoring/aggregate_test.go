package scoring

import (
	"strings"
	"testing"

	"ggzy/internal/apperr"
)

func TestAggregate(t *testing.T) {
	tests := []struct {
		name   string
		rule   string
		scores []int64
		want   int64
	}{
		{"mean", AggregateMean, []int64{7000, 8000, 9000}, 8000},
		{"mean single", AggregateMean, []int64{8550}, 8550},
		{"mean half rounds up", AggregateMean, []int64{1000, 1001}, 1001}, // 1000.5
		{"mean third rounds down", AggregateMean, []int64{1, 1, 2}, 1},    // 1.33
		{"mean two thirds rounds up", AggregateMean, []int64{1, 2, 2}, 2}, // 1.67
		{"mean all zero", AggregateMean, []int64{0, 0, 0}, 0},
		{"mean of 5 keeps extremes", AggregateMean, []int64{0, 7000, 8000, 9000, 10000}, 6800},
		// trimmed_mean: plain mean below 5 scores, trimmed from 5.
		{"trimmed 4 scores is plain mean", AggregateTrimmedMean, []int64{0, 7000, 8000, 10000}, 6250},
		{"trimmed 5 scores drops extremes", AggregateTrimmedMean, []int64{0, 7000, 8000, 9000, 10000}, 8000},
		{"trimmed order irrelevant", AggregateTrimmedMean, []int64{9000, 0, 10000, 8000, 7000}, 8000},
		{"trimmed drops only one of tied max", AggregateTrimmedMean, []int64{9000, 9000, 8000, 8000, 1000}, 8333}, // 25000/3
		{"trimmed 7 scores", AggregateTrimmedMean, []int64{5000, 6000, 6000, 7000, 7000, 8000, 10000}, 6800},
		{"trimmed 4 scores half rounds up", AggregateTrimmedMean, []int64{0, 1, 2, 3}, 2},                         // plain mean 1.5
		{"trimmed 5 scores third rounds down", AggregateTrimmedMean, []int64{0, 1000, 1000, 1001, 9999}, 1000},    // 3001/3
		{"trimmed 5 scores two thirds rounds up", AggregateTrimmedMean, []int64{0, 1000, 1001, 1001, 9999}, 1001}, // 3002/3
		{"trimmed 6 scores half rounds up", AggregateTrimmedMean, []int64{0, 1, 1, 2, 2, 100}, 2},                 // 6/4 = 1.5
		{"trimmed 6 scores quarter", AggregateTrimmedMean, []int64{0, 1, 2, 2, 2, 100}, 2},                        // 7/4 = 1.75
		{"trimmed single", AggregateTrimmedMean, []int64{4200}, 4200},
		{"trimmed all equal", AggregateTrimmedMean, []int64{5000, 5000, 5000, 5000, 5000}, 5000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Aggregate(tt.rule, tt.scores)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Aggregate(%s, %v) = %d, want %d", tt.rule, tt.scores, got, tt.want)
			}
		})
	}
}

func TestAggregateRefused(t *testing.T) {
	tests := []struct {
		name   string
		rule   string
		scores []int64
		msg    string
	}{
		{"unknown rule", "median", []int64{1}, "「median」"},
		{"empty rule", "", []int64{1}, "不受支持"},
		{"no scores", AggregateMean, nil, "没有可汇总的评分"},
		{"no scores trimmed", AggregateTrimmedMean, []int64{}, "没有可汇总的评分"},
		{"negative", AggregateMean, []int64{100, -50}, "第2个评分为-0.5分"},
		{"overflow", AggregateMean, []int64{1 << 62, 1 << 62}, "超出计算范围"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Aggregate(tt.rule, tt.scores)
			e, ok := err.(*apperr.Error)
			if !ok || e.Code != apperr.Invalid || !strings.Contains(e.Message, tt.msg) {
				t.Errorf("error = %v, want Invalid containing %q", err, tt.msg)
			}
		})
	}
}
