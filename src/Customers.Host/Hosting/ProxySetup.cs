using System.Net;
using Customers.Host.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Customers.Host.Hosting;

/// <summary>
/// ASP.NET Core's forwarded headers, trusting only <see cref="ProxyOptions"/>' proxies. The framework trusts loopback
/// by default and, with empty lists, every peer: both are cleared, and the middleware runs only when a proxy is
/// configured.
/// </summary>
internal static class ProxySetup
{
    public static WebApplicationBuilder AddCustomersProxies(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ProxyOptions>().BindConfiguration(ProxyOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ProxyOptions>, ProxyOptionsValidator>();
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((forwarded, proxies) =>
        {
            var settings = proxies.Value;
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.ForwardLimit = settings.ForwardLimit;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in settings.KnownProxies)
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in settings.KnownNetworks)
            {
                ProxyOptions.TryParseNetwork(network, out var parsed);
                forwarded.KnownIPNetworks.Add(parsed);
            }
        });
        return builder;
    }

    /// <summary>First in the pipeline, so every limit, log line and handler sees the client's own address.</summary>
    public static WebApplication UseCustomersProxies(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<ProxyOptions>>().Value.TrustsAnyProxy)
        {
            app.UseForwardedHeaders();
        }

        return app;
    }

    /// <summary>Names every bad entry, so start-up stops with a message that says what to fix.</summary>
    private sealed class ProxyOptionsValidator : IValidateOptions<ProxyOptions>
    {
        public ValidateOptionsResult Validate(string? name, ProxyOptions options)
        {
            var problems = options.Problems().ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
