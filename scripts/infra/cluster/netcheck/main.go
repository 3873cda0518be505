// netcheck: the tiny static program in the hoot.local/netcheck image that scripts/cluster-up and the cluster
// specs (tools/cluster-tests) run in pods. Standard library only (CGO_ENABLED=0: runs in an image holding
// nothing but this file).
//
//	netcheck serve [ADDR]                 TCP server (default :8080) answering every connection with
//	                                      "netcheck <hostname>\n"; also HTTP GET / on the same port.
//	netcheck connect HOST:PORT [TIMEOUT]  connect once (default timeout 2s), print the answer; exit 0 on success,
//	                                      1 when refused/timed out (prints why)
//	netcheck resolve NAME [SECONDS]       resolve NAME with the pod's resolv.conf, retrying for SECONDS (default
//	                                      30); print the addresses; exit 1 if it never resolves
//	netcheck dial HOST:PORT [TIMEOUT]     only open a TCP connection (any server): exit 0 if it opens, 1 if not
//	netcheck write FILE                   write "netcheck <hostname>\n" to FILE (a volume is writable)
package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: netcheck serve [ADDR] | connect HOST:PORT [TIMEOUT] | dial HOST:PORT [TIMEOUT] | resolve NAME [SECONDS] | write FILE")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "serve":
		addr := ":8080"
		if len(os.Args) > 2 {
			addr = os.Args[2]
		}
		serve(addr)
	case "connect":
		timeout := 2 * time.Second
		if len(os.Args) > 3 {
			d, err := time.ParseDuration(os.Args[3])
			if err != nil {
				fail(2, "bad timeout: %v", err)
			}
			timeout = d
		}
		connect(arg(2), timeout)
	case "resolve":
		secs := 30
		if len(os.Args) > 3 {
			n, err := strconv.Atoi(os.Args[3])
			if err != nil {
				fail(2, "bad seconds: %v", err)
			}
			secs = n
		}
		resolve(arg(2), time.Duration(secs)*time.Second)
	case "dial":
		timeout := 2 * time.Second
		if len(os.Args) > 3 {
			d, err := time.ParseDuration(os.Args[3])
			if err != nil {
				fail(2, "bad timeout: %v", err)
			}
			timeout = d
		}
		c, err := net.DialTimeout("tcp", arg(2), timeout)
		if err != nil {
			fail(1, "dial %s: %v", arg(2), err)
		}
		_ = c.Close()
		fmt.Println("open")
	case "write":
		host, _ := os.Hostname()
		if err := os.WriteFile(arg(2), []byte("netcheck "+host+"\n"), 0o644); err != nil {
			fail(1, "write: %v", err)
		}
		fmt.Printf("wrote %s\n", arg(2))
	default:
		fail(2, "unknown command %q", os.Args[1])
	}
}

func arg(i int) string {
	if len(os.Args) <= i {
		fail(2, "missing argument")
	}
	return os.Args[i]
}

func fail(code int, format string, a ...any) {
	fmt.Fprintf(os.Stderr, "netcheck: "+format+"\n", a...)
	os.Exit(code)
}

func serve(addr string) {
	host, _ := os.Hostname()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fail(1, "listen %s: %v", addr, err)
	}
	fmt.Printf("netcheck: listening on %s\n", ln.Addr())
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		<-sig
		os.Exit(0)
	}()
	for {
		c, err := ln.Accept()
		if err != nil {
			continue
		}
		go func(c net.Conn) {
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			// An HTTP client speaks first; a plain TCP client (connect) waits for us.
			_ = c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			line, _ := bufio.NewReader(c).ReadString('\n')
			body := "netcheck " + host + "\n"
			if strings.HasPrefix(line, "GET ") || strings.HasPrefix(line, "HEAD ") {
				fmt.Fprintf(c, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
				return
			}
			_, _ = c.Write([]byte(body))
		}(c)
	}
}

func connect(addr string, timeout time.Duration) {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		fail(1, "connect %s: %v", addr, err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(timeout))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		fail(1, "read from %s: %v", addr, err)
	}
	fmt.Print(line)
}

func resolve(name string, within time.Duration) {
	deadline := time.Now().Add(within)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		addrs, err := net.DefaultResolver.LookupHost(ctx, name)
		cancel()
		if err == nil && len(addrs) > 0 {
			fmt.Println(strings.Join(addrs, " "))
			return
		}
		if time.Now().After(deadline) {
			fail(1, "resolve %s: %v", name, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
