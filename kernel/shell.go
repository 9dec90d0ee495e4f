package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"go/printer"
	"go/token"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/latent-ai/latent/display"
)

// shellWorker serves shell requests one at a time, in arrival order.
func (k *Kernel) shellWorker() {
	for {
		select {
		case <-k.done: // stop before taking another request
			return
		default:
		}
		select {
		case <-k.done:
			return
		case m := <-k.shellQ:
			k.handleShell(m)
		}
	}
}

func (k *Kernel) handleShell(m *Message) {
	var ctx context.Context
	var end func()
	if m.Header.MsgType == "execute_request" {
		// The cell's interrupt context exists before busy goes out, so an
		// interrupt sent on seeing busy is never lost.
		ctx, end = k.beginExecution(m)
	}
	k.status(m, "busy")
	var then func()
	defer func() {
		k.status(m, "idle")
		if then != nil {
			then()
		}
	}()
	switch m.Header.MsgType {
	case "execute_request":
		then = k.execute(ctx, m, end)
	case "kernel_info_request":
		k.kernelInfoRequest(m)
	case "complete_request":
		k.complete(m)
	case "inspect_request":
		k.inspect(m)
	case "is_complete_request":
		k.isComplete(m)
	case "history_request":
		k.historyRequest(m)
	case "comm_info_request":
		k.commInfo(m)
	case "comm_open":
		k.commOpen(m)
	case "comm_msg", "comm_close":
		k.commIgnore(m)
	case "shutdown_request":
		k.handleShutdown(m)
		then = k.shutdown // after idle, so that it is flushed with the rest
	default:
		k.unknown(m)
	}
}

// badRequest answers a request whose content does not decode.
func (k *Kernel) badRequest(m *Message, err error) {
	k.log.Printf("%s: bad content: %v", m.Header.MsgType, err)
	k.answerError(m, "BadRequest", fmt.Sprintf("cannot decode %s content: %v", m.Header.MsgType, err))
}

type executeRequest struct {
	Code            string            `json:"code"`
	Silent          bool              `json:"silent"`
	StoreHistory    *bool             `json:"store_history"`
	UserExpressions map[string]string `json:"user_expressions"`
	AllowStdin      bool              `json:"allow_stdin"`
	StopOnError     *bool             `json:"stop_on_error"`
}

// execute runs an execute_request; end (see beginExecution) is called
// before the reply goes out. After a failure of a cell that is not silent,
// with stop_on_error, it returns the work that must follow the request's
// idle status: serving the requests queued behind it, aborting the
// execute_requests among them.
func (k *Kernel) execute(ctx context.Context, m *Message, end func()) (then func()) {
	defer end()
	var req executeRequest
	if err := json.Unmarshal(m.Content, &req); err != nil {
		k.badRequest(m, err)
		return nil
	}
	store := !req.Silent && (req.StoreHistory == nil || *req.StoreHistory)
	stopOnError := req.StopOnError == nil || *req.StopOnError
	if store {
		k.count++
	}
	count := k.count
	if !req.Silent {
		k.pub.publish(m, "execute_input", map[string]any{"code": req.Code, "execution_count": count}, false)
	}
	sink := &execSink{k: k, parent: m, silent: req.Silent, allowStdin: req.AllowStdin}
	result, err := k.run(ctx, req.Code, sink, store)
	sink.finish()

	payload := sink.payloads // finish stopped the sink: no more come
	if payload == nil {
		payload = []any{}
	}
	reply := map[string]any{"execution_count": count, "payload": payload, "user_expressions": map[string]any{}}
	var out string
	if err != nil {
		de := asDisplayError(err)
		if !req.Silent {
			k.pub.publish(m, "error", map[string]any{"ename": de.Name, "evalue": de.Value, "traceback": traceback(de)}, false)
		}
		reply["status"] = "error"
		reply["ename"], reply["evalue"], reply["traceback"] = de.Name, de.Value, traceback(de)
	} else {
		reply["status"] = "ok"
		if result != nil && !req.Silent {
			data := k.boundOutput(result.Data)
			k.pub.publish(m, "execute_result", map[string]any{
				"execution_count": count, "data": data, "metadata": orEmptyMap(result.Metadata)}, true)
			if s, ok := data["text/plain"].(string); ok {
				out = s
			}
		}
		reply["user_expressions"] = k.userExpressions(ctx, req.UserExpressions)
	}
	if store {
		k.history.add(count, req.Code, out)
	}
	// As ipykernel: only a failed cell the user sees (not silent, as a
	// variable inspector's requests are) aborts the queue.
	var queued []*Message
	if err != nil && stopOnError && !req.Silent {
		queued = k.takeQueued()
	}
	// The request is over: an interrupt from now on is for the next cell,
	// which the client may send as soon as it sees this reply.
	end()
	k.answer(m, "execute_reply", reply)
	if queued == nil {
		return nil
	}
	return func() { k.abort(queued) }
}

