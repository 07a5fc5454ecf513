using Bridge.Notifier;

var builder = WebApplication.CreateBuilder(args);
builder.AddNotifier();
var app = builder.Build();
app.MapNotifierEndpoints();
await app.RunAsync().ConfigureAwait(false);
