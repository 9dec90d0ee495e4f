// Package browser holds Latent's real-browser check: it starts Debian's
// Jupyter Notebook server on localhost with the Latent kernelspec installed
// in a temporary prefix, and drives Debian's Chromium through playwright-core
// (notebook.mjs, run by node) to open a notebook, choose the Latent kernel,
// run a training cell and wait for its image outputs. The screenshot is kept
// as a test artifact.
//
// Run it with
//
//	npm ci --prefix tests/browser   # once; the test runs it when needed
//	go test ./tests/browser/
//
// It skips, naming what is missing, without node, /usr/bin/chromium or
// jupyter-notebook. The screenshot goes to $LATENT_ARTIFACTS/browser.png
// (default out/browser.png under the module root); -update-screenshot also
// copies it to docs/screenshot.png for the README.
package browser
