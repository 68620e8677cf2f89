using System.Net;
using System.Text.Json.Nodes;
using Customers.Host.Import;
using Customers.Host.Tests.Http;
using Customers.Testing;
using Xunit;

namespace Customers.Host.Tests.Import;

/// <summary>
/// A real host on a database that first got a customer of its own (heidi@medusa.example, signed up here) and then the
/// import of the Medusa store: imported customers log in with the passwords set in Medusa, and the clash is reported.
/// </summary>
public sealed class ImportedApiFactory : CustomersApiFactory
{
    private readonly SemaphoreSlim _once = new(1, 1);
    private (MedusaImporter.Result Result, TestCustomer Native)? _imported;

    protected override string DatabasePrefix => "medusa_import";

    internal async Task<(MedusaImporter.Result Result, TestCustomer Native)> ImportedAsync(MedusaStoreFixture medusa)
    {
        await _once.WaitAsync();
        try
        {
            if (_imported is null)
            {
                var native = await CreateCustomerAsync(email: "heidi@medusa.example");
                _imported = (await MedusaImportRunner.ImportAsync(medusa, ConnectionString), native);
            }

            return _imported.Value;
        }
        finally
        {
            _once.Release();
        }
    }
}

[Collection(MedusaStoreCollection.Name)]
public sealed class MedusaImportLoginTests(MedusaStoreFixture medusa, ImportedApiFactory api) : IClassFixture<ImportedApiFactory>
{
    [Theory]
    [InlineData("alice")] // Medusa's own hash (scrypt-kdf defaults: log2 N 15, r 8, p 1)
    [InlineData("grace")] // made by npm scrypt-kdf 4 with log2 N 10, r 4, p 2
    public async Task Imported_customers_log_in_with_their_Medusa_password_which_is_then_rehashed_to_bcrypt(string name)
    {
        await api.ImportedAsync(medusa);
        var customer = medusa.Store.Named(name);
        Assert.StartsWith("c2NyeXB0", await PasswordHashAsync(customer.AuthIdentityId!));

        var token = await api.LoginAsync(customer.Email, customer.Password!);

        var me = (await api.Api.GetAsync("/store/customers/me", token)).Expect(HttpStatusCode.OK).Object["customer"]!;
        Assert.Equal(customer.Id, me["id"]!.GetValue<string>());
        Assert.Equal(customer.Email, me["email"]!.GetValue<string>());
        Assert.Equal((customer.AddressIds ?? []).Order(StringComparer.Ordinal), me["addresses"]!.AsArray().Select(a => a!["id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.StartsWith("$2", await PasswordHashAsync(customer.AuthIdentityId!)); // stored: the rehash survives restarts
        await api.LoginAsync(customer.Email, customer.Password!);
        (await api.Api.PostAsync("/auth/customer/emailpass", new { email = customer.Email, password = customer.Password + "x" }))
            .Expect(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_wrong_password_leaves_the_Medusa_hash_and_the_right_one_replaces_it()
    {
        await api.ImportedAsync(medusa);
        var bob = medusa.Store.Named("bob");
        var medusaHash = await PasswordHashAsync(bob.AuthIdentityId!);

        (await api.Api.PostAsync("/auth/customer/emailpass", new { email = bob.Email, password = "not-Bob-Medusa-Pass" }))
            .Expect(HttpStatusCode.Unauthorized);
        Assert.Equal(medusaHash, await PasswordHashAsync(bob.AuthIdentityId!));

        await api.LoginAsync(bob.Email, bob.Password!);
        Assert.StartsWith("$2", await PasswordHashAsync(bob.AuthIdentityId!));
    }

    [Fact]
    public async Task Profiles_addresses_groups_and_soft_deletes_are_those_of_Medusa_column_for_column()
    {
        await api.ImportedAsync(medusa);
        // Every column of Medusa's rows, as our read model holds them (the read model is projected from the grain states).
        foreach (var (columns, from) in new[]
                 {
                     ("id, email, company_name, first_name, last_name, phone, has_account, metadata, created_by, created_at, updated_at, deleted_at",
                      "customer WHERE email <> 'heidi@medusa.example'"),
                     ("id, name, metadata, created_by, created_at, updated_at, deleted_at", "customer_group"),
                     ("id, customer_id, address_name, is_default_shipping, is_default_billing, company, first_name, last_name, address_1, address_2, city, country_code, province, postal_code, phone, metadata, created_at, updated_at",
                      "customer_address WHERE customer_id IN (SELECT id FROM customer WHERE email <> 'heidi@medusa.example')"),
                 })
        {
            var sql = $"SELECT {columns} FROM {from}";
            Assert.Equal(await RowsTextAsync(medusa.ConnectionString, sql), await RowsTextAsync(api.ConnectionString, sql));
        }

        var memberships = await RowsTextAsync(api.ConnectionString, "SELECT id, customer_id, customer_group_id FROM customer_group_customer");
        var expected = await RowsTextAsync(medusa.ConnectionString,
            "SELECT m.id, m.customer_id, m.customer_group_id FROM customer_group_customer m JOIN customer c ON c.id = m.customer_id WHERE m.deleted_at IS NULL AND c.email <> 'heidi@medusa.example'");
        Assert.Equal(expected, memberships);
        Assert.Contains(medusa.Store.Groups["vip"], medusa.Store.Named("carol").Groups);

        var dave = medusa.Store.Named("dave");
        Assert.NotNull(await Db.ScalarAsync<DateTime?>(api.ConnectionString, "SELECT deleted_at FROM customer WHERE id = $1", dave.Id));
        Assert.NotNull(await Db.ScalarAsync<DateTime?>(api.ConnectionString, "SELECT deleted_at FROM customer_address WHERE id = $1", dave.AddressIds![0]));
        Assert.Equal(0, await Db.ScalarAsync<long>(api.ConnectionString, "SELECT count(*) FROM auth_identity WHERE id = ANY($1)", (object)medusa.Store.SkippedIdentities.ToArray()));
    }

    [Fact]
    public async Task Google_and_GitHub_identities_keep_their_subject_and_their_customer()
    {
        await api.ImportedAsync(medusa);
        foreach (var name in new[] { "erin", "frank" })
        {
            var customer = medusa.Store.Named(name);
            var row = Assert.Single(await Db.RowsAsync(api.ConnectionString,
                """
                SELECT p.provider, p.entity_id, a.app_metadata ->> 'customer_id' AS customer_id
                FROM provider_identity p JOIN auth_identity a ON a.id = p.auth_identity_id
                WHERE a.id = $1
                """, customer.AuthIdentityId!));
            Assert.Equal((customer.Provider, customer.Subject, customer.Id), ((string?)row["provider"], (string?)row["entity_id"], (string?)row["customer_id"]));
        }
    }

    [Fact]
    public async Task An_email_taken_here_is_reported_and_never_merged()
    {
        var (result, native) = await api.ImportedAsync(medusa);
        var heidi = medusa.Store.Named("heidi");

        var conflict = Assert.Single(result.Conflicts, c => c.Id == heidi.Id);
        Assert.Equal("customer", conflict.Kind);
        Assert.Contains("heidi@medusa.example", conflict.Reason);
        Assert.Contains(result.Conflicts, c => c.Id == heidi.AuthIdentityId && c.Kind == "auth identity");
        Assert.Contains(result.Conflicts, c => c.Kind == "membership" && c.Reason.Contains(heidi.Id, StringComparison.Ordinal));
        Assert.Equal(3, result.ConflictCount); // her customer, her identity, her membership
        Assert.Equal(0, await Db.ScalarAsync<long>(api.ConnectionString, "SELECT count(*) FROM customer WHERE id = $1", heidi.Id));

        // Ours is untouched: same id, same password; Medusa's password does not open it.
        var token = await api.LoginAsync(native.Email, native.Password);
        var me = (await api.Api.GetAsync("/store/customers/me", token)).Expect(HttpStatusCode.OK).Object["customer"]!;
        Assert.Equal(native.CustomerId, me["id"]!.GetValue<string>());
        (await api.Api.PostAsync("/auth/customer/emailpass", new { email = heidi.Email, password = heidi.Password }))
            .Expect(HttpStatusCode.Unauthorized);
    }

    private async Task<string> PasswordHashAsync(string identityId)
    {
        var state = JsonNode.Parse((await Db.StoredStateAsync(api.ConnectionString, "authidentity", identityId))!)!;
        return state["provider_identities"]!.AsArray().Single(p => p!["provider"]!.GetValue<string>() == "emailpass")!["password_hash"]!.GetValue<string>();
    }

    private static async Task<List<string>> RowsTextAsync(string connectionString, string sql) =>
        (await Db.RowsAsync(connectionString, $"SELECT row_to_json(r)::text AS row FROM ({sql}) r ORDER BY 1"))
            .Select(r => (string)r["row"]!).ToList();
}
