using System.Text;
using System.Text.Json;
using Customers.Grains.Storage;
using Orleans.Storage;

namespace Customers.Host.Database;

/// <summary>
/// Grain state rows written outside the grains (bulk seeding, the Medusa import) exactly as Orleans' ADO.NET provider
/// (10.4.2) writes a string-keyed grain's: the state name in graintypestring, N0 = N1 = 0, the key in
/// grainidextensionstring, version 1 for a first write, the payload serialized as the silo's storage serializer does,
/// and the hashes the provider computes (its default hasher over the reversed UTF-8 key, and over the state name).
/// </summary>
internal static class GrainStorageRows
{
    private static readonly IHasher Hasher = new OrleansDefaultHasher();

    /// <summary>The options of the silo's grain storage serializer (<see cref="StateJson"/>).</summary>
    public static JsonSerializerOptions Json { get; } = CreateJson();

    public static byte[] Payload<T>(T state) => JsonSerializer.SerializeToUtf8Bytes(state, Json);

    /// <summary>The provider's grain id hash of a string key (AdoGrainKey.GetHashBytes: UTF-8, reversed on little-endian).</summary>
    public static int IdHash(string key)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        if (BitConverter.IsLittleEndian)
        {
            Array.Reverse(bytes);
        }

        return Hasher.Hash(bytes);
    }

    public static int TypeHash(string stateName) => Hasher.Hash(Encoding.UTF8.GetBytes(stateName));

    private static JsonSerializerOptions CreateJson()
    {
        var json = new JsonSerializerOptions();
        StateJson.Configure(json);
        return json;
    }
}
