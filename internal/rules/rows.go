package rules

import (
	"fmt"
	"time"
)

// Standing is how firmly the source of a number is established, as tagged
// in RULES.md: users are told whether a limit is the statute's, quoted
// second-hand, or the platform's own setting.
type Standing string

const (
	Law        Standing = "law"        // read in the statute
	Secondary  Standing = "secondary"  // quoted second-hand
	Assumption Standing = "assumption" // unsourced: a platform setting
)

// Label is the standing in Chinese, for the rules page and the API.
func (s Standing) Label() string {
	switch s {
	case Law:
		return "法律"
	case Secondary:
		return "二手来源"
	case Assumption:
		return "平台设定"
	}
	return "未标注"
}

// Row is one parameter as listed for users. The sets other than the
// engineering tender (the sales' Params, the expert pool's and the
// evaluation room's policies) keep typed values of their own; they list
// themselves as rows so that the public rules page and GET /api/v1/rules
// show the values the code enforces, not a copy.
type Row struct {
	Key      string   // stable, e.g. sale.listing_period
	Text     string   // what the number governs
	Value    string   // the value in Chinese: "10个工作日", "5分钟", "20%"
	Basis    string   // legal basis, or the platform rule that sets it
	Standing Standing // of the basis
}

// DescribeDuration renders a duration in Chinese for a row: "90日",
// "4小时", "30分钟", "45秒".
func DescribeDuration(d time.Duration) string {
	switch {
	case d != 0 && d%(24*time.Hour) == 0:
		return fmt.Sprintf("%d日", d/(24*time.Hour))
	case d != 0 && d%time.Hour == 0:
		return fmt.Sprintf("%d小时", d/time.Hour)
	case d != 0 && d%time.Minute == 0:
		return fmt.Sprintf("%d分钟", d/time.Minute)
	}
	return fmt.Sprintf("%d秒", d/time.Second)
}
