using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Customers.Host.Stores;
using Customers.Host.Tests.Http.Admin;
using Customers.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;

namespace Customers.Host.Tests.Http.Fuzz;

/// <summary>
/// Sends generated hostile bodies and query strings (<see cref="HostileInput"/>, fixed seed, bounded count) to every
/// store, auth and admin route the app maps, as the caller each route expects, and asserts: never a 5xx; every refusal
/// a Medusa-shaped error (JSON with a message); and a refused write changes nothing in the database.
/// </summary>
public sealed class FuzzTests(FuzzTests.FuzzApiFactory api, ITestOutputHelper output) : IClassFixture<FuzzTests.FuzzApiFactory>
{
    private const int Seed = 20261206;
    private const int RequestsPerRoute = 10;

    /// <summary>What a refused write must leave alone: every entity table and every grain's stored state.</summary>
    private const string Fingerprint = """
        SELECT md5(coalesce(string_agg(row, ',' ORDER BY row), '')) FROM (
            SELECT 'c' || md5(c::text) AS row FROM customer c
            UNION ALL SELECT 'a' || md5(a::text) FROM customer_address a
            UNION ALL SELECT 'g' || md5(g::text) FROM customer_group g
            UNION ALL SELECT 'm' || md5(m::text) FROM customer_group_customer m
            UNION ALL SELECT 'i' || md5(i::text) FROM auth_identity i
            UNION ALL SELECT 'p' || md5(p::text) FROM provider_identity p
            UNION ALL SELECT 's' || grainidextensionstring || ':' || coalesce(version, 0) FROM orleansstorage
            UNION ALL SELECT 'k' || id || title || coalesce(revoked_at::text, '') || coalesce(deleted_at::text, '') FROM api_key
        ) rows
        """;

