using System.Globalization;
using System.Text.Json.Nodes;

namespace Customers.Host.Tests.OrleansStorage;

/// <summary>Grain state payloads in the stored JSON shape (System.Text.Json, snake_case) the trigger reads.</summary>
internal static class StateJson
{
    public static readonly DateTimeOffset Created = new(2026, 11, 26, 10, 44, 5, 865, TimeSpan.Zero);

    public static string NewId(string prefix) => $"{prefix}_{Guid.NewGuid():N}";

    public static string NewEmail() => $"{Guid.NewGuid():N}@example.com";

    public static JsonObject Customer(
        string id, string? email, bool hasAccount = false, DateTimeOffset? deletedAt = null, params JsonObject[] addresses) =>
        new()
        {
            ["id"] = id,
            ["email"] = email,
            ["company_name"] = "Acme",
            ["first_name"] = "Ada",
            ["last_name"] = "Lovelace",
            ["phone"] = null,
            ["has_account"] = hasAccount,
            ["metadata"] = new JsonObject { ["tier"] = "gold" },
            ["created_by"] = null,
            ["created_at"] = Iso(Created),
            ["updated_at"] = Iso(Created),
            ["deleted_at"] = deletedAt is null ? null : Iso(deletedAt.Value),
            ["addresses"] = new JsonArray([.. addresses.Select(a => a.DeepClone())]),
        };

    public static JsonObject Address(string id, bool defaultShipping = false, bool defaultBilling = false, string city = "Copenhagen") =>
        new()
        {
            ["id"] = id,
            ["address_name"] = "Home",
            ["is_default_shipping"] = defaultShipping,
            ["is_default_billing"] = defaultBilling,
            ["company"] = null,
            ["first_name"] = "Ada",
            ["last_name"] = "Lovelace",
            ["address_1"] = "Main street 1",
            ["address_2"] = null,
            ["city"] = city,
            ["country_code"] = "dk",
            ["province"] = null,
            ["postal_code"] = "2100",
            ["phone"] = null,
            ["metadata"] = null,
            ["created_at"] = Iso(Created),
            ["updated_at"] = Iso(Created),
        };

    public static JsonObject AuthIdentity(string id, DateTimeOffset? tokensValidAfter = null, params JsonObject[] providers) =>
        new()
        {
            ["id"] = id,
            ["app_metadata"] = new JsonObject { ["customer_id"] = "cus_x" },
            ["provider_identities"] = new JsonArray([.. providers.Select(p => p.DeepClone())]),
            ["failed_logins"] = 0,
            ["locked_until"] = null,
            ["tokens_valid_after"] = tokensValidAfter is null ? null : Iso(tokensValidAfter.Value),
            ["created_at"] = Iso(Created),
            ["updated_at"] = Iso(Created),
        };

    public static JsonObject Provider(string entityId, string provider = "emailpass", string? passwordHash = null, string? id = null) =>
        new()
        {
            ["id"] = id ?? Guid.NewGuid().ToString("N"),
            ["provider"] = provider,
            ["entity_id"] = entityId,
            ["user_metadata"] = new JsonObject { ["name"] = "Ada" },
            ["password_hash"] = passwordHash,
        };

    public static string Iso(DateTimeOffset value) => value.ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", CultureInfo.InvariantCulture);
}
