// Package course executes every notebook of the course (notebooks/*.ipynb)
// twice — headless with `latent run`, and with Debian's
// `jupyter nbconvert --to notebook --execute` against the Latent kernelspec
// installed into a temporary Jupyter path — and checks the key figures each
// notebook prints on its last cell ("RESULT name=value" lines: final losses,
// AUROC, RMSE) against the tolerances stated in course_test.go. CI passes
// smaller parameters than the notebooks' defaults: both passes over the
// whole course took 3.4 minutes on two cores, 8.5 minutes on a machine
// loaded by other work (load average 11).
//
// It also checks that the committed notebooks are clean (no outputs, the
// Latent kernelspec, nbformat 4.5 with cell ids) and up to date with their
// Markdown sources in notebooks/src.
//
//	go test ./tests/course/               # everything (3 to 9 minutes)
//	go test -short ./tests/course/        # only the cleanliness checks
//	go test ./tests/course/ -run 'Course/04' -v
package course
