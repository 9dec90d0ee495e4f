package dsl

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/latent-ai/latent/display"
	"github.com/latent-ai/latent/nbtools"
)

// toolState is what the notebook tools keep between cells.
type toolState struct {
	dirs       nbtools.Dirs
	inputs     []string // the cells run, for %history: the last maxInputs
	dropped    int      // the inputs no longer kept
	inputBytes int      // the length of inputs
}

// The most inputs %history keeps, and the most bytes: a long session, or
// one that runs large cells, keeps its memory flat.
const (
	maxInputs     = 10000
	maxInputBytes = 32 << 20
)

// remember keeps code for %history, dropping the oldest inputs past the
// bounds (the newest is always kept).
func (t *toolState) remember(code string) {
	t.inputs = append(t.inputs, code)
	t.inputBytes += len(code)
	drop := 0
	for drop < len(t.inputs)-1 && (len(t.inputs)-drop > maxInputs || t.inputBytes > maxInputBytes) {
		t.inputBytes -= len(t.inputs[drop])
		drop++
	}
	clear(t.inputs[:drop]) // the array keeps no dropped text alive
	t.inputs = t.inputs[drop:]
	t.dropped += drop
}

// toolMagic is a notebook tool reached as %name or %%name.
type toolMagic struct {
	cell bool // a cell magic (%%name) rather than a line magic
	help string
	run  func(s *Session, ctx context.Context, p nbtools.Part, sink display.Sink) (*display.Bundle, error)
}

// toolMagics are the magics of packages nbtools and modules; runMagic
// serves the others.
var toolMagics = map[string]toolMagic{
	"bash":      {true, "%%bash runs the cell with bash, its output streamed; a non-zero exit is an error unless --no-raise-error", (*Session).scriptMagic},
	"sh":        {true, "%%sh runs the cell with sh, as %%bash", (*Session).scriptMagic},
	"writefile": {true, "%%writefile [-a] FILE writes (-a appends) the rest of the cell to FILE", (*Session).writefileMagic},
	"cd":        {false, "%cd DIR changes the working directory (no DIR: home; -: back)", (*Session).cdMagic},
	"pwd":       {false, "%pwd shows the working directory", (*Session).pwdMagic},
	"lsmagic":   {false, "%lsmagic lists the magics", (*Session).lsmagicMagic},
	"history":   {false, "%history [-n] [N | N-M | -l N] shows earlier inputs (-n numbers them)", (*Session).historyMagic},
	"load":      {false, "%load FILE replaces the cell with FILE's text (run it again to run the code)", (*Session).loadMagic},
	"go":        {false, "%go get MODULE[@VERSION] compiles a Go module into the kernel and makes it importable; variables are kept", (*Session).goMagic},
}

// init adds the tool magics to the magics table, which %lsmagic, %help
// and the unknown-magic message list.
func init() {
	names := make([]string, 0, len(toolMagics))
	for n := range toolMagics {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		name := n
		if toolMagics[n].cell {
			name = "%" + n
		}
		t, cellMagic := toolMagics[n], toolMagics[n].cell
		kind := nbtools.KindLine
		if cellMagic {
			kind = nbtools.KindCell
		}
		tool := n
		// A magic that nbtools.Split did not take (indented, after Go
		// lines) still reaches its handler through runMagic.
		magics = append(magics, magicDef{name: name, help: t.help, run: func(s *Session, ctx context.Context, m magic, sink display.Sink) (*display.Bundle, bool, error) {
			res, err := t.run(s, ctx, nbtools.Part{Kind: kind, Name: tool, Args: m.args, Body: m.rest}, sink)
			return res, cellMagic, err
		}})
	}
}

