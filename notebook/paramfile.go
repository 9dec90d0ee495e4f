package notebook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ReadParamFile reads parameters from a YAML (.yaml, .yml) or JSON (.json)
// file holding one map of parameter name to value, as papermill's -f does.
// Strings, numbers, booleans and null keep their kind (see Param.Kind);
// lists and maps are refused. The parameters come sorted by name.
func ReadParamFile(path string) ([]Param, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("parameter file: %w", err)
	}
	var params []Param
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		params, err = jsonParams(data)
	case ".yaml", ".yml":
		params, err = yamlParams(data)
	default:
		return nil, fmt.Errorf("parameter file %s: want a .yaml, .yml or .json file", path)
	}
	if err != nil {
		return nil, fmt.Errorf("parameter file %s: %v", path, err)
	}
	sort.Slice(params, func(i, j int) bool { return params[i].Name < params[j].Name })
	return params, nil
}

func jsonParams(data []byte) ([]Param, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("want one JSON object of name to value, e.g. {\"epochs\": 3}: %v", err)
	}
	var params []Param
	for name, v := range m {
		p := Param{Name: name}
		switch x := v.(type) {
		case string:
			p.Kind, p.Value = ValueString, x
		case json.Number:
			p.Kind, p.Value = ValueNumber, x.String()
		case bool:
			p.Kind, p.Value = ValueBool, fmt.Sprint(x)
		case nil:
			p.Kind = ValueNull
		default:
			return nil, fmt.Errorf("parameter %s: lists and objects are not supported; give a string, number or boolean", name)
		}
		if err := checkName(name); err != nil {
			return nil, err
		}
		params = append(params, p)
	}
	return params, nil
}

func yamlParams(data []byte) ([]Param, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, err
	}
	if len(root.Content) == 0 {
		return nil, nil // an empty file
	}
	m := root.Content[0]
	if m.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("want a map of name to value, e.g. \"epochs: 3\"")
	}
	var params []Param
	for i := 0; i+1 < len(m.Content); i += 2 {
		name, v := m.Content[i].Value, m.Content[i+1]
		if err := checkName(name); err != nil {
			return nil, err
		}
		if v.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("parameter %s (line %d): lists and maps are not supported; give a string, number or boolean", name, v.Line)
		}
		p := Param{Name: name, Value: v.Value}
		switch v.ShortTag() {
		case "!!str":
			p.Kind = ValueString
		case "!!int", "!!float":
			p.Kind = ValueNumber
		case "!!bool":
			var b bool
			v.Decode(&b)
			p.Kind, p.Value = ValueBool, fmt.Sprint(b)
		case "!!null":
			p.Kind, p.Value = ValueNull, ""
		default:
			return nil, fmt.Errorf("parameter %s (line %d): a %s value is not supported; give a string, number or boolean", name, v.Line, v.ShortTag())
		}
		params = append(params, p)
	}
	return params, nil
}

func checkName(name string) error {
	if !token.IsIdentifier(name) {
		return fmt.Errorf("%q is not a parameter name (want an identifier such as epochs)", name)
	}
	return nil
}
