// Command openloop sends GET requests at a fixed rate, whatever the
// server's pace (an open loop, as wrk2 or vegeta do), and prints latency
// percentiles. Each request's latency counts from the moment it was due,
// not from when it was sent, so a server that falls behind is charged for
// the wait it caused (no coordinated omission).
//
//	openloop -rate 200 -duration 60s -header 'Authorization: Bearer K' URL
//
// Output, one line: "requests N errors E p50 X ms p99 Y ms max Z ms".
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

func main() {
	rate := flag.Int("rate", 200, "requests per second")
	duration := flag.Duration("duration", 60*time.Second, "how long to send")
	timeout := flag.Duration("timeout", 30*time.Second, "a request slower than this is an error")
	header := flag.String("header", "", "a header sent with every request, 'Key: value'")
	flag.Parse()
	if flag.NArg() != 1 || *rate < 1 {
		fmt.Fprintln(os.Stderr, "usage: openloop [-rate N] [-duration D] [-header 'K: V'] URL")
		os.Exit(2)
	}
	req, err := http.NewRequest(http.MethodGet, flag.Arg(0), nil)
	if err != nil {
		log.Fatal(err)
	}
	if k, v, ok := strings.Cut(*header, ":"); ok {
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	// Enough idle connections that requests in flight never wait for one.
	client := &http.Client{Timeout: *timeout, Transport: &http.Transport{MaxIdleConnsPerHost: 1024}}

	n := int(duration.Seconds() * float64(*rate))
	latencies := make([]time.Duration, n)
	failed := make([]bool, n)
	interval := time.Second / time.Duration(*rate)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		due := start.Add(time.Duration(i) * interval)
		time.Sleep(time.Until(due))
		wg.Go(func() {
			failed[i] = get(client, req) != nil
			latencies[i] = time.Since(due)
		})
	}
	wg.Wait()

	errors := 0
	for _, f := range failed {
		if f {
			errors++
		}
	}
	slices.Sort(latencies)
	at := func(p float64) float64 {
		return float64(latencies[min(n-1, int(p*float64(n)))].Microseconds()) / 1000
	}
	fmt.Printf("requests %d errors %d p50 %.2f ms p99 %.2f ms max %.2f ms\n", n, errors, at(0.50), at(0.99), at(1))
}

// get sends one request and reads its body; anything but a 200 fails.
func get(client *http.Client, req *http.Request) error {
	res, err := client.Do(req.Clone(context.Background()))
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return err
	}
	// Any 2xx: an empty companies list is a 204.
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("status %d", res.StatusCode)
	}
	return nil
}