// runTools runs a cell that holds notebook tools: its parts in order, Go
// among them, stopping at the first error. The result is the last part's.
func (s *Session) runTools(ctx context.Context, parts []nbtools.Part, sink display.Sink) (*display.Bundle, error) {
	var res *display.Bundle
	for _, p := range parts {
		if err := ctx.Err(); err != nil {
			return nil, interruptedErr()
		}
		var err error
		switch p.Kind {
		case nbtools.KindGo:
			res, err = s.execute(ctx, p.Text, sink)
		case nbtools.KindShell:
			res, err = nil, s.shellLine(ctx, p.Text, sink)
		case nbtools.KindHelp:
			res, err = nil, s.pageHelp(p, sink)
		default:
			if t, ok := toolMagics[p.Name]; ok && t.cell == (p.Kind == nbtools.KindCell) {
				res, err = t.run(s, ctx, p, sink)
			} else {
				res, err = s.runMagic(ctx, magic{name: p.Name, cell: p.Kind == nbtools.KindCell, args: p.Args, rest: p.Body}, sink)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return res, nil
}

// toolError is the error a notebook tool reports.
func toolError(name string, err error) error {
	return &display.Error{Name: name, Value: err.Error(), Traceback: []string{name + ": " + err.Error()}}
}

// toolFailure is toolError named Interrupted when ctx was cancelled, as the
// session names interrupted cells.
func toolFailure(ctx context.Context, name string, err error) error {
	if ctx.Err() != nil {
		name = "Interrupted"
	}
	return toolError(name, err)
}

func interruptedErr() error {
	return toolError("Interrupted", errors.New("the cell was interrupted"))
}

// shellLine runs a !cmd line with sh; a non-zero exit status is shown, not
// raised, as ipykernel does.
func (s *Session) shellLine(ctx context.Context, cmd string, sink display.Sink) error {
	status, err := nbtools.Shell(ctx, "sh", cmd, sink.Stream)
	if err != nil {
		return toolFailure(ctx, "ShellError", err)
	}
	if status != 0 {
		sink.Stream("stderr", fmt.Sprintf("exit status %d\n", status))
	}
	return nil
}

// scriptMagic runs %%bash and %%sh cells.
func (s *Session) scriptMagic(ctx context.Context, p nbtools.Part, sink display.Sink) (*display.Bundle, error) {
	raise := true
	switch p.Args {
	case "":
	case "--no-raise-error":
		raise = false
	default:
		return nil, toolError("UsageError", fmt.Errorf("%%%%%s takes no arguments but --no-raise-error (got %q); write the commands on the lines below it", p.Name, p.Args))
	}
	status, err := nbtools.Shell(ctx, p.Name, p.Body, sink.Stream)
	if err == nil && status != 0 {
		err = &nbtools.ShellError{Shell: p.Name, Status: status}
		if !raise {
			sink.Stream("stderr", err.Error()+"\n")
			err = nil
		}
	}
	if err != nil {
		return nil, toolFailure(ctx, "ShellError", err)
	}
	return nil, nil
}

func (s *Session) writefileMagic(_ context.Context, p nbtools.Part, sink display.Sink) (*display.Bundle, error) {
	msg, err := nbtools.WriteFile(p.Args, p.Body)
	if err != nil {
		return nil, toolError("UsageError", err)
	}
	sink.Stream("stdout", msg)
	return nil, nil
}

func (s *Session) cdMagic(_ context.Context, p nbtools.Part, sink display.Sink) (*display.Bundle, error) {
	dir, err := s.tools.dirs.Cd(p.Args)
	if err != nil {
		return nil, toolError("UsageError", err)
	}
	sink.Stream("stdout", dir+"\n")
	return nil, nil
}

func (s *Session) pwdMagic(_ context.Context, _ nbtools.Part, _ display.Sink) (*display.Bundle, error) {
	dir, err := os.Getwd()
	if err != nil {
		return nil, toolError("OSError", fmt.Errorf("%%pwd: %v (the directory was removed?); %%cd to another one", err))
	}
	b := display.Text(dir)
	return &b, nil
}

func (s *Session) lsmagicMagic(_ context.Context, _ nbtools.Part, sink display.Sink) (*display.Bundle, error) {
	var line, cell []string
	for _, m := range magics {
		if n, ok := strings.CutPrefix(m.name, "%"); ok {
			cell = append(cell, "%%"+n)
		} else {
			line = append(line, "%"+m.name)
		}
	}
	sort.Strings(line)
	sort.Strings(cell)
	var b strings.Builder
	fmt.Fprintf(&b, "Line magics: %s\nCell magics: %s\n", strings.Join(line, " "), strings.Join(cell, " "))
	b.WriteString("Also: !cmd runs a shell command line; name? and name?? show help.\n\n")
	for _, m := range magics {
		fmt.Fprintf(&b, "  %s\n", m.help)
	}
	sink.Stream("stdout", b.String())
	return nil, nil
}

func (s *Session) historyMagic(_ context.Context, p nbtools.Part, sink display.Sink) (*display.Bundle, error) {
	text, err := nbtools.History(s.tools.inputs, s.tools.dropped+1, p.Args)
	if err != nil {
		return nil, toolError("UsageError", err)
	}
	sink.Stream("stdout", text)
	return nil, nil
}

// loadMagic puts a file's text into the cell, as ipykernel's %load does
// with a set_next_input payload; without a frontend (headless runs) the
// text is shown instead.
func (s *Session) loadMagic(_ context.Context, p nbtools.Part, sink display.Sink) (*display.Bundle, error) {
	text, err := nbtools.Load(p.Args)
	if err != nil {
		return nil, toolError("UsageError", err)
	}
	text = "// %load " + p.Args + "\n" + text
	if !sendPayload(sink, map[string]any{"source": "set_next_input", "text": text, "replace": true}) {
		sink.Stream("stdout", text)
	}
	return nil, nil
}

// pageHelp answers name? and name?? with the pager payload, as ipykernel
// does; without a pager the help is printed.
func (s *Session) pageHelp(p nbtools.Part, sink display.Sink) error {
	b, ok := s.inspect(p.Text, len([]rune(p.Text)), p.Detail)
	text, _ := b.Data["text/plain"].(string)
	if !ok || text == "" {
		if found, any := s.helpSearch(p.Text); any {
			text = found
		} else {
			return toolError("HelpError", fmt.Errorf("no help for %q: %%help PART lists the names that contain PART", p.Text))
		}
	}
	text = strings.TrimRight(text, "\n") + "\n"
	if !sendPayload(sink, map[string]any{"source": "page", "data": map[string]any{"text/plain": text}, "start": 0}) {
		sink.Stream("stdout", text)
	}
	return nil
}

// payloader is a sink that can attach Jupyter payloads to the running
// cell's execute_reply, as the kernel's does: {"source": "page", ...} for
// the pager, {"source": "set_next_input", ...} for %load. Other sinks (the
// headless runner's) get such text as output.
type payloader interface {
	Payload(p map[string]any)
}

// sendPayload attaches p to the cell's reply when the sink takes payloads.
func sendPayload(sink display.Sink, p map[string]any) bool {
	if c, ok := sink.(cellSink); ok {
		c.s.flush()
		sink = c.next
	}
	if pl, ok := sink.(payloader); ok {
		pl.Payload(p)
		return true
	}
	return false
}
