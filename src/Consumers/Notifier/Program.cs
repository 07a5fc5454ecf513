using Bridge.Notifier;

var builder = WebApplication.CreateBuilder(args);
builder.AddNotifier();
var app = builder.Build();
app.MapNotifierEndpoints();
await app.RunAsync().ConfigureAwait(false);

/// <summary>The entry point; public so that tests can start the notifier in process.</summary>
public partial class Program;
