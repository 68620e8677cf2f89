using Customers.Testing;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace Customers.Host.Tests.Http;

/// <summary>
/// Once a write is acknowledged over HTTP, the relational read model (<c>customer</c>, <c>customer_address</c>,
/// <c>auth_identity</c>, <c>provider_identity</c>) already holds exactly that data: it is written in the grain
/// write's own transaction. Password hashes stay in the identity grain's state and appear nowhere else.
/// </summary>
[Collection(HttpCollection.Name)]
public sealed class ReadModelTests(CustomersApiFactory api)
{
    [Fact]
    public async Task Acknowledged_customer_and_addresses_are_in_the_read_model_exactly()
    {
        var customer = await api.CreateCustomerAsync(new JsonObject
        {
            ["first_name"] = "Ada",
            ["last_name"] = "Lovelace",
            ["company_name"] = "Engines",
            ["phone"] = "555",
            ["metadata"] = new JsonObject { ["tier"] = "gold", ["nested"] = new JsonObject { ["n"] = 1 } },
        });
        var home = await api.AddAddressAsync(customer, new JsonObject
        {
            ["address_name"] = "Home",
            ["first_name"] = "Ada",
            ["address_1"] = "12 St James's Square",
            ["city"] = "London",
            ["country_code"] = "gb",
            ["postal_code"] = "SW1Y",
            ["is_default_shipping"] = true,
            ["is_default_billing"] = true,
            ["metadata"] = new JsonObject { ["floor"] = 2 },
        });
        var work = await api.AddAddressAsync(customer, new JsonObject { ["address_name"] = "Work", ["city"] = "Cambridge" });
        var gone = await api.AddAddressAsync(customer, new JsonObject { ["address_name"] = "Old" });
        (await api.Api.PostAsync($"/store/customers/me/addresses/{work}", new { is_default_shipping = true, company = "Babbage & Co" }, customer.Token))
            .Expect(HttpStatusCode.OK);
        (await api.Api.DeleteAsync($"/store/customers/me/addresses/{gone}", customer.Token)).Expect(HttpStatusCode.OK);
        (await api.Api.PostAsync("/store/customers/me", new JsonObject { ["last_name"] = "King", ["metadata"] = new JsonObject { ["tier"] = "" } }, customer.Token))
            .Expect(HttpStatusCode.OK);

        var wire = (await api.Api.GetAsync("/store/customers/me", customer.Token)).Expect(HttpStatusCode.OK).Object["customer"]!.AsObject();

        var row = Assert.Single(await Db.RowsAsync(
            api.ConnectionString,
            """
            SELECT id, email, company_name, first_name, last_name, phone, has_account, metadata::text AS metadata, created_by,
                   created_at, updated_at, deleted_at
            FROM customer WHERE id = $1
            """,
            customer.CustomerId));
        Assert.Equal(customer.Email, row["email"]);
        Assert.Equal("Engines", row["company_name"]);
        Assert.Equal("Ada", row["first_name"]);
        Assert.Equal("King", row["last_name"]);
        Assert.Equal("555", row["phone"]);
        Assert.Equal(true, row["has_account"]);
        Assert.Null(row["created_by"]);
        Assert.Null(row["deleted_at"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse((string)row["metadata"]!), wire["metadata"]), (string)row["metadata"]!);
        Assert.Equal("""{"nested":{"n":1}}""", wire["metadata"]!.ToJsonString());
        AssertSameInstant(wire["created_at"]!.GetValue<string>(), (DateTime)row["created_at"]!);
        AssertSameInstant(wire["updated_at"]!.GetValue<string>(), (DateTime)row["updated_at"]!);

        var addressRows = await Db.RowsAsync(
            api.ConnectionString,
            """
            SELECT id, customer_id, address_name, is_default_shipping, is_default_billing, company, first_name, last_name,
                   address_1, address_2, city, country_code, province, postal_code, phone, metadata::text AS metadata,
                   created_at, updated_at, deleted_at
            FROM customer_address WHERE customer_id = $1 ORDER BY id
            """,
            customer.CustomerId);
        var wireAddresses = wire["addresses"]!.AsArray().Select(a => a!.AsObject()).OrderBy(a => a["id"]!.GetValue<string>(), StringComparer.Ordinal).ToList();
        Assert.Equal([home, work], addressRows.Select(r => (string)r["id"]!));
        Assert.Equal(wireAddresses.Count, addressRows.Count);
        foreach (var (dbRow, wireAddress) in addressRows.Zip(wireAddresses))
        {
            foreach (var (column, value) in dbRow)
            {
                var expected = wireAddress[column];
                switch (value)
                {
                    case null:
                        Assert.True(expected is null, $"{column}: {expected?.ToJsonString()}");
                        break;
                    case DateTime time:
                        AssertSameInstant(expected!.GetValue<string>(), time);
                        break;
                    case bool flag:
                        Assert.Equal(expected!.GetValue<bool>(), flag);
                        break;
                    case string text when column == "metadata":
                        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(text), expected), $"{column}: {text}");
                        break;
                    default:
                        Assert.Equal(expected!.GetValue<string>(), value);
                        break;
                }
            }
        }

        Assert.Equal((false, true), await FlagsAsync(home));
        Assert.Equal((true, false), await FlagsAsync(work));
        Assert.Equal("Babbage & Co", await Db.ScalarAsync<string>(api.ConnectionString, "SELECT company FROM customer_address WHERE id = $1", work));
        Assert.Equal(0L, await Db.ScalarAsync<long>(api.ConnectionString, "SELECT count(*) FROM customer_address WHERE id = $1", gone));
    }

    [Fact]
    public async Task Acknowledged_identity_and_link_are_in_the_read_model()
    {
        var customer = await api.CreateCustomerAsync();

        var identity = Assert.Single(await Db.RowsAsync(
            api.ConnectionString, "SELECT id, app_metadata::text AS app_metadata FROM auth_identity WHERE id = $1", customer.AuthIdentityId));
        var provider = Assert.Single(await Db.RowsAsync(
            api.ConnectionString,
            "SELECT id, auth_identity_id, provider, entity_id, user_metadata FROM provider_identity WHERE entity_id = $1",
            customer.Email));

        Assert.True(JsonNode.DeepEquals(new JsonObject { ["customer_id"] = customer.CustomerId }, JsonNode.Parse((string)identity["app_metadata"]!)));
        Assert.Equal(customer.AuthIdentityId, provider["auth_identity_id"]);
        Assert.Equal("emailpass", provider["provider"]);
        Assert.Matches("^[0-9A-HJKMNP-TV-Z]{26}$", (string)provider["id"]!);
        Assert.Null(provider["user_metadata"]);
    }

    [Fact]
    public async Task Registration_is_in_the_read_model_before_any_customer_exists()
    {
        var email = CustomersApiFactory.NewEmail();
        var token = await api.RegisterAsync(email, CustomersApiFactory.NewPassword());
        var identityId = Jwt.Payload(token)["auth_identity_id"]!.GetValue<string>();

        Assert.Equal(identityId, await Db.ScalarAsync<string>(api.ConnectionString, "SELECT auth_identity_id FROM provider_identity WHERE provider = 'emailpass' AND entity_id = $1", email));
        var appMetadata = await Db.ScalarAsync<string>(api.ConnectionString, "SELECT coalesce(app_metadata::text, 'null') FROM auth_identity WHERE id = $1", identityId);
        Assert.Contains(appMetadata, new[] { "{}", "null" });
    }

    [Fact]
    public async Task Password_hash_stays_in_the_identity_state_and_appears_nowhere_else()
    {
        var customer = await api.CreateCustomerAsync();
        var cookie = (await api.Api.PostAsync("/auth/session", token: customer.Token)).Expect(HttpStatusCode.OK);
        await api.AddAddressAsync(customer, new JsonObject { ["city"] = "Paris" });

        var state = JsonNode.Parse((await Db.StoredStateAsync(api.ConnectionString, "authidentity", customer.AuthIdentityId))!)!;
        var hash = Assert.Single(state["provider_identities"]!.AsArray())!["password_hash"]!.GetValue<string>();

        // bcrypt at the configured factor (4 in tests), never the password itself.
        Assert.Matches(@"^\$2[abxy]?\$04\$", hash);
        Assert.DoesNotContain(customer.Password, state.ToJsonString(), StringComparison.Ordinal);

        var tables = await Db.RowsAsync(
            api.ConnectionString,
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'orleansstorage'");
        Assert.Contains(tables, t => (string)t["table_name"]! == "provider_identity");
        // The word itself is legitimate in two places: a migration's name (0005_password_reset) and the event name
        // auth.password_reset in the development notification sink. Hash and password are searched everywhere.
        string[] namesPassword = ["schema_migrations", "dev_notification"];
        foreach (var table in tables.Select(t => (string)t["table_name"]!))
        {
            var word = namesPassword.Contains(table) ? "" : " OR strpos(t::text, 'password') > 0";
            var hits = await Db.ScalarAsync<long>(
                api.ConnectionString,
                $"SELECT count(*) FROM \"{table}\" t WHERE strpos(t::text, $1) > 0 OR strpos(t::text, $2) > 0{word}",
                hash,
                customer.Password);
            Assert.True(hits == 0, $"{table} holds password data");
        }

        var passwordColumns = await Db.RowsAsync(
            api.ConnectionString,
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name ILIKE '%password%'");
        Assert.Empty(passwordColumns);
        foreach (var body in new[] { cookie.Body, (await api.Api.GetAsync("/store/customers/me", customer.Token)).Body })
        {
            Assert.DoesNotContain("password", body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(hash, body, StringComparison.Ordinal);
        }
    }

    private async Task<(bool Shipping, bool Billing)> FlagsAsync(string addressId)
    {
        var row = Assert.Single(await Db.RowsAsync(
            api.ConnectionString, "SELECT is_default_shipping, is_default_billing FROM customer_address WHERE id = $1", addressId));
        return ((bool)row["is_default_shipping"]!, (bool)row["is_default_billing"]!);
    }

    /// <summary>The wire has milliseconds (truncated), the column microseconds: the same instant within 1 ms.</summary>
    private static void AssertSameInstant(string wire, DateTime column)
    {
        var onWire = DateTimeOffset.Parse(wire, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        var inColumn = new DateTimeOffset(DateTime.SpecifyKind(column, DateTimeKind.Utc));
        Assert.True((inColumn - onWire).Duration() < TimeSpan.FromMilliseconds(1), $"{wire} vs {inColumn:O}");
    }
}
