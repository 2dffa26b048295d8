package main

import (
	"fmt"
	"net/http"
	"sort"
	"sync"
)

// counter is a Prometheus counter with one label, served in the text exposition format
// (https://prometheus.io/docs/instrumenting/exposition_formats/). Written by hand rather than
// with github.com/prometheus/client_golang: one counter is a dozen lines, and the client would
// bring its dependencies (protobuf, procfs, x/sys...) into a module that has none, which the lab
// builds offline.
type counter struct {
	name, help, label string
	mu                sync.Mutex
	values            map[string]uint64
}

func newCounter(name, help, label string) *counter {
	return &counter{name: name, help: help, label: label, values: map[string]uint64{}}
}

func (c *counter) inc(value string) {
	c.mu.Lock()
	c.values[value]++
	c.mu.Unlock()
}

// ServeHTTP writes every series, in a stable order; a label value is a status code here, which
// needs no escaping.
func (c *counter) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	c.mu.Lock()
	keys := make([]string, 0, len(c.values))
	for k := range c.values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n", c.name, c.help, c.name)
	for _, k := range keys {
		fmt.Fprintf(w, "%s{%s=%q} %d\n", c.name, c.label, k, c.values[k])
	}
	c.mu.Unlock()
}
