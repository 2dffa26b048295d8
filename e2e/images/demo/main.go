// The lab's demo service as a container: answers every request with its version, after
// LATENCY_MS milliseconds, and fails a share ERROR_RATE (0 to 1) of them with a 500, as the
// lab's in-process DemoService does. VERSION is baked into each image (its tag); ERROR_RATE and
// LATENCY_MS come from the pod template, so a release in Git is what changes them.
package main

import (
	"context"
	"fmt"
	"log"
	"math/rand"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

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

	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(time.Duration(latency) * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		status := http.StatusOK
		if rand.Float64() < errorRate {
			status = http.StatusInternalServerError
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Version", version)
		w.WriteHeader(status)
		fmt.Fprintf(w, "{\"version\":%q,\"pod\":%q}\n", version, pod)
	})
	server := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}

	// SIGTERM: keep serving for 2 s, since the mesh (like any endpoints consumer) learns of the
	// Pod's deletion only after the kubelet has sent the signal, then finish the requests in
	// flight, as a well-behaved Pod does within its grace period.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-stop
		time.Sleep(2 * time.Second)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		server.Shutdown(ctx)
	}()
	log.Printf("demo %s on %s (error rate %v, latency %d ms)", version, addr, errorRate, latency)
	if err := server.ListenAndServe(); err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

func env(name, fallback string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return fallback
}
