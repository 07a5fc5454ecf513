// Package bridgeclient holds what the Go subscriber and publisher share: the connection, the bearer token
// and turning CloudEvents into plain values for printing.
package bridgeclient

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/flagger-bridge/bridge/examples/clients/go/gen/cloudeventsv1"
)

// DefaultAddress is the bridge's gRPC port on this machine.
const DefaultAddress = "127.0.0.1:8081"

// Env returns the environment variable name, or fallback when it is unset or empty.
func Env(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

// Dial connects to host:port over cleartext HTTP/2, which is what the bridge's gRPC port speaks. The
// connection is made lazily, so a bridge that is down shows up as UNAVAILABLE on the first call.
func Dial(address string) (*grpc.ClientConn, error) {
	if address == "" || !strings.Contains(address, ":") {
		return nil, fmt.Errorf("the address must be host:port, e.g. %s (got %q)", DefaultAddress, address)
	}
	// grpc.WithInsecure is what Debian's grpc-go (1.33) has; with grpc-go 1.34 or later
	// grpc.WithTransportCredentials(insecure.NewCredentials()) says the same.
	return grpc.Dial(address, grpc.WithInsecure(), grpc.WithDefaultCallOptions(grpc.ForceCodec(codec{})))
}

// codec marshals with the protobuf runtime the generated code is made for (google.golang.org/protobuf).
// grpc-go's own codec does the same from version 1.35 on, but Debian's 1.33 goes through the older
// github.com/golang/protobuf 1.3, which cannot encode these messages' oneofs (it panics).
type codec struct{}

func (codec) Marshal(v interface{}) ([]byte, error) {
	m, ok := v.(proto.Message)
	if !ok {
		return nil, fmt.Errorf("cannot marshal %T: not a protobuf message", v)
	}
	return proto.Marshal(m)
}

func (codec) Unmarshal(data []byte, v interface{}) error {
	m, ok := v.(proto.Message)
	if !ok {
		return fmt.Errorf("cannot unmarshal into %T: not a protobuf message", v)
	}
	return proto.Unmarshal(data, m)
}

func (codec) Name() string { return "proto" }

// ReadToken returns the bearer token from the flags or else $BRIDGE_TOKEN / $BRIDGE_TOKEN_FILE; "" when none is set.
func ReadToken(token, tokenFile string) (string, error) {
	if token == "" {
		token = os.Getenv("BRIDGE_TOKEN")
	}
	if tokenFile == "" {
		tokenFile = os.Getenv("BRIDGE_TOKEN_FILE")
	}
	if token != "" && tokenFile != "" {
		return "", errors.New("give either a token or a token file, not both")
	}
	if tokenFile == "" {
		return token, nil
	}
	raw, err := os.ReadFile(tokenFile)
	if err != nil {
		return "", fmt.Errorf("cannot read the token file %s: %w", tokenFile, err)
	}
	token = strings.TrimRight(string(raw), "\r\n")
	if token == "" {
		return "", fmt.Errorf("the token file %s is empty", tokenFile)
	}
	return token, nil
}

// WithToken adds `authorization: Bearer <token>` to the calls made with the returned context.
func WithToken(ctx context.Context, token string) context.Context {
	if token == "" {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
}

// StatusText is "CODE: details" of an error a call returned.
func StatusText(err error) string {
	s := status.Convert(err)
	return fmt.Sprintf("%s: %s", StatusName(s.Code().String()), s.Message())
}

// StatusName turns grpc-go's code names (Unavailable, InvalidArgument) into the canonical ones
// (UNAVAILABLE, INVALID_ARGUMENT) that the bridge's docs and other clients print.
func StatusName(name string) string {
	var b strings.Builder
	for i, r := range name {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte('_')
		}
		b.WriteRune(r)
	}
	return strings.ToUpper(b.String())
}

// FormatTime is RFC 3339 UTC with milliseconds, like the other example clients print.
func FormatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// AttributeValue is an attribute as a plain value: string, bool, int32, or RFC 3339 text for times.
func AttributeValue(value *cloudeventsv1.CloudEvent_CloudEventAttributeValue) interface{} {
	switch v := value.GetAttr().(type) {
	case *cloudeventsv1.CloudEvent_CloudEventAttributeValue_CeBoolean:
		return v.CeBoolean
	case *cloudeventsv1.CloudEvent_CloudEventAttributeValue_CeInteger:
		return v.CeInteger
	case *cloudeventsv1.CloudEvent_CloudEventAttributeValue_CeString:
		return v.CeString
	case *cloudeventsv1.CloudEvent_CloudEventAttributeValue_CeBytes:
		return hex.EncodeToString(v.CeBytes)
	case *cloudeventsv1.CloudEvent_CloudEventAttributeValue_CeUri:
		return v.CeUri
	case *cloudeventsv1.CloudEvent_CloudEventAttributeValue_CeUriRef:
		return v.CeUriRef
	case *cloudeventsv1.CloudEvent_CloudEventAttributeValue_CeTimestamp:
		return FormatTime(v.CeTimestamp.AsTime())
	default:
		return nil
	}
}

// EventData is the event's data: parsed JSON when it is JSON text, else the text, else hex of binary data;
// protobuf data shows its type and size (unpack it with anypb and your own generated code).
func EventData(event *cloudeventsv1.CloudEvent) (interface{}, bool) {
	var text string
	switch d := event.GetData().(type) {
	case *cloudeventsv1.CloudEvent_ProtoData:
		return map[string]interface{}{"@type": d.ProtoData.GetTypeUrl(), "bytes": len(d.ProtoData.GetValue())}, true
	case *cloudeventsv1.CloudEvent_BinaryData:
		contentType := ""
		if value, ok := event.GetAttributes()["datacontenttype"]; ok {
			contentType, _ = AttributeValue(value).(string)
		}
		if !isTextual(contentType) {
			return hex.EncodeToString(d.BinaryData), true
		}
		text = string(d.BinaryData)
	case *cloudeventsv1.CloudEvent_TextData:
		text = d.TextData
	default:
		return nil, false
	}
	var parsed interface{}
	if err := json.Unmarshal([]byte(text), &parsed); err == nil {
		return parsed, true
	}
	return text, true
}

// EventMap is every attribute of the event plus its data, under the CloudEvents JSON format's names.
func EventMap(event *cloudeventsv1.CloudEvent) map[string]interface{} {
	result := map[string]interface{}{
		"specversion": event.GetSpecVersion(),
		"id":          event.GetId(),
		"source":      event.GetSource(),
		"type":        event.GetType(),
	}
	for name, value := range event.GetAttributes() {
		result[name] = AttributeValue(value)
	}
	if data, ok := EventData(event); ok {
		result["data"] = data
	}
	return result
}

func isTextual(contentType string) bool {
	media := strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	return media == "" || strings.HasPrefix(media, "text/") || strings.HasSuffix(media, "json") || strings.HasSuffix(media, "xml")
}
