// Command subscriber subscribes to the bridge's event stream over gRPC (bridge.v1.EventBridge/Subscribe) and
// prints each event:
//
//	subscriber --subscription chatops --type-prefix app.flagger.canary. --namespace test --start earliest
//
// The subscription name is a durable consumer group: a later run with the same name continues after the
// events this one acknowledged. Each event is acknowledged after it was printed, in batches (--ack-batch,
// --ack-interval); events that were not acknowledged when the stream ended are delivered again, with a
// higher attempt number. UNAVAILABLE (and ABORTED) reconnect with exponential backoff. Ctrl-C (or SIGTERM)
// sends the pending acks and half-closes; a second one cancels at once.
//
// Exit status: 0 after a clean stop or --count events, 1 when the bridge refused the subscription, 2 for bad
// arguments.
//
//go:generate ../gen.sh
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/flagger-bridge/bridge/examples/clients/go/bridgeclient"
	"github.com/flagger-bridge/bridge/examples/clients/go/gen/bridgev1"
)

// list is a flag that can be repeated.
type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

type options struct {
	address, subscription, token, tokenFile, start, output string
	typePrefixes, types, namespaces, severities, exact     list
	maxInFlight, ackBatch, count                           int
	ackInterval, maxBackoff                                time.Duration
}

var (
	subscriptionName = regexp.MustCompile(`^[A-Za-z0-9._-]{1,200}$`)
	attributeName    = regexp.MustCompile(`^[a-z0-9]{1,20}$`)
)

func main() {
	opts, err := parseFlags(os.Args[1:])
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "subscriber:", err)
		}
		os.Exit(2)
	}
	open, err := buildOpen(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "subscriber:", err)
		os.Exit(2)
	}
	token, err := bridgeclient.ReadToken(opts.token, opts.tokenFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "subscriber:", err)
		os.Exit(2)
	}
	conn, err := bridgeclient.Dial(opts.address)
	if err != nil {
		fmt.Fprintln(os.Stderr, "subscriber:", err)
		os.Exit(2)
	}
	defer conn.Close()

	s := &subscriber{
		client: bridgev1.NewEventBridgeClient(conn),
		open:   open,
		token:  token,
		opts:   opts,
		stop:   make(chan struct{}),
	}
	// The first signal stops after sending the pending acks; a second one cancels the call at once.
	callCtx, cancel := context.WithCancel(context.Background())
	defer cancel()
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-signals
		s.requestStop()
		<-signals
		cancel()
	}()
	os.Exit(s.run(callCtx))
}

func parseFlags(args []string) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("subscriber", flag.ContinueOnError)
	fs.StringVar(&o.address, "address", bridgeclient.Env("BRIDGE_ADDRESS", bridgeclient.DefaultAddress), "the bridge's gRPC host:port ($BRIDGE_ADDRESS)")
	fs.StringVar(&o.subscription, "subscription", os.Getenv("BRIDGE_SUBSCRIPTION"), "subscription name, [A-Za-z0-9._-] ($BRIDGE_SUBSCRIPTION); required")
	fs.StringVar(&o.token, "token", "", "bearer token ($BRIDGE_TOKEN)")
	fs.StringVar(&o.tokenFile, "token-file", "", "file holding the bearer token ($BRIDGE_TOKEN_FILE)")
	fs.Var(&o.typePrefixes, "type-prefix", "accept event types starting with this; repeat to accept any")
	fs.Var(&o.types, "type", "accept this event type; repeat to accept any")
	fs.Var(&o.namespaces, "namespace", "accept events of this namespace; repeat to accept any")
	fs.Var(&o.severities, "severity", "accept events of this severity (info, warning, error); repeat to accept any")
	fs.Var(&o.exact, "exact", "ATTR=VALUE: the attribute must equal the value; repeat: all must match")
	fs.StringVar(&o.start, "start", "latest", "where a new subscription starts: latest, earliest or an RFC 3339 time")
	fs.IntVar(&o.maxInFlight, "max-in-flight", 0, "unacked deliveries the bridge may send ahead (0: the bridge's default)")
	fs.IntVar(&o.ackBatch, "ack-batch", 20, "send acks when this many are pending")
	fs.DurationVar(&o.ackInterval, "ack-interval", 500*time.Millisecond, "or when the oldest pending ack waited this long")
	fs.IntVar(&o.count, "count", 0, "stop after this many events (0: run until stopped)")
	fs.StringVar(&o.output, "output", "text", "text, or json: one JSON object per event")
	fs.DurationVar(&o.maxBackoff, "max-backoff", 30*time.Second, "longest wait between reconnects")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	switch {
	case fs.NArg() > 0:
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case o.subscription == "":
		return nil, errors.New("--subscription (or $BRIDGE_SUBSCRIPTION) is required")
	case !subscriptionName.MatchString(o.subscription):
		return nil, fmt.Errorf("--subscription %q: use 1-200 of A-Z a-z 0-9 . _ -", o.subscription)
	case o.output != "text" && o.output != "json":
		return nil, fmt.Errorf("--output %q: use text or json", o.output)
	case o.ackBatch < 1:
		return nil, fmt.Errorf("--ack-batch %d: must be at least 1", o.ackBatch)
	case o.ackInterval <= 0:
		return nil, fmt.Errorf("--ack-interval %s: must be positive", o.ackInterval)
	case o.count < 0:
		return nil, fmt.Errorf("--count %d: must not be negative", o.count)
	case o.maxInFlight < 0:
		return nil, fmt.Errorf("--max-in-flight %d: must not be negative", o.maxInFlight)
	case o.maxBackoff < 100*time.Millisecond:
		return nil, fmt.Errorf("--max-backoff %s: must be at least 100ms", o.maxBackoff)
	}
	return o, nil
}

