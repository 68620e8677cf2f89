using Customers.Testing;
using System.Net;
using System.Text.Json.Nodes;
using Customers.Abstractions.Customers;
using Customers.Abstractions.Ids;
using Customers.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Customers.Host.Tests.Http;

/// <summary><c>POST /store/customers</c>, <c>GET</c> and <c>POST /store/customers/me</c>
/// (docs/medusa-compatibility.md §5.1-§5.3).</summary>
[Collection(HttpCollection.Name)]
public sealed class StoreCustomerTests(CustomersApiFactory api)
{
    private const string Customers = "/store/customers";
    private const string Me = "/store/customers/me";

    internal static readonly string[] DefaultCustomerKeys =
    [
        "id", "email", "company_name", "first_name", "last_name", "phone", "metadata", "has_account", "deleted_at",
        "created_at", "updated_at", "addresses",
    ];

    internal const string TimestampPattern = @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$";

    [Fact]
    public async Task Create_without_credentials_is_401()
    {
        var response = await api.Api.PostAsync(Customers, new { email = CustomersApiFactory.NewEmail() });

        response.ExpectUnauthorized();
    }

    [Fact]
    public async Task Create_with_the_registration_token_makes_the_account_customer_with_the_values_sent()
    {
        var email = CustomersApiFactory.NewEmail();
        var registration = await api.RegisterAsync(email, CustomersApiFactory.NewPassword());
        var metadata = new JsonObject { ["loyalty_level"] = "gold", ["preferences"] = new JsonObject { ["newsletter"] = true }, ["empty"] = "", ["nothing"] = null };

        var response = await api.Api.PostAsync(Customers, new JsonObject
        {
            ["email"] = email,
            ["first_name"] = "John",
            ["last_name"] = "Doe",
            ["phone"] = "+45 1234",
            ["company_name"] = "Acme",
            ["metadata"] = metadata.DeepClone(),
        }, registration);

        response.Expect(HttpStatusCode.OK);
        Assert.Equal("application/json; charset=utf-8", response.ContentType);
        Assert.Equal(["customer"], response.Object.Select(p => p.Key));
        var customer = response.Object["customer"]!.AsObject();
        Assert.Equal(DefaultCustomerKeys, customer.Select(p => p.Key));
        Assert.Matches("^cus_[0-9A-HJKMNP-TV-Z]{26}$", customer["id"]!.GetValue<string>());
        Assert.Equal(email, customer["email"]!.GetValue<string>());
        Assert.Equal("John", customer["first_name"]!.GetValue<string>());
        Assert.Equal("Doe", customer["last_name"]!.GetValue<string>());
        Assert.Equal("+45 1234", customer["phone"]!.GetValue<string>());
        Assert.Equal("Acme", customer["company_name"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(metadata, customer["metadata"]), customer["metadata"]?.ToJsonString());
        Assert.True(customer["has_account"]!.GetValue<bool>());
        Assert.Null(customer["deleted_at"]);
        Assert.Matches(TimestampPattern, customer["created_at"]!.GetValue<string>());
        Assert.Equal(customer["created_at"]!.GetValue<string>(), customer["updated_at"]!.GetValue<string>());
        Assert.Empty(customer["addresses"]!.AsArray());
    }

    [Fact]
    public async Task Create_accepts_an_email_other_than_the_identity_one()
    {
        var registration = await api.RegisterAsync(CustomersApiFactory.NewEmail(), CustomersApiFactory.NewPassword());
        var other = CustomersApiFactory.NewEmail("other");

        var response = await api.Api.PostAsync(Customers, new { email = other }, registration);

        Assert.Equal(other, response.Expect(HttpStatusCode.OK).Object["customer"]!["email"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_with_an_already_linked_token_is_refused()
    {
        var customer = await api.CreateCustomerAsync();

        var response = await api.Api.PostAsync(Customers, new { email = CustomersApiFactory.NewEmail() }, customer.Token);

        response.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Request already authenticated as a customer.");
    }

    [Fact]
    public async Task Create_again_with_the_registration_token_after_linking_is_refused_and_changes_nothing()
    {
        var customer = await api.CreateCustomerAsync();
        var otherEmail = CustomersApiFactory.NewEmail();

        var response = await api.Api.PostAsync(Customers, new { email = otherEmail }, customer.RegistrationToken);

        response.Expect(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_data", response.Type);
        Assert.Equal(0L, await Db.ScalarAsync<long>(api.ConnectionString, "SELECT count(*) FROM customer WHERE email = $1", otherEmail));
        var me = (await api.Api.GetAsync(Me, customer.Token)).Expect(HttpStatusCode.OK);
        Assert.Equal(customer.Email, me.Object["customer"]!["email"]!.GetValue<string>());
    }

    [Fact]
    public async Task Body_is_validated_before_the_already_linked_check()
    {
        var customer = await api.CreateCustomerAsync();

        var response = await api.Api.PostAsync(Customers, new { email = CustomersApiFactory.NewEmail(), foo = 1 }, customer.Token);

        response.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Unrecognized fields: 'foo'");
    }

    [Theory]
    [InlineData("""{"first_name":"John"}""")]
    [InlineData("""{"email":null}""")]
    [InlineData("""{}""")]
    public async Task Create_without_email_is_refused(string body)
    {
        var registration = await api.RegisterAsync(CustomersApiFactory.NewEmail(), CustomersApiFactory.NewPassword());

        var response = await api.Api.PostRawAsync(Customers, body, token: registration);

        response.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Email is required to create a customer");
    }

    [Theory]
    [InlineData("""{"email":"not-an-email"}""", "Invalid request: Invalid email address")]
    [InlineData("""{"email":"a@b.co","foo":"bar"}""", "Invalid request: Unrecognized fields: 'foo'")]
    [InlineData("""{"email":"a@b.co","foo":1,"bar":2}""", "Invalid request: Unrecognized fields: 'foo, bar'")]
    [InlineData("""{"email":"a@b.co","has_account":false}""", "Invalid request: Unrecognized fields: 'has_account'")]
    [InlineData("""{"email":"a@b.co","first_name":5}""", "Invalid request: Expected type: 'string' for field 'first_name', got: '5'")]
    [InlineData("""{"email":"a@b.co","metadata":"x"}""", "Invalid request: Expected type: 'record' for field 'metadata', got: 'x'")]
    public async Task Create_with_an_invalid_body_is_400_invalid_data(string body, string message)
    {
        var registration = await api.RegisterAsync(CustomersApiFactory.NewEmail(), CustomersApiFactory.NewPassword());

        var response = await api.Api.PostRawAsync(Customers, body, token: registration);

        response.ExpectError(HttpStatusCode.BadRequest, "invalid_data", message);
        var identityId = Jwt.Payload(registration)["auth_identity_id"]!.GetValue<string>();
        Assert.Null(await Db.ScalarAsync<string>(api.ConnectionString, "SELECT app_metadata ->> 'customer_id' FROM auth_identity WHERE id = $1", identityId));
    }

    [Fact]
    public async Task Create_with_the_email_of_an_account_customer_is_422_and_leaves_the_identity_unlinked()
    {
        var existing = await api.CreateCustomerAsync();
        var registration = await api.RegisterAsync(CustomersApiFactory.NewEmail(), CustomersApiFactory.NewPassword());
        var identityId = Jwt.Payload(registration)["auth_identity_id"]!.GetValue<string>();
        var versionBefore = await Db.StoredVersionAsync(api.ConnectionString, StateNames.AuthIdentity, identityId);

        var duplicate = await api.Api.PostAsync(Customers, new { email = existing.Email }, registration);

        duplicate.Expect(
            HttpStatusCode.UnprocessableEntity,
            """{"code":"invalid_request_error","type":"duplicate_error","message":"Customer with this email already has an account"}""");
        Assert.Equal(1L, await Db.ScalarAsync<long>(api.ConnectionString, "SELECT count(*) FROM customer WHERE email = $1", existing.Email));
        Assert.Equal(versionBefore, await Db.StoredVersionAsync(api.ConnectionString, StateNames.AuthIdentity, identityId));
        var retry = await api.Api.PostAsync(Customers, new { email = CustomersApiFactory.NewEmail() }, registration);
        retry.Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Create_again_with_the_registration_token_and_its_email_is_422_as_in_Medusa()
    {
        var customer = await api.CreateCustomerAsync();

        var again = await api.Api.PostAsync(Customers, new { email = customer.Email }, customer.RegistrationToken);
        var otherEmail = await api.Api.PostAsync(Customers, new { email = CustomersApiFactory.NewEmail() }, customer.RegistrationToken);

        again.Expect(
            HttpStatusCode.UnprocessableEntity,
            """{"code":"invalid_request_error","type":"duplicate_error","message":"Customer with this email already has an account"}""");
        otherEmail.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Identity is already linked to a customer.");
        Assert.Equal(1L, await Db.ScalarAsync<long>(api.ConnectionString, "SELECT count(*) FROM customer WHERE email = $1", customer.Email));
    }

    [Fact]
    public async Task Guest_with_the_same_email_does_not_block_the_account()
    {
        var email = CustomersApiFactory.NewEmail("guest");
        var guestId = EntityId.New(EntityId.Customer, DateTimeOffset.UtcNow);
        await api.Services.GetRequiredService<IGrainFactory>().GetGrain<ICustomerGrain>(guestId)
            .CreateAsync(new CreateCustomer(email, null, "Guest", null, null, null, HasAccount: false, CreatedBy: "user_http_tests"));

        var customer = await api.CreateCustomerAsync(email: email);

        var me = (await api.Api.GetAsync(Me, customer.Token)).Expect(HttpStatusCode.OK).Object["customer"]!;
        Assert.True(me["has_account"]!.GetValue<bool>());
        Assert.NotEqual(guestId, customer.CustomerId);
        var rows = await Db.RowsAsync(api.ConnectionString, "SELECT id, has_account FROM customer WHERE email = $1 ORDER BY has_account", email);
        Assert.Equal([(guestId, false), (customer.CustomerId, true)], rows.Select(r => ((string)r["id"]!, (bool)r["has_account"]!)));
    }

    [Fact]
    public async Task Concurrent_sign_ups_with_one_email_create_exactly_one_account_customer()
    {
        var email = CustomersApiFactory.NewEmail("race");
        var tokens = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            tokens.Add(await api.RegisterAsync(CustomersApiFactory.NewEmail("racer"), CustomersApiFactory.NewPassword()));
        }

        var responses = await Task.WhenAll(tokens.Select(t => api.Api.PostAsync(Customers, new { email }, t)));

        Assert.Single(responses, r => r.Status == HttpStatusCode.OK);
        Assert.All(responses.Where(r => r.Status != HttpStatusCode.OK), r => r.Expect(
            HttpStatusCode.UnprocessableEntity,
            """{"code":"invalid_request_error","type":"duplicate_error","message":"Customer with this email already has an account"}"""));
        Assert.Equal(1L, await Db.ScalarAsync<long>(api.ConnectionString, "SELECT count(*) FROM customer WHERE email = $1", email));
        var linked = await Db.ScalarAsync<long>(
            api.ConnectionString,
            "SELECT count(*) FROM auth_identity WHERE id = ANY($1) AND app_metadata ->> 'customer_id' IS NOT NULL",
            [tokens.Select(t => Jwt.Payload(t)["auth_identity_id"]!.GetValue<string>()).ToArray()]);
        Assert.Equal(1L, linked);
    }

    [Fact]
    public async Task Concurrent_creates_with_one_registration_token_link_exactly_one_customer()
    {
        var registration = await api.RegisterAsync(CustomersApiFactory.NewEmail(), CustomersApiFactory.NewPassword());
        var emails = Enumerable.Range(0, 4).Select(i => CustomersApiFactory.NewEmail($"attempt{i}")).ToArray();

        var responses = await Task.WhenAll(emails.Select(e => api.Api.PostAsync(Customers, new { email = e }, registration)));

        var winner = Assert.Single(responses, r => r.Status == HttpStatusCode.OK);
        Assert.All(responses.Where(r => r.Status != HttpStatusCode.OK), r => Assert.Equal("invalid_data", r.Expect(HttpStatusCode.BadRequest).Type));
        var customerId = winner.Object["customer"]!["id"]!.GetValue<string>();
        Assert.Equal(1L, await Db.ScalarAsync<long>(api.ConnectionString, "SELECT count(*) FROM customer WHERE email = ANY($1)", [emails]));
        var identityId = Jwt.Payload(registration)["auth_identity_id"]!.GetValue<string>();
        Assert.Equal(customerId, await Db.ScalarAsync<string>(api.ConnectionString, "SELECT app_metadata ->> 'customer_id' FROM auth_identity WHERE id = $1", identityId));
    }

    [Fact]
    public async Task Create_with_a_user_token_is_401()
    {
        var email = CustomersApiFactory.NewEmail();
        var password = CustomersApiFactory.NewPassword();
        await api.RegisterAsync(email, password);
        var userToken = (await api.Api.PostAsync("/auth/user/emailpass", new { email, password })).Expect(HttpStatusCode.OK).Token();

        var response = await api.Api.PostAsync(Customers, new { email }, userToken);

        response.ExpectUnauthorized();
    }

    [Fact]
    public async Task Get_me_answers_the_callers_customer_in_the_default_shape()
    {
        var customer = await api.CreateCustomerAsync(new JsonObject { ["first_name"] = "Grace", ["last_name"] = "Hopper" });

        var response = (await api.Api.GetAsync(Me, customer.Token)).Expect(HttpStatusCode.OK);

        Assert.Equal(["customer"], response.Object.Select(p => p.Key));
        var me = response.Object["customer"]!.AsObject();
        Assert.Equal(DefaultCustomerKeys, me.Select(p => p.Key));
        Assert.Equal(customer.CustomerId, me["id"]!.GetValue<string>());
        Assert.Equal(customer.Email, me["email"]!.GetValue<string>());
        Assert.Equal("Grace", me["first_name"]!.GetValue<string>());
        Assert.Equal("Hopper", me["last_name"]!.GetValue<string>());
        Assert.Null(me["metadata"]);
        Assert.Null(me["phone"]);
    }

    [Fact]
    public async Task Get_me_ignores_an_empty_locale_header_like_the_SDK_sends()
    {
        var customer = await api.CreateCustomerAsync();

        var response = await api.Api.GetAsync(Me, customer.Token, r => r.Headers.TryAddWithoutValidation("x-medusa-locale", ""));

        response.Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Get_me_with_the_registration_token_is_401()
    {
        var customer = await api.CreateCustomerAsync();

        var response = await api.Api.GetAsync(Me, customer.RegistrationToken);

        response.ExpectUnauthorized();
    }

    [Fact]
    public async Task Get_me_for_a_token_whose_customer_does_not_exist_is_404()
    {
        var customer = await api.CreateCustomerAsync();
        var missing = EntityId.New(EntityId.Customer, DateTimeOffset.UtcNow);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var token = Jwt.Sign(new JsonObject
        {
            ["actor_id"] = missing,
            ["actor_type"] = "customer",
            ["auth_identity_id"] = customer.AuthIdentityId,
            ["iat"] = now,
            ["exp"] = now + 600,
        }, api.JwtKey);

        var response = await api.Api.GetAsync(Me, token);

        response.ExpectError(HttpStatusCode.NotFound, "not_found", $"Customer with id: {missing} was not found");
    }

    [Theory]
    [InlineData("?foo=1", "Invalid request: Unrecognized fields: 'foo'")]
    [InlineData("?expand=addresses", "Invalid request: Unrecognized fields: 'expand'")]
    [InlineData("?fields=id&fields=email", "Invalid request: Expected type: 'string' for field 'fields', got: 'id,email'")]
    public async Task Get_me_rejects_unknown_or_repeated_query_parameters(string query, string message)
    {
        var customer = await api.CreateCustomerAsync();

        var response = await api.Api.GetAsync(Me + query, customer.Token);

        response.ExpectError(HttpStatusCode.BadRequest, "invalid_data", message);
    }

    [Theory]
    [InlineData("id,email", new[] { "id", "email" })]
    [InlineData("email", new[] { "email", "id" })]
    [InlineData("", new[] { "id" })]
    [InlineData("id,-email", new[] { "id", "email" })]
    [InlineData("-email,-phone", new[] { "id", "company_name", "first_name", "last_name", "metadata", "has_account", "deleted_at", "created_at", "updated_at", "addresses" })]
    [InlineData("%2Bphone", new[] { "id", "email", "company_name", "first_name", "last_name", "phone", "metadata", "has_account", "deleted_at", "created_at", "updated_at", "addresses" })]
    [InlineData("*groups", new[] { "id", "email", "company_name", "first_name", "last_name", "phone", "metadata", "has_account", "deleted_at", "created_at", "updated_at", "addresses" })]
    [InlineData("%2Bcreated_by,id", new[] { "id" })]
    [InlineData("id,*groups,%2Bcreated_by", new[] { "id" })]
    public async Task Fields_select_the_keys_of_the_customer(string fields, string[] expectedKeys)
    {
        var customer = await api.CreateCustomerAsync();

        var response = (await api.Api.GetAsync($"{Me}?fields={fields}", customer.Token)).Expect(HttpStatusCode.OK);

        var me = response.Object["customer"]!.AsObject();
        Assert.Equal(expectedKeys.Order(StringComparer.Ordinal), me.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(customer.CustomerId, me["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Fields_with_a_literal_plus_add_like_a_space()
    {
        var customer = await api.CreateCustomerAsync();

        var plus = (await api.Api.GetAsync($"{Me}?fields=+orders", customer.Token)).Expect(HttpStatusCode.OK);
        var encoded = (await api.Api.GetAsync($"{Me}?fields=%2Borders", customer.Token)).Expect(HttpStatusCode.OK);

        Assert.Equal(plus.Body, encoded.Body);
        Assert.Equal("[]", plus.Object["customer"]!["orders"]!.ToJsonString());
    }

    [Fact]
    public async Task Storefront_orders_expansion_answers_an_empty_orders_array()
    {
        var customer = await api.CreateCustomerAsync();

        var response = (await api.Api.GetAsync($"{Me}?fields=*orders", customer.Token)).Expect(HttpStatusCode.OK);

        var me = response.Object["customer"]!.AsObject();
        Assert.Equal(DefaultCustomerKeys.Append("orders").Order(StringComparer.Ordinal), me.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("[]", me["orders"]!.ToJsonString());
        Assert.Equal(customer.Email, me["email"]!.GetValue<string>());
    }

    [Fact]
    public async Task Fields_relation_columns_return_only_those_columns()
    {
        var customer = await api.CreateCustomerAsync();
        await api.AddAddressAsync(customer, new JsonObject { ["city"] = "NYC", ["first_name"] = "A" });
        await api.AddAddressAsync(customer, new JsonObject { ["first_name"] = "B" });

        var response = (await api.Api.GetAsync($"{Me}?fields=addresses.city", customer.Token)).Expect(HttpStatusCode.OK);

        var me = response.Object["customer"]!.AsObject();
        Assert.Equal(["addresses", "id"], me.Select(p => p.Key).Order(StringComparer.Ordinal));
        var cities = me["addresses"]!.AsArray().Select(a => a!.AsObject()).ToList();
        Assert.All(cities, a => Assert.Equal(["city"], a.Select(p => p.Key)));
        Assert.Equal(["NYC", null], cities.Select(a => a["city"]?.GetValue<string>()).OrderBy(c => c is null));
    }

    [Fact]
    public async Task Update_changes_only_the_fields_sent_and_null_clears()
    {
        var customer = await api.CreateCustomerAsync(new JsonObject { ["first_name"] = "Ada", ["last_name"] = "Lovelace", ["phone"] = "555", ["company_name"] = "Engines" });

        var response = await api.Api.PostAsync(Me, new JsonObject { ["first_name"] = "Augusta", ["phone"] = null }, customer.Token);

        var me = response.Expect(HttpStatusCode.OK).Object["customer"]!.AsObject();
        Assert.Equal(DefaultCustomerKeys, me.Select(p => p.Key));
        Assert.Equal("Augusta", me["first_name"]!.GetValue<string>());
        Assert.Equal("Lovelace", me["last_name"]!.GetValue<string>());
        Assert.Null(me["phone"]);
        Assert.Equal("Engines", me["company_name"]!.GetValue<string>());
        Assert.Equal(customer.Email, me["email"]!.GetValue<string>());
        var again = (await api.Api.GetAsync(Me, customer.Token)).Expect(HttpStatusCode.OK);
        Assert.True(JsonNode.DeepEquals(me, again.Object["customer"]));
    }

    [Fact]
    public async Task Update_refuses_email()
    {
        var customer = await api.CreateCustomerAsync();

        var response = await api.Api.PostAsync(Me, new { email = CustomersApiFactory.NewEmail() }, customer.Token);

        response.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Unrecognized fields: 'email'");
        var me = (await api.Api.GetAsync(Me, customer.Token)).Expect(HttpStatusCode.OK);
        Assert.Equal(customer.Email, me.Object["customer"]!["email"]!.GetValue<string>());
    }

    [Fact]
    public async Task Update_merges_metadata_the_Medusa_way()
    {
        var customer = await api.CreateCustomerAsync(new JsonObject
        {
            ["metadata"] = new JsonObject { ["a"] = "1", ["b"] = new JsonObject { ["c"] = 1 }, ["keep"] = "k", ["gone"] = "x" },
        });

        var merged = await UpdateMetadataAsync(customer, new JsonObject { ["gone"] = "", ["b"] = new JsonObject { ["d"] = 2 }, ["n"] = null, ["a"] = 2 });

        Assert.True(JsonNode.DeepEquals(
            new JsonObject { ["a"] = 2, ["b"] = new JsonObject { ["d"] = 2 }, ["keep"] = "k", ["n"] = null },
            merged["metadata"]), merged["metadata"]?.ToJsonString());
    }

    [Fact]
    public async Task Update_with_empty_metadata_changes_nothing_not_even_updated_at()
    {
        var customer = await api.CreateCustomerAsync(new JsonObject { ["first_name"] = "Ada", ["metadata"] = new JsonObject { ["a"] = "1" } });
        var before = (await api.Api.GetAsync(Me, customer.Token)).Expect(HttpStatusCode.OK).Object["customer"]!;
        api.Clock.Advance(TimeSpan.FromSeconds(1));

        var after = await UpdateMetadataAsync(customer, new JsonObject());
        var sameName = (await api.Api.PostAsync(Me, new { first_name = before["first_name"]!.GetValue<string>() }, customer.Token))
            .Expect(HttpStatusCode.OK).Object["customer"]!;

        Assert.True(JsonNode.DeepEquals(before, after), after.ToJsonString());
        Assert.True(JsonNode.DeepEquals(before, sameName), sameName.ToJsonString());
    }

    [Fact]
    public async Task Update_that_changes_something_moves_updated_at_only()
    {
        var customer = await api.CreateCustomerAsync();
        var before = (await api.Api.GetAsync(Me, customer.Token)).Expect(HttpStatusCode.OK).Object["customer"]!;
        api.Clock.Advance(TimeSpan.FromSeconds(1));

        var after = (await api.Api.PostAsync(Me, new { company_name = "Analytical" }, customer.Token)).Expect(HttpStatusCode.OK).Object["customer"]!;

        Assert.Equal(before["created_at"]!.GetValue<string>(), after["created_at"]!.GetValue<string>());
        Assert.True(
            DateTimeOffset.Parse(after["updated_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
            > DateTimeOffset.Parse(before["updated_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Matches(TimestampPattern, after["updated_at"]!.GetValue<string>());
    }

    [Fact]
    public async Task Update_with_null_metadata_clears_it_and_a_later_object_starts_afresh()
    {
        var customer = await api.CreateCustomerAsync(new JsonObject { ["metadata"] = new JsonObject { ["a"] = "1" } });

        var cleared = (await api.Api.PostAsync(Me, new JsonObject { ["metadata"] = null }, customer.Token)).Expect(HttpStatusCode.OK).Object["customer"]!;
        var refilled = await UpdateMetadataAsync(customer, new JsonObject { ["x"] = 1 });

        Assert.True(cleared.AsObject().TryGetPropertyValue("metadata", out var metadata));
        Assert.Null(metadata);
        Assert.Equal("""{"x":1}""", refilled["metadata"]!.ToJsonString());
    }

    [Fact]
    public async Task Update_with_invalid_values_is_400_and_changes_nothing()
    {
        var customer = await api.CreateCustomerAsync();

        var response = await api.Api.PostRawAsync(Me, """{"first_name":"Changed","last_name":5}""", token: customer.Token);

        response.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Expected type: 'string' for field 'last_name', got: '5'");
        var me = (await api.Api.GetAsync(Me, customer.Token)).Expect(HttpStatusCode.OK);
        Assert.Equal("Ada", me.Object["customer"]!["first_name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Update_answers_with_the_fields_asked_for_and_rejects_unknown_query_parameters()
    {
        var customer = await api.CreateCustomerAsync();

        var projected = await api.Api.PostAsync($"{Me}?fields=id,last_name", new { last_name = "Byron" }, customer.Token);
        var unknown = await api.Api.PostAsync($"{Me}?foo=1", new { last_name = "Never" }, customer.Token);

        Assert.Equal($$$"""{"customer":{"id":"{{{customer.CustomerId}}}","last_name":"Byron"}}""", projected.Expect(HttpStatusCode.OK).Body);
        unknown.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Unrecognized fields: 'foo'");
        var me = (await api.Api.GetAsync(Me, customer.Token)).Expect(HttpStatusCode.OK);
        Assert.Equal("Byron", me.Object["customer"]!["last_name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Update_without_a_body_changes_nothing()
    {
        var customer = await api.CreateCustomerAsync();
        var before = (await api.Api.GetAsync(Me, customer.Token)).Expect(HttpStatusCode.OK).Body;
        api.Clock.Advance(TimeSpan.FromMilliseconds(5));

        var response = await api.Api.PostAsync(Me, token: customer.Token);

        Assert.Equal(before, response.Expect(HttpStatusCode.OK).Body);
    }

    [Fact]
    public async Task Metadata_over_the_size_limit_is_400_and_not_stored()
    {
        var customer = await api.CreateCustomerAsync();
        var metadata = new JsonObject();
        for (var i = 0; i < 20; i++)
        {
            metadata[$"key{i}"] = new string('m', 1000);
        }

        var response = await api.Api.PostAsync(Me, new JsonObject { ["metadata"] = metadata }, customer.Token);

        response.Expect(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_data", response.Type);
        Assert.Contains("metadata", response.Message, StringComparison.Ordinal);
        Assert.Null((await api.Api.GetAsync(Me, customer.Token)).Expect(HttpStatusCode.OK).Object["customer"]!["metadata"]);
    }

    [Fact]
    public async Task Deleted_customer_is_not_found_on_me_and_its_addresses_are_soft_deleted()
    {
        var customer = await api.CreateCustomerAsync();
        var address = await api.AddAddressAsync(customer, new JsonObject { ["city"] = "Gone" });
        await api.Services.GetRequiredService<IGrainFactory>().GetGrain<ICustomerGrain>(customer.CustomerId).DeleteAsync();

        var get = await api.Api.GetAsync(Me, customer.Token);
        var update = await api.Api.PostAsync(Me, new { first_name = "Ghost" }, customer.Token);
        var addresses = await api.Api.GetAsync("/store/customers/me/addresses", customer.Token);

        get.ExpectError(HttpStatusCode.NotFound, "not_found", $"Customer with id: {customer.CustomerId} was not found");
        // Medusa answers 200 {} here (docs/medusa-compatibility.md D32); 404 is the allowed fix. Either way nothing is written.
        Assert.True(
            update.Status == HttpStatusCode.NotFound ? update.Type == "not_found" : update.Status == HttpStatusCode.OK && update.Body == "{}",
            $"{(int)update.Status} {update.Body}");
        Assert.Equal(0, addresses.Expect(HttpStatusCode.OK).Object["count"]!.GetValue<int>());
        var row = Assert.Single(await Db.RowsAsync(api.ConnectionString, "SELECT first_name, deleted_at FROM customer WHERE id = $1", customer.CustomerId));
        Assert.Equal("Ada", row["first_name"]);
        Assert.NotNull(row["deleted_at"]);
        Assert.NotNull(await Db.ScalarAsync<DateTime?>(api.ConnectionString, "SELECT deleted_at FROM customer_address WHERE id = $1", address));
    }

    private async Task<JsonObject> UpdateMetadataAsync(TestCustomer customer, JsonObject metadata)
    {
        var response = await api.Api.PostAsync(Me, new JsonObject { ["metadata"] = metadata }, customer.Token);
        return response.Expect(HttpStatusCode.OK).Object["customer"]!.AsObject();
    }
}
