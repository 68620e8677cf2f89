using System.Net;
using Customers.Host.Stores;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Customers.Host.Tests.Http.Admin.AdminFixture;

namespace Customers.Host.Tests.Http.Admin;

/// <summary>
/// Walks every route the host maps under <c>/admin</c>, read from its own <see cref="EndpointDataSource"/> (so a route
/// added later is swept without touching this test), and calls each method with every credential that must not pass.
/// </summary>
[Collection(HttpCollection.Name)]
public sealed class AdminSweepTests(CustomersApiFactory api)
{
    [Fact]
    public async Task No_admin_route_answers_anything_but_401_without_an_admin_credential()
    {
        var routes = AdminRoutes();
        var customer = await api.CreateCustomerAsync();
        var customerCookie = await api.StartSessionAsync(customer.Token);
        var secret = await api.CreateSecretKeyAsync("swept, then revoked");
        var revoked = await api.CreateSecretKeyAsync("revoked before the sweep");
        await api.Services.GetRequiredService<ApiKeyStore>().RevokeAsync(revoked.Id, "user_http_tests", TimeSpan.Zero, CancellationToken.None);

        var credentials = new Dictionary<string, (ApiClient Client, string? Token, Action<HttpRequestMessage>? Configure)>
        {
            ["no credentials"] = (api.Anonymous, null, null),
            ["customer token"] = (api.Anonymous, customer.Token, null),
            ["customer session"] = (api.Anonymous, null, Cookie(customerCookie)),
            ["registration token"] = (api.Anonymous, customer.RegistrationToken, null),
            ["publishable key header"] = (api.Api, null, null),
            ["publishable key as basic"] = (api.Anonymous, null, Basic(api.PublishableKey)),
            ["revoked secret key"] = (api.Anonymous, null, Basic(revoked.Token)),
            ["secret key as bearer"] = (api.Anonymous, secret.Token, null),
        };

        var failures = new List<string>();
        foreach (var (method, path) in routes)
        {
            foreach (var (name, (client, token, configure)) in credentials)
            {
                var response = await client.SendAsync(new HttpMethod(method), path, ApiClient.JsonContent(new { }), token, configure);
                if (response.Status != HttpStatusCode.Unauthorized || response.Type is not null)
                {
                    failures.Add($"{method} {path} with {name}: {(int)response.Status} {response.Body}");
                }
            }

            // And the same route does open for a valid secret key (the sweep would prove nothing if every route were dead).
            var admitted = await api.Anonymous.SendAsync(new HttpMethod(method), path, ApiClient.JsonContent(new { }), configure: Basic(secret.Token));
            if (admitted.Status == HttpStatusCode.Unauthorized && !path.EndsWith("/users/me", StringComparison.Ordinal)
                || (int)admitted.Status >= 500)
            {
                failures.Add($"{method} {path} with a valid secret key: {(int)admitted.Status} {admitted.Body}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Sweep_sees_every_admin_area()
    {
        var routes = AdminRoutes().Select(r => $"{r.Method} {r.Path}").ToList();

        Assert.Contains("GET /admin/users/me", routes);
        Assert.Contains("GET /admin/api-keys", routes);
        Assert.Contains("POST /admin/api-keys/x/revoke", routes);
        Assert.Contains("GET /admin/customers", routes);
        Assert.Contains("DELETE /admin/customers/x", routes);
        Assert.Contains("DELETE /admin/customers/x/addresses/x", routes);
        Assert.Contains("POST /admin/customers/x/customer-groups", routes);
        Assert.Contains("GET /admin/customer-groups", routes);
        Assert.Contains("DELETE /admin/customer-groups/x", routes);
        Assert.Contains("POST /admin/customer-groups/x/customers", routes);
        Assert.True(routes.Count >= 16, string.Join("\n", routes));
    }

    /// <summary>Every (method, path) mapped under /admin, route parameters filled with <c>x</c>.</summary>
    private List<(string Method, string Path)> AdminRoutes()
    {
        var sources = api.Services.GetRequiredService<IEnumerable<EndpointDataSource>>();
        var routes = new List<(string, string)>();
        foreach (var endpoint in sources.SelectMany(source => source.Endpoints).OfType<RouteEndpoint>())
        {
            var pattern = endpoint.RoutePattern;
            var raw = "/" + (pattern.RawText ?? "").TrimStart('/');
            if (!raw.StartsWith("/admin", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var path = "/" + string.Join('/', pattern.PathSegments.Select(segment =>
                string.Concat(segment.Parts.Select(part => part switch
                {
                    Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
                    Microsoft.AspNetCore.Routing.Patterns.RoutePatternSeparatorPart separator => separator.Content,
                    _ => "x",
                }))));
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET", "POST", "PUT", "PATCH", "DELETE"];
            routes.AddRange(methods.Select(method => (method, path)));
        }

        return routes.Distinct().OrderBy(r => r.Item2, StringComparer.Ordinal).ThenBy(r => r.Item1, StringComparer.Ordinal).ToList();
    }
}
