using System.Text.Json;
using Xunit;

namespace Customers.Medusa.Tests;

public sealed class MedusaJsonTests
{
    private sealed record Customer(
        string Id,
        string? CompanyName,
        bool HasAccount,
        Dictionary<string, object?>? Metadata,
        DateTimeOffset CreatedAt,
        DateTimeOffset? DeletedAt);

    [Fact]
    public void Properties_are_snake_case_and_nulls_are_written()
    {
        var customer = new Customer("cus_1", null, true, null, new DateTimeOffset(2026, 11, 26, 10, 44, 5, 865, TimeSpan.Zero), null);

        Assert.Equal(
            """{"id":"cus_1","company_name":null,"has_account":true,"metadata":null,"created_at":"2026-11-26T10:44:05.865Z","deleted_at":null}""",
            JsonSerializer.Serialize(customer, MedusaJson.Options));
    }

    [Fact]
    public void Metadata_keys_are_kept_verbatim()
    {
        var customer = new Customer("cus_1", null, false, new() { ["camelKey"] = 1, ["Upper Key"] = "x" }, DateTimeOffset.UnixEpoch, null);

        Assert.Contains("""
            "metadata":{"camelKey":1,"Upper Key":"x"}
            """.Trim(), JsonSerializer.Serialize(customer, MedusaJson.Options));
    }

    [Theory]
    [InlineData("2026-11-26T11:44:05.8659999+01:00", "\"2026-11-26T10:44:05.865Z\"")]
    [InlineData("2026-01-02T03:04:05Z", "\"2026-01-02T03:04:05.000Z\"")]
    [InlineData("0001-01-01T00:00:00Z", "\"0001-01-01T00:00:00.000Z\"")]
    public void Timestamps_are_utc_with_exactly_three_fraction_digits(string input, string expected)
    {
        var value = DateTimeOffset.Parse(input, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(expected, JsonSerializer.Serialize(value, MedusaJson.Options));
        Assert.Equal(expected.Trim('"'), MillisecondUtcDateTimeOffsetConverter.Format(value));
    }

    [Fact]
    public void Nullable_timestamps_use_the_same_format()
    {
        DateTimeOffset? value = new DateTimeOffset(2026, 1, 2, 3, 4, 5, 6, TimeSpan.Zero);

        Assert.Equal("\"2026-01-02T03:04:05.006Z\"", JsonSerializer.Serialize(value, MedusaJson.Options));
        Assert.Equal("null", JsonSerializer.Serialize((DateTimeOffset?)null, MedusaJson.Options));
    }

    [Fact]
    public void Timestamps_read_back_from_the_wire_format()
    {
        var value = JsonSerializer.Deserialize<DateTimeOffset>("\"2026-11-26T10:44:05.865Z\"", MedusaJson.Options);

        Assert.Equal(new DateTimeOffset(2026, 11, 26, 10, 44, 5, 865, TimeSpan.Zero), value);
    }

    [Fact]
    public void Strings_are_not_html_escaped()
    {
        Assert.Equal("\"O'Neil <a&b> é\"", JsonSerializer.Serialize("O'Neil <a&b> é", MedusaJson.Options));
    }

    [Fact]
    public void Configure_applies_the_settings_to_host_options()
    {
        var options = new JsonSerializerOptions();

        MedusaJson.Configure(options);
        MedusaJson.Configure(options);

        Assert.Equal("{\"has_account\":true}", JsonSerializer.Serialize(new { HasAccount = true }, options));
        Assert.Single(options.Converters, c => c is MillisecondUtcDateTimeOffsetConverter);
    }
}
