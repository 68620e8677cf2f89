using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Customers.Medusa;

/// <summary>
/// JSON settings shared by every Medusa route: snake_case property names, nulls written (Medusa returns
/// <c>"deleted_at": null</c>), Node-like escaping (no <c>\u0027</c> for quotes in messages) and millisecond UTC timestamps.
/// </summary>
public static class MedusaJson
{
    public const string ContentType = "application/json; charset=utf-8";

    /// <summary>The options for Medusa payloads. Frozen: configure the host's options with <see cref="Configure"/>.</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>Writer options for hand-written bodies (errors, envelopes).</summary>
    public static JsonWriterOptions WriterOptions { get; } = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <summary>Applies the Medusa settings to an existing options instance (e.g. <c>ConfigureHttpJsonOptions</c>).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;

        // Dictionary keys are user data (metadata): never rename them.
        options.DictionaryKeyPolicy = null;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;

        // Responses go to API clients, not into HTML: no \u0027 for quotes or \u00e9 for accents, as with
        // JSON.stringify. (Characters outside the BMP and U+2028/9 are still escaped; parsers read them the same.)
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.PropertyNameCaseInsensitive = false;
        if (!options.Converters.Any(c => c is MillisecondUtcDateTimeOffsetConverter))
        {
            options.Converters.Add(new MillisecondUtcDateTimeOffsetConverter());
        }

        if (!options.Converters.Any(c => c is ListEnvelopeConverterFactory))
        {
            options.Converters.Add(new ListEnvelopeConverterFactory());
        }
    }

    /// <summary>Serializes <paramref name="value"/> to UTF-8 with <see cref="Options"/>.</summary>
    public static byte[] SerializeToUtf8Bytes<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

/// <summary>
/// Writes <see cref="DateTimeOffset"/> the way Medusa does (<c>Date.toJSON()</c>): UTC, exactly three fraction digits, <c>Z</c>.
/// Sub-millisecond precision is truncated, as JavaScript dates cannot hold it. Reads any ISO-8601 form.
/// </summary>
public sealed class MillisecondUtcDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    // "yyyy-MM-ddTHH:mm:ss.fffZ" is 24 bytes.
    private const int FormattedLength = 24;

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TryGetDateTimeOffset(out var value))
        {
            return value;
        }

        var text = reader.GetString();
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value)
            ? value
            : throw new JsonException($"'{text}' is not a timestamp.");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => WriteValue(writer, value);

    /// <summary>Writes the wire text as a JSON string value, without allocating.</summary>
    public static void WriteValue(Utf8JsonWriter writer, DateTimeOffset value)
    {
        Span<byte> buffer = stackalloc byte[FormattedLength];
        Format(value, buffer);
        writer.WriteStringValue(buffer);
    }

    /// <summary>The wire text, e.g. <c>2026-11-26T10:44:05.865Z</c>.</summary>
    public static string Format(DateTimeOffset value)
    {
        Span<byte> buffer = stackalloc byte[FormattedLength];
        Format(value, buffer);
        return System.Text.Encoding.ASCII.GetString(buffer);
    }

    private static void Format(DateTimeOffset value, Span<byte> destination)
    {
        var utc = value.UtcDateTime;
        var ok = utc.TryFormat(destination, out var written, "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'", CultureInfo.InvariantCulture);
        if (!ok || written != FormattedLength)
        {
            throw new JsonException($"Cannot format {value:O} as a Medusa timestamp.");
        }
    }
}

/// <summary>Counts the UTF-8 bytes a value serializes to without keeping them (metadata size limit).</summary>
public sealed class ByteCountingBufferWriter : IBufferWriter<byte>
{
    private byte[] _scratch = new byte[1024];

    public long Count { get; private set; }

    public void Advance(int count) => Count += count;

    public Memory<byte> GetMemory(int sizeHint = 0) => EnsureScratch(sizeHint);

    public Span<byte> GetSpan(int sizeHint = 0) => EnsureScratch(sizeHint);

    private byte[] EnsureScratch(int sizeHint)
    {
        if (sizeHint > _scratch.Length)
        {
            _scratch = new byte[sizeHint];
        }

        return _scratch;
    }
}
