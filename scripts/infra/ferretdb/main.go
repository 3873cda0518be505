// Command hoot-ferretdb runs FerretDB 1.x (MongoDB wire protocol on SQLite) embedded in a tiny program of ours.
//
// Why not `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.x`? That binary's main module is
// github.com/FerretDB/FerretDB, and for that case build/version's init() requires the generated file
// build/version/version.txt, which is not in the module zip, so it panics at start. When the package
// github.com/FerretDB/FerretDB/ferretdb is embedded in another main module (this one), that init() returns
// early and never reads version.txt (see build/version/version.go, "do not expose extra information when
// embeddable FerretDB package is used"), so no build tag or -ldflags workaround is needed here.
//
// The embedded ferretdb.New also disables telemetry itself (state provider with no file, telemetry disabled
// and locked), runs no debug/metrics HTTP handler, and makes no network calls of its own.
//
// Built with `-tags ferretdb_no_postgresql`: we only use the SQLite handler, and this drops pgx from the binary.
//
// Stdout carries exactly one line, printed once the server answers a MongoDB `ping` over TCP:
//
//	ferretdb: ready on 127.0.0.1:27017 uri=mongodb://127.0.0.1:27017/
//
// Logs go to stderr (level error by default, see -log-level). SIGTERM or SIGINT stops the server; a clean stop exits 0.
// `hoot-ferretdb -ping 127.0.0.1:27017` is a client-side health check (exit 0 if the server answers ping).
package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

const ferretModule = "github.com/FerretDB/FerretDB"

func main() {
	os.Exit(run())
}

func run() int {
	listenAddr := flag.String("listen-addr", "127.0.0.1:27017", "TCP `host:port` to listen on (port 0 picks a free port)")
	dataDir := flag.String("data-dir", "", "`directory` for the SQLite database files (created if missing)")
	memory := flag.Bool("memory", false, "keep all data in memory (lost on exit); excludes -data-dir")
	// Default "error": at "warn" FerretDB 1.x logs every failed command with a full request/response dump
	// (including the `endSessions` CommandNotFound every MongoDB driver sends when it disconnects, and
	// duplicate-key errors of updates), plus a "Connection stopped" warning per closed client connection.
	logLevel := flag.String("log-level", "error", "FerretDB log `level`: debug, info, warn or error")
	readyTimeout := flag.Duration("ready-timeout", 60*time.Second, "give up if the server does not answer ping within this `duration`")
	showVersion := flag.Bool("version", false, "print the embedded FerretDB version and exit")
	pingAddr := flag.String("ping", "", "do not serve: send a MongoDB ping to `host:port`, exit 0 if it answers ok")
	flag.Parse()

	if *pingAddr != "" {
		if err := ping(*pingAddr); err != nil {
			fmt.Fprintf(os.Stderr, "ferretdb: ping %s: %s\n", *pingAddr, err)
			return 1
		}
		return 0
	}

	if *showVersion {
		fmt.Printf("hoot-ferretdb (FerretDB %s)\n", ferretVersion())
		return 0
	}

	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "ferretdb: unexpected arguments: %q\n", flag.Args())
		return 2
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: bad -log-level %q: %s\n", *logLevel, err)
		return 2
	}

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	// SQLite URL: FerretDB 1.x wants "file:<existing directory>/" (one SQLite file per MongoDB database).
	// For in-memory mode it wants "?mode=memory" on the same kind of URL, and still checks that the
	// directory exists (nothing is written there), so we use a temporary one and remove it afterwards.
	var dir, sqliteURL string

	switch {
	case *memory && *dataDir != "":
		fmt.Fprintln(os.Stderr, "ferretdb: use either -data-dir or -memory, not both")
		return 2

	case *memory:
		d, err := os.MkdirTemp("", "hoot-ferretdb-memory-")
		if err != nil {
			fmt.Fprintf(os.Stderr, "ferretdb: %s\n", err)
			return 1
		}
		defer os.RemoveAll(d)

		dir, sqliteURL = d, sqliteFileURL(d)+"?mode=memory"

	case *dataDir != "":
		d, err := filepath.Abs(*dataDir)
		if err == nil {
			err = os.MkdirAll(d, 0o755)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "ferretdb: data dir %q: %s\n", *dataDir, err)
			return 1
		}

		dir, sqliteURL = d, sqliteFileURL(d)

	default:
		fmt.Fprintln(os.Stderr, "ferretdb: one of -data-dir DIR or -memory is required")
		return 2
	}

	logger.Debug("starting", slog.String("sqlite_url", sqliteURL), slog.String("dir", dir))

	// ferretdb.New already binds the TCP port (a busy port fails here).
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listenAddr},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %s\n", err)
		return 1
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	uri := f.MongoDBURI() // the real address, also with port 0
	addr := strings.TrimSuffix(strings.TrimPrefix(uri, "mongodb://"), "/")

	ready := make(chan error, 1)
	go func() { ready <- waitReady(ctx, addr, *readyTimeout) }()

	exitCode := 0

	select {
	case err := <-ready:
		if err != nil {
			if ctx.Err() == nil {
				fmt.Fprintf(os.Stderr, "ferretdb: not ready: %s\n", err)
				exitCode = 1
			}
			stop()
			break
		}
		fmt.Printf("ferretdb: ready on %s uri=%s\n", addr, uri)
		<-ctx.Done()

	case err := <-done: // Run returned before being ready
		fmt.Fprintf(os.Stderr, "ferretdb: stopped before ready: %v\n", err)
		return 1
	}

	// First signal: graceful stop. Restore default handling so a second SIGINT/SIGTERM kills us.
	stop()

	if err := <-done; err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %s\n", err)
		return 1
	}

	logger.Info("stopped")

	return exitCode
}

