// Command publisher publishes CloudEvents to the bridge over gRPC (bridge.v1.EventBridge/Publish):
//
//	publisher --type com.example.deploy.finished --source /ci/pipeline \
//	    --subject test/podinfo --attr namespace=test --data '{"version": "6.5.0"}'
//
// Every event gets its own result: accepted (with the Kafka partition and offset) or rejected with a gRPC
// status code and a message; valid events are written even when others in the request are rejected.
// --count N sends N events in one request, their ids numbered <id>-1..N.
//
// Exit status: 0 when every event was accepted, 1 when the call failed or any event was rejected, 2 for bad
// arguments.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/flagger-bridge/bridge/examples/clients/go/bridgeclient"
	"github.com/flagger-bridge/bridge/examples/clients/go/gen/bridgev1"
	"github.com/flagger-bridge/bridge/examples/clients/go/gen/cloudeventsv1"
)

type attrs []string

func (a *attrs) String() string     { return strings.Join(*a, ",") }
func (a *attrs) Set(v string) error { *a = append(*a, v); return nil }

var extensionName = regexp.MustCompile(`^[a-z0-9]{1,20}$`)

// coreAttributes have options of their own, so --attr refuses them.
var coreAttributes = map[string]bool{
	"id": true, "source": true, "specversion": true, "type": true, "subject": true,
	"time": true, "datacontenttype": true, "dataschema": true, "data": true,
}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet("publisher", flag.ContinueOnError)
	address := fs.String("address", bridgeclient.Env("BRIDGE_ADDRESS", bridgeclient.DefaultAddress), "the bridge's gRPC host:port ($BRIDGE_ADDRESS)")
	token := fs.String("token", "", "bearer token ($BRIDGE_TOKEN)")
	tokenFile := fs.String("token-file", "", "file holding the bearer token ($BRIDGE_TOKEN_FILE)")
	eventType := fs.String("type", "", "event type, reverse-DNS, e.g. com.example.deploy.finished; required")
	source := fs.String("source", "", "URI-reference naming the producer, e.g. /ci/pipeline; required")
	id := fs.String("id", "", "event id (default: random)")
	subject := fs.String("subject", "", "what the event is about, e.g. <namespace>/<name>")
	data := fs.String("data", "", "event data (must be JSON when --content-type is JSON)")
	contentType := fs.String("content-type", "application/json", "datacontenttype of the data")
	count := fs.Int("count", 1, "events to send in one request")
	timeout := fs.Duration("timeout", 10*time.Second, "deadline of the call")
	var extensions attrs
	fs.Var(&extensions, "attr", "NAME=VALUE extension attribute (string), e.g. namespace=test; repeatable")
	if err := fs.Parse(args); err != nil {
		return 2
	}

	usage := func(format string, a ...interface{}) int {
		fmt.Fprintf(os.Stderr, "publisher: "+format+"\n", a...)
		return 2
	}
	switch {
	case fs.NArg() > 0:
		return usage("unexpected argument %q", fs.Arg(0))
	case *eventType == "":
		return usage("--type is required")
	case *source == "":
		return usage("--source is required")
	case *count < 1:
		return usage("--count %d: must be at least 1", *count)
	case *timeout <= 0:
		return usage("--timeout %s: must be positive", *timeout)
	}
	if *data != "" && isJSON(*contentType) && !json.Valid([]byte(*data)) {
		return usage("--data is not JSON; fix it or set --content-type")
	}
	extensionValues := map[string]string{}
	for _, item := range extensions {
		parts := strings.SplitN(item, "=", 2)
		if len(parts) != 2 || !extensionName.MatchString(parts[0]) {
			return usage("--attr %q: use NAME=VALUE, NAME being 1-20 lower-case letters or digits", item)
		}
		if coreAttributes[parts[0]] {
			return usage("--attr %q: %s has its own option", item, parts[0])
		}
		extensionValues[parts[0]] = parts[1]
	}
	bearer, err := bridgeclient.ReadToken(*token, *tokenFile)
	if err != nil {
		return usage("%v", err)
	}
	conn, err := bridgeclient.Dial(*address)
	if err != nil {
		return usage("%v", err)
	}
	defer conn.Close()

	baseID := *id
	if baseID == "" {
		baseID = randomID()
	}
	request := &bridgev1.PublishRequest{}
	for i := 1; i <= *count; i++ {
		eventID := baseID
		if *count > 1 {
			eventID = fmt.Sprintf("%s-%d", baseID, i)
		}
		event := &cloudeventsv1.CloudEvent{
			Id: eventID, Source: *source, SpecVersion: "1.0", Type: *eventType,
			Attributes: map[string]*cloudeventsv1.CloudEvent_CloudEventAttributeValue{
				"time": {Attr: &cloudeventsv1.CloudEvent_CloudEventAttributeValue_CeTimestamp{CeTimestamp: timestamppb.Now()}},
			},
		}
		if *subject != "" {
			event.Attributes["subject"] = stringValue(*subject)
		}
		for name, value := range extensionValues {
			event.Attributes[name] = stringValue(value)
		}
		if *data != "" {
			event.Attributes["datacontenttype"] = stringValue(*contentType)
			event.Data = &cloudeventsv1.CloudEvent_TextData{TextData: *data}
		}
		request.Events = append(request.Events, event)
	}

	ctx, cancel := context.WithTimeout(bridgeclient.WithToken(context.Background(), bearer), *timeout)
	defer cancel()
	response, err := bridgev1.NewEventBridgeClient(conn).Publish(ctx, request)
	if err != nil {
		fmt.Fprintln(os.Stderr, "publish failed: "+bridgeclient.StatusText(err))
		return 1
	}
	status := 0
	for _, result := range response.GetResults() {
		if accepted := result.GetAccepted(); accepted != nil {
			fmt.Printf("accepted %s (partition %d @ %d)\n", result.GetId(), accepted.GetPartition(), accepted.GetOffset())
			continue
		}
		status = 1
		resultID := result.GetId()
		if resultID == "" {
			resultID = "(no id)"
		}
		code := bridgeclient.StatusName(codes.Code(result.GetError().GetCode()).String())
		fmt.Printf("rejected %s: %s: %s\n", resultID, code, result.GetError().GetMessage())
	}
	return status
}

func stringValue(s string) *cloudeventsv1.CloudEvent_CloudEventAttributeValue {
	return &cloudeventsv1.CloudEvent_CloudEventAttributeValue{Attr: &cloudeventsv1.CloudEvent_CloudEventAttributeValue_CeString{CeString: s}}
}

func isJSON(contentType string) bool {
	media := strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	return media == "application/json" || strings.HasSuffix(media, "+json")
}

func randomID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(errors.New("no randomness for an event id: " + err.Error()))
	}
	return hex.EncodeToString(b)
}
