// The lab's demo service as a container: answers every request with its version, after
// LATENCY_MS milliseconds, and fails a share ERROR_RATE (0 to 1) of them with a 500, as the
// lab's in-process DemoService does. VERSION is baked into each image (its tag); ERROR_RATE and
// LATENCY_MS come from the pod template, so a release in Git is what changes them.
// A request with ?cpu_ms=N (at most maxCPU) first keeps a CPU busy for N ms: the load that
// makes the lab's HorizontalPodAutoscalers scale on CPU utilisation (docs/lab.md, "metrics-server").
// GET /metrics: the requests it answered, by status code, as a Prometheus counter (metrics.go): the
// app's own telemetry, which a canary without a mesh is judged on (docs/no-mesh.md).
// DATA_DIR, when set, is a volume the pod keeps (a StatefulSet's claim): at start the demo writes
// DATA_DIR/written-by-<version> holding its pod's name, the data a StatefulSet release must
// leave in place (docs/statefulsets.md, "In the lab").
package main

import (
	"context"
	"fmt"
	"log"
	"math/rand"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// maxCPU bounds what one request may ask to burn, so no request can hold a CPU for long.
const maxCPU = time.Second

func main() {
	version := env("VERSION", "latest")
	pod := env("POD_NAME", env("HOSTNAME", ""))
	errorRate, err := strconv.ParseFloat(env("ERROR_RATE", "0"), 64)
	if err != nil {
		log.Fatalf("ERROR_RATE: %v", err)
	}
	latency, err := strconv.Atoi(env("LATENCY_MS", "10"))
	if err != nil {
		log.Fatalf("LATENCY_MS: %v", err)
	}
	addr := ":" + env("PORT", "9898")
	if dir := env("DATA_DIR", ""); dir != "" {
		file := filepath.Join(dir, "written-by-"+version)
		if err := os.WriteFile(file, []byte(pod+"\n"), 0o644); err != nil {
			log.Fatalf("DATA_DIR: %v", err)
		}
		log.Printf("wrote %s", file)
	}

	requests := newCounter("http_requests_total", "Requests answered by the demo's handler, by status code.", "code")
	mux := http.NewServeMux()
	mux.Handle("/metrics", requests)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if v := r.URL.Query().Get("cpu_ms"); v != "" {
			ms, err := strconv.Atoi(v)
			if err != nil || ms < 0 {
				requests.inc(strconv.Itoa(http.StatusBadRequest))
				http.Error(w, "cpu_ms: a whole number of milliseconds", http.StatusBadRequest)
				return
			}
			burn(min(time.Duration(ms)*time.Millisecond, maxCPU))
		}
		select {
		case <-time.After(time.Duration(latency) * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		status := http.StatusOK
		if rand.Float64() < errorRate {
			status = http.StatusInternalServerError
		}
		requests.inc(strconv.Itoa(status))
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Version", version)
		w.WriteHeader(status)
		fmt.Fprintf(w, "{\"version\":%q,\"pod\":%q}\n", version, pod)
	})
	server := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}

	// SIGTERM: keep serving for 5 s, since the data plane (like any endpoints consumer) learns of
	// the Pod's end only after the kubelet has sent the signal, and Traefik applies it up to 2 s
	// after its previous change, more on a busy node; then finish the requests in flight, as a
	// well-behaved Pod does within its grace period.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-stop
		time.Sleep(5 * time.Second)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		server.Shutdown(ctx)
	}()
	log.Printf("demo %s on %s (error rate %v, latency %d ms)", version, addr, errorRate, latency)
	if err := server.ListenAndServe(); err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

// burn keeps the calling goroutine's CPU busy for d of wall-clock time (less CPU when the
// machine is contended: it is bounded in time, not in work).
func burn(d time.Duration) {
	end := time.Now().Add(d)
	x := uint64(1)
	for time.Now().Before(end) {
		for i := 0; i < 1000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	sink = x
}

// sink keeps burn's loop from being optimised away.
var sink uint64

func env(name, fallback string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return fallback
}