    [Fact]
    public async Task Hostile_requests_to_every_route_get_a_Medusa_shaped_4xx_and_refused_writes_change_nothing()
    {
        var targets = await TargetsAsync();
        var routes = Routes();
        Assert.True(routes.Count >= 40, $"only {routes.Count} routes found");
        var input = new HostileInput(Seed);
        var failures = new List<string>();
        var fingerprint = await FingerprintAsync();
        var sent = 0;
        var statuses = new SortedDictionary<int, int>();

        foreach (var (method, pattern) in routes)
        {
            for (var i = 0; i < RequestsPerRoute; i++)
            {
                var kind = (HostileInput.BodyKind)(i % Enum.GetValues<HostileInput.BodyKind>().Length);
                var path = targets.Fill(pattern);
                var query = method == "GET" || i % 3 == 0 ? "?" + input.QueryString() : "";
                HttpContent? content = null;
                if (method != "GET")
                {
                    var (bytes, mediaType) = input.Body(kind);
                    content = new ByteArrayContent(bytes);
                    content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
                }

                var response = await targets.SendAsync(new HttpMethod(method), path + query, content);
                sent++;
                statuses[(int)response.Status] = statuses.GetValueOrDefault((int)response.Status) + 1;
                var problem = Check(response);
                var after = await FingerprintAsync();
                if (problem is null && (int)response.Status >= 400 && method != "GET" && after != fingerprint)
                {
                    problem = "a refused write changed the database";
                }

                if (problem is not null)
                {
                    failures.Add($"{method} {pattern} (request {i}, {kind}): {problem}: {(int)response.Status} {Truncate(response.Body)}");
                }

                fingerprint = after;
            }
        }

        output.WriteLine($"{sent} hostile requests over {routes.Count} routes, seed {Seed}; statuses: "
            + string.Join(", ", statuses.Select(s => $"{s.Key} ×{s.Value}")));
        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} requests failed:\n" + string.Join('\n', failures.Take(40)));
    }

    /// <summary>Every store, auth and admin route, from the app's own endpoint table.</summary>
    private List<(string Method, string Pattern)> Routes()
    {
        var endpoints = api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        return endpoints
            .Where(e => e.RoutePattern.RawText is { } raw && (raw.StartsWith("/store", StringComparison.Ordinal)
                || raw.StartsWith("/auth", StringComparison.Ordinal) || raw.StartsWith("/admin", StringComparison.Ordinal)))
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (m, e.RoutePattern.RawText!)))
            .OrderBy(r => DeleteRank(r.m, r.Item2))
            .ThenBy(r => r.Item2, StringComparer.Ordinal).ThenBy(r => r.m, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Deletes go last, so a hostile request that is accepted cannot take the targets away from the other
    /// routes; logout very last, as it revokes the caller's tokens.</summary>
    private static int DeleteRank(string method, string pattern) =>
        method != "DELETE" ? 0 : pattern.StartsWith("/store", StringComparison.Ordinal) ? 1 : pattern.StartsWith("/admin", StringComparison.Ordinal) ? 2 : 3;

    /// <summary>Null when the answer is acceptable for hostile input: below 500 and, when refused, a Medusa error body.</summary>
    private static string? Check(ApiResponse response)
    {
        var status = (int)response.Status;
        if (status >= 500)
        {
            return "server error";
        }

        if (status < 400)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(response.Body) is JsonObject body && body["message"] is JsonValue message && message.TryGetValue<string>(out _)
                && response.ContentType?.StartsWith("application/json", StringComparison.Ordinal) == true
                ? null
                : "not a Medusa error body";
        }
        catch (JsonException)
        {
            return "not JSON";
        }
    }

    private async Task<string> FingerprintAsync() => (await Db.ScalarAsync<string>(api.ConnectionString, Fingerprint))!;

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";

    private async Task<Targets> TargetsAsync()
    {
        var key = await api.CreateSecretKeyAsync();
        var customer = await api.CreateCustomerAsync();
        var addressId = await api.AddAddressAsync(customer, new JsonObject { ["address_1"] = "Fuzz street 1" });
        var auth = await api.CreateCustomerAsync();
        var guest = (await api.AdminPostAsync("/admin/customers", key, new JsonObject { ["email"] = CustomersApiFactory.NewEmail("fuzz-guest") }))
            .Expect(HttpStatusCode.OK).Object["customer"]!["id"]!.GetValue<string>();
        (await api.AdminPostAsync($"/admin/customers/{guest}/addresses", key, new JsonObject { ["address_1"] = "Guest street 1" })).Expect(HttpStatusCode.OK);
        var guestAddress = (await Db.ScalarAsync<string>(api.ConnectionString, "SELECT id FROM customer_address WHERE customer_id = $1", guest))!;
        var registration = await api.RegisterAsync(CustomersApiFactory.NewEmail("fuzz-registration"), CustomersApiFactory.NewPassword());
        var group = (await api.AdminPostAsync("/admin/customer-groups", key, new JsonObject { ["name"] = "fuzz-" + Guid.NewGuid() }))
            .Expect(HttpStatusCode.OK).Object["customer_group"]!["id"]!.GetValue<string>();
        var publishable = await api.Services.GetRequiredService<ApiKeyStore>()
            .CreateAsync(ApiKeyStore.KeyType.Publishable, "fuzz target", "user_http_tests", CancellationToken.None);
        return new Targets(api, key, customer, addressId, guest, guestAddress, auth.Token, registration, group, publishable.Id);
    }

    /// <summary>Real ids for path parameters and the caller each route expects.</summary>
    private sealed record Targets(
        CustomersApiFactory Api, TestSecretKey Key, TestCustomer Customer, string AddressId, string GuestId, string GuestAddressId,
        string AuthToken, string RegistrationToken, string GroupId, string ApiKeyId)
    {
        public string Fill(string pattern)
        {
            var admin = pattern.StartsWith("/admin", StringComparison.Ordinal);
            return pattern
                .Replace("{actorType}", "customer", StringComparison.Ordinal)
                .Replace("{provider}", "emailpass", StringComparison.Ordinal)
                .Replace("{addressId}", admin ? GuestAddressId : AddressId, StringComparison.Ordinal)
                .Replace("{id}", pattern.StartsWith("/admin/customer-groups", StringComparison.Ordinal) ? GroupId
                    : pattern.StartsWith("/admin/api-keys", StringComparison.Ordinal) ? ApiKeyId : GuestId, StringComparison.Ordinal);
        }

        public Task<ApiResponse> SendAsync(HttpMethod method, string path, HttpContent? content)
        {
            if (path.StartsWith("/admin", StringComparison.Ordinal))
            {
                return Api.Anonymous.SendAsync(method, path, content, configure: AdminFixture.Basic(Key.Token));
            }

            var token = path.StartsWith("/store/customers/me", StringComparison.Ordinal) ? Customer.Token
                : path.StartsWith("/store/customers", StringComparison.Ordinal) ? RegistrationToken
                : AuthToken;
            return Api.Api.SendAsync(method, path, content, token);
        }
    }

    /// <summary>A host of its own: the fuzz writes nothing that other tests see, and the database stays small.</summary>
    public sealed class FuzzApiFactory : CustomersApiFactory
    {
        protected override string DatabasePrefix => "http_fuzz";
    }
}
