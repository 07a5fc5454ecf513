using Bridge.Server.Hosting;

await BridgeHost.Build(args).RunAsync();
