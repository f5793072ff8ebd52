// Package chserver runs a private clickhouse-server as a child process: the
// embedded default of egovkpi and the server the tests use.
//
// The server keeps its data under one directory, listens on loopback only,
// on free ports chosen at start, and is stopped with the parent: by Stop on a
// clean exit, and by the kernel (a parent-death signal) if the parent is
// killed. A server left behind by a killed parent is found through its pid
// file and stopped before a new one starts on the same directory.
package chserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Options say where and how to run the server.
type Options struct {
	// Dir holds config, data and logs; it is created if missing and kept
	// across runs.
	Dir string
	// Binary is the clickhouse-server executable; empty finds it on PATH or
	// in /usr/sbin and /usr/bin.
	Binary string
	// Logger receives progress messages; nil means slog.Default().
	Logger *slog.Logger
}

// Server is a running private clickhouse-server.
type Server struct {
	dir      string
	tcpPort  int
	httpPort int
	pid      int
	log      *slog.Logger
	exited   chan struct{} // closed when the process has exited
	exitErr  error         // the process's exit status, valid after exited
}

const (
	pidFileName = "clickhouse-server.pid"
	// timezone is the server's time zone.
	timezone = "Asia/Ho_Chi_Minh"
	// startTimeout bounds the wait for the server to answer.
	startTimeout = 60 * time.Second
)

// Start writes the server's configuration under opts.Dir, starts
// clickhouse-server and waits until it answers. The context bounds only the
// start; the server runs until Stop.
func Start(ctx context.Context, opts Options) (*Server, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	bin, err := findBinary(opts.Binary)
	if err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("chserver: data directory %q: %w", opts.Dir, err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("chserver: create data directory: %w", err)
	}
	if err := stopLeftover(dir, log); err != nil {
		return nil, err
	}
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	cfgPath, err := writeConfig(serverConfig{Dir: dir, TCPPort: ports[0], HTTPPort: ports[1], Timezone: timezone})
	if err != nil {
		return nil, err
	}
	out, err := os.OpenFile(filepath.Join(dir, "log", "stdout.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return nil, fmt.Errorf("chserver: open stdout log: %w", err)
	}
	s := &Server{dir: dir, tcpPort: ports[0], httpPort: ports[1], log: log, exited: make(chan struct{})}
	if err := s.spawn(bin, cfgPath, out); err != nil {
		out.Close()
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, pidFileName), []byte(strconv.Itoa(s.pid)+"\n"), 0o640); err != nil {
		s.kill()
		return nil, fmt.Errorf("chserver: write pid file: %w", err)
	}
	if err := s.waitReady(ctx, startTimeout); err != nil {
		s.kill()
		return nil, err
	}
	log.Info("private clickhouse-server started", slog.String("addr", s.Addr()), slog.Int("pid", s.pid), slog.String("dir", dir))
	return s, nil
}

// spawn starts the process from a goroutine locked to its OS thread, which
// stays alive until the process exits: the parent-death signal is tied to
// the thread that forked, so that thread must not go away before the child.
func (s *Server) spawn(bin, cfgPath string, out *os.File) error {
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		defer out.Close()
		cmd := exec.Command(bin, "--config-file="+cfgPath)
		cmd.Dir = s.dir
		cmd.Stdout = out
		cmd.Stderr = out
		cmd.SysProcAttr = &syscall.SysProcAttr{
			Setpgid:   true,            // Ctrl-C reaches egovkpi, which stops the server in order
			Pdeathsig: syscall.SIGTERM, // egovkpi killed: the server stops too
		}
		if err := cmd.Start(); err != nil {
			started <- fmt.Errorf("chserver: start %s: %w", bin, err)
			return
		}
		s.pid = cmd.Process.Pid
		started <- nil
		s.exitErr = cmd.Wait()
		close(s.exited)
	}()
	return <-started
}

// Addr is the native-protocol address, host:port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.tcpPort)) }

// HTTPAddr is the HTTP interface address, host:port.
func (s *Server) HTTPAddr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.httpPort)) }

// PID is the server's process id.
func (s *Server) PID() int { return s.pid }

// Dir is the server's absolute data directory.
func (s *Server) Dir() string { return s.dir }

