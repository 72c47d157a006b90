package auction

import (
	"context"
	"errors"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/clock"
	"ggzy/internal/ids"
	"ggzy/internal/party"
)

// DueStep names the scheduled step a sale in status st waits for (what the
// job runner does on time), "" when there is none.
func DueStep(mode Mode, st Status) string {
	name, _ := dueStep(mode, st)
	return name
}

func dueStep(mode Mode, st Status) (string, func(*Service, context.Context, ids.ID) error) {
	open := st == StatusAnnounced || st == StatusListing
	switch {
	case mode == ModeListing && open:
		return "挂牌截止处理", (*Service).CloseListing
	case st == StatusJoining:
		return "开始限时竞价", (*Service).StartTimed
	case st == StatusTimed:
		return "竞价结束处理", func(s *Service, ctx context.Context, id ids.ID) error { return s.CloseTimed(ctx, id, time.Time{}) }
	case (mode == ModeAuction || mode == ModeAscending) && st == StatusAnnounced:
		return "开始竞价", (*Service).StartTimed
	case mode == ModeSealed && open:
		return "一次报价截止处理", (*Service).CloseSealed
	case mode == ModeSealed && st == StatusDecrypting:
		return "解密期限届满处理", (*Service).CloseSealed
	}
	return "", nil
}

// RunDueStep runs, for the trading centre, the scheduled step the sale
// waits for — the job runner does it on time; this is for a runner that is
// late (a worker down). The step decides as it would on time (a countdown
// that ran out while nobody closed it ends as of its end); a step not yet
// due is refused with its time. Who ran it by hand is recorded in the
// ledger beside the step's own entries (which name the system).
func (s *Service) RunDueStep(ctx context.Context, actor party.Actor, saleID ids.ID) (string, error) {
	if err := operatorOnly(actor, "到期程序"); err != nil {
		return "", err
	}
	var before Sale
	if err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		before, err = tx.GetSale(ctx, saleID)
		return err
	}); err != nil {
		return "", err
	}
	if before.Status == StatusDraft {
		return "", apperr.NotFoundf("交易")
	}
	st := before.Phase(s.clock.Now())
	name, run := dueStep(before.Mode, st)
	if run == nil {
		return "", apperr.New(apperr.Conflict, "本宗交易当前没有到期的程序（%s）。", st.Label())
	}
	err := run(s, ctx, saleID)
	var nd *NotDueError
	if errors.As(err, &nd) {
		return "", apperr.New(apperr.Conflict, "尚未到执行时间：%s（北京时间）。平台将按时自动执行。", clock.Format(nd.At))
	}
	if err != nil {
		return "", err
	}
	err = s.store.WithTx(ctx, func(tx Tx) error {
		after, err := tx.GetSale(ctx, saleID)
		if err != nil {
			return err
		}
		_, err = record(ctx, tx, s.clock.Now(), actor, "auction.due_step_run", after,
			map[string]any{"step": name, "status_before": st, "status_after": after.Status, "result": after.Result}, nil)
		return err
	})
	return name, err
}
