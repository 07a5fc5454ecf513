module github.com/flagger-bridge/bridge/examples/clients/go

go 1.19
