// Renders the chart's templates the way `helm template` does, for the subset of Helm the chart uses:
// .Values (values.yaml merged with -f files), .Release, .Chart, the sprig functions, and Helm's
// include, toYaml, required and fail. There is no helm binary on these machines; this lets the tests
// read the manifests the chart produces. It is no substitute for `helm lint` / `helm template`.
//
//	render -chart charts/flagger-bridge [-f values.yaml ...] [-name release] [-namespace ns]
//
// Prints every rendered template as "# Source: <file>" followed by its text; exits 1 with the
// template's message when a template fails.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"gopkg.in/yaml.v3"
)

type files []string

func (f *files) String() string     { return strings.Join(*f, ",") }
func (f *files) Set(v string) error { *f = append(*f, v); return nil }

func main() {
	chart := flag.String("chart", "", "chart folder")
	name := flag.String("name", "flagger-bridge", "release name")
	namespace := flag.String("namespace", "flagger-system", "release namespace")
	var valueFiles files
	flag.Var(&valueFiles, "f", "values file merged over values.yaml (repeatable)")
	flag.Parse()

	values := readYaml(filepath.Join(*chart, "values.yaml"))
	for _, f := range valueFiles {
		values = merge(values, readYaml(f))
	}
	meta := readYaml(filepath.Join(*chart, "Chart.yaml"))
	root := map[string]interface{}{
		"Values":  values,
		"Release": map[string]interface{}{"Name": *name, "Namespace": *namespace, "Service": "Helm"},
		"Chart":   map[string]interface{}{"Name": meta["name"], "Version": meta["version"], "AppVersion": meta["appVersion"]},
	}

	tpl := template.New("chart").Option("missingkey=zero")
	funcs := sprig.TxtFuncMap()
	funcs["toYaml"] = toYaml
	funcs["fail"] = func(msg string) (string, error) { return "", fmt.Errorf("%s", msg) }
	funcs["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil || v == "" {
			return nil, fmt.Errorf("%s", msg)
		}
		return v, nil
	}
	funcs["include"] = func(name string, data interface{}) (string, error) {
		var buf bytes.Buffer
		err := tpl.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	tpl.Funcs(funcs)

	paths, _ := filepath.Glob(filepath.Join(*chart, "templates", "*"))
	sort.Strings(paths)
	for _, p := range paths {
		text, err := os.ReadFile(p)
		check(err)
		_, err = tpl.New(filepath.Base(p)).Parse(string(text))
		check(err)
	}
	for _, p := range paths {
		base := filepath.Base(p)
		if strings.HasPrefix(base, "_") {
			continue
		}
		var buf bytes.Buffer
		if err := tpl.ExecuteTemplate(&buf, base, root); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", base, err)
			os.Exit(1)
		}
		fmt.Printf("# Source: %s\n%s\n", base, buf.String())
	}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// readYaml reads a mapping; numbers become float64, as Helm's values (read through JSON) are.
func readYaml(path string) map[string]interface{} {
	text, err := os.ReadFile(path)
	check(err)
	var v map[string]interface{}
	check(yaml.Unmarshal(text, &v))
	if v == nil {
		v = map[string]interface{}{}
	}
	return normalize(v).(map[string]interface{})
}

func normalize(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		for k, x := range t {
			t[k] = normalize(x)
		}
		return t
	case []interface{}:
		for i, x := range t {
			t[i] = normalize(x)
		}
		return t
	case int:
		return float64(t)
	default:
		return v
	}
}

// merge overlays b on a as Helm merges -f files: maps key by key, anything else replaced.
func merge(a, b map[string]interface{}) map[string]interface{} {
	for k, v := range b {
		if am, ok := a[k].(map[string]interface{}); ok {
			if bm, ok := v.(map[string]interface{}); ok {
				a[k] = merge(am, bm)
				continue
			}
		}
		a[k] = v
	}
	return a
}

func toYaml(v interface{}) string {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return ""
	}
	return strings.TrimSuffix(buf.String(), "\n")
}
