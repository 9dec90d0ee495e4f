// Package imports tests, through the real latent binary, that cells import
// gonum, gonum/plot and the whole standard library with no setup: over
// the Jupyter protocol with Debian's jupyter_client (check_imports.py) and
// headless with `latent run` on a notebook (testdata/imports.ipynb).
package imports