// beginExecution makes the context that an interrupt cancels while the
// execute_request m is served; end clears it. An interrupt that came while
// the kernel was idle but after m arrived (it overtook m on its way) cancels
// the context at once.
func (k *Kernel) beginExecution(m *Message) (ctx context.Context, end func()) {
	ctx, cancel := context.WithCancel(context.Background())
	k.execMu.Lock()
	k.execCancel, k.execCtx = cancel, ctx
	if k.idleInterrupts > m.interruptsSeen {
		cancel()
	}
	k.execMu.Unlock()
	return ctx, func() {
		k.execMu.Lock()
		k.execCancel, k.execCtx = nil, context.Background()
		k.execMu.Unlock()
		cancel()
	}
}

// run calls the evaluator with ctx (cancelled by an interrupt), turning a
// panic in it into an error so that the kernel lives on. An evaluator that
// does not return within InterruptGrace of an interrupt (a call that
// ignores its context) is abandoned: the cell is answered with an error and
// a fresh evaluator replaces the stuck one. record says whether the code
// belongs in the evaluator's own input history (see UnrecordedEvaluator).
func (k *Kernel) run(ctx context.Context, code string, sink display.Sink, record bool) (*display.Bundle, error) {
	ev, err := k.evaluator()
	if err != nil {
		return nil, &display.Error{Name: "KernelStartError", Value: "the Go session could not start: " + err.Error() + "; fix the cause and restart the kernel"}
	}

	type result struct {
		res *display.Bundle
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				k.log.Printf("evaluator panicked: %v\n%s", r, debug.Stack())
				done <- result{nil, &display.Error{Name: "KernelPanic",
					Value: fmt.Sprintf("%v (the session may be inconsistent: restart the kernel if later cells misbehave)", r)}}
			}
		}()
		var res *display.Bundle
		var err error
		if u, ok := ev.(UnrecordedEvaluator); ok && !record {
			res, err = u.ExecuteUnrecorded(ctx, code, sink)
		} else {
			res, err = ev.Execute(ctx, code, sink)
		}
		done <- result{res, err}
	}()
	select {
	case r := <-done:
		return r.res, r.err
	case <-ctx.Done():
	}
	select {
	case r := <-done:
		return r.res, r.err
	case <-k.done:
		return nil, &display.Error{Name: "KernelShutdown", Value: "the kernel is shutting down"}
	case <-time.After(k.cfg.InterruptGrace):
	}
	k.log.Printf("a cell did not stop within %v of its interrupt: abandoning it and starting a fresh evaluator", k.cfg.InterruptGrace)
	msg := fmt.Sprintf("the cell did not stop within %v of the interrupt (a call that cannot be interrupted?). "+
		"Latent left it running in the background and started a fresh session: earlier variables and definitions are gone, re-run the cells you need; "+
		"restart the kernel if the CPU stays busy", k.cfg.InterruptGrace)
	if err := k.replaceEvaluator(); err != nil {
		msg += "; the fresh session could not start (" + err.Error() + "): restart the kernel"
	}
	return nil, &display.Error{Name: "KernelInterruptTimeout", Value: msg}
}

// replaceEvaluator makes a fresh evaluator with the factory.
func (k *Kernel) replaceEvaluator() error {
	ev, err := k.cfg.NewEvaluator()
	if err == nil && ev == nil {
		err = errors.New("the evaluator factory returned nothing")
	}
	k.evMu.Lock()
	k.ev, k.evErr = ev, err
	k.evMu.Unlock()
	return err
}

func asDisplayError(err error) *display.Error {
	var de *display.Error
	if errors.As(err, &de) {
		return de
	}
	return &display.Error{Name: "Error", Value: err.Error()}
}

func traceback(de *display.Error) []string {
	if len(de.Traceback) > 0 {
		return de.Traceback
	}
	return []string{de.Name + ": " + de.Value}
}

func orEmptyMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// userExpressions evaluates each expression of an execute_request after the
// cell ran, as the protocol asks, without publishing anything. Only single
// Go expressions are evaluated: a statement or declaration would change the
// session behind the user's back, so it gets an error entry and never runs.
func (k *Kernel) userExpressions(ctx context.Context, exprs map[string]string) map[string]any {
	out := make(map[string]any, len(exprs))
	for name, code := range exprs {
		expr, err := goExpression(code)
		if err != nil {
			out[name] = errorContent("SyntaxError", fmt.Sprintf("a user expression must be one Go expression (%v); it was not run", err), nil)
			continue
		}
		res, err := k.run(ctx, expr, discardSink{}, false)
		switch {
		case err != nil:
			de := asDisplayError(err)
			out[name] = errorContent(de.Name, de.Value, traceback(de))
		case res == nil:
			out[name] = map[string]any{"status": "ok", "data": map[string]any{"text/plain": ""}, "metadata": map[string]any{}}
		default:
			out[name] = map[string]any{"status": "ok", "data": res.Data, "metadata": orEmptyMap(res.Metadata)}
		}
	}
	return out
}

