using Bridge.Server.Hosting;
using Bridge.Server.Ingress;

var builder = BridgeHost.CreateBuilder(args);
builder.AddBridgeIngress();
builder.Services.AddBridgeKafka(builder.Configuration);
builder.AddBridgeGrpc();

var app = builder.Build();
app.MapBridgeIngress();
await app.RunAsync();
