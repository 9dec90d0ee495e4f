// Package nbtools implements the notebook tools that do not need the Go
// interpreter: finding the magic and shell lines of a cell (Split), running
// shell commands with their output streamed and their process group
// stopped on interrupt (Shell), and the file and directory magics (%cd,
// %pwd, %%writefile, %load, %history's ranges).
//
// Package dsl dispatches to it; everything here works on plain strings and
// callbacks so that it can be tested without a session.
package nbtools
