package notebook

import (
	"fmt"
	"html"
	"time"
)

// TagRunNote marks the note Run puts at the top of a notebook whose run
// stopped early or is still going (papermill's error-marker cell); the next
// run removes it.
const TagRunNote = "latent-run-note"

// noteCell is a Markdown cell holding a note about the run, in red as
// papermill writes its error marker, so it is seen on opening.
func noteCell(headline, detail string) *Cell {
	src := fmt.Sprintf("<span style=\"color:red; font-size:1.6em;\">%s</span>\n\n%s", html.EscapeString(headline), detail)
	return &Cell{ID: TagRunNote, Type: MarkdownCell, Source: src, Metadata: map[string]any{"tags": []any{TagRunNote}}}
}

// removeRunNotes drops the notes of earlier runs.
func (nb *Notebook) removeRunNotes() {
	kept := nb.Cells[:0]
	for _, c := range nb.Cells {
		if !c.HasTag(TagRunNote) {
			kept = append(kept, c)
		}
	}
	nb.Cells = kept
}

// withNote returns a shallow copy of nb with note as its first cell.
func (nb *Notebook) withNote(note *Cell) *Notebook {
	cp := *nb
	cp.Cells = append([]*Cell{note}, nb.Cells...)
	for _, c := range nb.Cells {
		if c.ID == note.ID {
			c.ID = "" // Marshal gives it another one
		}
	}
	return &cp
}

// failureNote is the note of a run that stopped at a failing cell.
func failureNote(ce *CellError) *Cell {
	return noteCell(
		fmt.Sprintf("latent run stopped at cell %d (In [%d]): %s: %s", ce.Index, ce.Count, ce.Err.Name, ce.Err.Value),
		"The cells after it were not run. Its error is shown below it; fix it and run the notebook again.")
}

// interruptNote is the note of a run that was interrupted (Ctrl-C, SIGTERM).
func interruptNote(index, count int, cause error) *Cell {
	return noteCell(
		fmt.Sprintf("latent run was interrupted during cell %d (In [%d]): %v", index, count, cause),
		"The outputs of that cell may be incomplete and the cells after it were not run.")
}

// progressNote is the note of an autosaved copy taken while the run goes on.
func progressNote(finished, count, cells int, at time.Time) *Cell {
	where := "before its first cell finished"
	if finished > 0 {
		where = fmt.Sprintf("after cell %d of %d (In [%d]) finished", finished, cells, count)
	}
	return noteCell(
		"latent run was still executing this notebook when it was saved",
		fmt.Sprintf("Autosaved %s, at %s UTC. If the run was killed or timed out, this is how far it got: "+
			"the cells after that one are incomplete or were not run. A run that ends writes the notebook again without this note.",
			where, at.UTC().Format("2006-01-02 15:04:05")))
}
