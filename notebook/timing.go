package notebook

import (
	"time"
)

// The events of a cell's execution that nbclient records, by default, in
// the cell's metadata.execution, each as a UTC timestamp.
const (
	TimeBusy         = "iopub.status.busy"           // the kernel went busy with the cell
	TimeExecuteInput = "iopub.execute_input"         // it announced the code it runs
	TimeExecuteReply = "shell.execute_reply"         // it replied that the cell finished
	TimeIdle         = "iopub.status.idle"           // it went idle again
	timestampLayout  = "2006-01-02T15:04:05.000000Z" // nbclient's '%Y-%m-%dT%H:%M:%S.%fZ'
)

var timeEvents = []string{TimeBusy, TimeExecuteInput, TimeExecuteReply, TimeIdle}

// TimeMarker is implemented by the sink that Run hands an Executor. An
// executor that knows when the events of TimeBusy and the others happened
// (a kernel client reads them from the header dates of the kernel's
// messages, as nbclient does) reports them with MarkTime; the runner's own
// clock fills in the events it does not report.
type TimeMarker interface {
	MarkTime(event string, t time.Time)
}

// cellTimes collects the timestamps of the running cell: those the
// executor reported win over the runner's own.
type cellTimes struct {
	reported, own map[string]time.Time
}

func (ct *cellTimes) reset() {
	ct.reported, ct.own = map[string]time.Time{}, map[string]time.Time{}
}

// metadata returns the cell's metadata.execution value.
func (ct *cellTimes) metadata() map[string]any {
	m := map[string]any{}
	for _, ev := range timeEvents {
		t, ok := ct.reported[ev]
		if !ok {
			t, ok = ct.own[ev]
		}
		if ok {
			m[ev] = t.UTC().Format(timestampLayout)
		}
	}
	return m
}

// CellDuration is how long a cell ran according to its metadata.execution
// (from busy to idle, or from execute_input to execute_reply), and false
// when the timestamps are missing.
func CellDuration(c *Cell) (time.Duration, bool) {
	ex, _ := c.Metadata["execution"].(map[string]any)
	for _, pair := range [][2]string{{TimeBusy, TimeIdle}, {TimeExecuteInput, TimeExecuteReply}} {
		a, okA := parseTimestamp(ex[pair[0]])
		b, okB := parseTimestamp(ex[pair[1]])
		if okA && okB && !b.Before(a) {
			return b.Sub(a), true
		}
	}
	return 0, false
}

func parseTimestamp(v any) (time.Time, bool) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}
