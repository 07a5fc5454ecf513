// A server reflection client built on grpc-go (grpc.reflection.v1alpha, what grpcurl and grpcui speak):
// lists the services of a gRPC endpoint, then describes one of them from the descriptors the server sends,
// without any .proto file. Prints SERVICE <name> per listed service and METHOD <service>/<name> <kind>
// per method of the described service; exits non-zero on any error.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/golang/protobuf/proto"
	"github.com/golang/protobuf/protoc-gen-go/descriptor"
	"google.golang.org/grpc"
	rpb "google.golang.org/grpc/reflection/grpc_reflection_v1alpha"
	"google.golang.org/grpc/status"
)

func main() {
	address := flag.String("address", "127.0.0.1:8081", "host:port of the gRPC endpoint")
	describe := flag.String("describe", "", "fully qualified service to describe")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := grpc.DialContext(ctx, *address, grpc.WithInsecure(), grpc.WithBlock())
	if err != nil {
		fail("DIAL", err)
	}
	defer conn.Close()

	stream, err := rpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
	if err != nil {
		fail("ERROR", err)
	}
	response := ask(stream, &rpb.ServerReflectionRequest{MessageRequest: &rpb.ServerReflectionRequest_ListServices{ListServices: "*"}})
	for _, service := range response.GetListServicesResponse().GetService() {
		fmt.Printf("SERVICE %s\n", service.GetName())
	}

	if *describe != "" {
		response = ask(stream, &rpb.ServerReflectionRequest{MessageRequest: &rpb.ServerReflectionRequest_FileContainingSymbol{FileContainingSymbol: *describe}})
		if e := response.GetErrorResponse(); e != nil {
			fmt.Printf("ERROR %d %s\n", e.GetErrorCode(), e.GetErrorMessage())
			os.Exit(1)
		}
		for _, raw := range response.GetFileDescriptorResponse().GetFileDescriptorProto() {
			file := &descriptor.FileDescriptorProto{}
			if err := proto.Unmarshal(raw, file); err != nil {
				fail("ERROR", err)
			}
			for _, service := range file.GetService() {
				if file.GetPackage()+"."+service.GetName() != *describe {
					continue
				}
				for _, method := range service.GetMethod() {
					fmt.Printf("METHOD %s/%s %s\n", *describe, method.GetName(), kind(method))
				}
			}
		}
	}
	stream.CloseSend()
}

func ask(stream rpb.ServerReflection_ServerReflectionInfoClient, request *rpb.ServerReflectionRequest) *rpb.ServerReflectionResponse {
	if err := stream.Send(request); err != nil {
		fail("ERROR", err)
	}
	response, err := stream.Recv()
	if err != nil {
		fail("ERROR", err)
	}
	return response
}

func kind(method *descriptor.MethodDescriptorProto) string {
	switch {
	case method.GetClientStreaming() && method.GetServerStreaming():
		return "duplex"
	case method.GetServerStreaming():
		return "server-streaming"
	case method.GetClientStreaming():
		return "client-streaming"
	default:
		return "unary"
	}
}

func fail(prefix string, err error) {
	fmt.Printf("%s %s %s\n", prefix, status.Code(err), status.Convert(err).Message())
	os.Exit(1)
}
