package kernel

import "encoding/json"

// Comms: the kernel registers no comm targets, so every comm_open is
// answered with a comm_close (a frontend must never wait on silence),
// comm_info lists no comms, and comm_msg/comm_close (which can only name
// unknown comms) are logged and ignored, as the protocol asks.

type commContent struct {
	CommID     string `json:"comm_id"`
	TargetName string `json:"target_name"`
}

func (k *Kernel) commInfo(m *Message) {
	k.answer(m, "comm_info_reply", map[string]any{"status": "ok", "comms": map[string]any{}})
}

func (k *Kernel) commOpen(m *Message) {
	var c commContent
	if err := json.Unmarshal(m.Content, &c); err != nil || c.CommID == "" {
		k.log.Printf("comm_open without a comm_id ignored")
		return
	}
	k.log.Printf("comm_open for unknown target %q: closing comm %s", c.TargetName, c.CommID)
	k.pub.publish(m, "comm_close", map[string]any{"comm_id": c.CommID, "data": map[string]any{}}, false)
}

// commIgnore logs comm_msg and comm_close, which can only name comms this
// kernel never opened.
func (k *Kernel) commIgnore(m *Message) {
	var c commContent
	_ = json.Unmarshal(m.Content, &c)
	k.log.Printf("%s for unknown comm %q ignored", m.Header.MsgType, c.CommID)
}
