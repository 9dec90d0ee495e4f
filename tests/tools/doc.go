// Package tools tests the notebook tools and module import end to end: the
// latent kernel driven by Debian's jupyter_client (check_tools.py), and
// notebooks run with `latent run`.
package tools
