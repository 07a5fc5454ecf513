// A grpc-go client of bridge.v1.EventBridge with dynamic messages (google.golang.org/protobuf's dynamicpb,
// no generated bridge code): the API's descriptors come from a FileDescriptorSet that protoc wrote from the
// repository's protos. It publishes one event whose data is a google.protobuf.Duration packed into an Any
// (proto_data) and whose time has nanoseconds, then subscribes, acks the delivery and half-closes.
//
// Prints, for the test to assert on:
//   SENT {json}       the type URL and bytes (base64) of the packed Any it published
//   RESULT {json}     the Publish result (id, outcome, message)
//   DELIVERY {json}   the delivered event: id, data_kind, proto_data, unpacked, time, datacontenttype
//   STATUS <code>     how the Subscribe call ended
// Any failure of its own is a line starting with FAIL and exit status 1.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// codec marshals with the protobuf APIv2 runtime, which handles dynamic messages; grpc-go's default codec
// in Debian's version goes through the older github.com/golang/protobuf, which does not.
type codec struct{}

func (codec) Marshal(v interface{}) ([]byte, error)      { return proto.Marshal(v.(proto.Message)) }
func (codec) Unmarshal(data []byte, v interface{}) error { return proto.Unmarshal(data, v.(proto.Message)) }
func (codec) Name() string                               { return "proto" }

var files *protoregistry.Files

func main() {
	address := flag.String("address", "127.0.0.1:8081", "host:port of the gRPC endpoint")
	descriptors := flag.String("descriptors", "", "FileDescriptorSet of bridge/v1/bridge.proto with its imports")
	namespace := flag.String("namespace", "", "the event's namespace extension; the subscription filters on it")
	subscription := flag.String("subscription", "", "the subscription to open")
	id := flag.String("id", "go-protodata", "the event id")
	timeSeconds := flag.Int64("time-seconds", 0, "the event time: seconds")
	timeNanos := flag.Int("time-nanos", 0, "the event time: nanoseconds")
	durationSeconds := flag.Int64("duration-seconds", 0, "the packed Duration: seconds")
	durationNanos := flag.Int("duration-nanos", 0, "the packed Duration: nanoseconds")
	flag.Parse()
	if *descriptors == "" || *namespace == "" || *subscription == "" {
		fail("-descriptors, -namespace and -subscription are required")
	}
	loadDescriptors(*descriptors)

	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	conn, err := grpc.DialContext(ctx, *address, grpc.WithInsecure(), grpc.WithBlock())
	check("dial", err)
	defer conn.Close()

	packed, err := anypb.New(&durationpb.Duration{Seconds: *durationSeconds, Nanos: int32(*durationNanos)})
	check("packing the Duration", err)
	emit("SENT", map[string]interface{}{"type_url": packed.GetTypeUrl(), "value": base64.StdEncoding.EncodeToString(packed.GetValue())})

	request := fromJSON("bridge.v1.PublishRequest", fmt.Sprintf(
		`{"events": [{"id": %q, "source": "/interop/go", "specVersion": "1.0", "type": "com.example.interop.protodata",
		  "attributes": {"namespace": {"ceString": %q}, "partitionkey": {"ceString": %q}}}]}`,
		*id, *namespace, *namespace+"/app"))
	event := request.Get(field(request, "events")).List().Get(0).Message()
	attributes := event.Mutable(field(event, "attributes")).Map()
	timeValue := attributes.NewValue()
	assign(timeValue.Message().Mutable(field(timeValue.Message(), "ce_timestamp")).Message(),
		&timestamppb.Timestamp{Seconds: *timeSeconds, Nanos: int32(*timeNanos)})
	attributes.Set(protoreflect.ValueOfString("time").MapKey(), timeValue)
	assign(event.Mutable(field(event, "proto_data")).Message(), packed)

	response := newMessage("bridge.v1.PublishResponse")
	check("Publish", conn.Invoke(ctx, "/bridge.v1.EventBridge/Publish", request, response, grpc.ForceCodec(codec{})))
	results := response.Get(field(response, "results")).List()
	if results.Len() != 1 {
		fail(fmt.Sprintf("Publish answered %d results for one event", results.Len()))
	}
	result := results.Get(0).Message()
	outcome := map[string]interface{}{"id": result.Get(field(result, "id")).String()}
	if which := result.WhichOneof(result.Descriptor().Oneofs().ByName("outcome")); which != nil {
		outcome["outcome"] = string(which.Name())
		if which.Name() == "error" {
			outcome["message"] = result.Get(which).Message().Get(field(result.Get(which).Message(), "message")).String()
		}
	}
	emit("RESULT", outcome)
	if outcome["outcome"] != "accepted" {
		os.Exit(0)
	}

	stream, err := conn.NewStream(ctx, &grpc.StreamDesc{ClientStreams: true, ServerStreams: true},
		"/bridge.v1.EventBridge/Subscribe", grpc.ForceCodec(codec{}))
	check("Subscribe", err)
	open := fromJSON("bridge.v1.SubscribeRequest", fmt.Sprintf(
		`{"open": {"subscription": %q, "filters": [{"exact": {"attributes": {"namespace": %q}}}], "start": {"earliest": true}}}`,
		*subscription, *namespace))
	check("sending open", stream.SendMsg(open))
	delivery := newMessage("bridge.v1.SubscribeResponse")
	check("receiving the delivery", stream.RecvMsg(delivery))
	emit("DELIVERY", describe(delivery.Get(field(delivery, "event")).Message()))

	ack := fromJSON("bridge.v1.SubscribeRequest", fmt.Sprintf(`{"ack": {"ackIds": ["%d"]}}`, delivery.Get(field(delivery, "ack_id")).Uint()))
	check("sending the ack", stream.SendMsg(ack))
	check("half-closing", stream.CloseSend())
	for {
		err = stream.RecvMsg(newMessage("bridge.v1.SubscribeResponse"))
		if errors.Is(err, io.EOF) {
			fmt.Println("STATUS OK")
			return
		}
		if err != nil {
			fmt.Printf("STATUS %s %s\n", status.Code(err), status.Convert(err).Message())
			return
		}
	}
}

