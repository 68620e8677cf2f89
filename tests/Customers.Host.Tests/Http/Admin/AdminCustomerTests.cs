using Customers.Testing;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace Customers.Host.Tests.Http.Admin;

/// <summary>
/// <c>/admin/customers</c> and <c>/admin/customers/{id}</c> (docs/medusa-compatibility.md §6.1-§6.5). Each test
/// creates its customers with a fresh secret key and lists with <c>created_by=&lt;that key&gt;</c>, so it sees only
/// its own rows in the shared database.
/// </summary>
[Collection(HttpCollection.Name)]
public sealed class AdminCustomerTests(CustomersApiFactory api)
{
    private const string Customers = "/admin/customers";

    internal static readonly string[] AdminCustomerKeys =
    [
        "id", "company_name", "first_name", "last_name", "email", "phone", "metadata", "has_account", "created_by",
        "created_at", "updated_at", "deleted_at",
    ];

    [Fact]
    public async Task List_holds_every_customer_in_creation_order_with_a_count()
    {
        // docs/medusa-compatibility.md §6.1
        var key = await api.CreateSecretKeyAsync();
        var ids = new List<string>();
        foreach (var n in Enumerable.Range(1, 4))
        {
            ids.Add((await api.CreateGuestAsync(key, new JsonObject { ["email"] = $"test{n}-{Guid.NewGuid():N}@email.com" })).Id());
        }

        var response = (await api.AdminGetAsync($"{Customers}?created_by={key.Id}", key)).Expect(HttpStatusCode.OK);

        Assert.Equal(["customers", "count", "offset", "limit"], response.Object.Select(p => p.Key));
        Assert.Equal(4, response.Object["count"]!.GetValue<long>());
        Assert.Equal((0, 50), (response.Object["offset"]!.GetValue<int>(), response.Object["limit"]!.GetValue<int>()));
        var customers = response.Object["customers"]!.AsArray();
        Assert.Equal(ids, customers.Select(c => c!.Id()));
        Assert.All(customers, c => Assert.Equal(AdminCustomerKeys, c!.AsObject().Select(p => p.Key)));
    }

    [Fact]
    public async Task Q_searches_emails_names_phones_and_companies_case_insensitively()
    {
        // docs/medusa-compatibility.md §6.1 and §2.9
        var key = await api.CreateSecretKeyAsync();
        var tag = Guid.NewGuid().ToString("N")[..10];
        var one = await api.CreateGuestAsync(key, new JsonObject { ["email"] = $"{tag}test1@email.com", ["last_name"] = "Doe" });
        var two = await api.CreateGuestAsync(key, new JsonObject { ["email"] = $"{tag}test2@email.com", ["last_name"] = "Doe" });
        var three = await api.CreateGuestAsync(key, new JsonObject { ["email"] = $"{tag}test3@email.com", ["phone"] = "+45 1234", ["company_name"] = "Acme ApS" });

        async Task<List<string>> Search(string query) =>
            (await api.AdminGetAsync($"{Customers}?created_by={key.Id}&{query}", key)).Expect(HttpStatusCode.OK)
                .Object["customers"]!.AsArray().Select(c => c!.Id()).ToList();

        Assert.Equal([two.Id()], await Search("q=est2@"));
        Assert.Equal([one.Id(), two.Id()], await Search("q=do"));
        Assert.Equal([one.Id(), two.Id()], await Search("last_name=Doe"));
        Assert.Empty(await Search("last_name=doe")); // equality is exact
        Assert.Equal([three.Id()], await Search("q=1234"));
        Assert.Equal([three.Id()], await Search("q=ACME"));
        Assert.Equal([one.Id(), two.Id(), three.Id()], await Search("q="));
        Assert.Equal([one.Id(), two.Id(), three.Id()], await Search($"q={tag}%25@email")); // % is a wildcard, as in Medusa
        Assert.Equal([one.Id()], await Search($"q={tag}t_st1")); // and so is _
    }

