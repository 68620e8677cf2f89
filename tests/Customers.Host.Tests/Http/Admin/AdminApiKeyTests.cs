using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Customers.Testing;
using Xunit;

namespace Customers.Host.Tests.Http.Admin;

/// <summary><c>/admin/api-keys</c>: create, list, read, rename, revoke and delete publishable and secret keys.</summary>
[Collection(HttpCollection.Name)]
public sealed class AdminApiKeyTests(CustomersApiFactory api)
{
    private const string Keys = "/admin/api-keys";

    private static readonly string[] DefaultKeys =
    [
        "id", "title", "token", "redacted", "type", "last_used_at", "updated_at", "created_at", "created_by", "revoked_at",
        "revoked_by", "sales_channels",
    ];

    [Fact]
    public async Task Creating_a_secret_key_shows_its_token_once_and_stores_only_its_hash()
    {
        var admin = await api.CreateAdminAsync();

        var created = (await api.Anonymous.PostAsync(Keys, new { title = "CI", type = "secret" }, admin.Token)).Expect(HttpStatusCode.OK);

        var key = created.Object["api_key"]!.AsObject();
        Assert.Equal(
            ["id", "token", "redacted", "title", "type", "last_used_at", "created_by", "created_at", "updated_at", "revoked_by", "revoked_at", "deleted_at"],
            key.Select(p => p.Key));
        var token = key["token"]!.GetValue<string>();
        Assert.Matches("^sk_[0-9a-f]{64}$", token);
        Assert.Matches("^apk_[0-9A-HJKMNP-TV-Z]{26}$", key.Id());
        Assert.Equal(token[..6] + "***" + token[^3..], key["redacted"]!.GetValue<string>());
        Assert.Equal(("CI", "secret", admin.UserId), (key["title"]!.GetValue<string>(), key["type"]!.GetValue<string>(), key["created_by"]!.GetValue<string>()));
        Assert.Null(key["revoked_at"]);

        var stored = await Db.ScalarAsync<string>(api.ConnectionString, "SELECT token FROM api_key WHERE id = $1", key.Id());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))), stored);
        var read = (await api.Anonymous.GetAsync($"{Keys}/{key.Id()}", admin.Token)).Expect(HttpStatusCode.OK).Object["api_key"]!.AsObject();
        Assert.Equal(DefaultKeys, read.Select(p => p.Key));
        Assert.Equal("", read["token"]!.GetValue<string>());
        Assert.Equal("[]", read["sales_channels"]!.ToJsonString());

        // The new key works at once.
        (await api.Anonymous.GetAsync("/admin/customers?limit=1", configure: AdminFixture.Basic(token))).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_database_refuses_a_plaintext_secret_key()
    {
        var error = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => Db.ExecuteAsync(
            api.ConnectionString,
            "INSERT INTO api_key (id, token, redacted, title, type, created_by) VALUES ($1, $2, 'sk_aaa***aaa', 'plain', 'secret', 'x')",
            "apk_plaintext",
            "sk_" + new string('a', 64)));

        Assert.Equal("ck_api_key_secret_hashed", error.ConstraintName);
    }

    [Fact]
    public async Task Publishable_keys_keep_showing_their_token_and_work_on_the_store()
    {
        var admin = await api.CreateAdminAsync();
        var customer = await api.CreateCustomerAsync();

        var key = (await api.Anonymous.PostAsync(Keys, new { title = "Web shop", type = "publishable" }, admin.Token))
            .Expect(HttpStatusCode.OK).Object["api_key"]!;
        var token = key["token"]!.GetValue<string>();
        var read = (await api.Anonymous.GetAsync($"{Keys}/{key.Id()}", admin.Token)).Expect(HttpStatusCode.OK).Object["api_key"]!;

        Assert.Matches("^pk_[0-9a-f]{64}$", token);
        Assert.Equal(token, read["token"]!.GetValue<string>());
        (await api.WithPublishableKey(token).GetAsync("/store/customers/me", customer.Token)).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task List_filters_by_type_and_q_pages_and_projects()
    {
        var admin = await api.CreateAdminAsync();
        var tag = Guid.NewGuid().ToString("N")[..12];
        var ids = new List<string>();
        foreach (var (title, type) in new[] { ($"{tag} one", "publishable"), ($"{tag} two", "secret"), ($"{tag} three", "publishable") })
        {
            api.Clock.Advance(TimeSpan.FromMilliseconds(2));
            ids.Add((await api.Anonymous.PostAsync(Keys, new { title, type }, admin.Token)).Expect(HttpStatusCode.OK).Object["api_key"]!.Id());
        }

        var all = (await api.Anonymous.GetAsync($"{Keys}?q={tag}", admin.Token)).Expect(HttpStatusCode.OK).Object;
        var publishable = (await api.Anonymous.GetAsync($"{Keys}?q={tag}&type=publishable", admin.Token)).Expect(HttpStatusCode.OK).Object;
        var page = (await api.Anonymous.GetAsync($"{Keys}?q={tag}&limit=1&offset=1&fields=id,title", admin.Token)).Expect(HttpStatusCode.OK).Object;
        var newest = (await api.Anonymous.GetAsync($"{Keys}?q={tag}&order=-created_at&limit=1", admin.Token)).Expect(HttpStatusCode.OK).Object;
        var byOr = (await api.Anonymous.GetAsync($"{Keys}?$or[0][id]={ids[0]}&$or[1][id]={ids[2]}", admin.Token)).Expect(HttpStatusCode.OK).Object;
        var defaults = (await api.Anonymous.GetAsync(Keys, admin.Token)).Expect(HttpStatusCode.OK).Object;

        Assert.Equal(ids, all["api_keys"]!.AsArray().Select(k => k!.Id()));
        Assert.Equal(3, all["count"]!.GetValue<long>());
        Assert.Equal([ids[0], ids[2]], publishable["api_keys"]!.AsArray().Select(k => k!.Id()));
        Assert.Equal($$"""{"api_keys":[{"id":"{{ids[1]}}","title":"{{tag}} two"}],"count":3,"offset":1,"limit":1}""", page.ToJsonString());
        Assert.Equal(ids[2], newest["api_keys"]![0]!.Id());
        Assert.Equal([ids[0], ids[2]], byOr["api_keys"]!.AsArray().Select(k => k!.Id()));
        Assert.Equal(20, defaults["limit"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("type=other", "Invalid request: Invalid enum value. Expected 'publishable' | 'secret', received 'other'")]
    [InlineData("order=salt", "Order field salt is not valid")]
    [InlineData("created_at[$gte]=yesterday-ish", "Invalid request: Expected type: 'date' for field 'created_at, $gte', got: 'yesterday-ish'")]
    [InlineData("salt=x", "Invalid request: Unrecognized fields: 'salt'")]
    public async Task List_refuses_bad_queries(string query, string message)
    {
        var admin = await api.CreateAdminAsync();

        var response = await api.Anonymous.GetAsync($"{Keys}?{query}", admin.Token);

        response.ExpectError(HttpStatusCode.BadRequest, "invalid_data", message);
    }

    [Theory]
    [InlineData("""{"type":"secret"}""", "Invalid request: Field 'title' is required")]
    [InlineData("""{"title":"x"}""", "Invalid request: Field 'type' is required")]
    [InlineData("""{"title":"x","type":"admin"}""", "Invalid request: Invalid enum value. Expected 'publishable' | 'secret', received 'admin'")]
    [InlineData("""{"title":"x","type":"secret","salt":"s"}""", "Invalid request: Unrecognized fields: 'salt'")]
    public async Task Create_validates_its_body(string body, string message)
    {
        var admin = await api.CreateAdminAsync();

        var response = await api.Anonymous.PostRawAsync(Keys, body, token: admin.Token);

        response.ExpectError(HttpStatusCode.BadRequest, "invalid_data", message);
    }

    [Fact]
    public async Task Update_renames_and_a_missing_key_is_404()
    {
        var admin = await api.CreateAdminAsync();
        var key = await api.CreateSecretKeyAsync("before");

        var renamed = (await api.Anonymous.PostAsync($"{Keys}/{key.Id}", new { title = "after" }, admin.Token)).Expect(HttpStatusCode.OK);
        var missing = await api.Anonymous.PostAsync($"{Keys}/apk_missing", new { title = "after" }, admin.Token);
        var noTitle = await api.Anonymous.PostAsync($"{Keys}/{key.Id}", new { }, admin.Token);
        var get = await api.Anonymous.GetAsync($"{Keys}/apk_missing", admin.Token);

        Assert.Equal("after", renamed.Object["api_key"]!["title"]!.GetValue<string>());
        missing.ExpectError(HttpStatusCode.NotFound, "not_found", "API Key with id: apk_missing was not found");
        noTitle.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Field 'title' is required");
        get.ExpectError(HttpStatusCode.NotFound, "not_found", "API Key with id: apk_missing was not found");
    }

    [Fact]
    public async Task Revoke_records_who_and_when_and_a_secret_key_is_revoked_once()
    {
        var admin = await api.CreateAdminAsync();
        var key = await api.CreateSecretKeyAsync();

        var revoked = (await api.Anonymous.PostAsync($"{Keys}/{key.Id}/revoke", token: admin.Token)).Expect(HttpStatusCode.OK);
        var again = await api.Anonymous.PostAsync($"{Keys}/{key.Id}/revoke", new { }, admin.Token);
        var missing = await api.Anonymous.PostAsync($"{Keys}/apk_missing/revoke", new { }, admin.Token);

        var body = revoked.Object["api_key"]!;
        Assert.Equal(admin.UserId, body["revoked_by"]!.GetValue<string>());
        Assert.NotNull(body["revoked_at"]);
        again.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "There are 1 secret keys that are already revoked.");
        missing.ExpectError(HttpStatusCode.NotFound, "not_found", "API Key with id: apk_missing was not found");
    }

    [Fact]
    public async Task Revoke_in_schedules_the_revocation()
    {
        var admin = await api.CreateAdminAsync();
        var key = await api.CreateSecretKeyAsync();

        var revoked = (await api.Anonymous.PostAsync($"{Keys}/{key.Id}/revoke", new { revoke_in = 3600 }, admin.Token)).Expect(HttpStatusCode.OK);
        var badType = await api.Anonymous.PostAsync($"{Keys}/{key.Id}/revoke", new { revoke_in = "soon" }, admin.Token);

        var revokedAt = DateTimeOffset.Parse(revoked.Object["api_key"]!["revoked_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(revokedAt, api.Clock.GetUtcNow().AddMinutes(59), api.Clock.GetUtcNow().AddMinutes(61));
        (await api.AdminGetAsync("/admin/customers?limit=1", key)).Expect(HttpStatusCode.OK);
        badType.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Expected type: 'number' for field 'revoke_in', got: 'soon'");
    }

    [Fact]
    public async Task Only_a_revoked_key_can_be_deleted_and_deleting_a_missing_one_is_fine()
    {
        var admin = await api.CreateAdminAsync();
        var key = await api.CreateSecretKeyAsync();

        var live = await api.Anonymous.DeleteAsync($"{Keys}/{key.Id}", admin.Token);
        (await api.Anonymous.PostAsync($"{Keys}/{key.Id}/revoke", new { }, admin.Token)).Expect(HttpStatusCode.OK);
        var deleted = await api.Anonymous.DeleteAsync($"{Keys}/{key.Id}", admin.Token);
        var missing = await api.Anonymous.DeleteAsync($"{Keys}/apk_missing", admin.Token);

        live.ExpectError(HttpStatusCode.BadRequest, "not_allowed", $"Cannot delete api keys that are not revoked - {key.Id}");
        deleted.Expect(HttpStatusCode.OK, $$"""{"id":"{{key.Id}}","object":"api_key","deleted":true}""");
        missing.Expect(HttpStatusCode.OK, """{"id":"apk_missing","object":"api_key","deleted":true}""");
        (await api.Anonymous.GetAsync($"{Keys}/{key.Id}", admin.Token)).Expect(HttpStatusCode.NotFound);
        (await api.AdminGetAsync("/admin/customers?limit=1", key)).ExpectUnauthorized();
    }

    [Fact]
    public async Task Secret_keys_can_manage_keys_and_are_named_as_their_creator()
    {
        var key = await api.CreateSecretKeyAsync();

        var created = (await api.AdminPostAsync(Keys, key, new JsonObject { ["title"] = "made by a key", ["type"] = "publishable" }))
            .Expect(HttpStatusCode.OK);

        Assert.Equal(key.Id, created.Object["api_key"]!["created_by"]!.GetValue<string>());
    }
}
