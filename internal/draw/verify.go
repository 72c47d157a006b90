package draw

import (
	"fmt"
	"slices"
)

// Verify re-runs the draw from the committed inputs and compares it with a
// recorded result, naming the first difference. It is what `ggzy
// verify-draw` calls; a nil error means the recorded experts are exactly the
// ones the inputs select.
func Verify(req Request, pool []Expert, seed []byte, recorded Result) error {
	p, err := NewPool(pool)
	if err != nil {
		return err
	}
	return p.Verify(req, seed, recorded)
}

// Verify is Verify on an indexed snapshot.
func (p *Pool) Verify(req Request, seed []byte, recorded Result) error {
	if d := digestOf(recorded); recorded.Digest != d {
		return fmt.Errorf("抽取结果的摘要 %s 与其内容不符（按内容计算为 %s），结果已被改动", recorded.Digest, d)
	}
	got, err := p.Draw(req, seed)
	if err != nil {
		return fmt.Errorf("按记录的输入重新抽取失败：%w", err)
	}
	// Field by field, reasons included (the digest leaves the derived
	// wording out).
	if d := firstDifference(got, recorded); d != "" {
		return fmt.Errorf("重新抽取的结果与记录不一致：%s", d)
	}
	if got.Digest != recorded.Digest {
		return fmt.Errorf("重新抽取的结果摘要 %s 与记录的 %s 不一致", got.Digest, recorded.Digest)
	}
	return nil
}

// firstDifference describes the first field where the re-run (got) and the
// record (rec) disagree, inputs before outputs, so the cause comes first.
func firstDifference(got, rec Result) string {
	switch {
	case got.Version != rec.Version:
		return fmt.Sprintf("算法版本：记录为 %s，本程序为 %s", rec.Version, got.Version)
	case got.Seed != rec.Seed:
		return fmt.Sprintf("种子：记录为 %s，给定为 %s", rec.Seed, got.Seed)
	case got.RequestDigest != rec.RequestDigest:
		return fmt.Sprintf("抽取申请摘要：记录为 %s，给定申请为 %s", rec.RequestDigest, got.RequestDigest)
	case got.PoolDigest != rec.PoolDigest:
		return fmt.Sprintf("专家库快照摘要：记录为 %s，给定快照为 %s（%d 名专家，记录为 %d 名）", rec.PoolDigest, got.PoolDigest, got.PoolSize, rec.PoolSize)
	case got.LotID != rec.LotID:
		return fmt.Sprintf("标段：记录为 %s，重算为 %s", rec.LotID, got.LotID)
	case len(got.Needs) != len(rec.Needs):
		return fmt.Sprintf("专业需求项数：记录为 %d，重算为 %d", len(rec.Needs), len(got.Needs))
	}
	for i := range got.Needs {
		g, r := got.Needs[i], rec.Needs[i]
		if g.Need != r.Need {
			return fmt.Sprintf("第 %d 项专业需求：记录为 %+v，重算为 %+v", i+1, r.Need, g.Need)
		}
		if d := listDiff(g.Members, r.Members); d != "" {
			return fmt.Sprintf("专业 %s 的评标专家%s", g.Need.Specialty, d)
		}
		if d := listDiff(g.Backups, r.Backups); d != "" {
			return fmt.Sprintf("专业 %s 的备选专家%s", g.Need.Specialty, d)
		}
		if g.Qualified != r.Qualified || g.Eligible != r.Eligible {
			return fmt.Sprintf("专业 %s 的人数：记录为专业相符 %d 名、可抽 %d 名，重算为 %d 名、%d 名", g.Need.Specialty, r.Qualified, r.Eligible, g.Qualified, g.Eligible)
		}
	}
	for i := 0; i < max(len(got.Exclusions), len(rec.Exclusions)); i++ {
		switch {
		case i >= len(rec.Exclusions):
			return fmt.Sprintf("回避记录缺少专家 %s（%s）", got.Exclusions[i].ExpertID, got.Exclusions[i].Reason)
		case i >= len(got.Exclusions):
			return fmt.Sprintf("回避记录多出专家 %s", rec.Exclusions[i].ExpertID)
		case got.Exclusions[i] != rec.Exclusions[i]:
			g, r := got.Exclusions[i], rec.Exclusions[i]
			return fmt.Sprintf("回避记录第 %d 条：记录为 %s %s「%s」，重算为 %s %s「%s」", i+1, r.ExpertID, r.Code, r.Reason, g.ExpertID, g.Code, g.Reason)
		}
	}
	return ""
}

func listDiff(got, rec []string) string {
	if slices.Equal(got, rec) {
		return ""
	}
	for i := 0; i < max(len(got), len(rec)); i++ {
		var g, r string
		if i < len(got) {
			g = got[i]
		}
		if i < len(rec) {
			r = rec[i]
		}
		if g != r {
			return fmt.Sprintf("第 %d 位：记录为“%s”，重算为“%s”", i+1, r, g)
		}
	}
	return ""
}