// sqliteFileURL returns "file:<dir>/" with the path escaped.
func sqliteFileURL(dir string) string {
	return "file:" + (&url.URL{Path: filepath.ToSlash(dir) + "/"}).EscapedPath()
}

// ferretVersion returns the version of the FerretDB module this binary was built with.
func ferretVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == ferretModule {
				if m.Replace != nil {
					return m.Replace.Version
				}
				return m.Version
			}
		}
	}

	return "unknown"
}

// waitReady polls addr until a MongoDB `ping` command over TCP succeeds.
// (A bare TCP dial is not enough: the port is bound, and the kernel accepts connections, before Run serves them.)
func waitReady(ctx context.Context, addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)

	var lastErr error
	for {
		if lastErr = ping(addr); lastErr == nil {
			return nil
		}

		if time.Now().After(deadline) {
			return fmt.Errorf("no answer to ping on %s within %s: %w", addr, timeout, lastErr)
		}

		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// ping sends {ping: 1, $db: "admin"} as an OP_MSG and checks the reply has ok: 1.
func ping(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()

	_ = conn.SetDeadline(time.Now().Add(3 * time.Second))

	doc := bsonDoc(
		bsonInt32("ping", 1),
		bsonString("$db", "admin"),
	)

	const opMsg = 2013

	var msg bytes.Buffer
	le := binary.LittleEndian
	msg.Write(le.AppendUint32(nil, uint32(16+4+1+len(doc)))) // messageLength
	msg.Write(le.AppendUint32(nil, 1))                       // requestID
	msg.Write(le.AppendUint32(nil, 0))                       // responseTo
	msg.Write(le.AppendUint32(nil, opMsg))                   // opCode
	msg.Write(le.AppendUint32(nil, 0))                       // flagBits
	msg.WriteByte(0)                                         // section kind 0: body
	msg.Write(doc)

	if _, err = conn.Write(msg.Bytes()); err != nil {
		return err
	}

	var header [16]byte
	if _, err = io.ReadFull(conn, header[:]); err != nil {
		return err
	}

	length := le.Uint32(header[0:4])
	if op := le.Uint32(header[12:16]); op != opMsg || length < 16+4+1+5 || length > 16<<20 {
		return fmt.Errorf("unexpected reply header: opCode %d, length %d", op, length)
	}

	body := make([]byte, length-16)
	if _, err = io.ReadFull(conn, body); err != nil {
		return err
	}

	if body[4] != 0 {
		return fmt.Errorf("unexpected reply section kind %d", body[4])
	}

	ok, found := bsonOK(body[5:])
	if !found || !ok {
		return errors.New("ping reply without ok: 1")
	}

	return nil
}

// Minimal BSON, just enough for the readiness ping.

func bsonDoc(elems ...[]byte) []byte {
	var b []byte
	for _, e := range elems {
		b = append(b, e...)
	}

	out := binary.LittleEndian.AppendUint32(nil, uint32(4+len(b)+1))
	out = append(out, b...)

	return append(out, 0)
}

func bsonInt32(key string, v int32) []byte {
	b := append([]byte{0x10}, key...)
	b = append(b, 0)

	return binary.LittleEndian.AppendUint32(b, uint32(v))
}

func bsonString(key, v string) []byte {
	b := append([]byte{0x02}, key...)
	b = append(b, 0)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(v)+1))
	b = append(b, v...)

	return append(b, 0)
}

// bsonOK looks for a top-level "ok" field (double, int32 or int64) in doc.
func bsonOK(doc []byte) (ok, found bool) {
	le := binary.LittleEndian

	if len(doc) < 5 {
		return false, false
	}

	end := int(le.Uint32(doc[0:4]))
	if end > len(doc) {
		return false, false
	}

	for i := 4; i < end-1; {
		typ := doc[i]
		i++

		k := bytes.IndexByte(doc[i:end], 0)
		if k < 0 {
			return false, false
		}
		key := string(doc[i : i+k])
		i += k + 1

		var size int
		switch typ {
		case 0x01, 0x09, 0x11, 0x12: // double, datetime, timestamp, int64
			size = 8
		case 0x10: // int32
			size = 4
		case 0x08: // bool
			size = 1
		case 0x0A: // null
			size = 0
		case 0x07: // ObjectId
			size = 12
		case 0x02: // string
			if i+4 > end {
				return false, false
			}
			size = 4 + int(le.Uint32(doc[i:i+4]))
		case 0x03, 0x04: // document, array
			if i+4 > end {
				return false, false
			}
			size = int(le.Uint32(doc[i : i+4]))
		case 0x05: // binary
			if i+4 > end {
				return false, false
			}
			size = 4 + 1 + int(le.Uint32(doc[i:i+4]))
		default:
			return false, false
		}

		if i+size > end {
			return false, false
		}

		if key == "ok" {
			switch typ {
			case 0x01:
				return math.Float64frombits(le.Uint64(doc[i:i+8])) == 1, true
			case 0x10:
				return le.Uint32(doc[i:i+4]) == 1, true
			case 0x12:
				return le.Uint64(doc[i:i+8]) == 1, true
			default:
				return false, true
			}
		}

		i += size
	}

	return false, false
}