// describe is what the test asserts on: which data the event carries, the Any's type URL and bytes, the
// message unpacked from it, and the time attribute as seconds and nanoseconds.
func describe(event protoreflect.Message) map[string]interface{} {
	line := map[string]interface{}{"id": event.Get(field(event, "id")).String(), "data_kind": nil}
	if which := event.WhichOneof(event.Descriptor().Oneofs().ByName("data")); which != nil {
		line["data_kind"] = string(which.Name())
	}
	if event.Has(field(event, "proto_data")) {
		packed := &anypb.Any{}
		assign(packed.ProtoReflect(), event.Get(field(event, "proto_data")).Message().Interface())
		line["proto_data"] = map[string]interface{}{"type_url": packed.GetTypeUrl(), "value": base64.StdEncoding.EncodeToString(packed.GetValue())}
		if message, err := packed.UnmarshalNew(); err != nil {
			line["unpacked"] = map[string]interface{}{"error": err.Error()}
		} else if duration, ok := message.(*durationpb.Duration); ok {
			line["unpacked"] = map[string]interface{}{"type": string(proto.MessageName(message)), "seconds": duration.GetSeconds(), "nanos": duration.GetNanos()}
		} else {
			line["unpacked"] = map[string]interface{}{"type": string(proto.MessageName(message))}
		}
	}
	attributes := event.Get(field(event, "attributes")).Map()
	if value := attributes.Get(protoreflect.ValueOfString("time").MapKey()); value.IsValid() {
		stamp := &timestamppb.Timestamp{}
		assign(stamp.ProtoReflect(), value.Message().Get(field(value.Message(), "ce_timestamp")).Message().Interface())
		line["time"] = map[string]interface{}{"seconds": stamp.GetSeconds(), "nanos": stamp.GetNanos()}
	}
	if value := attributes.Get(protoreflect.ValueOfString("datacontenttype").MapKey()); value.IsValid() {
		line["datacontenttype"] = value.Message().Get(field(value.Message(), "ce_string")).String()
	}
	return line
}

func loadDescriptors(path string) {
	raw, err := os.ReadFile(path)
	check("reading the descriptor set", err)
	set := &descriptorpb.FileDescriptorSet{}
	check("parsing the descriptor set", proto.Unmarshal(raw, set))
	files, err = protodesc.NewFiles(set)
	check("building the descriptors", err)
}

func newMessage(name string) *dynamicpb.Message {
	descriptor, err := files.FindDescriptorByName(protoreflect.FullName(name))
	check("finding "+name, err)
	message, ok := descriptor.(protoreflect.MessageDescriptor)
	if !ok {
		fail(name + " is not a message")
	}
	return dynamicpb.NewMessage(message)
}

func fromJSON(name, text string) *dynamicpb.Message {
	message := newMessage(name)
	check("building "+name, protojson.Unmarshal([]byte(text), message))
	return message
}

func field(message protoreflect.Message, name string) protoreflect.FieldDescriptor {
	fd := message.Descriptor().Fields().ByName(protoreflect.Name(name))
	if fd == nil {
		fail(fmt.Sprintf("%s has no field %s", message.Descriptor().FullName(), name))
	}
	return fd
}

// assign copies source into target through the wire format: the generated well-known types and the
// dynamic messages of the same name are different Go types.
func assign(target protoreflect.Message, source proto.Message) {
	raw, err := proto.Marshal(source)
	check("encoding "+string(source.ProtoReflect().Descriptor().FullName()), err)
	check("decoding "+string(target.Descriptor().FullName()), proto.Unmarshal(raw, target.Interface()))
}

func emit(kind string, value interface{}) {
	raw, err := json.Marshal(value)
	check("printing", err)
	fmt.Printf("%s %s\n", kind, raw)
}

func check(what string, err error) {
	if err != nil {
		fail(fmt.Sprintf("%s: %v", what, err))
	}
}

func fail(message string) {
	fmt.Printf("FAIL %s\n", message)
	os.Exit(1)
}
