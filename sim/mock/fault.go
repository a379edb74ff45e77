package mock

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// FaultHeader selects a fault when the URL has no fault query parameter.
const FaultHeader = "X-Mock-Fault"

// DefaultSlow is how long fault=slow waits: past the platform's 8 s, so
// the call times out.
const DefaultSlow = 9 * time.Second

// maxSlow bounds slow=DURATION so that a typo cannot park a request for hours.
const maxSlow = 5 * time.Minute

// FaultHelp names the faults, as the command and the 400 for an unknown
// fault show them.
const FaultHelp = "slow|slow=6s|5xx|oversized|notjson|redirect|empty"

// fault is what a request asked the mock to do wrong.
type fault struct {
	spec  string // as written, for the log; "" for none
	name  string
	delay time.Duration // slow only
}

// requestFault reads the fault from ?fault=, else from X-Mock-Fault.
func requestFault(r *http.Request) (fault, error) {
	spec := r.URL.Query().Get("fault")
	if spec == "" {
		spec = r.Header.Get(FaultHeader)
	}
	spec = strings.TrimSpace(spec)
	f := fault{spec: spec, name: strings.ToLower(spec)}
	switch f.name {
	case "", "5xx", "oversized", "notjson", "redirect", "empty":
		return f, nil
	case "slow":
		f.delay = DefaultSlow
		return f, nil
	}
	if d, ok := strings.CutPrefix(f.name, "slow="); ok {
		delay, err := time.ParseDuration(d)
		if err != nil || delay <= 0 || delay > maxSlow {
			return f, fmt.Errorf("fault %q: slow takes a duration up to %s, e.g. slow=6s", spec, maxSlow)
		}
		f.name, f.delay = "slow", delay
		return f, nil
	}
	return f, errors.New(unknownFault(spec))
}

func unknownFault(spec string) string {
	return fmt.Sprintf("unknown fault %q: the faults are slow (%s, then the normal answer), slow=DURATION (e.g. slow=6s), 5xx (500 with a stack trace), oversized (a 200 KB JSON body), notjson (an HTML page), redirect (302 elsewhere) and empty (200 with no body)", spec, DefaultSlow)
}

// apply does the fault. It reports whether the route should still answer:
// true after a slow wait, false when the fault wrote the response or the
// client went away while waiting.
func (f fault) apply(w http.ResponseWriter, r *http.Request) bool {
	switch f.name {
	case "":
		return true
	case "slow":
		t := time.NewTimer(f.delay)
		defer t.Stop()
		select {
		case <-t.C:
			return true
		case <-r.Context().Done():
			return false
		}
	case "5xx":
		crash(w)
	case "oversized":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write(oversizedBody())
	case "notjson":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(htmlPage))
	case "redirect":
		w.Header().Set("Location", "http://example.com/elsewhere")
		w.WriteHeader(http.StatusFound)
	case "empty":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
	}
	return false
}

// crash answers as an endpoint whose JSON decoding raised: a 500 with
// the traceback (the lax mock on malformed JSON).
func crash(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	w.Write([]byte(pythonTraceback))
}

// pythonTraceback is what a FastAPI endpoint like the reference's shows
// when its database goes away and debug output is left on.
const pythonTraceback = `Traceback (most recent call last):
  File "/srv/orders/app.py", line 14, in handle_dgbot_action
    order = await db.get_latest_order(customer_email)
  File "/srv/orders/db.py", line 31, in get_latest_order
    row = await pool.fetchrow(LATEST_ORDER_SQL, email)
  File "/usr/local/lib/python3.12/site-packages/asyncpg/pool.py", line 637, in fetchrow
    return await con.fetchrow(query, *args, timeout=timeout)
asyncpg.exceptions.ConnectionDoesNotExistError: connection was closed in the middle of operation
`

// htmlPage is a login page, what an endpoint behind an auth proxy answers.
const htmlPage = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in · Orders admin</title></head>
<body>
<h1>Sign in</h1>
<form method="post" action="/login">
<label>Email <input type="email" name="email"></label>
<label>Password <input type="password" name="password"></label>
<button type="submit">Sign in</button>
</form>
</body>
</html>
`

// oversizedSize is about twice the platform's 100 KiB response limit.
const oversizedSize = 200 * 1000

// oversizedBody is a valid JSON object of about 200 KB: an endpoint that
// returns every order instead of one. It is built once and never changed.
var oversizedBody = sync.OnceValue(func() []byte {
	b := []byte(`{"data":{"orders":[`)
	for i := 0; len(b) < oversizedSize; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `{"order_id":"%d","status":"delivered","carrier":"UPS","tracking":"1Z999AA1%010d"}`, 100000+i, i)
	}
	return append(b, "]}}"...)
})
