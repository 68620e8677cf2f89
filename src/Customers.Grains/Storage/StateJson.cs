using System.Text.Json;
using System.Text.Json.Serialization;

namespace Customers.Grains.Storage;

/// <summary>
/// The JSON contract of grain state rows, shared by the silo's storage serializer and the bulk loader. Changing it later
/// would blank existing rows, so tests pin it.
/// </summary>
public static class StateJson
{
    public static void Configure(JsonSerializerOptions json)
    {
        json.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        json.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
    }
}
