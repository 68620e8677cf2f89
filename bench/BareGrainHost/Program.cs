// The reference for GET /store/customers/me: what Kestrel plus one Orleans grain call costs on this machine, with
// nothing else (no auth, no routing groups, no middleware, no telemetry). One silo on localhost clustering; every
// request calls one grain (keyed by a rotating number, like /me's per-customer grains) that answers a cached JSON body
// of the given size, written as it is.
//
// Usage: dotnet BareGrainHost.dll --urls http://127.0.0.1:9500 [--body-bytes 900] [--grains 1000]
using System.Text;
using Orleans.Concurrency;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
var bodyBytes = builder.Configuration.GetValue("body-bytes", 900);
var grains = builder.Configuration.GetValue("grains", 1000);
builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort: builder.Configuration.GetValue("silo-port", 11311),
    gatewayPort: builder.Configuration.GetValue("gateway-port", 30311)));
builder.Services.AddSingleton(new BareBody(bodyBytes));

var app = builder.Build();
var next = 0;
app.MapGet("/bare", async (HttpContext http, IGrainFactory factory) =>
{
    var key = (uint)Interlocked.Increment(ref next) % (uint)grains;
    var body = (await factory.GetGrain<IBareGrain>(key).GetAsync()).Value;
    http.Response.ContentType = "application/json; charset=utf-8";
    http.Response.ContentLength = body.Length;
    await http.Response.Body.WriteAsync(body);
});
app.Run();

/// <summary>One cached JSON body of the requested size (a JSON object padded with a string).</summary>
public sealed class BareBody(int size)
{
    public byte[] Bytes { get; } = Build(size);

    private static byte[] Build(int size)
    {
        const string prefix = "{\"customer\":{\"padding\":\"";
        const string suffix = "\"}}";
        var padding = Math.Max(0, size - prefix.Length - suffix.Length);
        return Encoding.UTF8.GetBytes(prefix + new string('x', padding) + suffix);
    }
}

public interface IBareGrain : IGrainWithIntegerKey
{
    Task<Immutable<byte[]>> GetAsync();
}

/// <summary>Answers the same byte array every time, marked immutable so that Orleans passes it within the silo
/// without copying (as the customer grain's immutable snapshot is passed).</summary>
public sealed class BareGrain(BareBody body) : Grain, IBareGrain
{
    [ReadOnly]
    public Task<Immutable<byte[]>> GetAsync() => Task.FromResult(body.Bytes.AsImmutable());
}
