package expert

import (
	"time"

	"ggzy/internal/ids"
)

// Rating is the agency's or the supervisor's assessment of one expert's
// conduct on one lot (issue 4 §4); ratings feed the periodic assessment and,
// later, the credit system.
type Rating struct {
	ExpertID ids.ID
	LotID    ids.ID
	LotCode  string
	ByUser   ids.ID
	ByRole   string // agency, supervisor
	Score    int    // 1 (差) … 5 (优)
	Comment  string
	At       time.Time
}

// ScoreLabel names a rating score.
func ScoreLabel(n int) string {
	switch n {
	case 5:
		return "优秀"
	case 4:
		return "良好"
	case 3:
		return "合格"
	case 2:
		return "较差"
	case 1:
		return "差"
	}
	return ""
}

// Stats is what the operator sees of an expert's record: draws, declines,
// deviations and ratings (issue 4 §4).
type Stats struct {
	Draws      int     // times invited onto a committee
	Served     int     // times confirmed and seated
	Declines   int     // declined or let the deadline pass
	Deviations int     // 评分偏离 flagged on a submitted sheet
	Ratings    int     // number of ratings
	MeanRating float64 // 0 without ratings
}
