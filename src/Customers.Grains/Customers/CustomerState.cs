using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Customers.Grains.Customers;

/// <summary>
/// Stored as snake_case JSON; the read-model trigger in <c>deploy/sql</c> reads these names, so renaming a property
/// is a schema change. A null <see cref="Id"/> means no customer exists under the key.
/// </summary>
public sealed class CustomerState
{
    public string? Id { get; set; }
    public string? Email { get; set; }
    public string? CompanyName { get; set; }
    public string? FirstName { get; set; }
    public string? LastName { get; set; }
    public string? Phone { get; set; }
    public bool HasAccount { get; set; }
    public JsonObject? Metadata { get; set; }
    public string? CreatedBy { get; set; }

    /// <summary>The auth identity whose sign-up created this customer (it is linked to it); null otherwise.</summary>
    public string? SignUpIdentityId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
    public List<AddressState> Addresses { get; set; } = [];
}

public sealed class AddressState
{
    public string Id { get; set; } = "";
    public string? AddressName { get; set; }
    public bool IsDefaultShipping { get; set; }
    public bool IsDefaultBilling { get; set; }
    public string? Company { get; set; }
    public string? FirstName { get; set; }
    public string? LastName { get; set; }

    [JsonPropertyName("address_1")]
    public string? Address1 { get; set; }

    [JsonPropertyName("address_2")]
    public string? Address2 { get; set; }

    public string? City { get; set; }
    public string? CountryCode { get; set; }
    public string? Province { get; set; }
    public string? PostalCode { get; set; }
    public string? Phone { get; set; }
    public JsonObject? Metadata { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