// buildOpen turns the options into the stream's first message. Each option becomes one filter (its repeated
// values combined with any); the bridge requires all filters to match.
func buildOpen(o *options) (*bridgev1.OpenSubscription, error) {
	match := func(attribute, value string) *bridgev1.AttributeMatch {
		return &bridgev1.AttributeMatch{Attributes: map[string]string{attribute: value}}
	}
	exact := func(attribute, value string) *bridgev1.Filter {
		return &bridgev1.Filter{Filter: &bridgev1.Filter_Exact{Exact: match(attribute, value)}}
	}
	anyOf := func(filters []*bridgev1.Filter) *bridgev1.Filter {
		if len(filters) == 1 {
			return filters[0]
		}
		return &bridgev1.Filter{Filter: &bridgev1.Filter_Any{Any: &bridgev1.FilterList{Filters: filters}}}
	}
	open := &bridgev1.OpenSubscription{Subscription: o.subscription, MaxInFlight: int32(o.maxInFlight)}

	if len(o.typePrefixes) > 0 {
		var filters []*bridgev1.Filter
		for _, prefix := range o.typePrefixes {
			if prefix == "" {
				return nil, errors.New("--type-prefix must not be empty")
			}
			filters = append(filters, &bridgev1.Filter{Filter: &bridgev1.Filter_Prefix{Prefix: match("type", prefix)}})
		}
		open.Filters = append(open.Filters, anyOf(filters))
	}
	for _, group := range []struct {
		attribute string
		values    list
	}{{"type", o.types}, {"namespace", o.namespaces}, {"severity", o.severities}} {
		if len(group.values) == 0 {
			continue
		}
		var filters []*bridgev1.Filter
		for _, value := range group.values {
			filters = append(filters, exact(group.attribute, value))
		}
		open.Filters = append(open.Filters, anyOf(filters))
	}
	for _, item := range o.exact {
		parts := strings.SplitN(item, "=", 2)
		if len(parts) != 2 || !attributeName.MatchString(parts[0]) || parts[1] == "" {
			return nil, fmt.Errorf("--exact %q: use ATTR=VALUE with a lower-case attribute name and a non-empty value", item)
		}
		open.Filters = append(open.Filters, exact(parts[0], parts[1]))
	}

	switch o.start {
	case "latest":
		open.Start = &bridgev1.StartPosition{Position: &bridgev1.StartPosition_Latest{Latest: true}}
	case "earliest":
		open.Start = &bridgev1.StartPosition{Position: &bridgev1.StartPosition_Earliest{Earliest: true}}
	default:
		at, err := time.Parse(time.RFC3339Nano, o.start)
		if err != nil {
			return nil, fmt.Errorf("--start %q is not a time; use latest, earliest or RFC 3339, e.g. 2025-01-10T09:00:00Z", o.start)
		}
		open.Start = &bridgev1.StartPosition{Position: &bridgev1.StartPosition_Timestamp{Timestamp: timestamppb.New(at)}}
	}
	return open, nil
}

// subscriber runs one Subscribe stream after another until stopped, a count is reached or the bridge refuses.
type subscriber struct {
	client   bridgev1.EventBridgeClient
	open     *bridgev1.OpenSubscription
	token    string
	opts     *options
	stop     chan struct{}
	stopOnce sync.Once
	handled  int
}

// requestStop is called from the signal goroutine and when the count is reached, hence the Once.
func (s *subscriber) requestStop() {
	s.stopOnce.Do(func() { close(s.stop) })
}

func (s *subscriber) stopping() bool {
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}