func (s *Server) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// No keep-alive: an idle connection left open delays the server's shutdown.
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	url := "http://" + s.HTTPAddr() + "/ping"
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := client.Do(req); err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && bytes.HasPrefix(body, []byte("Ok")) {
				return nil
			}
		}
		select {
		case <-s.exited:
			return fmt.Errorf("chserver: clickhouse-server exited during start (%v); %s", s.exitErr, s.errorLogTail())
		case <-ctx.Done():
			return fmt.Errorf("chserver: clickhouse-server did not answer on %s within %s: %w; %s", s.HTTPAddr(), timeout, ctx.Err(), s.errorLogTail())
		case <-tick.C:
		}
	}
}

// errorLogTail returns the last lines of the server's error log, for errors.
func (s *Server) errorLogTail() string {
	var tail []string
	for _, name := range []string{"clickhouse-server.err.log", "stdout.log"} {
		b, err := os.ReadFile(filepath.Join(s.dir, "log", name))
		if err != nil || len(b) == 0 {
			continue
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) > 5 {
			lines = lines[len(lines)-5:]
		}
		tail = append(tail, name+": "+strings.Join(lines, " | "))
	}
	if len(tail) == 0 {
		return "no server log written (see " + filepath.Join(s.dir, "log") + ")"
	}
	return strings.Join(tail, "; ")
}

// Stop asks the server to shut down (SIGTERM), waits for it until ctx is
// done, then kills it. It is safe to call more than once.
func (s *Server) Stop(ctx context.Context) error {
	select {
	case <-s.exited:
		return s.removePIDFile()
	default:
	}
	if err := syscall.Kill(s.pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("chserver: signal pid %d: %w", s.pid, err)
	}
	select {
	case <-s.exited:
		s.log.Info("private clickhouse-server stopped", slog.Int("pid", s.pid))
	case <-ctx.Done():
		s.log.Warn("private clickhouse-server did not stop in time; killing it", slog.Int("pid", s.pid))
		s.kill()
	}
	return s.removePIDFile()
}

func (s *Server) kill() {
	_ = syscall.Kill(s.pid, syscall.SIGKILL)
	<-s.exited
	_ = s.removePIDFile()
}

func (s *Server) removePIDFile() error {
	err := os.Remove(filepath.Join(s.dir, pidFileName))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("chserver: remove pid file: %w", err)
	}
	return nil
}

// stopLeftover stops a server that a killed egovkpi left running on dir: two
// servers cannot share a data directory.
func stopLeftover(dir string, log *slog.Logger) error {
	pidPath := filepath.Join(dir, pidFileName)
	b, err := os.ReadFile(pidPath)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("chserver: read pid file: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return os.Remove(pidPath)
	}
	if !isOurServer(pid, dir) {
		return os.Remove(pidPath)
	}
	log.Warn("stopping a clickhouse-server left running on this data directory", slog.Int("pid", pid), slog.String("dir", dir))
	_ = syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(30 * time.Second)
	for isOurServer(pid, dir) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			deadline = time.Now().Add(5 * time.Second)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return os.Remove(pidPath)
}

// isOurServer reports whether pid is a live clickhouse-server using dir's
// config (and not, say, an unrelated process that reused the pid).
func isOurServer(pid int, dir string) bool {
	if !processAlive(pid) {
		return false
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return false
	}
	return bytes.Contains(cmdline, []byte("clickhouse")) &&
		bytes.Contains(cmdline, []byte(filepath.Join(dir, "config.xml")))
}

// processAlive reports whether pid is a running process; a zombie (exited,
// waiting to be reaped) is not.
func processAlive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(stat, ')')
	return i > 0 && i+2 < len(stat) && stat[i+2] != 'Z'
}

// findBinary locates clickhouse-server: Debian installs it in /usr/sbin,
// which is not on every user's PATH.
func findBinary(bin string) (string, error) {
	if bin != "" {
		p, err := exec.LookPath(bin)
		if err != nil {
			return "", fmt.Errorf("chserver: clickhouse-server binary %q: %w", bin, err)
		}
		return p, nil
	}
	if p, err := exec.LookPath("clickhouse-server"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/sbin/clickhouse-server", "/usr/bin/clickhouse-server"} {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", errors.New("chserver: clickhouse-server not found on PATH, /usr/sbin or /usr/bin: install it (apt-get install -y clickhouse-server) or set EGOVKPI_CLICKHOUSE_ADDR to use a running server")
}

// freePorts returns n distinct loopback ports that were free a moment ago.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("chserver: find a free port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
