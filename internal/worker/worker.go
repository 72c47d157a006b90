// Package worker runs the durable jobs of package jobs on River, with the
// River tables in the platform's own database. Jobs are inserted with the
// business transaction (InsertTx), so a rolled-back use case leaves no job.
package worker

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"ggzy/internal/apperr"
	"ggzy/internal/jobs"
)

// SchedulerLead is River's scheduler interval (maintenance.JobSchedulerIntervalDefault).
const SchedulerLead = 5 * time.Second

// Task is the one River job type; Name selects the handler.
type Task struct {
	Name    string    `json:"name"`
	Subject string    `json:"subject"`
	RunAt   time.Time `json:"run_at"`
}

// Kind is River's job kind.
func (Task) Kind() string { return "ggzy.task" }

// Handler runs one task. Return Retry to run again after a delay.
type Handler func(ctx context.Context, subject string) error

// RetryError asks for another run after After.
type RetryError struct{ After time.Duration }

func (e *RetryError) Error() string { return fmt.Sprintf("retry after %s", e.After) }

// Retry builds a RetryError.
func Retry(after time.Duration) error { return &RetryError{After: after} }

// Runner owns the River client.
type Runner struct {
	client   *river.Client[*sql.Tx]
	driver   riverdriver.Driver[*sql.Tx]
	handlers map[string]Handler
	log      *slog.Logger
}

type taskWorker struct {
	river.WorkerDefaults[Task]
	r *Runner
}

func (w *taskWorker) Work(ctx context.Context, job *river.Job[Task]) error {
	h, ok := w.r.handlers[job.Args.Name]
	if !ok {
		return river.JobCancel(fmt.Errorf("no handler for %q", job.Args.Name))
	}
	err := h(ctx, job.Args.Subject)
	var re *RetryError
	if errors.As(err, &re) {
		// A job snoozed far ahead is made available on River's scheduler
		// tick, up to SchedulerLead late: it wakes that much early instead
		// (every handler checks the time and snoozes the short rest, which
		// is made available at once). A countdown's close, moved by every
		// bid, thus ends the bidding on time.
		d := re.After
		if d > 2*SchedulerLead {
			d -= SchedulerLead
		}
		return river.JobSnooze(d)
	}
	if err != nil {
		w.r.log.Error("job failed", "name", job.Args.Name, "subject", job.Args.Subject, "attempt", job.Attempt, "err", err)
		// A refusal of the use case will not change on a retry.
		switch apperr.CodeOf(err) {
		case apperr.NotFound, apperr.Invalid, apperr.Forbidden:
			return river.JobCancel(err)
		}
	}
	return err
}

// Options tune the runner.
type Options struct {
	PollInterval time.Duration // how often idle workers look for due jobs; default 500 ms
	Workers      int           // concurrent jobs; default 4
}

// New builds a runner on db ("sqlite" or "postgres"). It does not start it.
func New(db *sql.DB, dialect string, handlers map[string]Handler, log *slog.Logger, o Options) (*Runner, error) {
	r := &Runner{handlers: handlers, log: log}
	switch dialect {
	case "sqlite":
		r.driver = riversqlite.New(db)
	case "postgres":
		r.driver = riverdatabasesql.New(db)
	default:
		return nil, fmt.Errorf("worker: unknown dialect %q", dialect)
	}
	if o.PollInterval == 0 {
		o.PollInterval = 500 * time.Millisecond
	}
	if o.Workers == 0 {
		o.Workers = 4
	}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &taskWorker{r: r}); err != nil {
		return nil, err
	}
	c, err := river.NewClient(r.driver, &river.Config{
		Logger:            log,
		PollOnly:          true, // database/sql has no LISTEN; polling also works for SQLite
		FetchPollInterval: o.PollInterval,
		FetchCooldown:     o.PollInterval / 5,
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: o.Workers}},
		Workers:           workers,
		JobTimeout:        2 * time.Minute,
	})
	if err != nil {
		return nil, fmt.Errorf("worker: %w", err)
	}
	r.client = c
	return r, nil
}

// Migrate creates or updates River's tables.
func (r *Runner) Migrate(ctx context.Context) error {
	m, err := rivermigrate.New(r.driver, nil)
	if err != nil {
		return fmt.Errorf("worker: migrator: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("worker: migrate: %w", err)
	}
	return nil
}

// Enqueue inserts j inside tx. The same job (name, subject, time) is inserted
// once however often it is asked for.
func (r *Runner) Enqueue(ctx context.Context, tx *sql.Tx, j jobs.Job) error {
	// Round up: River keeps milliseconds.
	at := j.RunAt.UTC().Truncate(time.Millisecond)
	if at.Before(j.RunAt) {
		at = at.Add(time.Millisecond)
	}
	// River makes scheduled jobs available on a 5-second tick, so a job
	// scheduled at the instant could start up to 5 s late. It is scheduled
	// SchedulerLead early instead; every handler checks the time itself and
	// snoozes to the exact instant (a snooze that short is made available at
	// once and picked up at the next poll).
	_, err := r.client.InsertTx(ctx, tx, Task{Name: j.Kind, Subject: j.Subject, RunAt: at}, &river.InsertOpts{
		ScheduledAt: at.Add(-SchedulerLead),
		UniqueOpts:  river.UniqueOpts{ByArgs: true},
	})
	if err != nil {
		return fmt.Errorf("worker: enqueue %s: %w", j.Kind, err)
	}
	return nil
}

// Start begins working jobs.
func (r *Runner) Start(ctx context.Context) error { return r.client.Start(ctx) }

// Stop finishes running jobs and stops.
func (r *Runner) Stop(ctx context.Context) error { return r.client.Stop(ctx) }
