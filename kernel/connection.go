package kernel

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
)

// ConnectionInfo is the content of a Jupyter connection file.
type ConnectionInfo struct {
	Transport       string `json:"transport"`
	IP              string `json:"ip"`
	ShellPort       int    `json:"shell_port"`
	ControlPort     int    `json:"control_port"`
	StdinPort       int    `json:"stdin_port"`
	IOPubPort       int    `json:"iopub_port"`
	HBPort          int    `json:"hb_port"`
	Key             string `json:"key"`
	SignatureScheme string `json:"signature_scheme"`
	KernelName      string `json:"kernel_name,omitempty"`
}

// maxConnectionFile bounds how much of a connection file is read.
const maxConnectionFile = 1 << 20

// ReadConnectionFile reads and checks a connection file. It returns a
// warning (empty when none) when the file is readable or writable by users
// other than its owner (the key in it lets anyone run code), when it has no
// key, or when it binds every network interface.
func ReadConnectionFile(path string) (ci *ConnectionInfo, warning string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", fmt.Errorf("kernel: cannot open connection file: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().Perm()&0o077 != 0 {
		warning = fmt.Sprintf("connection file %s has mode %04o: other users can read its key and run code in this kernel; chmod 600 it", path, st.Mode().Perm())
	}
	b, err := io.ReadAll(io.LimitReader(f, maxConnectionFile+1))
	if err != nil {
		return nil, warning, fmt.Errorf("kernel: cannot read connection file %s: %w", path, err)
	}
	if len(b) > maxConnectionFile {
		return nil, warning, fmt.Errorf("kernel: connection file %s is larger than %d bytes; pass the file that Jupyter wrote", path, maxConnectionFile)
	}
	ci, err = ParseConnectionInfo(b)
	if err != nil {
		return nil, warning, fmt.Errorf("kernel: %s: %w", path, err)
	}
	var more []string
	if warning != "" {
		more = append(more, warning)
	}
	if ci.Key == "" {
		more = append(more, "connection file "+path+" has no key: messages are not signed, so anyone who can reach the ports can run code")
	}
	if ci.Transport == "tcp" && (ci.IP == "0.0.0.0" || ci.IP == "*" || ci.IP == "::") {
		more = append(more, "connection file "+path+" binds all interfaces ("+ci.IP+"): the kernel is reachable from other machines")
	}
	return ci, strings.Join(more, "; "), nil
}

// ParseConnectionInfo decodes and validates connection-file JSON.
func ParseConnectionInfo(b []byte) (*ConnectionInfo, error) {
	ci := &ConnectionInfo{}
	if err := json.Unmarshal(b, ci); err != nil {
		return nil, fmt.Errorf("not a JSON connection file: %v", err)
	}
	if ci.Transport == "" {
		ci.Transport = "tcp"
	}
	if ci.SignatureScheme == "" {
		ci.SignatureScheme = "hmac-sha256"
	}
	switch ci.Transport {
	case "tcp":
		if ci.IP == "" {
			ci.IP = "127.0.0.1"
		}
		if net.ParseIP(ci.IP) == nil && ci.IP != "*" && ci.IP != "localhost" {
			return nil, fmt.Errorf("ip %q is not an IP address", ci.IP)
		}
		for _, p := range ci.ports() {
			if p.port < 1 || p.port > 65535 {
				return nil, fmt.Errorf("%s_port %d is not a TCP port (1-65535)", p.name, p.port)
			}
		}
	case "ipc":
		if ci.IP == "" {
			return nil, fmt.Errorf("transport ipc needs ip to name the socket path prefix")
		}
	default:
		return nil, fmt.Errorf("transport %q is not supported: use tcp or ipc", ci.Transport)
	}
	if _, err := NewSigner(ci.SignatureScheme, nil); err != nil {
		return nil, err
	}
	return ci, nil
}

type namedPort struct {
	name string
	port int
}

func (ci *ConnectionInfo) ports() []namedPort {
	return []namedPort{{"shell", ci.ShellPort}, {"control", ci.ControlPort}, {"stdin", ci.StdinPort}, {"iopub", ci.IOPubPort}, {"hb", ci.HBPort}}
}

// endpoint returns the address a channel binds to, in the guarded transport
// that the kernel registers with zmq4 (see guard.go).
func (ci *ConnectionInfo) endpoint(port int) string {
	if ci.Transport == "ipc" {
		return guardedIPC + "://" + ci.IP + "-" + strconv.Itoa(port)
	}
	host := ci.IP
	if host == "*" {
		host = "0.0.0.0"
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return guardedTCP + "://" + host + ":" + strconv.Itoa(port)
}