// run returns the exit status: 0 after a stop or the count, 1 when the bridge refused the stream.
func (s *subscriber) run(ctx context.Context) int {
	backoff := minDuration(500*time.Millisecond, s.opts.maxBackoff)
	for !s.stopping() {
		started, handledBefore := time.Now(), s.handled
		err := s.streamOnce(ctx)
		code := status.Code(err)
		if s.stopping() || ctx.Err() != nil {
			if code != codes.OK && code != codes.Canceled {
				logf("stream ended while stopping: %s", bridgeclient.StatusText(err))
			}
			return 0
		}
		if code != codes.OK && code != codes.Unavailable && code != codes.Aborted {
			logf("the bridge refused the subscription: %s", bridgeclient.StatusText(err))
			return 1
		}
		// A stream that delivered something or ran a while was healthy: start the backoff over.
		if s.handled > handledBefore || time.Since(started) > 30*time.Second {
			backoff = minDuration(500*time.Millisecond, s.opts.maxBackoff)
		}
		wait := time.Duration(float64(backoff) * (0.5 + rand.Float64()/2)) // jitter, so clients do not reconnect in step
		details := "OK: no details"
		if err != nil {
			details = bridgeclient.StatusText(err)
		}
		logf("stream ended (%s); reconnecting in %.1f s", details, wait.Seconds())
		select {
		case <-time.After(wait):
		case <-s.stop:
		case <-ctx.Done():
		}
		backoff = minDuration(backoff*2, s.opts.maxBackoff)
	}
	return 0
}

type received struct {
	delivery *bridgev1.SubscribeResponse
	err      error
}

// streamOnce runs one Subscribe call: open, then print each delivery and ack it in batches. Only this
// goroutine sends on the stream and only the receiving goroutine receives, as grpc-go allows.
func (s *subscriber) streamOnce(parent context.Context) error {
	ctx, cancel := context.WithCancel(bridgeclient.WithToken(parent, s.token))
	defer cancel()
	stream, err := s.client.Subscribe(ctx)
	if err != nil {
		return err
	}
	if err := stream.Send(&bridgev1.SubscribeRequest{Kind: &bridgev1.SubscribeRequest_Open{Open: s.open}}); err != nil && !errors.Is(err, io.EOF) {
		return err
	}

	deliveries := make(chan received)
	go func() {
		for {
			d, err := stream.Recv()
			select {
			case deliveries <- received{d, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()

	var pending []uint64
	var flush <-chan time.Time
	halfClosed := false
	sendAcks := func() {
		if len(pending) > 0 {
			// A failed send ends the call; Recv then reports why, so the error is not lost here.
			_ = stream.Send(&bridgev1.SubscribeRequest{Kind: &bridgev1.SubscribeRequest_Ack{Ack: &bridgev1.Ack{AckIds: pending}}})
			pending, flush = nil, nil
		}
	}
	halfClose := func() {
		if !halfClosed {
			halfClosed = true
			sendAcks()
			_ = stream.CloseSend()
		}
	}
	stop := s.stop
	for {
		select {
		case r := <-deliveries:
			if r.err != nil {
				if errors.Is(r.err, io.EOF) {
					return nil
				}
				return r.err
			}
			if halfClosed {
				// Deliveries after the half-close cannot be acked any more; they come again next time.
				continue
			}
			s.print(r.delivery)
			s.handled++
			pending = append(pending, r.delivery.GetAckId())
			if flush == nil {
				flush = time.After(s.opts.ackInterval)
			}
			if len(pending) >= s.opts.ackBatch {
				sendAcks()
			}
			if s.opts.count > 0 && s.handled >= s.opts.count {
				// Half-close now rather than through the stop channel, which select might pick only after
				// handling another delivery beyond the count.
				s.requestStop()
				stop = nil
				halfClose()
			}
		case <-flush:
			sendAcks()
		case <-stop:
			stop = nil
			halfClose()
		}
	}
}

// print writes one delivery: `time type subject [severity] (partition @ offset, attempt n)` and its data,
// or one JSON object with the event's attributes, data and `_delivery`.
func (s *subscriber) print(d *bridgev1.SubscribeResponse) {
	event := bridgeclient.EventMap(d.GetEvent())
	if s.opts.output == "json" {
		event["_delivery"] = map[string]interface{}{
			"partition": d.GetPartition(), "offset": d.GetOffset(), "attempt": d.GetAttempt(), "key": d.GetKey(),
		}
		line, err := json.Marshal(event) // maps marshal with sorted keys
		if err != nil {
			logf("cannot print event %s: %v", d.GetEvent().GetId(), err)
			return
		}
		fmt.Println(string(line))
		return
	}
	text := func(name string) interface{} {
		if v, ok := event[name]; ok && v != nil {
			return v
		}
		return "-"
	}
	fmt.Printf("%v  %v  %v  [%v]  (partition %d @ %d, attempt %d)\n",
		text("time"), event["type"], text("subject"), text("severity"), d.GetPartition(), d.GetOffset(), d.GetAttempt())
	if data, ok := event["data"]; ok {
		if str, isString := data.(string); isString {
			fmt.Println("    " + str)
		} else if line, err := json.Marshal(data); err == nil {
			fmt.Println("    " + string(line))
		}
	}
}

func minDuration(a, b time.Duration) time.Duration {
	if a < b {
		return a
	}
	return b
}

func logf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "subscriber: "+format+"\n", args...)
}
