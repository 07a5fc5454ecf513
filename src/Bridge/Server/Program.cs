using Bridge.Server.Hosting;

return await BridgeHost.RunAsync(args, Console.Error);
