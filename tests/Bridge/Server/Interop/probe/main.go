// A gRPC health probe built on grpc-go, the library the kubelet's `grpc:` probe uses: insecure h2c,
// user agent kube-probe, one Check with a deadline. Prints the status; exits 0 only for SERVING.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

func main() {
	address := flag.String("address", "127.0.0.1:8081", "host:port of the gRPC endpoint")
	service := flag.String("service", "", "service to check; empty is the whole server")
	timeout := flag.Duration("timeout", time.Second, "deadline of the check")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := grpc.DialContext(ctx, *address, grpc.WithInsecure(), grpc.WithUserAgent("kube-probe/1.30"), grpc.WithBlock())
	if err != nil {
		fmt.Printf("DIAL %v\n", err)
		os.Exit(2)
	}
	defer conn.Close()

	check, cancelCheck := context.WithTimeout(context.Background(), *timeout)
	defer cancelCheck()
	response, err := grpc_health_v1.NewHealthClient(conn).Check(check, &grpc_health_v1.HealthCheckRequest{Service: *service})
	if err != nil {
		fmt.Printf("ERROR %s %s\n", status.Code(err), status.Convert(err).Message())
		os.Exit(1)
	}
	fmt.Printf("STATUS %s\n", response.GetStatus())
	if response.GetStatus() != grpc_health_v1.HealthCheckResponse_SERVING {
		os.Exit(1)
	}
}