// goExpression parses code as one Go expression and returns it printed
// again, without comments and in parentheses, so that the evaluator cannot
// read it as a cell with a magic: "!ok" is a Go expression, not the shell
// command ok.
func goExpression(code string) (string, error) {
	fset := token.NewFileSet()
	e, err := parser.ParseExprFrom(fset, "", code, 0)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteByte('(')
	if err := printer.Fprint(&b, fset, e); err != nil {
		return "", err
	}
	b.WriteByte(')')
	return b.String(), nil
}

// takeQueued removes the requests already waiting in the shell queue, in
// order, for abort. It runs before the failed cell's reply goes out, so that
// a request sent after the client saw the error is never aborted.
func (k *Kernel) takeQueued() []*Message {
	var queued []*Message
	for {
		select {
		case m := <-k.shellQ:
			queued = append(queued, m)
		default:
			return queued
		}
	}
}

// abort serves the requests taken from the queue after a failed cell, in
// order, as ipykernel does: each execute_request is answered with status
// aborted, and the other requests are served as usual.
func (k *Kernel) abort(queued []*Message) {
	for _, m := range queued {
		if m.Header.MsgType != "execute_request" {
			k.handleShell(m)
			continue
		}
		k.log.Printf("aborting queued execute_request %s: an earlier cell failed and stop_on_error is set", m.Header.MsgID)
		k.status(m, "busy")
		k.answer(m, "execute_reply", map[string]any{"status": "aborted", "execution_count": k.count})
		k.status(m, "idle")
	}
}

type cursorRequest struct {
	Code        string `json:"code"`
	CursorPos   *int   `json:"cursor_pos"`
	DetailLevel int    `json:"detail_level"`
}

// cursor returns the request's cursor, clamped to the code, in code points;
// a missing cursor means the end of the code.
func (r cursorRequest) cursor() int {
	n := utf8.RuneCountInString(r.Code)
	if r.CursorPos == nil || *r.CursorPos > n {
		return n
	}
	if *r.CursorPos < 0 {
		return 0
	}
	return *r.CursorPos
}

func (k *Kernel) complete(m *Message) {
	var req cursorRequest
	if err := json.Unmarshal(m.Content, &req); err != nil {
		k.badRequest(m, err)
		return
	}
	cur := req.cursor()
	var matches []string
	start, end := cur, cur
	k.guarded("complete", func(ev Evaluator) { matches, start, end = ev.Complete(req.Code, cur) })
	if matches == nil {
		matches = []string{}
	}
	k.answer(m, "complete_reply", map[string]any{
		"status": "ok", "matches": matches, "cursor_start": start, "cursor_end": end, "metadata": map[string]any{}})
}

func (k *Kernel) inspect(m *Message) {
	var req cursorRequest
	if err := json.Unmarshal(m.Content, &req); err != nil {
		k.badRequest(m, err)
		return
	}
	var b display.Bundle
	found := false
	k.guarded("inspect", func(ev Evaluator) { b, found = ev.Inspect(req.Code, req.cursor(), req.DetailLevel) })
	data := b.Data
	if !found || data == nil {
		data = map[string]any{}
	}
	k.answer(m, "inspect_reply", map[string]any{
		"status": "ok", "found": found, "data": data, "metadata": orEmptyMap(b.Metadata)})
}

func (k *Kernel) isComplete(m *Message) {
	var req struct {
		Code string `json:"code"`
	}
	if err := json.Unmarshal(m.Content, &req); err != nil {
		k.badRequest(m, err)
		return
	}
	status, indent := "unknown", ""
	k.guarded("is_complete", func(ev Evaluator) { status, indent = ev.IsComplete(req.Code) })
	c := map[string]any{"status": status}
	if status == "incomplete" {
		c["indent"] = indent
	}
	k.answer(m, "is_complete_reply", c)
}

// guarded runs an evaluator call, once the evaluator is ready, and logs
// (rather than dies of) a panic. Without an evaluator it does nothing, and
// the caller's defaults answer.
func (k *Kernel) guarded(what string, f func(Evaluator)) {
	ev, err := k.evaluator()
	if err != nil {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			k.log.Printf("%s panicked: %v\n%s", what, r, debug.Stack())
		}
	}()
	f(ev)
}