    [Fact]
    public async Task Q_with_addresses_answers_the_customer_with_its_addresses()
    {
        // docs/medusa-compatibility.md §6.1
        var key = await api.CreateSecretKeyAsync();
        var email = $"test1-{Guid.NewGuid():N}@email.com";
        var customer = await api.CreateGuestAsync(key, new JsonObject { ["email"] = email });
        (await api.AdminPostAsync($"{Customers}/{customer.Id()}/addresses", key, new JsonObject { ["first_name"] = "John", ["last_name"] = "Doe" }))
            .Expect(HttpStatusCode.OK);

        var response = (await api.AdminGetAsync($"{Customers}?q={email}&fields=*addresses", key)).Expect(HttpStatusCode.OK);

        Assert.Equal(1, response.Object["count"]!.GetValue<long>());
        var found = response.Object["customers"]![0]!.AsObject();
        Assert.Equal(AdminCustomerKeys.Append("addresses"), found.Select(p => p.Key));
        var address = Assert.Single(found["addresses"]!.AsArray())!;
        Assert.Equal(("John", "Doe"), (address["first_name"]!.GetValue<string>(), address["last_name"]!.GetValue<string>()));
        Assert.Equal(StoreAddressKeys, address.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task Create_answers_the_new_guest_customer()
    {
        // docs/medusa-compatibility.md §6.2
        var admin = await api.CreateAdminAsync();
        var email = CustomersApiFactory.NewEmail("guest");

        var response = (await api.Anonymous.PostAsync(
            Customers,
            new { first_name = "John", last_name = "Doe", email, metadata = new { foo = "bar" } },
            admin.Token)).Expect(HttpStatusCode.OK);

        Assert.Equal(["customer"], response.Object.Select(p => p.Key));
        var customer = response.Object["customer"]!.AsObject();
        Assert.Equal(AdminCustomerKeys, customer.Select(p => p.Key));
        Assert.Matches("^cus_[0-9A-HJKMNP-TV-Z]{26}$", customer.Id());
        Assert.Equal(("John", "Doe", email), (customer["first_name"]!.GetValue<string>(), customer["last_name"]!.GetValue<string>(), customer["email"]!.GetValue<string>()));
        Assert.Equal("""{"foo":"bar"}""", customer["metadata"]!.ToJsonString());
        Assert.False(customer["has_account"]!.GetValue<bool>());
        Assert.Equal(admin.UserId, customer["created_by"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_needs_no_email()
    {
        // docs/medusa-compatibility.md §6.2
        var admin = await api.CreateAdminAsync();

        var response = (await api.Anonymous.PostAsync(Customers, new { first_name = "No", last_name = "Mail" }, admin.Token)).Expect(HttpStatusCode.OK);

        var customer = response.Object["customer"]!;
        Assert.Null(customer["email"]);
        Assert.Equal(JsonValueKind.String, customer["created_by"]!.GetValueKind());
    }

    [Fact]
    public async Task Create_with_a_taken_guest_email_is_400_but_an_account_email_is_fine()
    {
        var key = await api.CreateSecretKeyAsync();
        var member = await api.CreateCustomerAsync();
        var email = CustomersApiFactory.NewEmail("guest");
        await api.CreateGuestAsync(key, new JsonObject { ["email"] = email });

        var duplicate = await api.AdminPostAsync(Customers, key, new JsonObject { ["email"] = email });
        var sameAsAccount = await api.AdminPostAsync(Customers, key, new JsonObject { ["email"] = member.Email });

        duplicate.ExpectError(HttpStatusCode.BadRequest, "invalid_data", $"Customer with email: {email}, has_account: false, already exists.");
        sameAsAccount.Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Guest_and_account_customer_with_one_email_are_both_listed()
    {
        // docs/medusa-compatibility.md §5.1: an admin-created guest, then the same person signs up in the store.
        var key = await api.CreateSecretKeyAsync();
        var email = CustomersApiFactory.NewEmail("both");
        await api.CreateGuestAsync(key, new JsonObject { ["email"] = email });
        await api.CreateCustomerAsync(email: email);

        var response = (await api.AdminGetAsync($"{Customers}?email={Uri.EscapeDataString(email)}", key)).Expect(HttpStatusCode.OK);

        Assert.Equal(2, response.Object["count"]!.GetValue<long>());
        Assert.Equal([false, true], response.Object["customers"]!.AsArray().Select(c => c!["has_account"]!.GetValue<bool>()).Order());
    }

    [Theory]
    [InlineData("""{"has_account":true}""", "Invalid request: Unrecognized fields: 'has_account'")]
    [InlineData("""{"email":"not-an-email"}""", "Invalid request: Invalid email address")]
    [InlineData("""{"first_name":5}""", "Invalid request: Expected type: 'string' for field 'first_name', got: '5'")]
    [InlineData("""{"metadata":"x"}""", "Invalid request: Expected type: 'record' for field 'metadata', got: 'x'")]
    public async Task Create_validates_its_body(string body, string message)
    {
        var admin = await api.CreateAdminAsync();

        var response = await api.Anonymous.PostRawAsync(Customers, body, token: admin.Token);

        response.ExpectError(HttpStatusCode.BadRequest, "invalid_data", message);
    }

    [Fact]
    public async Task Create_accepts_and_ignores_additional_data()
    {
        var admin = await api.CreateAdminAsync();

        var response = await api.Anonymous.PostAsync(Customers, new { first_name = "Hook", additional_data = new { x = 1 } }, admin.Token);

        Assert.Equal("Hook", response.Expect(HttpStatusCode.OK).Object["customer"]!["first_name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Update_changes_what_is_sent_and_keeps_the_rest()
    {
        // docs/medusa-compatibility.md §6.4
        var key = await api.CreateSecretKeyAsync();
        var customer = await api.CreateGuestAsync(key, new JsonObject { ["first_name"] = "A", ["last_name"] = "B", ["email"] = CustomersApiFactory.NewEmail() });
        var email = CustomersApiFactory.NewEmail("changed");

        var full = (await api.AdminPostAsync($"{Customers}/{customer.Id()}", key, new JsonObject
        {
            ["first_name"] = "John",
            ["last_name"] = "Doe",
            ["email"] = email,
            ["metadata"] = new JsonObject { ["a"] = 1 },
        })).Expect(HttpStatusCode.OK).Object["customer"]!;
        var partial = (await api.AdminPostAsync($"{Customers}/{customer.Id()}", key, new JsonObject { ["first_name"] = "Jane" }))
            .Expect(HttpStatusCode.OK).Object["customer"]!;

        Assert.Equal(("John", "Doe", email), (full["first_name"]!.GetValue<string>(), full["last_name"]!.GetValue<string>(), full["email"]!.GetValue<string>()));
        Assert.Equal(("Jane", "Doe", email), (partial["first_name"]!.GetValue<string>(), partial["last_name"]!.GetValue<string>(), partial["email"]!.GetValue<string>()));
        Assert.Equal("""{"a":1}""", partial["metadata"]!.ToJsonString());
        Assert.Equal(AdminCustomerKeys, partial.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task Update_can_clear_the_email_and_a_taken_guest_email_is_400()
    {
        var key = await api.CreateSecretKeyAsync();
        var taken = CustomersApiFactory.NewEmail("taken");
        await api.CreateGuestAsync(key, new JsonObject { ["email"] = taken });
        var customer = await api.CreateGuestAsync(key, new JsonObject { ["email"] = CustomersApiFactory.NewEmail() });

        var clash = await api.AdminPostAsync($"{Customers}/{customer.Id()}", key, new JsonObject { ["email"] = taken });
        var cleared = await api.AdminPostAsync($"{Customers}/{customer.Id()}", key, new JsonObject { ["email"] = null });

        clash.ExpectError(HttpStatusCode.BadRequest, "invalid_data", $"Customer with email: {taken}, has_account: false, already exists.");
        Assert.Null(cleared.Expect(HttpStatusCode.OK).Object["customer"]!["email"]);
    }

    [Fact]
    public async Task Update_of_a_missing_customer_is_404_with_medusas_quoted_id()
    {
        var key = await api.CreateSecretKeyAsync();

        var response = await api.AdminPostAsync($"{Customers}/cus_missing", key, new JsonObject { ["first_name"] = "x" });

        response.ExpectError(HttpStatusCode.NotFound, "not_found", "Customer with id \"cus_missing\" not found");
    }

    [Fact]
    public async Task Get_answers_the_customer_and_honours_fields()
    {
        // docs/medusa-compatibility.md §6.3
        var key = await api.CreateSecretKeyAsync();
        var customer = await api.CreateGuestAsync(key, new JsonObject { ["first_name"] = "Get" });

        var plain = (await api.AdminGetAsync($"{Customers}/{customer.Id()}", key)).Expect(HttpStatusCode.OK);
        var some = (await api.AdminGetAsync($"{Customers}/{customer.Id()}?fields=first_name", key)).Expect(HttpStatusCode.OK);
        var more = (await api.AdminGetAsync($"{Customers}/{customer.Id()}?fields=%2Baddresses.city,-metadata,*groups,%2Borders.id", key)).Expect(HttpStatusCode.OK);

        Assert.True(JsonNode.DeepEquals(customer, plain.Object["customer"]), plain.Body);
        Assert.Equal($$$"""{"customer":{"first_name":"Get","id":"{{{customer.Id()}}}"}}""", some.Body);
        var expanded = more.Object["customer"]!.AsObject();
        Assert.DoesNotContain("metadata", expanded.Select(p => p.Key));
        Assert.Equal("[]", expanded["addresses"]!.ToJsonString());
        Assert.Equal("[]", expanded["groups"]!.ToJsonString());
        Assert.Equal("[]", expanded["orders"]!.ToJsonString());
    }

    [Fact]
    public async Task Get_of_a_missing_customer_is_404()
    {
        var key = await api.CreateSecretKeyAsync();

        var response = await api.AdminGetAsync($"{Customers}/cus_missing", key);

        response.ExpectError(HttpStatusCode.NotFound, "not_found", "Customer with id: cus_missing not found");
    }

    [Fact]
    public async Task Addresses_and_groups_come_only_when_asked_for()
    {
        // docs/medusa-compatibility.md §6.7 and §6.3: a customer in no group has groups: []
        var key = await api.CreateSecretKeyAsync();
        var customer = await api.CreateGuestAsync(key, new JsonObject { ["email"] = CustomersApiFactory.NewEmail() });
        var added = (await api.AdminPostAsync($"{Customers}/{customer.Id()}/addresses", key,
            new JsonObject { ["first_name"] = "John", ["last_name"] = "Doe", ["is_default_billing"] = true })).Expect(HttpStatusCode.OK);

        var response = (await api.AdminGetAsync($"{Customers}/{customer.Id()}?fields=*addresses,*groups", key)).Expect(HttpStatusCode.OK);

        Assert.Equal(AdminCustomerKeys, added.Object["customer"]!.AsObject().Select(p => p.Key));
        var found = response.Object["customer"]!;
        var address = Assert.Single(found["addresses"]!.AsArray())!;
        Assert.True(address["is_default_billing"]!.GetValue<bool>());
        Assert.Equal("[]", found["groups"]!.ToJsonString());
    }

    [Fact]
    public async Task Deleting_a_guest_is_a_soft_delete()
    {
        // docs/medusa-compatibility.md §6.5
        var key = await api.CreateSecretKeyAsync();
        var customer = await api.CreateGuestAsync(key, new JsonObject { ["email"] = CustomersApiFactory.NewEmail() });

        var response = await api.AdminDeleteAsync($"{Customers}/{customer.Id()}", key);

        response.Expect(HttpStatusCode.OK, $$"""{"id":"{{customer.Id()}}","object":"customer","deleted":true}""");
        Assert.NotNull(await Db.ScalarAsync<DateTime?>(api.ConnectionString, "SELECT deleted_at FROM customer WHERE id = $1", customer.Id()));
        (await api.AdminGetAsync($"{Customers}/{customer.Id()}", key)).Expect(HttpStatusCode.NotFound);
        var list = (await api.AdminGetAsync($"{Customers}?created_by={key.Id}", key)).Expect(HttpStatusCode.OK);
        Assert.Equal(0, list.Object["count"]!.GetValue<long>());
        (await api.AdminPostAsync($"{Customers}/{customer.Id()}", key, new JsonObject { ["first_name"] = "x" })).Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Deleting_a_missing_customer_answers_200_too()
    {
        var key = await api.CreateSecretKeyAsync();

        var response = await api.AdminDeleteAsync($"{Customers}/cus_missing", key);

        response.Expect(HttpStatusCode.OK, """{"id":"cus_missing","object":"customer","deleted":true}""");
    }

    [Fact]
    public async Task Deleting_an_account_customer_deletes_its_login_and_revokes_its_tokens()
    {
        // docs/medusa-compatibility.md §3.16: an identity linked to nothing else is deleted; the e-mail can register again.
        var key = await api.CreateSecretKeyAsync();
        var customer = await api.CreateCustomerAsync();
        (await api.Api.GetAsync("/store/customers/me", customer.Token)).Expect(HttpStatusCode.OK);

        var response = await api.AdminDeleteAsync($"{Customers}/{customer.CustomerId}", key);

        response.Expect(HttpStatusCode.OK, $$"""{"id":"{{customer.CustomerId}}","object":"customer","deleted":true}""");
        Assert.Equal(0L, await Db.ScalarAsync<long>(api.ConnectionString, "SELECT count(*) FROM auth_identity WHERE id = $1", customer.AuthIdentityId));
        Assert.Equal(0L, await Db.ScalarAsync<long>(api.ConnectionString, "SELECT count(*) FROM auth_identity WHERE app_metadata ->> 'customer_id' = $1", customer.CustomerId));
        (await api.Api.GetAsync("/store/customers/me", customer.Token)).ExpectUnauthorized();
        (await api.Api.PostAsync("/auth/customer/emailpass", new { email = customer.Email, password = customer.Password }))
            .ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "Invalid email or password");
        var again = await api.CreateCustomerAsync(email: customer.Email);
        Assert.NotEqual(customer.CustomerId, again.CustomerId);
        var metadata = JsonNode.Parse(Assert.Single(await IdentityDeletedEventsAsync(customer.AuthIdentityId)));
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["source"] = "auth", ["object"] = "auth_identity", ["action"] = "deleted" }, metadata));
    }

    [Fact]
    public async Task Deleting_the_customer_of_an_admin_keeps_the_admin_login_and_unlinks_the_customer()
    {
        // The identity also serves an admin user: it survives with customer_id: null (docs/medusa-compatibility.md §3.16 step 3).
        var key = await api.CreateSecretKeyAsync();
        var admin = await api.CreateAdminAsync();
        var asCustomer = await api.LoginAsync(admin.Email, admin.Password);
        var customerId = (await api.Api.PostAsync("/store/customers", new { email = admin.Email }, asCustomer))
            .Expect(HttpStatusCode.OK).Object["customer"]!.Id();
        var identityId = Jwt.Payload(admin.Token)["auth_identity_id"]!.GetValue<string>();

        (await api.AdminDeleteAsync($"{Customers}/{customerId}", key)).Expect(HttpStatusCode.OK);

        var appMetadata = await Db.ScalarAsync<string>(api.ConnectionString, "SELECT app_metadata::text FROM auth_identity WHERE id = $1", identityId);
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["user_id"] = admin.UserId, ["customer_id"] = null }, JsonNode.Parse(appMetadata!)), appMetadata);
        var newToken = (await api.Anonymous.PostAsync("/auth/user/emailpass", new { email = admin.Email, password = admin.Password }))
            .Expect(HttpStatusCode.OK).Token();
        (await api.Anonymous.GetAsync("/admin/users/me", newToken)).Expect(HttpStatusCode.OK);
        (await api.Anonymous.GetAsync("/admin/users/me", admin.Token)).ExpectUnauthorized(); // every earlier token was revoked
        Assert.Empty(await IdentityDeletedEventsAsync(identityId));
    }

    /// <summary>The metadata of each <c>auth.auth-identity.deleted</c> event of one identity.</summary>
    private async Task<List<string>> IdentityDeletedEventsAsync(string identityId) =>
        (await Db.RowsAsync(api.ConnectionString,
            "SELECT metadata::text AS metadata FROM event_outbox WHERE name = 'auth.auth-identity.deleted' AND data ->> 'id' = $1", identityId))
        .Select(r => (string)r["metadata"]!).ToList();

    /// <summary>A nested address (<c>*addresses</c>): every column.</summary>
    internal static readonly string[] StoreAddressKeys =
    [
        "id", "address_name", "is_default_shipping", "is_default_billing", "company", "first_name", "last_name",
        "address_1", "address_2", "city", "country_code", "province", "postal_code", "phone", "metadata", "customer_id",
        "created_at", "updated_at", "deleted_at",
    ];
}
