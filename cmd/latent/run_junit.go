package main

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/latent-ai/latent/internal/atomicfile"
	"github.com/latent-ai/latent/notebook"
)

// The JUnit XML that GitHub Actions (through its test-report actions),
// GitLab (artifacts:reports:junit) and Jenkins (the junit step) read:
// testsuites, one testsuite, one testcase per notebook, and a failure (a
// cell failed) or an error (the notebook could not be run) in a failed one.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr"`
	Hostname  string      `xml:"hostname,attr,omitempty"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name       string        `xml:"name,attr"`
	Classname  string        `xml:"classname,attr"`
	File       string        `xml:"file,attr,omitempty"`
	Time       string        `xml:"time,attr"`
	Assertions int           `xml:"assertions,attr"` // code cells executed
	Failure    *junitProblem `xml:"failure"`
	Error      *junitProblem `xml:"error"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// junitCaseOf is the test case of one notebook's run.
func junitCaseOf(r *nbResult) junitCase {
	name := r.name
	if name == "-" {
		name = stdinName
	}
	class := strings.ReplaceAll(filepath.ToSlash(filepath.Dir(name)), "/", ".")
	if class == "." {
		class = "notebooks"
	}
	c := junitCase{Name: name, Classname: class, File: name, Time: seconds(r.elapsed), Assertions: r.cells}
	switch ce := r.failure; {
	case ce != nil:
		text := fmt.Sprintf("cell %d (In [%d]) failed\n%s: %s", ce.Index, ce.Count, ce.Err.Name, ce.Err.Value)
		if len(ce.Err.Traceback) > 0 {
			text += "\n\n" + notebook.StripANSI(strings.Join(ce.Err.Traceback, "\n"))
		}
		c.Failure = &junitProblem{Message: fmt.Sprintf("cell %d (In [%d]): %s: %s", ce.Index, ce.Count, ce.Err.Name, ce.Err.Value), Type: ce.Err.Name, Text: text}
	case r.code == 130:
		c.Error = &junitProblem{Message: r.message, Type: "Interrupted", Text: r.message}
	case r.code != 0:
		c.Error = &junitProblem{Message: r.message, Type: "NotebookError", Text: r.message}
	}
	return c
}

// junitReport builds the report of results, which took wall time elapsed
// and started at start.
func junitReport(cases []junitCase, start time.Time, elapsed time.Duration) junitSuites {
	suite := junitSuite{Name: "latent run", Tests: len(cases), Time: seconds(elapsed),
		Timestamp: start.UTC().Format("2006-01-02T15:04:05"), Cases: cases}
	suite.Hostname, _ = os.Hostname()
	for _, c := range cases {
		if c.Failure != nil {
			suite.Failures++
		}
		if c.Error != nil {
			suite.Errors++
		}
	}
	return junitSuites{Name: "latent run", Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors, Time: suite.Time, Suites: []junitSuite{suite}}
}

// runStart is when this run began, for the report's timestamp.
var runStart = time.Now()

// writeJUnit writes the JUnit XML report of results to path.
func writeJUnit(path string, results []*nbResult) error {
	var cases []junitCase
	for _, r := range results {
		if r.junit != nil {
			cases = append(cases, *r.junit)
		} else {
			cases = append(cases, junitCaseOf(r))
		}
	}
	data, err := xml.MarshalIndent(junitReport(cases, runStart, time.Since(runStart)), "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, append([]byte(xml.Header), append(data, '\n')...), 0o644)
}

// readJUnitCases reads the test cases of a JUnit report written by a child
// process of -j.
func readJUnitCases(path string) ([]junitCase, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s junitSuites
	if err := xml.Unmarshal(data, &s); err != nil {
		return nil, err
	}
	var cases []junitCase
	for _, suite := range s.Suites {
		cases = append(cases, suite.Cases...)
	}
	return cases, nil
}
