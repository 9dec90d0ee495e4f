// Package dsl holds the protocol-level tests of the notebook session: the
// real latent binary driven by Debian's jupyter_client (check_dsl.py).
package dsl
