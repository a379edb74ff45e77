package mock

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/actionbench/actionbench/engine/wire"
)

// order is one row of the mock's order table.
type order struct {
	ID                string `json:"order_id"`
	Status            string `json:"status"`
	Carrier           string `json:"carrier,omitempty"`
	Tracking          string `json:"tracking,omitempty"`
	EstimatedDelivery string `json:"estimated_delivery,omitempty"`
	email             string
}

// orders is the table every lookup reads; each customer has one order, so
// "latest" needs no dates.
var orders = []order{
	{ID: "1042", Status: "shipped", Carrier: "UPS", Tracking: "1Z999AA10123456784", EstimatedDelivery: "2025-05-17", email: "jane@example.com"},
	{ID: "1043", Status: "processing", EstimatedDelivery: "2025-05-21", email: "john@example.com"},
}

func orderByEmail(email string) (order, bool) {
	for _, o := range orders {
		if strings.EqualFold(o.email, email) {
			return o, true
		}
	}
	return order{}, false
}

func orderByID(id string) (order, bool) {
	for _, o := range orders {
		if o.ID == id {
			return o, true
		}
	}
	return order{}, false
}

// orderID reads payload.order_id, written "1042", "#1042" or 1042.
func orderID(p map[string]any) string {
	return strings.TrimPrefix(strings.TrimSpace(payloadString(p, "order_id")), "#")
}

// actionPayload enforces what every action route needs before it looks at
// the request: a valid signature and the platform's JSON body. It answers
// the request itself when either is wrong.
func actionPayload(w http.ResponseWriter, x *exchange) (wire.ActionRequest, map[string]any, bool) {
	if !x.authOK && !x.lax {
		msg := "invalid signature"
		if x.authWhy != "" {
			msg += ": " + x.authWhy
		}
		writeError(w, http.StatusUnauthorized, msg)
		return wire.ActionRequest{}, nil, false
	}
	if x.stale != "" {
		writeError(w, http.StatusUnauthorized, x.stale)
		return wire.ActionRequest{}, nil, false
	}
	if !x.lax && !jsonContent(x.r.Header.Get("Content-Type")) {
		writeError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
		return wire.ActionRequest{}, nil, false
	}
	req, payload, err := x.action()
	if err != nil && x.lax {
		crash(w)
		return wire.ActionRequest{}, nil, false
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "the request body is not the platform's JSON schema: "+err.Error())
		return wire.ActionRequest{}, nil, false
	}
	return req, payload, true
}

// orderLookup is the reference's example endpoint: the latest order of
// payload.customer_email, as a message. Without an email it falls back to
// payload.order_id, so "where is my order 1042" works for a visitor who
// has not given one.
func orderLookup(w http.ResponseWriter, x *exchange) {
	_, payload, ok := actionPayload(w, x)
	if !ok {
		return
	}
	email := strings.TrimSpace(payloadString(payload, "customer_email"))
	if email == "" {
		id := orderID(payload)
		if id == "" {
			writeError(w, http.StatusNotFound, "I couldn't find any orders without an email address.")
			return
		}
		o, found := orderByID(id)
		if !found {
			writeError(w, http.StatusNotFound, fmt.Sprintf("I couldn't find order #%s.", id))
			return
		}
		writeJSON(w, http.StatusOK, wire.Message(fmt.Sprintf("Order #%s is %s.", o.ID, o.Status)))
		return
	}
	o, found := orderByEmail(email)
	if !found {
		writeError(w, http.StatusNotFound, fmt.Sprintf("I couldn't find any orders for %s.", email))
		return
	}
	writeJSON(w, http.StatusOK, wire.Message(fmt.Sprintf("Your latest order #%s is %s.", o.ID, o.Status)))
}

// orderStatus is a data action: the order named by payload.order_id, or
// else the latest of payload.customer_email, for the bot to put in words.
func orderStatus(w http.ResponseWriter, x *exchange) {
	_, payload, ok := actionPayload(w, x)
	if !ok {
		return
	}
	id := orderID(payload)
	email := strings.TrimSpace(payloadString(payload, "customer_email"))
	var o order
	switch {
	case id != "":
		if o, ok = orderByID(id); !ok {
			writeError(w, http.StatusNotFound, fmt.Sprintf("I couldn't find order #%s.", id))
			return
		}
	case email != "":
		if o, ok = orderByEmail(email); !ok {
			writeError(w, http.StatusNotFound, fmt.Sprintf("I couldn't find any orders for %s.", email))
			return
		}
	default:
		// A validation error, which the reference answers with a 4xx.
		writeError(w, http.StatusBadRequest, "I need an order number or the email address the order was placed with.")
		return
	}
	data, err := wire.Marshal(o)
	if err != nil {
		panic(err) // an order is strings only
	}
	writeJSON(w, http.StatusOK, wire.Data(data))
}

// refund is an error action: it declines with a 200, which the reference
// allows ({"error": …} is a response shape, not a status).
func refund(w http.ResponseWriter, x *exchange) {
	if _, _, ok := actionPayload(w, x); !ok {
		return
	}
	writeError(w, http.StatusOK, "Refunds need a human agent: I've passed your request to the team.")
}

// echo says what it received, for trying triggers and conversations.
func echo(w http.ResponseWriter, x *exchange) {
	req, _, ok := actionPayload(w, x)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, wire.Message(fmt.Sprintf("Received %s (%s) for conversation %s.", req.ActionID, req.Trigger, req.ConversationID)))
}
