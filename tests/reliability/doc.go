// Package reliability holds Latent's black-box reliability and security
// tests. They build the real latent binary, start `latent kernel` on a
// connection file of their own, and drive it over ZeroMQ with Debian's
// jupyter_client (py/scenarios.py, run by /usr/bin/python3): hostile and
// broken wire input, load, several clients, stalled subscribers, interrupt
// storms, signals, reconnects, faulting cells, and `latent run` killed
// mid-notebook.
//
// The package has no non-test code besides this comment; run it with
//
//	go test ./tests/reliability/
//
// Tests skip with a message naming the missing tool when /usr/bin/python3
// with jupyter_client and pyzmq is not installed (scripts/setup.sh installs
// them). -short shrinks the load test from 10,000 to 1,000 requests.
package reliability
