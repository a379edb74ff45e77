//go:build !unix

package h1

// alive cannot peek at a socket here; an idle connection the peer closed
// shows as a failed exchange.
func (cn *conn) alive() bool { return true }
