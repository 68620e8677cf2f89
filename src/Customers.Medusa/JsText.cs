using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Customers.Medusa;

/// <summary>
/// Renders JSON values the way JavaScript's <c>String(value)</c> does, because Medusa's validation messages embed the
/// received value that way (<c>got: '[object Object]'</c>, <c>got: 'a,b'</c>, <c>got: 'null'</c>).
/// </summary>
public static class JsText
{
    /// <summary><c>String(value)</c> for a JSON value; a missing value (C# null) is JavaScript <c>null</c>.</summary>
    public static string ToJsString(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return "null";
            case JsonObject:
                return "[object Object]";
            case JsonArray array:
                var builder = new StringBuilder();
                AppendArray(builder, array);
                return builder.ToString();
            default:
                return ScalarToString(node.AsValue());
        }
    }

    /// <summary>JavaScript's <c>Number.prototype.toString()</c> (shortest round-trip digits, JS exponent rules).</summary>
    public static string NumberToString(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }

        if (value == 0)
        {
            // Covers -0 too: String(-0) is "0".
            return "0";
        }

        // "E16" is not shortest; "R" is, but may use either notation. Normalise "R" into digits + exponent.
        var roundTrip = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = roundTrip[0] == '-';
        var text = negative ? roundTrip.AsSpan(1) : roundTrip.AsSpan();

        var exponentIndex = text.IndexOfAny('E', 'e');
        var exponent = 0;
        var mantissa = text;
        if (exponentIndex >= 0)
        {
            exponent = int.Parse(text[(exponentIndex + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            mantissa = text[..exponentIndex];
        }

        // Collect significant digits and the position of the decimal point (n in ECMA-262 Number::toString).
        Span<char> digits = stackalloc char[32];
        var digitCount = 0;
        var pointPosition = -1;
        var seenNonZero = false;
        var leadingZerosAfterPoint = 0;
        for (var i = 0; i < mantissa.Length; i++)
        {
            var c = mantissa[i];
            if (c == '.')
            {
                pointPosition = digitCount;
                continue;
            }

            if (!seenNonZero && c == '0')
            {
                if (pointPosition >= 0)
                {
                    leadingZerosAfterPoint++;
                }

                continue;
            }

            seenNonZero = true;
            digits[digitCount++] = c;
        }

        // Integer part digits (before the point) among the significant digits.
        var integerDigits = pointPosition >= 0 ? pointPosition : digitCount;
        var n = integerDigits - leadingZerosAfterPoint + exponent;

        // Trim trailing zeros from the significant digits; they are implied by n.
        while (digitCount > 1 && digits[digitCount - 1] == '0')
        {
            digitCount--;
        }

        var k = digitCount;
        var sig = digits[..k];
        var result = new StringBuilder(32);
        if (negative)
        {
            result.Append('-');
        }

        if (k <= n && n <= 21)
        {
            result.Append(sig).Append('0', n - k);
        }
        else if (0 < n && n <= 21)
        {
            result.Append(sig[..n]).Append('.').Append(sig[n..]);
        }
        else if (-6 < n && n <= 0)
        {
            result.Append("0.").Append('0', -n).Append(sig);
        }
        else
        {
            result.Append(sig[0]);
            if (k > 1)
            {
                result.Append('.').Append(sig[1..]);
            }

            var e = n - 1;
            result.Append('e').Append(e < 0 ? '-' : '+').Append(Math.Abs(e).ToString(CultureInfo.InvariantCulture));
        }

        return result.ToString();
    }

    /// <summary>A JSON number as JavaScript sees it: out-of-range values become Infinity instead of failing.</summary>
    public static double ToDouble(JsonValue number) =>
        double.Parse(number.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);

    private static void AppendArray(StringBuilder builder, JsonArray array)
    {
        for (var i = 0; i < array.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            // Array.prototype.join renders null and undefined elements as empty strings.
            switch (array[i])
            {
                case null:
                    break;
                case JsonArray inner:
                    AppendArray(builder, inner);
                    break;
                case JsonObject:
                    builder.Append("[object Object]");
                    break;
                case var other:
                    builder.Append(ScalarToString(other.AsValue()));
                    break;
            }
        }
    }

    private static string ScalarToString(JsonValue value)
    {
        if (value.TryGetValue<string>(out var text))
        {
            return text;
        }

        if (value.TryGetValue<bool>(out var flag))
        {
            return flag ? "true" : "false";
        }

        switch (value.GetValueKind())
        {
            case JsonValueKind.Number:
                return NumberToString(ToDouble(value));
            case JsonValueKind.Null:
                return "null";
            default:
                return value.ToJsonString();
        }
    }
}
