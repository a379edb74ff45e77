//go:build unix

package h1

import "syscall"

// alive reports whether an idle connection is still open and quiet: the
// peer has neither closed it nor sent anything unasked (a TLS close_notify,
// a 408). One non-blocking peek at the socket tells, without consuming a
// byte. A connection the endpoint closed while it sat idle is the common
// case this catches: a developer restarting their server.
func (cn *conn) alive() bool {
	sc, ok := cn.raw.(syscall.Conn)
	if !ok {
		return true
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	quiet := false
	var buf [1]byte
	err = raw.Read(func(fd uintptr) bool {
		_, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		quiet = err == syscall.EAGAIN || err == syscall.EWOULDBLOCK
		return true // never wait for data
	})
	return err == nil && quiet
}
